// SPDX-License-Identifier: GPL-3.0-or-later
// The real-kernel checks. Each mirrors a scenario of the kernel model spec
// (the kernel-model spec, §8, §9) for the upstream variant e, which
// is the only one a modern kernel can run. Expectations are written in the
// spec's notation: pagemap states via PmEntry::kind() ("P,file,wp" = present
// shmem pte with uffd-wp, "swp,wp" = uffd-wp marker, "none"), messages via
// msg_str() ("WP(8,W)", "MISS(25)", "MINOR(3)"). Where the spec and this
// kernel disagree the expectation follows the kernel and says so in a comment
// (see docs/real-kernel-checks.md).
#include "checks.h"

#include "uffd.h"

#include <sched.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <stdexcept>

namespace probe {

// ---- Result -----------------------------------------------------------------

bool Result::expect(const std::string& what, const std::string& expected, const std::string& observed) {
    log(what + ": " + observed + (expected == observed ? "" : "   <-- expected " + expected));
    if (expected == observed) {
        observed_.push_back(what + "=" + observed);
        return true;
    }
    failures_.emplace_back(what + "=" + expected, what + "=" + observed);
    return false;
}

bool Result::expect_that(const std::string& what, bool ok, const std::string& expected, const std::string& observed) {
    log(what + ": " + observed + (ok ? "" : "   <-- expected " + expected));
    if (ok) observed_.push_back(what + "=" + observed);
    else failures_.emplace_back(what + "=" + expected, what + "=" + observed);
    return ok;
}

void Result::error(const std::string& e) { failures_.emplace_back("no error", "error: " + e); }

void Result::log(const std::string& s) const {
    if (env_.verbose) std::cout << "    # " << s << '\n';
}

int Result::report(const std::string& name) const {
    auto join = [](const std::vector<std::string>& v) {
        std::string s;
        for (const auto& x : v) s += (s.empty() ? "" : "; ") + x;
        return s;
    };
    if (!failures_.empty()) {
        std::vector<std::string> exp, obs;
        for (const auto& [e, o] : failures_) {
            exp.push_back(e);
            obs.push_back(o);
        }
        std::cout << "FAIL " << name << ": expected " << join(exp) << " observed " << join(obs) << std::endl;
        return 1;
    }
    if (!skip_.empty()) {
        std::cout << "SKIP " << name << ": " << skip_ << std::endl;
        return 77;
    }
    std::cout << "PASS " << name << ": observed " << join(observed_) << std::endl;
    return 0;
}

namespace {

// ---- helpers ------------------------------------------------------------------

constexpr std::uint64_t kWantFeatures = UFFD_FEATURE_PAGEFAULT_FLAG_WP | UFFD_FEATURE_MISSING_SHMEM |
                                        UFFD_FEATURE_MINOR_SHMEM | UFFD_FEATURE_WP_HUGETLBFS_SHMEM |
                                        UFFD_FEATURE_WP_UNPOPULATED;
constexpr std::uint64_t kModeMissing = UFFDIO_REGISTER_MODE_MISSING;
constexpr std::uint64_t kModeWp = UFFDIO_REGISTER_MODE_WP;
constexpr std::uint64_t kModeMinor = UFFDIO_REGISTER_MODE_MINOR;
constexpr int kMsgTimeout = 2000;   // a message the kernel should send
constexpr int kQuietTimeout = 150;  // proving that no message comes

std::string err(int e) { return e ? std::strerror(e) : "ok"; }
std::string hex(unsigned v) {
    char b[8];
    std::snprintf(b, sizeof b, "0x%02x", v);
    return b;
}
std::string idx(std::size_t i) { return std::to_string(i); }

// Opens A's uffd with every feature the checks use that the kernel offers.
// `required` features missing ⇒ SKIP (older kernel), open failure ⇒ FAIL
// (the runner already verified that userfaultfd is permitted).
std::optional<Uffd> open_uffd(const Env& env, Result& r, std::uint64_t required, const char* what) {
    if ((env.uffd_features & required) != required) {
        r.skip(std::string("kernel does not offer ") + what);
        return std::nullopt;
    }
    int e = 0;
    auto u = Uffd::open(kWantFeatures, env.user_mode_only, &e);
    if (!u) r.error("userfaultfd/UFFDIO_API: " + err(e));
    return u;
}

bool reg(Result& r, Uffd& u, const Mapping& m, std::uint64_t mode, const std::string& label) {
    return r.expect("REGISTER(" + label + ")", "ok", err(u.register_range(m.base(), m.len(), mode)));
}

void protect_all(Result& r, Uffd& u, const Mapping& m) {
    r.expect("WRITEPROTECT(all)", "ok", err(u.writeprotect(m.base(), m.len(), true)));
}

void unprotect(Result& r, Uffd& u, const Mapping& m, std::size_t i) {
    r.expect("WRITEPROTECT(" + idx(i) + ",0)", "ok", err(u.writeprotect(m.page(i), page_size(), false)));
}

std::string next_msg(Uffd& u, const Mapping& m, int timeout_ms) {
    auto msg = u.next(timeout_ms);
    return msg ? msg_str(*msg, m) : "no message";
}

bool expect_msg(Result& r, Uffd& u, const Mapping& m, const std::string& what, const std::string& expected) {
    return r.expect(what, expected, next_msg(u, m, kMsgTimeout));
}

bool expect_quiet(Result& r, Uffd& u, const Mapping& m, const std::string& what) {
    return r.expect(what, "no message", next_msg(u, m, kQuietTimeout));
}

bool expect_done(Result& r, Access& a, const std::string& what) {
    return r.expect(what, "completed", a.wait(kMsgTimeout) ? "completed" : "still blocked");
}

bool expect_blocked(Result& r, Access& a, const std::string& what) {
    return r.expect(what, "blocked", a.wait(50) ? "completed" : "blocked");
}

std::string pm_kind(const Pagemap& pm, const Mapping& m, std::size_t i) { return pm.at(m.page(i)).kind(); }

void expect_pm(Result& r, const Pagemap& pm, const Mapping& m, std::size_t i, const std::string& expected,
               const std::string& when = "") {
    r.expect("pm[" + idx(i) + "]" + when, expected, pm_kind(pm, m, i));
    r.log("  pm[" + idx(i) + "] " + pm.at(m.page(i)).detail());
}

// All of pages [first, first+n) must be in the same state; reported as a range.
void expect_pm_range(Result& r, const Pagemap& pm, const Mapping& m, std::size_t first, std::size_t n,
                     const std::string& expected, const std::string& when = "") {
    std::vector<std::size_t> bad;
    std::string seen;
    for (std::size_t i = first; i < first + n; ++i) {
        std::string k = pm_kind(pm, m, i);
        if (k != expected) {
            bad.push_back(i);
            if (seen.empty()) seen = k;
        }
    }
    std::string what = "pm[" + idx(first) + "-" + idx(first + n - 1) + "]" + when;
    r.expect_that(what, bad.empty(), "all " + expected,
                  bad.empty() ? "all " + expected : "pages " + index_ranges(bad) + " " + seen);
}

int madv(const Mapping& m, std::size_t i, std::size_t n, int advice) {
    return madvise(m.page(i), n * page_size(), advice) == 0 ? 0 : errno;
}

bool in_core(const Mapping& m, std::size_t i) {
    unsigned char v = 0;
    if (mincore(m.page(i), page_size(), &v) != 0) throw std::runtime_error(std::string("mincore: ") + err(errno));
    return v & 1;
}

// Reads pages [first, first+n) of m, one byte each; waits for completion
// without any message (pages in the page cache, registration that does not
// trap this access).
void read_quietly(Result& r, Uffd& u, const Mapping& m, std::size_t first, std::size_t n) {
    Access a(u, [&] {
        for (std::size_t i = first; i < first + n; ++i) rd(m.page(i));
    });
    std::string what = "read " + idx(first) + (n > 1 ? "-" + idx(first + n - 1) : "");
    expect_done(r, a, what);
    expect_quiet(r, u, m, what + " messages");
}

// A read of page i that completes without any message; returns the byte read.
unsigned read_one_quietly(Result& r, Uffd& u, const Mapping& m, std::size_t i, const std::string& what) {
    std::atomic<int> v{-1};
    {
        Access rd1(u, [&] { v = rd(m.page(i)); });
        expect_done(r, rd1, what);
    }
    expect_quiet(r, u, m, what + " messages");
    return static_cast<unsigned>(v.load());
}

// A write of page i that raises WP(i,W), is un-protected by the monitor and
// then completes.
void write_through_wp(Result& r, Uffd& u, const Mapping& m, std::size_t i, unsigned char value,
                      const std::string& what) {
    Access w(u, [&] { wr(m.page(i), value); });
    expect_msg(r, u, m, what, "WP(" + idx(i) + ",W)");
    unprotect(r, u, m, i);
    expect_done(r, w, what + " resolved");
}

std::vector<unsigned char> page_of(unsigned char tag) { return std::vector<unsigned char>(page_size(), tag); }

// MADV_PAGEOUT isolates folios from the LRU; folios just added sit in the
// per-CPU lru_add batch of the CPU that created them and cannot be isolated
// from another CPU. Pinning the check to one CPU before populating makes
// madvise's local lru_add_drain() see them.
void pin_to_current_cpu() {
    int cpu = sched_getcpu();
    if (cpu < 0) return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    sched_setaffinity(0, sizeof set, &set);
}

// fault_around_bytes from debugfs if mounted and readable, else the kernel's
// default (65536). Rounded down to a power of two as the kernel does.
std::size_t fault_around_pages(std::string* source) {
    std::ifstream in("/sys/kernel/debug/fault_around_bytes");
    unsigned long bytes = 0;
    if (in >> bytes) {
        *source = "debugfs fault_around_bytes=" + std::to_string(bytes);
    } else {
        bytes = 65536;
        *source = "debugfs unreadable, kernel default fault_around_bytes=65536 assumed";
    }
    std::size_t pages = std::max<std::size_t>(1, bytes / page_size());
    std::size_t p2 = 1;
    while (p2 * 2 <= pages) p2 *= 2;
    return std::min<std::size_t>(p2, 512);
}

// §2.3 window, as VMA page indices: VMA starts at pte index vma_pte, is
// vpages long, maps file page 0 at its start; the fault is at VMA page f.
std::vector<std::size_t> fa_window(std::size_t nr, std::size_t vma_pte, std::size_t vpages, std::size_t f) {
    std::size_t pte_off = vma_pte + f, vma_off = f;
    std::size_t from = std::max(pte_off / nr * nr, pte_off - std::min(pte_off, vma_off));
    std::size_t to = std::min({from + nr, std::size_t{512}, pte_off + vpages - vma_off}) - 1;
    std::vector<std::size_t> w;
    for (std::size_t p = from; p <= to; ++p) w.push_back(p - vma_pte);
    return w;
}

std::vector<std::size_t> merged(std::vector<std::size_t> a, const std::vector<std::size_t>& b) {
    a.insert(a.end(), b.begin(), b.end());
    std::sort(a.begin(), a.end());
    a.erase(std::unique(a.begin(), a.end()), a.end());
    return a;
}

constexpr std::size_t kPages = 32;  // spec default geometry

unsigned char tag_of(std::size_t i) { return static_cast<unsigned char>(0x40 + i); }

Memfd filled_file(std::size_t upto = kPages) {
    Memfd f = Memfd::create(kPages);
    for (std::size_t i = 0; i < upto; ++i) f.fill(i, tag_of(i));
    return f;
}

// ---- uffd-wp-present --------------------------------------------------------
// §4.4 / §3.2: WRITEPROTECT on present ptes sets the bit (pagemap 57); on none
// ptes of a file VMA it installs markers; a read needs no message; a write
// raises WP(i,W) with the page-aligned address and is held until
// WRITEPROTECT(0) wakes it.
void check_wp_present(const Env& env, Result& r) {
    Memfd f = filled_file();
    Mapping a = Mapping::shared(f.fd.get(), kPages);
    Pagemap pm;
    auto u = open_uffd(env, r, UFFD_FEATURE_WP_HUGETLBFS_SHMEM, "UFFD_FEATURE_WP_HUGETLBFS_SHMEM");
    if (!u) return;
    std::uint64_t ioctls = 0;
    r.expect("REGISTER(WP)", "ok", err(u->register_range(a.base(), a.len(), kModeWp, &ioctls)));
    r.expect("ioctls has WRITEPROTECT", "yes", ioctls & (1ULL << _UFFDIO_WRITEPROTECT) ? "yes" : "no");
    read_quietly(r, *u, a, 0, 16);
    // §9 says bit 55 (soft-dirty) is set on every entry because new VMAs
    // carry VM_SOFTDIRTY. That needs CONFIG_MEM_SOFT_DIRTY; smaps shows the
    // VMA flag as "sd", so expect the bit exactly when the VMA has it.
    const std::string flags = vm_flags(a.base());
    const bool sd = (" " + flags + " ").find(" sd ") != std::string::npos;
    r.note("VmFlags[" + flags + "]");
    r.expect("pm[0] bit55 (VMA " + std::string(sd ? "has" : "lacks") + " sd)", sd ? "1" : "0",
             pm.at(a.page(0)).soft_dirty() ? "1" : "0");
    r.expect("pm[0] bit56 exclusive (mapped once)", "1", pm.at(a.page(0)).exclusive() ? "1" : "0");
    protect_all(r, *u, a);
    expect_pm_range(r, pm, a, 0, 16, "P,file,wp", " after protect");
    // Never-touched ptes: a file VMA gets markers even for none ptes (v5.19+).
    expect_pm_range(r, pm, a, 16, 16, "swp,wp", " after protect");

    std::atomic<int> v{-1};
    {
        Access rd4(*u, [&] { v = rd(a.page(4)); });
        expect_done(r, rd4, "read 4 (protected)");
    }
    expect_quiet(r, *u, a, "read 4 messages");
    r.expect("read 4 value", hex(tag_of(4)), hex(static_cast<unsigned>(v.load())));

    Access w3(*u, [&] { wr(a.page(3) + 123, 0xA3); });
    expect_msg(r, *u, a, "write 3+123", "WP(3,W)");  // page-aligned: no EXACT_ADDRESS
    expect_blocked(r, w3, "write 3 before resolve");
    r.expect("file[3+123] while held", hex(tag_of(3)), hex(f.peek(3, 123)));
    unprotect(r, *u, a, 3);
    expect_done(r, w3, "write 3 after WRITEPROTECT(0)");
    r.expect("file[3+123] after", hex(0xA3), hex(f.peek(3, 123)));
    expect_pm(r, pm, a, 3, "P,file", " after");
    expect_pm(r, pm, a, 4, "P,file,wp", " after");
    expect_quiet(r, *u, a, "further messages");

    // §1.7 calls UFFD_FEATURE_WP_HUGETLBFS_SHMEM "reported only": WP
    // registration of shmem must not depend on requesting it.
    int e = 0;
    auto bare = Uffd::open(0, env.user_mode_only, &e);
    Mapping b = Mapping::shared(f.fd.get(), kPages);
    r.expect("REGISTER(WP) with features=0", "ok",
             bare ? err(bare->register_range(b.base(), b.len(), kModeWp)) : "open: " + err(e));
    // §4.4: none ptes of a file VMA get markers regardless of WP_UNPOPULATED.
    if (bare) {
        r.expect("WRITEPROTECT(untouched VMA, features=0)", "ok", err(bare->writeprotect(b.base(), b.len(), true)));
        expect_pm_range(r, pm, b, 0, kPages, "swp,wp", " features=0");
    }
}

// ---- S5-punch-marker ----------------------------------------------------------
// §5.2 ZP.4 / §5.4 / §8.2 (S1 e row, S1′) / §8.6 step (1): a punch of a
// protected, mapped page leaves a uffd-wp marker in A; what the next access
// raises depends on the registration mode.
void check_punch_marker(const Env& env, Result& r) {
    // (a) WP-only registration (S1′ e, S5): the hole is refilled silently with
    // a zero page that inherits uffd-wp from the marker (FF.3); the write then
    // raises WP. A write straight onto a marker costs two faults but only one
    // message.
    {
        Memfd f = filled_file();
        Mapping a = Mapping::shared(f.fd.get(), kPages);
        Pagemap pm;
        auto u = open_uffd(env, r, UFFD_FEATURE_WP_HUGETLBFS_SHMEM, "UFFD_FEATURE_WP_HUGETLBFS_SHMEM");
        if (!u) return;
        reg(r, *u, a, kModeWp, "WP");
        read_quietly(r, *u, a, 0, kPages);
        protect_all(r, *u, a);
        f.punch(8);
        f.punch(9);
        expect_pm(r, pm, a, 8, "swp,wp", " WP-only after punch");
        expect_pm(r, pm, a, 9, "swp,wp", " WP-only after punch");
        expect_pm(r, pm, a, 7, "P,file,wp", " WP-only after punch");
        r.expect("hole 8", "yes", f.is_hole(8) ? "yes" : "no");

        r.expect("WP-only read 8 value", hex(0), hex(read_one_quietly(r, *u, a, 8, "WP-only read 8")));
        expect_pm(r, pm, a, 8, "P,file,wp", " after read");
        write_through_wp(r, *u, a, 8, 0xA8, "WP-only write 8");
        r.expect("file[8]", hex(0xA8), hex(f.peek(8)));
        {
            Access w9(*u, [&] { wr(a.page(9), 0xA9); });
            expect_msg(r, *u, a, "WP-only write 9 (on marker)", "WP(9,W)");
            expect_pm(r, pm, a, 9, "P,file,wp", " while write held");
            r.expect("hole 9 while write held", "no", f.is_hole(9) ? "yes" : "no");
            unprotect(r, *u, a, 9);
            expect_done(r, w9, "WP-only write 9 resolved");
            expect_quiet(r, *u, a, "WP-only write 9 further messages");
        }
        r.expect("file[9]", hex(0xA9), hex(f.peek(9)));
    }
    // (b) MISSING|WP registration (S1 e row): the marker leads to the hole,
    // which raises MISSING; COPY(MODE_WP) overwrites the marker with a
    // protected pte and the retried write raises WP.
    {
        Memfd f = filled_file();
        Mapping a = Mapping::shared(f.fd.get(), kPages);
        Pagemap pm;
        auto u = open_uffd(env, r, UFFD_FEATURE_WP_HUGETLBFS_SHMEM | UFFD_FEATURE_MISSING_SHMEM,
                           "UFFD_FEATURE_WP_HUGETLBFS_SHMEM|MISSING_SHMEM");
        if (!u) return;
        reg(r, *u, a, kModeMissing | kModeWp, "MISSING|WP");
        read_quietly(r, *u, a, 0, kPages);
        protect_all(r, *u, a);
        f.punch(8);
        f.punch(10);
        expect_pm(r, pm, a, 8, "swp,wp", " MISSING|WP after punch");
        auto src = page_of(0x5C);
        {
            Access w8(*u, [&] { wr(a.page(8), 0xA8); });
            expect_msg(r, *u, a, "MISSING|WP write 8", "MISS(8,W)");
            r.expect("COPY(8,WP)", "ok", err(u->copy(a.page(8), src.data(), page_size(), true)));
            expect_msg(r, *u, a, "MISSING|WP write 8 retried", "WP(8,W)");
            expect_pm(r, pm, a, 8, "P,file,wp", " after COPY(WP)");
            r.expect("file[8+1] after COPY", hex(0x5C), hex(f.peek(8, 1)));
            unprotect(r, *u, a, 8);
            expect_done(r, w8, "MISSING|WP write 8 resolved");
        }
        r.expect("file[8] after", hex(0xA8), hex(f.peek(8)));
        std::atomic<int> v{-1};
        {
            Access rd10(*u, [&] { v = rd(a.page(10) + 1); });
            expect_msg(r, *u, a, "MISSING|WP read 10", "MISS(10)");
            r.expect("COPY(10,WP)", "ok", err(u->copy(a.page(10), src.data(), page_size(), true)));
            expect_done(r, rd10, "MISSING|WP read 10 resolved");
        }
        r.expect("read 10 value", hex(0x5C), hex(static_cast<unsigned>(v.load())));
        expect_pm(r, pm, a, 10, "P,file,wp", " after COPY(WP)");
        expect_quiet(r, *u, a, "MISSING|WP further messages");
    }
}

// ---- fault-around ---------------------------------------------------------------
// §2.2/§2.3: a read fault in a VMA without WP/MINOR maps the fault-around
// window of cached pages (aligned by pte index, shifted — not shrunk — at the
// VMA start); MISSING-only registration does not disable it; WP does
// (uffd_disable_fault_around), so only the faulting page becomes present.
void check_fault_around(const Env& env, Result& r) {
    Memfd f = filled_file();
    Pagemap pm;
    std::string src;
    const std::size_t nr = fault_around_pages(&src);
    r.note(src);
    {
        Mapping a = Mapping::shared(f.fd.get(), kPages);
        rd(a.page(8));  // unregistered: cannot block
        auto w8 = fa_window(nr, 0, kPages, 8);
        r.expect("unregistered read 8 present", index_ranges(w8), present_set(pm, a));
        rd(a.page(20));
        r.expect("unregistered +read 20 present", index_ranges(merged(w8, fa_window(nr, 0, kPages, 20))),
                 present_set(pm, a));
        expect_pm(r, pm, a, 0, "P,file", " (prefaulted)");
    }
    {
        // VMA starts at pte index 3 (file page 0 there); fault at pte 5.
        Mapping a = Mapping::shared(f.fd.get(), kPages - 3, 0, 3);
        rd(a.page(2));
        r.expect("VMA at pte 3, read pte 5: present VMA pages", index_ranges(fa_window(nr, 3, kPages - 3, 2)),
                 present_set(pm, a));
    }
    auto u = open_uffd(env, r, UFFD_FEATURE_WP_HUGETLBFS_SHMEM | UFFD_FEATURE_MISSING_SHMEM,
                       "UFFD_FEATURE_WP_HUGETLBFS_SHMEM|MISSING_SHMEM");
    if (!u) return;
    {
        Mapping a = Mapping::shared(f.fd.get(), kPages);
        reg(r, *u, a, kModeMissing, "MISSING");
        read_quietly(r, *u, a, 8, 1);
        r.expect("MISSING-only read 8 present", index_ranges(fa_window(nr, 0, kPages, 8)), present_set(pm, a));
        r.expect("UNREGISTER", "ok", err(u->unregister_range(a.base(), a.len())));
    }
    {
        Mapping a = Mapping::shared(f.fd.get(), kPages);
        reg(r, *u, a, kModeWp, "WP");
        read_quietly(r, *u, a, 8, 1);
        r.expect("WP read 8 present", "8", present_set(pm, a));
        read_quietly(r, *u, a, 20, 1);
        r.expect("WP +read 20 present", "8,20", present_set(pm, a));
    }
}

// ---- S8-dontneed ------------------------------------------------------------------
// §8.9 / §6.5: MADV_DONTNEED on a protected shmem page leaves a marker (page
// stays cached); the write first repopulates with uffd-wp, then raises WP.
void check_dontneed(const Env& env, Result& r) {
    Memfd f = filled_file();
    Mapping a = Mapping::shared(f.fd.get(), kPages);
    Pagemap pm;
    auto u = open_uffd(env, r, UFFD_FEATURE_WP_HUGETLBFS_SHMEM | UFFD_FEATURE_MISSING_SHMEM,
                       "UFFD_FEATURE_WP_HUGETLBFS_SHMEM|MISSING_SHMEM");
    if (!u) return;
    reg(r, *u, a, kModeMissing | kModeWp, "MISSING|WP");
    read_quietly(r, *u, a, 0, kPages);
    protect_all(r, *u, a);
    r.expect("MADV_DONTNEED(5)", "ok", err(madv(a, 5, 1, MADV_DONTNEED)));
    expect_pm(r, pm, a, 5, "swp,wp", " after DONTNEED");
    expect_pm(r, pm, a, 4, "P,file,wp", " after DONTNEED");
    r.expect("hole 5", "no", f.is_hole(5) ? "yes" : "no");
    r.expect("mincore 5", "1", in_core(a, 5) ? "1" : "0");
    Access w5(*u, [&] { wr(a.page(5), 0xA5); });
    expect_msg(r, *u, a, "write 5", "WP(5,W)");
    expect_pm(r, pm, a, 5, "P,file,wp", " while write held");
    r.expect("file[5] while held", hex(tag_of(5)), hex(f.peek(5)));
    unprotect(r, *u, a, 5);
    expect_done(r, w5, "write 5 resolved");
    r.expect("file[5] after", hex(0xA5), hex(f.peek(5)));
    expect_pm(r, pm, a, 5, "P,file", " after");
    expect_quiet(r, *u, a, "further messages");
}

// ---- S2-pageout -------------------------------------------------------------------
// §8.3 / §6.2 TU.3 / §8.6 steps (2)-(4): MADV_PAGEOUT of pages mapped only by
// A writes them to swap and leaves markers; A's write swaps in with uffd-wp
// and raises WP; B swapping a page in does not touch A's marker.
void pageout_common(const Env& env, Result& r, bool with_swap) {
    pin_to_current_cpu();
    Memfd f = filled_file();
    f.punch(23);  // 23 will be a clean page: allocated by A's read fault, never written
    Mapping a = Mapping::shared(f.fd.get(), kPages);
    Pagemap pm;
    auto u = open_uffd(env, r, UFFD_FEATURE_WP_HUGETLBFS_SHMEM, "UFFD_FEATURE_WP_HUGETLBFS_SHMEM");
    if (!u) return;
    reg(r, *u, a, kModeWp, "WP");
    read_quietly(r, *u, a, 20, 4);  // only A maps 20-23 (no fault-around in a WP VMA)
    // B keeps page 22 (and only 22) mapped: §6.1 says MADV_PAGEOUT skips pages
    // that may be mapped by another mm.
    HoldingB holder(f.fd.get(), 22, 1, [](char* base) { rd(base); });
    r.expect("process B maps 22", "ok", holder.wait_ready(kMsgTimeout));
    r.expect(
        "bit56 exclusive 20/22", "1/0",
        std::string(pm.at(a.page(20)).exclusive() ? "1" : "0") + "/" + (pm.at(a.page(22)).exclusive() ? "1" : "0"));
    protect_all(r, *u, a);
    const std::vector<std::string> out = {"pswpout", "zswpout"};
    long before = vmstat(out);
    r.expect("MADV_PAGEOUT(20-23)", "ok", err(madv(a, 20, 4, MADV_PAGEOUT)));
    long written = vmstat(out) - before;
    expect_pm(r, pm, a, 20, "swp,wp", " after PAGEOUT");
    expect_pm(r, pm, a, 21, "swp,wp", " after PAGEOUT");
    expect_pm(r, pm, a, 22, "P,file,wp", " (shared with B) after PAGEOUT");
    expect_pm(r, pm, a, 23, "swp,wp", " (clean) after PAGEOUT");
    r.expect("hole 20", "no", f.is_hole(20) ? "yes" : "no");
    // §6.2 RC.7: a clean, unmapped shmem folio is dropped from the page cache
    // instead of being written to swap; the index becomes a hole.
    r.expect("hole 23 (clean page reclaimed)", "yes", f.is_hole(23) ? "yes" : "no");
    if (with_swap) {
        r.expect_that("pages written to swap", written >= 2, ">=2", std::to_string(written));
    } else {
        // No swap: shmem_writeout refuses and the dirty folio stays in the
        // page cache, but try_to_unmap already ran, so A's pte is a marker.
        r.expect("pages written to swap", "0", std::to_string(written));
        r.expect("mincore 20", "1", in_core(a, 20) ? "1" : "0");
    }
    {
        Access w20(*u, [&] { wr(a.page(20), 0xA0); });
        expect_msg(r, *u, a, "write 20", "WP(20,W)");
        expect_pm(r, pm, a, 20, "P,file,wp", " while write held");
        unprotect(r, *u, a, 20);
        expect_done(r, w20, "write 20 resolved");
    }
    r.expect("file[20] (written, rest intact)", hex(0xA0) + "," + hex(tag_of(20)),
             hex(f.peek(20, 0)) + "," + hex(f.peek(20, 1)));
    // B writes 21 through its own mapping (swapping it in if it is in swap).
    std::string b = in_process_b(f.fd.get(), kPages, [](char* base) { wr(base + 21 * page_size(), 0xB1); });
    r.expect("process B write 21", "ok", b);
    expect_pm(r, pm, a, 21, "swp,wp", " after B's write");
    r.expect("read 21 value (B's)", hex(0xB1), hex(read_one_quietly(r, *u, a, 21, "read 21")));
    expect_pm(r, pm, a, 21, "P,file,wp", " after read");
    write_through_wp(r, *u, a, 21, 0xA1, "write 21");
    // The dropped clean page comes back as a fresh zero page through the
    // marker: protected, no message for a read (WP-only registration).
    std::atomic<int> v{-1};
    {
        Access rd23(*u, [&] { v = rd(a.page(23)); });
        expect_done(r, rd23, "read 23");
    }
    r.expect("read 23 value", hex(0), hex(static_cast<unsigned>(v.load())));
    expect_pm(r, pm, a, 23, "P,file,wp", " after read");
    expect_quiet(r, *u, a, "further messages");
}

void check_pageout(const Env& env, Result& r) { pageout_common(env, r, true); }
void check_pageout_noswap(const Env& env, Result& r) { pageout_common(env, r, false); }

// ---- S3a / S3b -----------------------------------------------------------------
// §8.4: B fills hole 24 through its own mapping. A never gets MISSING for 24
// (MISSING means "hole in the file"); A's hole 25 does raise MISSING.
// S3a (MISSING only): fault-around on A's read of 25 maps 24 silently.
// S3b (MISSING|WP, all protected): markers on 24-31; A's read of 24 maps B's
// page with uffd-wp and no message; A's write of 24 raises WP.
void b_fills_hole(const Env& env, Result& r, bool wp) {
    Memfd f = filled_file(24);  // 24..31 are holes
    Mapping a = Mapping::shared(f.fd.get(), kPages);
    Pagemap pm;
    auto u = open_uffd(env, r, UFFD_FEATURE_MISSING_SHMEM | (wp ? UFFD_FEATURE_WP_HUGETLBFS_SHMEM : 0),
                       wp ? "UFFD_FEATURE_MISSING_SHMEM|WP_HUGETLBFS_SHMEM" : "UFFD_FEATURE_MISSING_SHMEM");
    if (!u) return;
    reg(r, *u, a, kModeMissing | (wp ? kModeWp : 0), wp ? "MISSING|WP" : "MISSING");
    if (wp) {
        read_quietly(r, *u, a, 0, 24);
        protect_all(r, *u, a);
        expect_pm_range(r, pm, a, 24, 8, "swp,wp", " (holes) after protect");
    } else {
        read_quietly(r, *u, a, 0, 24);  // fault-around maps 0-23 here
        expect_pm(r, pm, a, 24, "none", " (hole)");
    }
    std::string b = in_process_b(f.fd.get(), kPages, [](char* base) { wr(base + 24 * page_size(), 0xB4); });
    r.expect("process B write 24", "ok", b);
    r.expect("hole 24 after B", "no", f.is_hole(24) ? "yes" : "no");
    expect_pm(r, pm, a, 24, wp ? "swp,wp" : "none", " after B's write");

    auto src = page_of(0xC5);
    std::atomic<int> v{-1};
    {
        Access rd25(*u, [&] { v = rd(a.page(25)); });
        expect_msg(r, *u, a, "read 25", "MISS(25)");
        // S3a: fault-around ran before shmem_fault found the hole at 25.
        expect_pm(r, pm, a, 24, wp ? "swp,wp" : "P,file", " while 25 held");
        r.expect("COPY(25)", "ok", err(u->copy(a.page(25), src.data(), page_size(), wp)));
        expect_done(r, rd25, "read 25 resolved");
    }
    r.expect("read 25 value", hex(0xC5), hex(static_cast<unsigned>(v.load())));
    expect_pm(r, pm, a, 25, wp ? "P,file,wp" : "P,file", " after COPY");
    r.expect("read 24 value (B's)", hex(0xB4), hex(read_one_quietly(r, *u, a, 24, "read 24")));
    expect_pm(r, pm, a, 24, wp ? "P,file,wp" : "P,file", " after read");
    {
        Access w24(*u, [&] { wr(a.page(24), 0xA4); });
        if (wp) {
            expect_msg(r, *u, a, "write 24", "WP(24,W)");
            unprotect(r, *u, a, 24);
        } else {
            expect_quiet(r, *u, a, "write 24 messages");
        }
        expect_done(r, w24, "write 24 completes");
    }
    r.expect("file[24]", hex(0xA4), hex(f.peek(24)));
    expect_quiet(r, *u, a, "further messages");
}

void check_s3a(const Env& env, Result& r) { b_fills_hole(env, r, false); }
void check_s3b(const Env& env, Result& r) { b_fills_hole(env, r, true); }

// ---- S6-minor ------------------------------------------------------------------
// §8.7 / §2.5 SG.3: with MINOR registration every cached page A reads raises
// MINOR (no fault-around: uffd_disable_fault_around); a hole does not.
void check_minor(const Env& env, Result& r) {
    Memfd f = Memfd::create(kPages);
    Pagemap pm;
    // B writes every page through its own mapping (page cache populated by
    // user writes of another mm, as in the spec's S6 setup).
    std::string b = in_process_b(f.fd.get(), kPages, [](char* base) {
        for (std::size_t i = 0; i < kPages; ++i) std::memset(base + i * page_size(), tag_of(i), page_size());
    });
    r.expect("process B writes 0-31", "ok", b);
    Mapping a = Mapping::shared(f.fd.get(), kPages);
    auto u = open_uffd(env, r, UFFD_FEATURE_MINOR_SHMEM, "UFFD_FEATURE_MINOR_SHMEM");
    if (!u) return;
    std::uint64_t ioctls = 0;
    r.expect("REGISTER(MINOR)", "ok", err(u->register_range(a.base(), a.len(), kModeMinor, &ioctls)));
    r.expect("ioctls has CONTINUE", "yes", ioctls & (1ULL << _UFFDIO_CONTINUE) ? "yes" : "no");

    constexpr std::size_t kRead = 16;
    std::atomic<unsigned> sum{0};
    std::vector<std::string> msgs, bad_present, cont_errors;
    {
        Access reader(*u, [&] {
            for (std::size_t i = 0; i < kRead; ++i) sum += rd(a.page(i));
        });
        for (std::size_t i = 0; i < kRead; ++i) {
            std::string m = next_msg(*u, a, kMsgTimeout);
            msgs.push_back(m);
            if (m == "no message") break;
            // Before CONTINUE exactly the pages already continued are present.
            std::vector<std::size_t> want;
            for (std::size_t k = 0; k < i; ++k) want.push_back(k);
            if (present_set(pm, a) != index_ranges(want)) bad_present.push_back(present_set(pm, a));
            if (int e = u->cont(a.page(i), page_size())) cont_errors.push_back(idx(i) + ":" + err(e));
        }
        expect_done(r, reader, "read 0-15");
    }
    std::string want_msgs, got_msgs;
    for (std::size_t i = 0; i < kRead; ++i) want_msgs += (i ? " " : "") + ("MINOR(" + idx(i) + ")");
    for (std::size_t i = 0; i < msgs.size(); ++i) got_msgs += (i ? " " : "") + msgs[i];
    r.expect("messages", want_msgs, got_msgs);
    r.expect_that("CONTINUE results", cont_errors.empty(), "all ok",
                  cont_errors.empty() ? "all ok" : cont_errors.front());
    r.expect_that("present before each CONTINUE = pages already continued", bad_present.empty(), "yes",
                  bad_present.empty() ? "yes" : "no, saw " + bad_present.front());
    unsigned want_sum = 0;
    for (std::size_t i = 0; i < kRead; ++i) want_sum += tag_of(i);
    r.expect("sum of bytes read", std::to_string(want_sum), std::to_string(sum.load()));
    r.expect("present after", "0-15", present_set(pm, a));
    expect_pm(r, pm, a, 0, "P,file", " after CONTINUE");

    // A hole in a MINOR-only VMA is allocated silently (SG.3 → SG.7).
    f.punch(20);
    r.expect("read 20 value", hex(0), hex(read_one_quietly(r, *u, a, 20, "read hole 20")));
    r.expect("present after hole read", "0-15,20", present_set(pm, a));
}

// ---- S7-anon ---------------------------------------------------------------------
// §8.8 / §6.4: anonymous contrast. Protected anon ptes carry the bit; a zap
// (MADV_DONTNEED) drops data and protection (no anon marker), so the next write
// needs no message; WP_UNPOPULATED (v6.4+) lets WRITEPROTECT put a marker on a
// none anon pte.
void check_anon(const Env& env, Result& r) {
    Mapping a = Mapping::anon(4);
    Pagemap pm;
    for (std::size_t i = 0; i < 4; ++i) wr(a.page(i), static_cast<unsigned char>(0x70 + i));
    auto u = open_uffd(env, r, 0, "");
    if (!u) return;
    reg(r, *u, a, kModeWp, "WP");
    protect_all(r, *u, a);
    expect_pm_range(r, pm, a, 0, 4, "P,wp", " after protect");
    write_through_wp(r, *u, a, 1, 0xA1, "write 1");
    expect_pm(r, pm, a, 1, "P", " after");
    r.expect("MADV_DONTNEED(2)", "ok", err(madv(a, 2, 1, MADV_DONTNEED)));
    expect_pm(r, pm, a, 2, "none", " after DONTNEED");
    {
        Access w2(*u, [&] { wr(a.page(2), 0xA2); });
        expect_done(r, w2, "write 2 after DONTNEED");
    }
    expect_quiet(r, *u, a, "write 2 messages");
    expect_pm(r, pm, a, 2, "P", " after write");
    const bool unpop = u->features() & UFFD_FEATURE_WP_UNPOPULATED;
    r.note(unpop ? "WP_UNPOPULATED negotiated" : "WP_UNPOPULATED not offered");
    r.expect("MADV_DONTNEED(2) again", "ok", err(madv(a, 2, 1, MADV_DONTNEED)));
    r.expect("WRITEPROTECT(2)", "ok", err(u->writeprotect(a.page(2), page_size(), true)));
    expect_pm(r, pm, a, 2, unpop ? "swp,wp" : "none", " protect on none pte");
    {
        Access w2(*u, [&] { wr(a.page(2), 0xB2); });
        if (unpop) {
            expect_msg(r, *u, a, "write 2 on anon marker", "WP(2,W)");
            unprotect(r, *u, a, 2);
        } else {
            expect_quiet(r, *u, a, "write 2 messages");
        }
        expect_done(r, w2, "write 2 completes");
    }
    r.expect("page 2 value", hex(0xB2), hex(rd(a.page(2))));
}

// §8.8 first half: an anon page swapped out keeps the bit in the swap pte
// (_PAGE_SWP_UFFD_WP); the write swaps in and raises WP.
void check_anon_swap(const Env& env, Result& r) {
    pin_to_current_cpu();
    Mapping a = Mapping::anon(4);
    Pagemap pm;
    for (std::size_t i = 0; i < 4; ++i) std::memset(a.page(i), 0x70 + static_cast<int>(i), page_size());
    auto u = open_uffd(env, r, 0, "");
    if (!u) return;
    reg(r, *u, a, kModeWp, "WP");
    protect_all(r, *u, a);
    long before = vmstat({"pswpout", "zswpout"});
    r.expect("MADV_PAGEOUT(1)", "ok", err(madv(a, 1, 1, MADV_PAGEOUT)));
    long written = vmstat({"pswpout", "zswpout"}) - before;
    r.expect_that("pages written to swap", written >= 1, ">=1", std::to_string(written));
    expect_pm(r, pm, a, 1, "swp,wp", " after PAGEOUT");
    {
        Access w1(*u, [&] { wr(a.page(1), 0xA1); });
        expect_msg(r, *u, a, "write 1", "WP(1,W)");
        expect_pm(r, pm, a, 1, "P,wp", " while write held");
        unprotect(r, *u, a, 1);
        expect_done(r, w1, "write 1 resolved");
    }
    r.expect("page 1 (written, rest intact)", hex(0xA1) + "," + hex(0x71),
             hex(rd(a.page(1))) + "," + hex(rd(a.page(1) + 1)));
}

// ---- S9-unregister --------------------------------------------------------------
// §8.10 / §4.2: UNREGISTER clears uffd-wp on present ptes and turns markers
// into none (v6.0+); later writes need no messages.
void check_unregister(const Env& env, Result& r) {
    Memfd f = filled_file();
    Mapping a = Mapping::shared(f.fd.get(), kPages);
    Pagemap pm;
    auto u = open_uffd(env, r, UFFD_FEATURE_WP_HUGETLBFS_SHMEM | UFFD_FEATURE_MISSING_SHMEM,
                       "UFFD_FEATURE_WP_HUGETLBFS_SHMEM|MISSING_SHMEM");
    if (!u) return;
    reg(r, *u, a, kModeMissing | kModeWp, "MISSING|WP");
    read_quietly(r, *u, a, 0, kPages);
    protect_all(r, *u, a);
    r.expect("MADV_DONTNEED(5)", "ok", err(madv(a, 5, 1, MADV_DONTNEED)));
    expect_pm(r, pm, a, 5, "swp,wp", " before UNREGISTER");
    r.expect("UNREGISTER", "ok", err(u->unregister_range(a.base(), a.len())));
    expect_pm_range(r, pm, a, 0, 5, "P,file", " after UNREGISTER");
    expect_pm_range(r, pm, a, 6, kPages - 6, "P,file", " after UNREGISTER");
    expect_pm(r, pm, a, 5, "none", " after UNREGISTER");
    {
        Access w(*u, [&] {
            wr(a.page(5), 0xA5);
            wr(a.page(6), 0xA6);
        });
        expect_done(r, w, "write 5, 6");
    }
    expect_quiet(r, *u, a, "write messages");
    r.expect("file[5],file[6]", hex(0xA5) + "," + hex(0xA6), hex(f.peek(5)) + "," + hex(f.peek(6)));
}

// ---- writenotify ------------------------------------------------------------------
// §1.2 page_prot_writable, §2.4.1, §4.4 (unprotect column). pagemap has no
// write bit, so count the faults a write takes (RUSAGE_THREAD minor faults):
// 0 = the pte was already writable, 1 = a write-protect fault that resolved
// without a message (do_wp_page reuse).
long thread_minflt() {
    rusage ru{};
    getrusage(RUSAGE_THREAD, &ru);
    return ru.ru_minflt;
}

// Writes one byte in an Access thread; returns its fault count, or -1 if the
// write did not complete (e.g. it raised a message).
long write_faults(Result& r, Uffd& u, const Mapping& m, std::size_t i, const std::string& what) {
    std::atomic<long> n{-1};
    {
        Access a(u, [&] {
            long before = thread_minflt();
            wr(m.page(i), 0xEE);
            n = thread_minflt() - before;
        });
        expect_done(r, a, what);
    }
    expect_quiet(r, u, m, what + " messages");
    return n.load();
}

void check_writenotify(const Env& env, Result& r) {
    Memfd f = filled_file();
    Pagemap pm;
    auto u = open_uffd(env, r, UFFD_FEATURE_WP_HUGETLBFS_SHMEM, "UFFD_FEATURE_WP_HUGETLBFS_SHMEM");
    if (!u) return;
    {
        // Unregistered shared writable VMA: no writenotify, so fault-around
        // installs writable ptes and a write to a prefaulted page is free.
        Mapping a = Mapping::shared(f.fd.get(), kPages);
        rd(a.page(8));
        r.expect("unregistered: faults of write to prefaulted 9", "0",
                 std::to_string(write_faults(r, *u, a, 9, "unregistered write 9")));
    }
    Mapping a = Mapping::shared(f.fd.get(), kPages);
    reg(r, *u, a, kModeWp, "WP");
    // WP-registered: writenotify (v6.2+) makes read-installed ptes read-only.
    read_quietly(r, *u, a, 8, 1);
    r.expect("WP VMA: faults of write after read 8", "1", std::to_string(write_faults(r, *u, a, 8, "WP VMA write 8")));
    // Control for the method: the write fault made the pte writable.
    r.expect("WP VMA: faults of second write 8", "0",
             std::to_string(write_faults(r, *u, a, 8, "WP VMA write 8 again")));
    // §4.4 says that on v6.x WRITEPROTECT(0) makes a *dirty* shared pte
    // writable at once (MM_CP_TRY_CHANGE_WRITABLE) and leaves a clean one
    // read-only. Linux 6.18 leaves both read-only on a uffd-wp shmem VMA: the
    // next write takes one silent write-protect fault either way (the kernel
    // wins; see docs/real-kernel-checks.md).
    write_faults(r, *u, a, 10, "WP VMA write 10 (dirty it)");
    read_quietly(r, *u, a, 11, 1);
    r.expect("WRITEPROTECT(10-11)", "ok", err(u->writeprotect(a.page(10), 2 * page_size(), true)));
    r.expect("WRITEPROTECT(10-11,0)", "ok", err(u->writeprotect(a.page(10), 2 * page_size(), false)));
    expect_pm(r, pm, a, 10, "P,file", " after unprotect");
    r.expect("faults of write 10 (dirty) after unprotect", "1",
             std::to_string(write_faults(r, *u, a, 10, "write 10 after unprotect")));
    r.expect("faults of write 11 (clean) after unprotect", "1",
             std::to_string(write_faults(r, *u, a, 11, "write 11 after unprotect")));
    r.expect("faults of second write 10", "0", std::to_string(write_faults(r, *u, a, 10, "write 10 again")));

    // Anonymous contrast: an exclusive anon page is made writable by the
    // unprotect itself, as §4.4 says for v6.x.
    Mapping anon = Mapping::anon(1);
    wr(anon.page(0), 1);
    reg(r, *u, anon, kModeWp, "WP anon");
    r.expect("WRITEPROTECT(anon)", "ok", err(u->writeprotect(anon.base(), anon.len(), true)));
    r.expect("WRITEPROTECT(anon,0)", "ok", err(u->writeprotect(anon.base(), anon.len(), false)));
    r.expect("faults of anon write after unprotect", "0",
             std::to_string(write_faults(r, *u, anon, 0, "anon write after unprotect")));
}

// ---- truncate-marker --------------------------------------------------------------
// §10 question 4 / §5.2: ftruncate's pre-unmap zaps without DROP_MARKER, so
// A's uffd-wp markers beyond the new EOF are expected to survive; after the
// file grows again, a read through such a marker maps a zero page with
// uffd-wp and the write raises WP.
void check_truncate(const Env& env, Result& r) {
    Memfd f = filled_file();
    Mapping a = Mapping::shared(f.fd.get(), kPages);
    Pagemap pm;
    auto u = open_uffd(env, r, UFFD_FEATURE_WP_HUGETLBFS_SHMEM, "UFFD_FEATURE_WP_HUGETLBFS_SHMEM");
    if (!u) return;
    reg(r, *u, a, kModeWp, "WP");
    read_quietly(r, *u, a, 0, kPages);
    protect_all(r, *u, a);
    r.expect("ftruncate(16 pages)", "ok", err(ftruncate(f.fd.get(), 16 * page_size()) ? errno : 0));
    expect_pm(r, pm, a, 15, "P,file,wp", " after shrink");
    expect_pm_range(r, pm, a, 16, 16, "swp,wp", " after shrink");
    r.expect("ftruncate(32 pages)", "ok", err(ftruncate(f.fd.get(), kPages * page_size()) ? errno : 0));
    r.expect("hole 20", "yes", f.is_hole(20) ? "yes" : "no");
    std::atomic<int> v{-1};
    {
        Access rd20(*u, [&] { v = rd(a.page(20)); });
        expect_done(r, rd20, "read 20 after regrow");
    }
    expect_quiet(r, *u, a, "read 20 messages");
    r.expect("read 20 value", hex(0), hex(static_cast<unsigned>(v.load())));
    expect_pm(r, pm, a, 20, "P,file,wp", " after read");
    write_through_wp(r, *u, a, 21, 0xA1, "write 21");
    expect_quiet(r, *u, a, "further messages");
}

}  // namespace

const std::vector<CheckDef>& all_checks() {
    static const std::vector<CheckDef> checks = {
        {"uffd-wp-present", "§4.4, §3.2", Needs::Nothing, check_wp_present},
        {"S5-punch-marker", "§8.2 S1/S1′ (e), §8.6 step 1, §5.2", Needs::Nothing, check_punch_marker},
        {"fault-around", "§2.2, §2.3, §9", Needs::Nothing, check_fault_around},
        {"S8-dontneed", "§8.9, §6.5", Needs::Nothing, check_dontneed},
        {"S2-pageout-noswap", "§8.3 without a swap device, §10", Needs::NoSwap, check_pageout_noswap},
        {"S2-pageout", "§8.3, §8.6 steps 2-4, §6.2 TU.3", Needs::Swap, check_pageout},
        {"S3a-b-fills-hole", "§8.4 S3a", Needs::Nothing, check_s3a},
        {"S3b-b-fills-hole", "§8.4 S3b (e)", Needs::Nothing, check_s3b},
        {"S6-minor", "§8.7, §2.5 SG.3", Needs::Nothing, check_minor},
        {"S7-anon", "§8.8, §6.4", Needs::Nothing, check_anon},
        {"S7-anon-swap", "§8.8, §6.4", Needs::Swap, check_anon_swap},
        {"S9-unregister", "§8.10, §4.2", Needs::Nothing, check_unregister},
        {"truncate-marker", "§10 q4, §5.2", Needs::Nothing, check_truncate},
        {"writenotify", "§1.2, §2.4.1, §4.4", Needs::Nothing, check_writenotify},
    };
    return checks;
}

}  // namespace probe
