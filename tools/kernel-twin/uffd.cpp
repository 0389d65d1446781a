// SPDX-License-Identifier: GPL-3.0-or-later
#include "uffd.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace probe {

namespace {

std::runtime_error sys_error(const std::string& what) { return std::runtime_error(what + ": " + std::strerror(errno)); }

constexpr std::size_t kPmdSize = 2u << 20;

}  // namespace

std::size_t page_size() {
    static const std::size_t ps = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    return ps;
}

// ---- Fd -------------------------------------------------------------------

Fd& Fd::operator=(Fd&& o) noexcept {
    if (this != &o) {
        reset();
        fd_ = o.release();
    }
    return *this;
}

void Fd::reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

// ---- Memfd ----------------------------------------------------------------

Memfd Memfd::create(std::size_t pages) {
    Memfd m;
    m.fd = Fd(static_cast<int>(syscall(SYS_memfd_create, "faultline-probe", MFD_CLOEXEC)));
    if (!m.fd) throw sys_error("memfd_create");
    if (ftruncate(m.fd.get(), static_cast<off_t>(pages * page_size())) != 0) throw sys_error("ftruncate");
    m.pages = pages;
    return m;
}

void Memfd::fill(std::size_t i, unsigned char tag) const {
    std::vector<unsigned char> buf(page_size(), tag);
    if (pwrite(fd.get(), buf.data(), buf.size(), static_cast<off_t>(i * page_size())) !=
        static_cast<ssize_t>(buf.size()))
        throw sys_error("pwrite");
}

unsigned char Memfd::peek(std::size_t i, std::size_t byte) const {
    unsigned char c = 0;
    if (pread(fd.get(), &c, 1, static_cast<off_t>(i * page_size() + byte)) != 1) throw sys_error("pread");
    return c;
}

