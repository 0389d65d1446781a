// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The whole engine state (spec §1) as one value: copyable, comparable (==)
// and hashable with a stable 64-bit hash. Everything that can change during a
// run lives here, including every task's kernel call stack; what cannot change
// (task programs, names, the monitor's policy) is the shared immutable Config.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/config.h"
#include "model/page.h"
#include "model/pte.h"
#include "model/tag.h"
#include "model/toggles.h"
#include "util/cow_radix.h"

namespace faultline {

// ---- locks (spec §0.2) ----------------------------------------------------
enum class LockKind : uint8_t { ML, PTL, FL, IL, IM, IPL, XA };
struct LockId {
    LockKind kind = LockKind::ML;
    uint8_t mm = 0;    // ML, PTL
    uint64_t arg = 0;  // PTL: pte-table index (vpn >> 9); FL: pfn
    friend bool operator==(const LockId&, const LockId&) = default;
    friend auto operator<=>(const LockId&, const LockId&) = default;
};
std::string lockName(const LockId& id, const Config& cfg);  // "ML(A)", "PTL(B)#1", "FL(p12)"

struct LockHold {
    LockId id;
    bool write = false;    // exclusive (writer or spinlock/bit-lock holder)
    uint64_t holders = 0;  // bitmask of task indices (at most 64 tasks, the IO task included)
    friend bool operator==(const LockHold&, const LockHold&) = default;
};

// ---- tasks ------------------------------------------------------------------
enum class TaskState : uint8_t {
    Runnable,
    Blocked,         // waiting for a lock (waitLock)
    SleepUffd,       // in handle_userfault, waiting for message waitArg
    SleepFalloc,     // in shmem_fault, on the punch's waitqueue (SF.2)
    SleepWriteback,  // waiting for writeback of pfn waitArg to end
    Idle,            // monitor polling an empty uffd
    Done,
    Unforked,  // a task of a fork child's mm before the fork that creates it returns (appended: states are hashed)
};
std::string_view taskStateName(TaskState s);

// Kernel functions the engine models (one enum per modelled function).
enum class Fn : uint8_t;

// One frame of a task's kernel call stack: the function, where it is (pc is an
// index into that function's step table, see paths/registry.h) and its locals.
// Locals are a fixed set of slots; each function names the ones it uses.
struct StackFrame {
    Fn fn{};
    uint8_t pc = 0;
    uint8_t mm = 0;           // mm the frame works on
    bool write = false;       // write fault / protect mode
    uint32_t pfn = 0;         // folio in hand (0 = none)
    uint32_t slot = 0;        // swap slot in hand (+1, 0 = none)
    uint64_t va = 0;          // virtual page number
    uint64_t index = 0;       // file page index
    uint64_t lo = 0, hi = 0;  // a range (pages), e.g. fault-around window, punch range
    uint64_t cursor = 0;      // loop position
    uint64_t aux = 0;         // function-specific
    int32_t ret = 0;          // value returned by the last callee
    uint32_t flags = 0;       // function-specific bits
    Pte orig_pte;             // vmf->orig_pte
    Tag tag;                  // data to write / copy
    uint8_t ctx = 0;          // userfaultfd context the frame works on (index, see State::ctx)
    friend bool operator==(const StackFrame&, const StackFrame&) = default;
};

struct Task {
    TaskState state = TaskState::Runnable;
    LockId waitLock{};
    uint64_t waitArg = 0;
    uint32_t opIndex = 0;           // next program operation (a program has at most kMaxProgramOps)
    std::vector<StackFrame> stack;  // [0] is the operation's entry frame
    std::vector<uint32_t> refs;     // pfns this task holds a reference on
    uint32_t faultRetries = 0;      // retries of the current user access
    uint8_t lastSignal = 0;         // 0, or SIGBUS/SIGSEGV of the last access
    friend bool operator==(const Task&, const Task&) = default;
};

// ---- mm and VMAs --------------------------------------------------------------
enum VmFlag : uint32_t {
    VM_READ = 1u << 0,
    VM_WRITE = 1u << 1,
    VM_SHARED = 1u << 3,
    VM_MAYWRITE = 1u << 5,
    VM_MAYSHARE = 1u << 7,
    VM_SOFTDIRTY = 1u << 9,
    VM_UFFD_MISSING = 1u << 10,
    VM_UFFD_WP = 1u << 11,
    VM_UFFD_MINOR = 1u << 12,
};
constexpr uint32_t VM_UFFD_ANY = VM_UFFD_MISSING | VM_UFFD_WP | VM_UFFD_MINOR;
std::string vmFlagsText(uint32_t flags);

struct Vma {
    uint64_t start = 0, end = 0;  // virtual page numbers [start, end)
    uint64_t pgoff = 0;           // file page of start (anon: 0)
    uint32_t flags = 0;
    bool file = true;    // shmem file mapping, else anonymous private
    bool uffd = false;   // vma->vm_userfaultfd_ctx set (iff any VM_UFFD_*)
    uint8_t nameId = 0;  // index into Config::vmaNames
    uint8_t ctx = 0;     // which userfaultfd context (State::ctx index) when uffd

