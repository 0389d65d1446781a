// SPDX-License-Identifier: GPL-3.0-or-later
// Small RAII wrappers around the Linux interfaces faultline-probe needs:
// memfd, mappings, userfaultfd, /proc/self/pagemap, an access that may block
// in a uffd fault (run in its own thread), and a "process B" child.
//
// Everything here is plain syscalls; no Qt and no dependency on core/.
#pragma once

#include <linux/userfaultfd.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

// The build host's uapi headers may predate the running kernel (Debian 12
// ships 6.1 headers); feature bits are ABI, so spell out the newer ones.
#ifndef UFFD_FEATURE_WP_UNPOPULATED
#define UFFD_FEATURE_WP_UNPOPULATED (1 << 13)
#endif
#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif

namespace probe {

std::size_t page_size();

// Owns a file descriptor.
class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    Fd(Fd&& o) noexcept : fd_(o.release()) {}
    Fd& operator=(Fd&& o) noexcept;
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { reset(); }
    int get() const { return fd_; }
    int release() {
        int f = fd_;
        fd_ = -1;
        return f;
    }
    void reset();
    explicit operator bool() const { return fd_ >= 0; }

private:
    int fd_ = -1;
};

// A memfd of `pages` pages (shmem inode: the spec's "file").
struct Memfd {
    Fd fd;
    std::size_t pages = 0;
    static Memfd create(std::size_t pages);  // throws std::runtime_error
    // Fills page i with byte `tag` through write(2) (page-cache populate
    // without touching any mapping, like the spec's B1 write(2) in S0).
    void fill(std::size_t i, unsigned char tag) const;
    unsigned char peek(std::size_t i, std::size_t byte = 0) const;  // pread
    void punch(std::size_t i, std::size_t n = 1) const;             // PUNCH_HOLE|KEEP_SIZE
    bool is_hole(std::size_t i) const;                              // via SEEK_DATA
};

// Owns an mmap()ed range. Shared file mappings are placed 2 MiB aligned so
// that pte index == page index, as the spec's default geometry assumes
// (fault-around windows are aligned by pte index).
class Mapping {
public:
    Mapping() = default;
    Mapping(Mapping&& o) noexcept : base_(o.base_), len_(o.len_) {
        o.base_ = nullptr;
        o.len_ = 0;
    }
    Mapping& operator=(Mapping&&) = delete;
    Mapping(const Mapping&) = delete;
    ~Mapping();
    // MAP_SHARED of fd starting at file page `pgoff`, at a 2 MiB aligned
    // address plus `pte_shift` pages.
    static Mapping shared(int fd, std::size_t pages, std::size_t pgoff = 0, std::size_t pte_shift = 0);
    static Mapping anon(std::size_t pages);  // MAP_PRIVATE|MAP_ANONYMOUS
    char* base() const { return base_; }
    std::size_t len() const { return len_; }
    char* page(std::size_t i) const { return base_ + i * page_size(); }

private:
    char* base_ = nullptr;
    std::size_t len_ = 0;
};

// One /proc/self/pagemap entry. Decoding per Documentation/admin-guide/mm/pagemap.rst.
struct PmEntry {
    std::uint64_t raw = 0;
    bool present() const { return raw >> 63 & 1; }
    bool swapped() const { return raw >> 62 & 1; }  // any swap-format pte, incl. markers
    bool file() const { return raw >> 61 & 1; }     // file page or shared anon
    bool uffd_wp() const { return raw >> 57 & 1; }
    bool exclusive() const { return raw >> 56 & 1; }
    bool soft_dirty() const { return raw >> 55 & 1; }
    // Compact state used in expectations: "none", "P", "P,file", "P,file,wp",
    // "swp,wp" (a uffd-wp marker in a shmem VMA, or an anon swap pte with the
    // bit), "swp". Soft-dirty/exclusive/PFN are not part of it.
    std::string kind() const;
    std::string detail() const;  // kind + all bits + pfn, for --verbose
};

class Pagemap {
public:
    Pagemap();  // throws if /proc/self/pagemap cannot be opened
    PmEntry at(const void* va) const;
    std::string kinds(const Mapping& m, std::size_t first, std::size_t n) const;

private:
    Fd fd_;
};

// Pages of `m` whose pte is present, as a compact list "0-15,20".
std::string present_set(const Pagemap& pm, const Mapping& m);
std::string index_ranges(const std::vector<std::size_t>& idx);

