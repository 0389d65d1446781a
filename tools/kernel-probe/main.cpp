// SPDX-License-Identifier: GPL-3.0-or-later
// faultline-probe: runs checks from the kernel model spec (§9) against the
// running Linux kernel and prints one PASS/FAIL/SKIP line per check.
//
// Exit code: 0 all ran checks passed, 1 any failed, 77 every check skipped
// (CTest's SKIP_RETURN_CODE). It must never hang: every check runs in a
// forked child with alarm(), the runner kills a child that overstays, and the
// runner itself has an overall alarm. The optional temporary swapfile is
// swapped off and removed on every exit path the runner controls (normal end,
// SIGINT/SIGTERM/SIGHUP, overall timeout).
#include "checks.h"
#include "twin_rt.h"
#include "uffd.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace probe;

constexpr unsigned kCheckAlarm = 10;    // seconds per check (they take milliseconds)
constexpr int kCheckKillMs = 12000;     // runner's own deadline per check
constexpr unsigned kOverallAlarm = 55;  // below the CTest TIMEOUT of 60
constexpr std::size_t kSwapBytes = 16u << 20;

// State the signal handlers need; only async-signal-safe use there.
volatile pid_t g_child = 0;

// The swap file is made and removed by the twin runtime's helpers (shared
// with faultline-cli kernel): tw_swap_make(), tw_swap_cleanup().
void cleanup_swap() { tw_swap_cleanup(); }

void on_fatal_signal(int sig) {
    if (g_child > 0) kill(g_child, SIGKILL);
    cleanup_swap();
    const char* msg = sig == SIGALRM
                          ? "FAIL faultline-probe: expected completion within 55 s observed overall timeout\n"
                          : "FAIL faultline-probe: interrupted\n";
    ssize_t ignored = write(STDOUT_FILENO, msg, std::strlen(msg));
    (void)ignored;
    _exit(1);
}

std::string read_first_line(const char* path) {
    std::ifstream in(path);
    std::string s;
    std::getline(in, s);
    return s;
}

// A runner that was SIGKILLed (e.g. by a CTest timeout) cannot clean up:
// swap off and remove swapfiles of earlier runs whose process is gone.
void remove_stale_swapfiles() { tw_swap_remove_stale("faultline-probe"); }

// Creates, formats and enables a small swapfile. Only as root, only if
// nothing is swapped on already. Any failure leaves no file behind and
// returns false with the reason.
bool make_swapfile(std::string* note) {
    char path[128], buf[256];
    std::snprintf(path, sizeof path, "/var/tmp/faultline-probe-%d.swap", static_cast<int>(getpid()));
    bool ok = tw_swap_make(path, kSwapBytes, buf, sizeof buf) != 0;
    *note = buf;
    return ok;
}

// Oldest kernel whose behaviour the checks expect.
constexpr int kMinMajor = 6, kMinMinor = 12;

// Runs one check in a forked child; returns 0 pass, 1 fail, 77 skip.
int run_child(const CheckDef& c, const Env& env) {
    std::fflush(nullptr);
    std::cout.flush();
    const pid_t runner = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        std::cout << "FAIL " << c.name << ": expected fork to work observed " << std::strerror(errno) << std::endl;
        return 1;
    }
    if (pid == 0) {
        die_with(runner);
        for (int s : {SIGALRM, SIGINT, SIGTERM, SIGHUP}) signal(s, SIG_DFL);
        alarm(kCheckAlarm);  // a check blocked in a fault dies here instead of hanging
        Result r(env);
        try {
            c.run(env, r);
        } catch (const std::exception& e) { r.error(e.what()); }
        int code = r.report(c.name);
        std::cout.flush();
        _exit(code);
    }
    g_child = pid;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kCheckKillMs);
    int status = 0;
    for (;;) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid) break;
        if (w < 0 && errno != EINTR) break;
        if (std::chrono::steady_clock::now() >= deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    g_child = 0;
    if (WIFEXITED(status) && (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 1 || WEXITSTATUS(status) == 77))
        return WEXITSTATUS(status);
    std::cout << "FAIL " << c.name << ": expected the check to finish observed "
              << (WIFSIGNALED(status)
                      ? "death by signal " + std::to_string(WTERMSIG(status)) +
                            (WTERMSIG(status) == SIGALRM ? " (timeout: a fault was never resolved)" : "")
                      : "exit code " + std::to_string(WEXITSTATUS(status)))
              << std::endl;
    return 1;
}

void usage() {
    std::cout << "usage: faultline-probe [--list] [--only NAME]... [--verbose] [--no-swapfile] [--user-mode-only]\n"
                 "  Runs checks of the Faultline kernel model against this kernel.\n"
                 "  --list            list the checks and the spec scenarios they mirror\n"
                 "  --only NAME       run only NAME (repeatable)\n"
                 "  --verbose         print every observation and raw pagemap entries\n"
                 "  --no-swapfile     never create a temporary swapfile (swap checks then SKIP)\n"
                 "  --user-mode-only  open userfaultfd with UFFD_USER_MODE_ONLY (lets non-root run\n"
                 "                    when vm.unprivileged_userfaultfd=0)\n"
                 "  Exit: 0 all passed, 1 a check failed, 77 every check skipped.\n";
}

}  // namespace