    bool contains(uint64_t vpn) const { return vpn >= start && vpn < end; }
    uint64_t vpnOf(uint64_t fileIndex) const { return start + (fileIndex - pgoff); }
    uint64_t indexOf(uint64_t vpn) const { return pgoff + (vpn - start); }
    bool mapsIndex(uint64_t i) const { return file && i >= pgoff && i < pgoff + (end - start); }
    friend bool operator==(const Vma&, const Vma&) = default;
};

// The checker's per-(mm, va) bookkeeping (spec §8.0): the monitor's intent.
struct Intent {
    bool protect = false;        // monitor asked for write protection
    bool wpMsgSinceSet = false;  // a WP message for this va was delivered since
    bool minorSeen = false;      // a MINOR message was raised since registration
    uint64_t stableHash() const { return uint64_t(protect) | uint64_t(wpMsgSinceSet) << 1 | uint64_t(minorSeen) << 2; }
    friend bool operator==(const Intent&, const Intent&) = default;
};

struct Mm {
    std::vector<Vma> vmas;                               // sorted by start
    CowRadix<Pte> pt{36};                                // vpn -> pte (48-bit VA)
    CowRadix<Intent> intent{36};                         // vpn -> monitor intent (checker only)
    int64_t rssShmem = 0, rssAnon = 0, rssSwapents = 0;  // MM_SHMEMPAGES, MM_ANONPAGES, MM_SWAPENTS

    const Vma* findVma(uint64_t vpn) const;
    Vma* findVma(uint64_t vpn);
    // The page index sessions name vpn by in v: the file page (shmem), or the
    // offset from the first page of the anonymous VMA v was mapped as, across
    // the pieces REGISTER or mprotect split it into (they keep its name).
    uint64_t pageIndex(const Vma& v, uint64_t vpn) const {
        if (v.file) return v.indexOf(vpn);
        uint64_t base = v.start;
        for (const Vma& x : vmas)
            if (!x.file && x.nameId == v.nameId && x.start < base) base = x.start;
        return vpn - base;
    }
    friend bool operator==(const Mm&, const Mm&) = default;
};

// ---- the shmem inode (spec §1.4) ---------------------------------------------
struct ShmemFalloc {
    bool waitq = true;  // a punch (waiters possible), false for an allocating fallocate
    uint64_t start = 0, next = 0;
    friend bool operator==(const ShmemFalloc&, const ShmemFalloc&) = default;
};

struct Inode {
    uint64_t sizePages = 32;   // i_size / 4096
    CowRadix<XaEntry> xa{18};  // i_pages
    int64_t nrpages = 0;
    std::optional<ShmemFalloc> iPrivate;
    uint64_t fallocWaiters = 0;        // bitmask of tasks sleeping in SF.2
    int64_t alloced = 0, swapped = 0;  // info->alloced, info->swapped
    bool writeSealed = false;
    friend bool operator==(const Inode&, const Inode&) = default;
};

// ---- swap device (spec §1.6) ------------------------------------------------
struct SwapDevice {
    uint32_t nslots = 64;
    CowRadix<SwapSlot> slots{16};
    uint32_t cursor = 0;  // next slot to try (scan_swap_map style round robin)
    friend bool operator==(const SwapDevice&, const SwapDevice&) = default;
};

// ---- userfaultfd context (spec §1.7) -------------------------------------
enum UffdMsgFlag : uint8_t { UFFD_PAGEFAULT_FLAG_WRITE = 1, UFFD_PAGEFAULT_FLAG_WP = 2, UFFD_PAGEFAULT_FLAG_MINOR = 4 };
// msg.event: a page fault, or a non-cooperative event (EVENT_* features).
enum class UffdEvent : uint8_t { Pagefault, Remove, Unmap, Fork, Remap };
struct UffdMsg {
    uint32_t id = 0;
    uint8_t task = 0;  // faulting task (feat.ptid); for an event, the task waiting for it to be read
    uint8_t mm = 0;
    uint64_t va = 0;  // page-aligned vpn
    uint8_t flags = 0;
    UffdEvent event = UffdEvent::Pagefault;
    uint64_t lo = 0, hi = 0;  // REMOVE/UNMAP: the range as page indices of the VMA (file pages for shmem), [lo, hi)
                              // FORK: lo = the child's mm, hi = the child's new context (msg.arg.fork.ufd)
                              // REMAP: lo = from, hi = to (vpns), va = length (pages)
    friend bool operator==(const UffdMsg&, const UffdMsg&) = default;
};
// "MISS(8,W)", "WP(8,W)", "MINOR(3)", "REMOVE(1-3)", "FORK(C)"
std::string uffdMsgText(const UffdMsg& m, const class State& s);

enum UffdFeature : uint64_t {
    UFFD_FEATURE_EVENT_FORK = 1ull << 1,
    UFFD_FEATURE_EVENT_REMAP = 1ull << 2,
    UFFD_FEATURE_EVENT_REMOVE = 1ull << 3,
    UFFD_FEATURE_EVENT_UNMAP = 1ull << 6,
    UFFD_FEATURE_MISSING_SHMEM = 1ull << 5,
    UFFD_FEATURE_SIGBUS = 1ull << 7,
    UFFD_FEATURE_THREAD_ID = 1ull << 8,
    UFFD_FEATURE_MINOR_SHMEM = 1ull << 10,
    UFFD_FEATURE_EXACT_ADDRESS = 1ull << 11,
    UFFD_FEATURE_WP_HUGETLBFS_SHMEM = 1ull << 12,
    UFFD_FEATURE_WP_UNPOPULATED = 1ull << 13,
    UFFD_FEATURE_POISON = 1ull << 14,
    UFFD_FEATURE_WP_ASYNC = 1ull << 15,
    UFFD_FEATURE_MOVE = 1ull << 16,
};

struct UffdCtx {
    bool exists = false;
    uint8_t mm = 0;
    bool apiDone = false;
    uint64_t features = 0;
    bool released = false;
    std::vector<UffdMsg> pending;      // fault_pending_wqh: not yet read
    std::vector<UffdMsg> readWaiting;  // fault_wqh: read, faulting task still asleep
    uint32_t nextMsgId = 1;
    // ctx->mmap_changing: the events (message ids) queued on this context
    // whose senders have not resumed yet (userfaultfd_event_wait_completion
    // decrements when the sender runs again). While any is, COPY, ZEROPAGE,
    // CONTINUE, POISON and WRITEPROTECT on this context fail with -EAGAIN.
    std::vector<uint32_t> changing;
    friend bool operator==(const UffdCtx&, const UffdCtx&) = default;
};

// ---- the whole state ------------------------------------------------------------
class State {
public:
    std::shared_ptr<const Config> config;
    uint64_t configHash = 0;  // config->stableHash(), computed once when the config is set
    Toggles toggles;
    std::vector<Task> tasks;
    std::vector<Mm> mms;
    Inode inode;
    CowRadix<Folio> folios{32};
    uint32_t nextPfn = 1;  // pfn 0 is never used: 0 means "no folio" in locals
    SwapDevice swap;
    UffdCtx uffd;                     // context 0: the session's userfaultfd
    std::vector<UffdCtx> moreUffds;   // contexts 1, 2, …: more UFFDIO_API calls, and the ones fork creates
    std::vector<LockHold> locks;      // sorted by id
    std::vector<uint32_t> writeback;  // pfns under writeback, in the order I/O was submitted
    uint64_t stepCount = 0;

