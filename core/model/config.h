// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What a run is made of and that never changes while it runs: the actors,
// their programs of user-level operations, and the monitor's policy. Shared
// (immutable) by every copy of a State.
#include <cstdint>
#include <string>
#include <vector>

#include "model/tag.h"

namespace faultline {

// User-level operations a task's program is made of (spec §0.3, §4–§6).
enum class OpKind : uint8_t {
    Read,             // UA(task, va(page), R)
    Write,            // UA(task, va(page), W, tag)
    FileWrite,        // write(2) of tag to file pages [page, page+count)
    Punch,            // fallocate(PUNCH_HOLE|KEEP_SIZE, offset, len) — bytes
    MadviseDontneed,  // madvise(MADV_DONTNEED) over pages of the task's VMA
    MadvisePageout,   // madvise(MADV_PAGEOUT)
    Reclaim,          // global reclaim (kswapd) of the folio at file page `page`
    WritebackEnd,     // swap I/O completion for the folio at file page `page`
    Munmap,           // munmap of the task's VMA
    UffdApi,
    UffdRegister,  // mode = UFFDIO_REGISTER_MODE_* bits
    UffdUnregister,
    UffdWriteprotect,  // mode: 1 = WP, 0 = clear; 2 = DONTWAKE
    UffdCopy,          // mode: 1 = DONTWAKE, 2 = WP
    UffdZeropage,
    UffdContinue,
    UffdWake,
    Serve,  // monitor: read and resolve messages per MonitorPolicy, forever
    // later additions (appended: kinds are part of the config hash)
    MadviseRemove,  // madvise(MADV_REMOVE): REMOVE event, then the punch
    Ftruncate,      // ftruncate(2) of the file to `page` bytes
    Mprotect,       // mprotect(2) of pages of the task's VMA; mode = PROT_READ (1) | PROT_WRITE (2)
    Mmap,           // mmap(2) of the named VMA again where the session placed it (MAP_FIXED_NOREPLACE)
    UffdClose,      // close(uffd): userfaultfd_release
    UffdPoison,     // UFFDIO_POISON over [page, page+count)
    Fork,           // fork(2): the task's mm is copied into the child mm `child` (dup_mmap)
    Mremap,         // mremap(2) of the VMA holding `page` to vpn `to` (MREMAP_MAYMOVE | MREMAP_FIXED)
    UffdMove,       // UFFDIO_MOVE of [srcPage, +count) of VMA srcVma to [page, +count) of VMA vma; mode = MOVE_MODE_*
    kCount
};
std::string_view opKindName(OpKind k);  // the session-file spelling ("read", "uffdio_copy", ...)

enum RegisterMode : uint32_t {
    UFFDIO_REGISTER_MODE_MISSING = 1,
    UFFDIO_REGISTER_MODE_WP = 2,
    UFFDIO_REGISTER_MODE_MINOR = 4
};
enum CopyMode : uint32_t { UFFDIO_COPY_MODE_DONTWAKE = 1, UFFDIO_COPY_MODE_WP = 2 };
enum WriteprotectMode : uint32_t { UFFDIO_WRITEPROTECT_MODE_WP = 1, UFFDIO_WRITEPROTECT_MODE_DONTWAKE = 2 };

struct Op {
    OpKind kind = OpKind::Read;
    int8_t mm = -1;      // target mm when the task has none (reclaim of an anon page)
    uint8_t vma = 0;     // which VMA of the task's mm (index into that mm's VMAs at start)
    uint64_t page = 0;   // file page index (file VMA) or page in the VMA (anon); Punch: byte offset
    uint64_t count = 1;  // pages; Punch: byte length
    uint32_t mode = 0;
    uint64_t features = 0;     // UffdApi
    uint8_t uffd = 0;          // uffd ops: which userfaultfd context (0, 1, …)
    int8_t child = -1;         // Fork: the child's mm
    uint64_t to = 0;           // Mremap: the new start (vpn)
    uint64_t srcPage = 0;      // UffdMove: the source page (in VMA srcVma)
    uint8_t srcVma = 0;
    Tag tag;                   // Write / FileWrite / Copy data
    std::string text() const;  // "write A[8] = a1"
};

struct MonitorPolicy {
    bool copyModeWp = true;        // answer MISSING with UFFDIO_COPY(MODE_WP)
    std::string copyTag = "m{i}";  // data of the copied page; {i} = file page index
    bool useZeropage = false;      // answer MISSING with UFFDIO_ZEROPAGE instead
    bool clearOnWp = true;         // answer WP with UFFDIO_WRITEPROTECT(0)
    bool continueOnMinor = true;   // answer MINOR with UFFDIO_CONTINUE
    bool continueModeWp = false;
    bool closeForked = false;  // a FORK message: close the child's new userfaultfd instead of serving it
    // Non-zero: answer MISSING in an anonymous VMA by UFFDIO_MOVE of the page
    // this many pages further on in the same VMA (a staging area); if the
    // move fails otherwise than -EEXIST/-EAGAIN, answer as without it.
    int32_t moveSrcOffset = 0;
    Tag copyTagFor(uint64_t index) const;
};

// The longest program a task may have (after a read/write's "pages" expand to
// one operation per page); Task::opIndex counts up to it.
constexpr uint64_t kMaxProgramOps = 1u << 20;

struct TaskConfig {
    std::string name;  // "A1", "M", "B1", "P", "R"
    int mm = -1;       // index into Config::mmNames, or -1 (no mm: P, R)
    std::vector<Op> program;
};

// Where a session's named VMA was mapped at the start: an access to "page n
// of VMA 'file'" still has an address after munmap (and gets SIGSEGV there).
struct VmaPlacement {
    int mm = 0;
    uint8_t nameId = 0;
    uint64_t start = 0, pgoff = 0, pages = 0;  // vpn, file page, length
    bool file = true;
    uint32_t flags = 0;  // the VMA's vm_flags when mapped
};

struct Config {
    std::vector<std::string> mmNames;      // "A", "B"
    std::vector<int> forkOf;               // per mm: the parent mm a fork creates it from, or -1 (empty: none)
    std::vector<std::string> vmaNames;     // "file", "anon", ...
    std::vector<VmaPlacement> placements;  // filled when the initial state is built
    std::vector<TaskConfig> tasks;
    int uffdTask = -1;  // the monitor, if any (serves messages)
    int ioTask = -1;    // the implicit "IO" task that completes swap writeback
    MonitorPolicy policy;
    uint64_t stableHash() const;
    int taskIndex(const std::string& name) const;
    // Appends the implicit IO task (I/O completion: folio_end_writeback for
    // any folio under writeback) unless it is there already.
    void addIoTask();
    int mmIndex(const std::string& name) const;
    int parentOf(size_t mm) const { return mm < forkOf.size() ? forkOf[mm] : -1; }
};

}  // namespace faultline