void Memfd::punch(std::size_t i, std::size_t n) const {
    if (fallocate(fd.get(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(i * page_size()),
                  static_cast<off_t>(n * page_size())) != 0)
        throw sys_error("fallocate(PUNCH_HOLE)");
}

bool Memfd::is_hole(std::size_t i) const {
    // SEEK_DATA from the page start: a hole iff the next data starts later
    // (or there is none: ENXIO). Swapped-out shmem pages count as data.
    off_t off = static_cast<off_t>(i * page_size());
    off_t d = lseek(fd.get(), off, SEEK_DATA);
    return d < 0 ? errno == ENXIO : d != off;
}

// ---- Mapping --------------------------------------------------------------

Mapping::~Mapping() {
    if (base_) munmap(base_, len_);
}

Mapping Mapping::shared(int fd, std::size_t pages, std::size_t pgoff, std::size_t pte_shift) {
    // Reserve enough address space to find a 2 MiB boundary, then place the
    // file mapping there with MAP_FIXED and give the rest back.
    const std::size_t len = pages * page_size();
    const std::size_t resv = len + pte_shift * page_size() + kPmdSize;
    void* r = mmap(nullptr, resv, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (r == MAP_FAILED) throw sys_error("mmap(reserve)");
    auto start = reinterpret_cast<std::uintptr_t>(r);
    auto aligned = ((start + kPmdSize - 1) & ~(kPmdSize - 1)) + pte_shift * page_size();
    void* p = mmap(reinterpret_cast<void*>(aligned), len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd,
                   static_cast<off_t>(pgoff * page_size()));
    if (p == MAP_FAILED) {
        int e = errno;
        munmap(r, resv);
        errno = e;
        throw sys_error("mmap(MAP_SHARED memfd)");
    }
    if (aligned > start) munmap(r, aligned - start);
    if (start + resv > aligned + len) munmap(reinterpret_cast<void*>(aligned + len), start + resv - aligned - len);
    Mapping m;
    m.base_ = static_cast<char*>(p);
    m.len_ = len;
    return m;
}

Mapping Mapping::anon(std::size_t pages) {
    void* p = mmap(nullptr, pages * page_size(), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw sys_error("mmap(anon)");
    Mapping m;
    m.base_ = static_cast<char*>(p);
    m.len_ = pages * page_size();
    return m;
}

// ---- Pagemap --------------------------------------------------------------

std::string PmEntry::kind() const {
    if (present()) return std::string("P") + (file() ? ",file" : "") + (uffd_wp() ? ",wp" : "");
    // The file bit is expected clear on markers (no page); keep it visible.
    if (swapped()) return std::string("swp") + (file() ? ",file" : "") + (uffd_wp() ? ",wp" : "");
    return std::string("none") + (file() ? ",file" : "") + (uffd_wp() ? ",wp" : "");
}

std::string PmEntry::detail() const {
    char buf[160];
    std::snprintf(buf, sizeof buf, "%s [raw=%016llx excl=%d sd=%d %s=%#llx]", kind().c_str(),
                  static_cast<unsigned long long>(raw), exclusive(), soft_dirty(), present() ? "pfn" : "swp",
                  static_cast<unsigned long long>(raw & ((1ULL << 55) - 1)));
    return buf;
}

Pagemap::Pagemap() : fd_(::open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC)) {
    if (!fd_) throw sys_error("open /proc/self/pagemap");
}

PmEntry Pagemap::at(const void* va) const {
    PmEntry e;
    off_t off = static_cast<off_t>(reinterpret_cast<std::uintptr_t>(va) / page_size() * 8);
    if (pread(fd_.get(), &e.raw, 8, off) != 8) throw sys_error("pread /proc/self/pagemap");
    return e;
}

std::string Pagemap::kinds(const Mapping& m, std::size_t first, std::size_t n) const {
    std::string s;
    for (std::size_t i = first; i < first + n; ++i) s += (i > first ? " " : "") + at(m.page(i)).kind();
    return s;
}

std::string index_ranges(const std::vector<std::size_t>& idx) {
    if (idx.empty()) return "{}";
    std::ostringstream os;
    for (std::size_t k = 0; k < idx.size();) {
        std::size_t j = k;
        while (j + 1 < idx.size() && idx[j + 1] == idx[j] + 1) ++j;
        if (k) os << ',';
        os << idx[k];
        if (j > k) os << '-' << idx[j];
        k = j + 1;
    }
    return os.str();
}

std::string present_set(const Pagemap& pm, const Mapping& m) {
    std::vector<std::size_t> idx;
    for (std::size_t i = 0; i < m.len() / page_size(); ++i)
        if (pm.at(m.page(i)).present()) idx.push_back(i);
    return index_ranges(idx);
}

// ---- Uffd -----------------------------------------------------------------

namespace {

int open_uffd(bool user_mode_only) {
    int flags = O_CLOEXEC | O_NONBLOCK | (user_mode_only ? UFFD_USER_MODE_ONLY : 0);
    return static_cast<int>(syscall(SYS_userfaultfd, flags));
}

int ioctl_errno(int fd, unsigned long req, void* arg) { return ioctl(fd, req, arg) == 0 ? 0 : errno; }

}  // namespace

std::optional<std::uint64_t> Uffd::supported_features(bool user_mode_only, int* errno_out) {
    Fd fd(open_uffd(user_mode_only));
    if (!fd) {
        *errno_out = errno;
        return std::nullopt;
    }
    uffdio_api api{};
    api.api = UFFD_API;
    if (ioctl(fd.get(), UFFDIO_API, &api) != 0) {
        *errno_out = errno;
        return std::nullopt;
    }
    return api.features;
}

std::optional<Uffd> Uffd::open(std::uint64_t wanted, bool user_mode_only, int* errno_out) {
    // UFFDIO_API may be issued once per fd, so ask a throwaway fd what is
    // supported and then request the intersection on the real one.
    auto sup = supported_features(user_mode_only, errno_out);
    if (!sup) return std::nullopt;
    Fd fd(open_uffd(user_mode_only));
    if (!fd) {
        *errno_out = errno;
        return std::nullopt;
    }
    uffdio_api api{};
    api.api = UFFD_API;
    api.features = wanted & *sup;
    if (ioctl(fd.get(), UFFDIO_API, &api) != 0) {
        *errno_out = errno;
        return std::nullopt;
    }
    return Uffd(std::move(fd), wanted & *sup);
}

int Uffd::register_range(void* addr, std::size_t len, std::uint64_t mode, std::uint64_t* ioctls) {
    uffdio_register r{};
    r.range.start = reinterpret_cast<std::uintptr_t>(addr);
    r.range.len = len;
    r.mode = mode;
    int e = ioctl_errno(fd(), UFFDIO_REGISTER, &r);
    if (!e && ioctls) *ioctls = r.ioctls;
    return e;
}

int Uffd::unregister_range(void* addr, std::size_t len) {
    uffdio_range r{reinterpret_cast<std::uintptr_t>(addr), len};
    return ioctl_errno(fd(), UFFDIO_UNREGISTER, &r);
}

int Uffd::writeprotect(void* addr, std::size_t len, bool wp, bool dontwake) {
    uffdio_writeprotect w{};
    w.range.start = reinterpret_cast<std::uintptr_t>(addr);
    w.range.len = len;
    w.mode = (wp ? UFFDIO_WRITEPROTECT_MODE_WP : 0) | (dontwake ? UFFDIO_WRITEPROTECT_MODE_DONTWAKE : 0);
    return ioctl_errno(fd(), UFFDIO_WRITEPROTECT, &w);
}

int Uffd::copy(void* dst, const void* src, std::size_t len, bool wp) {
    uffdio_copy c{};
    c.dst = reinterpret_cast<std::uintptr_t>(dst);
    c.src = reinterpret_cast<std::uintptr_t>(src);
    c.len = len;
    c.mode = wp ? UFFDIO_COPY_MODE_WP : 0;
    return ioctl_errno(fd(), UFFDIO_COPY, &c);
}

int Uffd::cont(void* dst, std::size_t len) {
    uffdio_continue c{};
    c.range.start = reinterpret_cast<std::uintptr_t>(dst);
    c.range.len = len;
    return ioctl_errno(fd(), UFFDIO_CONTINUE, &c);
}

int Uffd::wake(void* addr, std::size_t len) {
    uffdio_range r{reinterpret_cast<std::uintptr_t>(addr), len};
    return ioctl_errno(fd(), UFFDIO_WAKE, &r);
}

std::optional<uffd_msg> Uffd::next(int timeout_ms) {
    if (!fd_) return std::nullopt;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        pollfd p{fd(), POLLIN, 0};
        int n = poll(&p, 1, static_cast<int>(std::max<long long>(0, left.count())));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return std::nullopt;
        uffd_msg msg{};
        ssize_t r = read(fd(), &msg, sizeof msg);
        if (r == sizeof msg) return msg;
        // EAGAIN: the fault was resolved between poll and read; keep waiting.
        if (r < 0 && errno != EAGAIN && errno != EINTR) return std::nullopt;
        if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    }
}

std::string msg_str(const uffd_msg& msg, const Mapping& m) {
    if (msg.event != UFFD_EVENT_PAGEFAULT) return "event(" + std::to_string(msg.event) + ")";
    const auto flags = msg.arg.pagefault.flags;
    const char* kind = flags & UFFD_PAGEFAULT_FLAG_WP ? "WP" : flags & UFFD_PAGEFAULT_FLAG_MINOR ? "MINOR" : "MISS";
    auto addr = static_cast<std::uintptr_t>(msg.arg.pagefault.address);
    auto base = reinterpret_cast<std::uintptr_t>(m.base());
    std::string where;
    if (addr >= base && addr < base + m.len()) {
        where = std::to_string((addr - base) / page_size());
        if ((addr - base) % page_size()) where += "+" + std::to_string((addr - base) % page_size());
    } else {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%#llx", static_cast<unsigned long long>(addr));
        where = buf;
    }
    return std::string(kind) + "(" + where + (flags & UFFD_PAGEFAULT_FLAG_WRITE ? ",W" : "") + ")";
}

// ---- Access ---------------------------------------------------------------

Access::Access(Uffd& uffd, std::function<void()> body) : uffd_(uffd) {
    thread_ = std::thread([this, body = std::move(body)] {
        body();
        done_.store(true);
    });
}

Access::~Access() {
    if (!wait(0)) uffd_.close();  // wakes the blocked fault; it retries without uffd
    thread_.join();
}

bool Access::wait(int timeout_ms) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (!done_.load()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
}

// ---- process B ------------------------------------------------------------

void die_with(int parent) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);  // the parent died before prctl
}