    uint64_t hash() const;
    friend bool operator==(const State& a, const State& b);

    // Lookups used by paths, checker and views.
    const Folio& folio(uint32_t pfn) const { return folios.get(pfn); }
    // Userfaultfd context i (0 is `uffd`); ctxCount() of them exist as slots
    // (a slot may be unused: exists == false). Message ids come from context
    // 0's counter for every context, so a sleeping task's message id is unique.
    size_t ctxCount() const { return 1 + moreUffds.size(); }
    const UffdCtx& ctx(size_t i) const { return i == 0 ? uffd : moreUffds.at(i - 1); }
    UffdCtx& ctx(size_t i) { return i == 0 ? uffd : moreUffds.at(i - 1); }
    // The context a VMA is registered with (nullptr when it is not, or the context is gone).
    const UffdCtx* ctxOf(const Vma& v) const { return v.uffd && v.ctx < ctxCount() ? &ctx(v.ctx) : nullptr; }
    const LockHold* findLock(const LockId& id) const;
    uint32_t heldBy(uint8_t task) const;  // number of locks the task holds
    std::vector<LockId> locksHeldBy(uint8_t task) const;
};

// The counts the timeline's curves plot, read in O(1) from the trees' tallies.
struct StateCounts {
    int32_t protectedA = 0;   // A's (the first mm's) ptes carrying uffd-wp in any form
    int32_t presentPtes = 0;  // present ptes, all mms
    int32_t cached = 0;       // pages in the page cache
    int32_t swapped = 0;      // file pages in swap
    friend bool operator==(const StateCounts&, const StateCounts&) = default;
};
inline StateCounts countsOf(const State& s) {
    StateCounts c;
    for (const Mm& m : s.mms) c.presentPtes += int32_t(m.pt.tally(0));
    if (!s.mms.empty()) c.protectedA = int32_t(s.mms[0].pt.tally(1));
    c.cached = int32_t(s.inode.xa.tally(0));
    c.swapped = int32_t(s.inode.xa.tally(1));
    return c;
}

}  // namespace faultline