int main(int argc, char** argv) {
    Env env;
    bool list = false, no_swapfile = false;
    std::vector<std::string> only;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--list") list = true;
        else if (a == "--verbose" || a == "-v") env.verbose = true;
        else if (a == "--no-swapfile") no_swapfile = true;
        else if (a == "--user-mode-only") env.user_mode_only = true;
        else if (a == "--only" && i + 1 < argc) only.push_back(argv[++i]);
        else if (a == "--help" || a == "-h") {
            usage();
            return 0;
        } else {
            usage();
            return 2;
        }
    }
    const auto& checks = all_checks();
    if (list) {
        for (const auto& c : checks) std::cout << c.name << "\t" << c.scenario << "\n";
        return 0;
    }
    std::vector<const CheckDef*> selected;
    for (const auto& c : checks)
        if (only.empty() || std::find(only.begin(), only.end(), c.name) != only.end()) selected.push_back(&c);
    for (const auto& o : only) {
        bool known = false;
        for (const auto& c : checks) known = known || o == c.name;
        if (!known) {
            std::cerr << "faultline-probe: unknown check " << o << " (see --list)\n";
            return 2;
        }
    }

    for (int s : {SIGINT, SIGTERM, SIGHUP, SIGALRM}) signal(s, on_fatal_signal);
    alarm(kOverallAlarm);

    // Preconditions shared by every check: Linux, userfaultfd permitted,
    // our own pagemap readable. If any is missing, every check is skipped.
    std::string skip_all;
    utsname u{};
    uname(&u);
    int uerr = 0;
    int major = 0, minor = 0;
    std::sscanf(u.release, "%d.%d", &major, &minor);
    if (std::string(u.sysname) != "Linux") {
        skip_all = std::string("not Linux (") + u.sysname + ")";
    } else if (major < kMinMajor || (major == kMinMajor && minor < kMinMinor)) {
        // The expectations are today's kernel's (recorded on 6.18): an older
        // kernel lacks markers, WP_UNPOPULATED or later fixes, and would
        // "fail" for reasons that say nothing about the model.
        skip_all = "the checks expect Linux >= " + std::to_string(kMinMajor) + "." + std::to_string(kMinMinor) +
                   " (recorded on 6.18)";
    } else if (auto f = Uffd::supported_features(env.user_mode_only, &uerr)) {
        env.uffd_features = *f;
    } else {
        skip_all = std::string("userfaultfd not permitted: ") + std::strerror(uerr) +
                   " (vm.unprivileged_userfaultfd=" + read_first_line("/proc/sys/vm/unprivileged_userfaultfd") +
                   "; needs CAP_SYS_PTRACE, or try --user-mode-only)";
        if (uerr == ENOSYS) skip_all = "userfaultfd not built into this kernel (ENOSYS)";
    }
    if (skip_all.empty()) {
        try {
            Pagemap pm;
        } catch (const std::exception& e) { skip_all = e.what(); }
    }
    std::cout << "# faultline-probe on " << u.sysname << " " << u.release << " " << u.machine;
    if (skip_all.empty()) {
        char feat[32];
        std::snprintf(feat, sizeof feat, "%#llx", static_cast<unsigned long long>(env.uffd_features));
        std::cout << ", uffd features " << feat;
    }
    std::cout << std::endl;

    if (!skip_all.empty()) {
        for (const auto* c : selected) std::cout << "SKIP " << c->name << ": " << skip_all << "\n";
        return 77;
    }

    if (geteuid() == 0) remove_stale_swapfiles();
    env.swap = swap_active();
    if (env.swap) env.swap_note = "swap area already active (" + read_first_line("/proc/swaps") + ")";
    bool swap_tried = false;
    int passed = 0, failed = 0, skipped = 0;
    auto start = std::chrono::steady_clock::now();
    for (const auto* c : selected) {
        std::string why;
        if (c->needs == Needs::NoSwap && env.swap) why = "a swap area is active (this check needs none)";
        if (c->needs == Needs::Swap && !env.swap) {
            if (!swap_tried && !no_swapfile) {
                swap_tried = true;
                env.swap = make_swapfile(&env.swap_note);
            } else if (no_swapfile) {
                env.swap_note = "no swap device (--no-swapfile)";
            }
            if (!env.swap) why = env.swap_note;
        }
        if (why.empty() && std::chrono::steady_clock::now() - start > std::chrono::seconds(40))
            why = "overall time budget used up";
        if (!why.empty()) {
            std::cout << "SKIP " << c->name << ": " << why << std::endl;
            ++skipped;
            continue;
        }
        if (c->needs == Needs::Swap && env.verbose) std::cout << "    # swap: " << env.swap_note << "\n";
        int code = run_child(*c, env);
        (code == 0 ? passed : code == 77 ? skipped : failed)++;
    }
    cleanup_swap();
    alarm(0);
    std::cout << "# " << passed << " passed, " << failed << " failed, " << skipped << " skipped" << std::endl;
    if (failed) return 1;
    return passed ? 0 : 77;
}