std::string in_process_b(int memfd, std::size_t pages, const std::function<void(char*)>& body, int timeout_ms) {
    std::fflush(nullptr);
    const pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) return std::string("fork: ") + std::strerror(errno);
    if (pid == 0) {
        die_with(parent);
        alarm(static_cast<unsigned>(timeout_ms / 1000 + 2));
        // B maps the memfd itself: a separate mm, never registered with A's uffd.
        void* p = mmap(nullptr, pages * page_size(), PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
        if (p == MAP_FAILED) _exit(2);
        body(static_cast<char*>(p));
        _exit(0);
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    int status = 0;
    for (;;) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid) break;
        if (w < 0 && errno != EINTR) return std::string("waitpid: ") + std::strerror(errno);
        if (std::chrono::steady_clock::now() >= deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return "process B timed out";
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return "ok";
    if (WIFSIGNALED(status)) return "process B killed by signal " + std::to_string(WTERMSIG(status));
    return "process B exited with " + std::to_string(WEXITSTATUS(status));
}

HoldingB::HoldingB(int memfd, std::size_t pgoff, std::size_t pages, const std::function<void(char*)>& body) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) return;
    std::fflush(nullptr);
    const pid_t parent = getpid();
    pid_ = fork();
    if (pid_ == 0) {
        die_with(parent);
        alarm(20);
        ::close(p[0]);
        void* m = mmap(nullptr, pages * page_size(), PROT_READ | PROT_WRITE, MAP_SHARED, memfd,
                       static_cast<off_t>(pgoff * page_size()));
        if (m == MAP_FAILED) _exit(2);
        body(static_cast<char*>(m));
        char c = 1;
        if (write(p[1], &c, 1) != 1) _exit(3);
        for (;;) pause();
    }
    ::close(p[1]);
    ready_ = Fd(p[0]);
}