// userfaultfd: created O_NONBLOCK so that read() never blocks; messages are
// awaited with poll() and a timeout, so a missing message is a FAIL, not a
// hang.
class Uffd {
public:
    // Opens a uffd and negotiates `wanted & supported` features. Returns
    // nullopt with errno_out set if the syscall is refused.
    static std::optional<Uffd> open(std::uint64_t wanted, bool user_mode_only, int* errno_out);
    // Which features the kernel offers (throwaway fd, features=0).
    static std::optional<std::uint64_t> supported_features(bool user_mode_only, int* errno_out);

    std::uint64_t features() const { return features_; }
    int fd() const { return fd_.get(); }
    void close() { fd_.reset(); }  // releases all waiters (faults retry without uffd)

    // Each returns 0 or the errno of the failed ioctl.
    int register_range(void* addr, std::size_t len, std::uint64_t mode, std::uint64_t* ioctls = nullptr);
    int unregister_range(void* addr, std::size_t len);
    int writeprotect(void* addr, std::size_t len, bool wp, bool dontwake = false);
    int copy(void* dst, const void* src, std::size_t len, bool wp);
    int cont(void* dst, std::size_t len);
    int wake(void* addr, std::size_t len);

    // Next message, or nullopt after timeout_ms.
    std::optional<uffd_msg> next(int timeout_ms);

private:
    Uffd(Fd fd, std::uint64_t features) : fd_(std::move(fd)), features_(features) {}
    Fd fd_;
    std::uint64_t features_ = 0;
};

// Spec notation for a message relative to mapping m: "MISS(8)", "MISS(8,W)",
// "WP(8,W)", "MINOR(3)"; an address outside m is printed raw.
std::string msg_str(const uffd_msg& msg, const Mapping& m);

// User accesses run in their own thread: they may block inside the kernel in
// handle_userfault() until the main thread, acting as the monitor, resolves
// the fault. If the access is still blocked when this object dies, the uffd
// is closed first (which releases every waiter: the fault retries without
// uffd), so the join cannot hang; the per-check alarm() in the runner is the
// backstop. Declare the Access after the Uffd it refers to.
class Access {
public:
    Access(Uffd& uffd, std::function<void()> body);
    ~Access();
    Access(const Access&) = delete;
    Access& operator=(const Access&) = delete;
    bool wait(int timeout_ms);  // true once the body returned
    bool done() const { return done_.load(); }

private:
    Uffd& uffd_;
    std::atomic<bool> done_{false};
    std::thread thread_;
};

// Single-byte user accesses that the compiler must not elide or merge.
inline unsigned char rd(const char* p) { return *reinterpret_cast<const volatile unsigned char*>(p); }
inline void wr(char* p, unsigned char v) { *reinterpret_cast<volatile unsigned char*>(p) = v; }

// Runs `body(base)` in a forked child ("process B") that mmaps the memfd
// MAP_SHARED itself. The child is not uffd-registered: without
// UFFD_FEATURE_EVENT_FORK registrations are not inherited, and its mapping is
// a fresh VMA anyway. Returns "ok" on success or a description of the failure;
// the child is SIGKILLed after timeout_ms.
std::string in_process_b(int memfd, std::size_t pages, const std::function<void(char* base)>& body,
                         int timeout_ms = 5000);

// A process B that keeps its mapping: forks, mmaps file pages
// [pgoff, pgoff+pages) of the memfd (only those: a read through a larger
// unregistered mapping would fault around and map neighbours), runs body(base),
// reports readiness and then waits (mapping alive) until this object dies,
// which SIGKILLs and reaps it. alarm() in the child is the backstop should
// the probe itself die first.
class HoldingB {
public:
    HoldingB(int memfd, std::size_t pgoff, std::size_t pages, const std::function<void(char* base)>& body);
    ~HoldingB();
    HoldingB(const HoldingB&) = delete;
    HoldingB& operator=(const HoldingB&) = delete;
    std::string wait_ready(int timeout_ms);  // "ok" or what went wrong

private:
    int pid_ = -1;
    Fd ready_;
};

// VmFlags of the VMA containing addr, from /proc/self/smaps ("rd wr sh mr ...").
std::string vm_flags(const void* addr);

// In a freshly forked child: get SIGKILLed when `parent` dies, so that no
// helper process outlives a probe that was killed.
void die_with(int parent);

// Sum of counters from /proc/vmstat (missing names count 0).
long vmstat(const std::vector<std::string>& names);

// Whether /proc/swaps lists an active swap area.
bool swap_active();

}  // namespace probe