HoldingB::~HoldingB() {
    if (pid_ > 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
    }
}

std::string HoldingB::wait_ready(int timeout_ms) {
    if (pid_ < 0 || !ready_) return std::string("fork/pipe: ") + std::strerror(errno);
    pollfd p{ready_.get(), POLLIN, 0};
    if (poll(&p, 1, timeout_ms) != 1) return "process B not ready in time";
    char c = 0;
    return read(ready_.get(), &c, 1) == 1 ? "ok" : "process B died before it was ready";
}

// ---- /proc helpers ----------------------------------------------------------

std::string vm_flags(const void* addr) {
    std::ifstream in("/proc/self/smaps");
    std::string line;
    auto a = reinterpret_cast<std::uintptr_t>(addr);
    bool inside = false;
    while (std::getline(in, line)) {
        unsigned long lo = 0, hi = 0;
        if (std::sscanf(line.c_str(), "%lx-%lx ", &lo, &hi) == 2 && line.find('-') < 16) inside = a >= lo && a < hi;
        else if (inside && line.rfind("VmFlags:", 0) == 0) {
            std::string f = line.substr(8);
            while (!f.empty() && f.front() == ' ') f.erase(0, 1);
            while (!f.empty() && f.back() == ' ') f.pop_back();
            return f;
        }
    }
    return "";
}

long vmstat(const std::vector<std::string>& names) {
    std::ifstream in("/proc/vmstat");
    std::string key;
    long val = 0, sum = 0;
    while (in >> key >> val)
        for (const auto& n : names)
            if (key == n) sum += val;
    return sum;
}

bool swap_active() {
    std::ifstream in("/proc/swaps");
    std::string line;
    int lines = 0;
    while (std::getline(in, line))
        if (!line.empty()) ++lines;
    return lines > 1;  // first line is the header
}

}  // namespace probe
