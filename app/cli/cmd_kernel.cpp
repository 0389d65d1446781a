// SPDX-License-Identifier: GPL-3.0-or-later
// faultline-cli kernel: the kernel twin. Runs a session on the running kernel
// and compares it with the simulation after every operation (tools/kernel-twin),
// or races its interleaved operations (--race), or writes a standalone C
// reproducer (--emit-c).
#include <sys/stat.h>
#include <sys/utsname.h>

#include <cstdio>
#include <fstream>
#include <memory>

#include "cli_commands.h"
#include "json/json.h"
#include "session/session_io.h"
#include "twin_plan.h"
#include "twin_run.h"

namespace faultline::cli {

namespace {

constexpr int kNotAllowed = 77;

struct KernelArgs {
    std::string session;
    bool json = false;
    bool all = false;
    bool raw = false;
    bool race = false;
    long iterations = 0;
    double seconds = 10;
    int windowUs = 0;  // 0: calibrated on this kernel
    bool uniform = false;
    std::string emitC;
    bool force = false;
};

std::string release() {
    utsname u{};
    uname(&u);
    return std::string(u.sysname) + " " + u.release + " " + u.machine;
}

std::string pct(long n, long of) {
    char b[32];
    std::snprintf(b, sizeof b, "%.2f %%", of ? 100.0 * double(n) / double(of) : 0.0);
    return b;
}

std::string opList(const kernel::Plan& p, const std::vector<int>& ops, const char* sep) {
    std::string s;
    for (int k : ops) s += (s.empty() ? "" : sep) + std::string(p.twOps[size_t(k)].label);
    return s.empty() ? "nothing" : s;
}

int emit(const KernelArgs& a, const kernel::Plan& plan) {
    struct stat st {};
    if (!a.force && stat(a.emitC.c_str(), &st) == 0) {
        std::fprintf(stderr, "faultline-cli kernel: %s exists; not overwritten (--force to replace it)\n",
                     a.emitC.c_str());
        return kBadInput;
    }
    std::ofstream out(a.emitC, std::ios::trunc);
    out << kernel::emitC(plan, a.session, a.race, a.iterations, a.seconds, a.windowUs, a.uniform);
    out.close();
    if (!out) {
        std::fprintf(stderr, "faultline-cli kernel: cannot write %s\n", a.emitC.c_str());
        return kBadInput;
    }
    std::printf("reproducer written to %s\nbuild: cc -O2 -Wall -Werror -pthread -o repro %s\n", a.emitC.c_str(),
                a.emitC.c_str());
    return kOk;
}

int race(const KernelArgs& a, const kernel::Plan& plan) {
    const kernel::RacePlan& rp = plan.race;
    if (!rp.error.empty()) {
        std::fprintf(stderr, "%s: no race to run: %s\n", a.session.c_str(), rp.error.c_str());
        return kBadInput;
    }
    const std::string watched = plan.cells[size_t(rp.watch)].name;
    if (!a.json && !a.raw) {
        std::printf("race twin: %s (%s) on %s\n", plan.name.c_str(), a.session.c_str(), release().c_str());
        std::printf("racing:   %s\nthen:     %s\nre-armed: %s\nwatched:  %s (%s by the monitor after setup)\n",
                    opList(plan, rp.racers, "  ||  ").c_str(), opList(plan, rp.follow, "; ").c_str(),
                    opList(plan, rp.rearm, "; ").c_str(), watched.c_str(),
                    rp.watchProtected ? "write-protected" : "not protected");
        const std::string bound =
            (a.iterations ? std::to_string(a.iterations) + " iterations" : std::string("no iteration count")) +
            (a.seconds > 0 ? ", " + std::to_string(int(a.seconds)) + " s" : std::string());
        const std::string window = a.windowUs ? "+-" + std::to_string(a.windowUs) + " us"
                                              : std::string(
                                                    "the range where the two overlap (their durations on "
                                                    "this kernel measured first)");
        std::printf("start offsets of %s relative to %s: over %s, %s; bounded by %s\n",
                    plan.ops[size_t(rp.racers[1])].label.c_str(), plan.ops[size_t(rp.racers[0])].label.c_str(),
                    window.c_str(), a.uniform ? "uniform" : "aimed at the offsets that hit", bound.c_str());
        std::fflush(stdout);
    }
    const kernel::KernelRun kr = kernel::runRace(plan, a.iterations, a.seconds, a.windowUs, a.uniform);
    if (kr.code == kNotAllowed || kr.code == kBadInput || kr.code == 3) {
        std::fprintf(stderr, "%s", kr.text.c_str());
        return kr.code == 3 ? kFailed : kr.code;
    }
    if (a.raw) std::fputs(kr.text.c_str(), stdout);
    const kernel::RaceResult r = kernel::parseRace(kr.text);
    const long c1 = r.withRule("C1"), c2 = r.withRule("C2");
    const bool simC1 = rp.simFindings.find("C1") != std::string::npos;
    const bool agree = (c1 > 0) == simC1;
    const std::string shortName = plan.name.substr(0, plan.name.find(' '));
    if (a.json) {
        json::Value o = json::Value::object();
        o.set("format", "faultline-kernel-race");
        o.set("session", plan.name);
        o.set("file", a.session);
        o.set("kernel", release());
        o.set("iterations", int64_t(r.iterations));
        o.set("seconds", r.seconds);
        o.set("window_us", r.windowUs);
        o.set("offset_lo_us", double(r.offsetLoNs) / 1e3);
        o.set("offset_hi_us", double(r.offsetHiNs) / 1e3);
        json::Value durs = json::Value::array();
        for (long long d : r.durationNs) durs.push_back(double(d) / 1e3);
        o.set("durations_us", durs);
        o.set("late", int64_t(r.late));
        o.set("sampling", r.sampling);
        o.set("rearm_failed", int64_t(r.rearmFailed));
        o.set("interrupted", r.interrupted);
        json::Value outs = json::Value::array();
        for (const auto& oc : r.outcomes) {
            json::Value x = json::Value::object();
            x.set("class", oc.cls);
            x.set("count", int64_t(oc.count));
            x.set("outcome", oc.key);
            json::Value h = json::Value::array();
            for (long v : oc.histogram) h.push_back(int64_t(v));
            x.set("histogram", h);
            outs.push_back(x);
        }
        o.set("outcomes", outs);
        o.set("c1", int64_t(c1));
        o.set("c2", int64_t(c2));
        o.set("simulation_findings", rp.simFindings);
        o.set("agree", agree);
        std::fputs((json::write(o) + "\n").c_str(), stdout);
        return agree ? kOk : kFailed;
    }
    if (a.raw) return agree ? kOk : kFailed;
    for (const auto& n : kernel::parseObservations(kr.text).notes) std::printf("# %s\n", n.c_str());
    std::printf(
        "iterations: %ld in %.1f s%s (%ld with a racer delayed more than 2 us)%s\n", r.iterations, r.seconds,
        r.interrupted ? " (interrupted)" : "", r.late,
        r.rearmFailed ? (", " + std::to_string(r.rearmFailed) + " re-arms did not restore " + watched).c_str() : "");
    std::printf("%-7s %9s %9s  %s\n", "class", "count", "rate", "outcome");
    for (const auto& oc : r.outcomes)
        std::printf("%-7s %9ld %9s  %s\n", oc.cls.c_str(), oc.count, pct(oc.count, r.iterations).c_str(),
                    oc.key.c_str());
    if (!r.outcomes.empty()) {
        const size_t bins = r.outcomes.front().histogram.size();
        const double lo = double(r.offsetLoNs) / 1e3, hi = double(r.offsetHiNs) / 1e3;
        std::printf("histogram by the start offset that happened (us, %zu bins over [%.2f, %.2f]):\n%-7s", bins, lo, hi,
                    "offset");
        for (size_t b = 0; b < bins; ++b) std::printf(" %6.2f", lo + (hi - lo) * (double(b) + 0.5) / double(bins));
        std::printf("\n");
        for (const auto& oc : r.outcomes) {
            std::printf("%-7s", oc.cls.c_str());
            for (long v : oc.histogram) std::printf(" %6ld", v);
            std::printf("\n");
        }
    }
    std::printf("simulation (upstream, the session's schedule): %s\n",
                rp.simFindings.empty() ? "no findings" : rp.simFindings.c_str());
    std::printf("%s under this kernel: C1 in %s of %ld iterations (C2 in %s)\n", shortName.c_str(),
                pct(c1, r.iterations).c_str(), r.iterations, pct(c2, r.iterations).c_str());
    std::printf("%s\n", agree
                            ? (simC1 ? "reproduced: the kernel reached the simulated violation"
                                     : "agrees: no silent write, as the simulation says")
                            : (simC1 ? "not reproduced in these iterations" : "DISAGREES: the kernel wrote silently"));
    return agree ? kOk : kFailed;
}

int run(const KernelArgs& a) {
    const LoadResult lr = loadSession(a.session);
    if (!lr.session) {
        std::fprintf(stderr, "%s\n", lr.error.text().c_str());
        return kBadInput;
    }
    kernel::Plan plan;
    kernel::makePlan(*lr.session, plan);
    if (!plan.error.empty()) {
        std::fprintf(stderr, "%s: %s\n", a.session.c_str(), plan.error.c_str());
        return kBadInput;
    }
    if (!a.emitC.empty()) return emit(a, plan);
    std::string why;
    if (kernel::preflight(&why) != 0) {
        std::fprintf(stderr, "faultline-cli kernel: not allowed here: %s\n", why.c_str());
        return kNotAllowed;
    }
    if (a.race) return race(a, plan);

    const kernel::KernelRun kr = kernel::runSequential(plan);
    if (a.raw) std::fputs(kr.text.c_str(), stdout);
    if (kr.code == kNotAllowed || kr.code == kBadInput || kr.code == 3) {
        if (!a.raw) std::fputs(kr.text.c_str(), stderr);
        return kr.code == 3 ? kFailed : kr.code;
    }
    if (a.raw) return kOk;
    const kernel::ParsedRun parsed = kernel::parseObservations(kr.text);
    const kernel::Comparison c = kernel::compare(parsed.ops, plan.sim);
    const kernel::CompareRow* first = c.firstDisagreement >= 0 ? &c.rows[size_t(c.firstDisagreement)] : nullptr;
    std::vector<std::string> notes = plan.notes;
    for (const auto& n : parsed.notes) notes.push_back(n);
    if (a.json) {
        json::Value o = json::Value::object();
        o.set("format", "faultline-kernel");
        o.set("session", plan.name);
        o.set("file", a.session);
        o.set("kernel", release());
        o.set("variant", "upstream");
        o.set("setup_ops", int64_t(plan.nsetup));  // ops 1..setup_ops are the session's setup
        json::Value rows = json::Value::array();
        for (const auto& r : c.rows) {
            if (!a.all && r.agree && !r.changed) continue;
            json::Value x = json::Value::object();
            x.set("op", int64_t(r.op));
            x.set("operation", r.label);
            x.set("cell", r.cell);
            x.set("kernel", r.kernel);
            x.set("simulation", r.sim);
            x.set("agree", r.agree);
            x.set("changed", r.changed);
            rows.push_back(x);
        }
        o.set("rows", rows);
        o.set("agreed", int64_t(c.agreed));
        o.set("observations", int64_t(c.total));
        if (first) {
            json::Value f = json::Value::object();
            f.set("op", int64_t(first->op));
            f.set("operation", first->label);
            f.set("cell", first->cell);
            f.set("kernel", first->kernel);
            f.set("simulation", first->sim);
            o.set("first_disagreement", f);
        } else {
            o.set("first_disagreement", nullptr);
        }
        json::Value nc = json::Value::array();
        for (const auto& n : kernel::notComparable()) nc.push_back(n);
        o.set("not_compared", nc);
        json::Value nv = json::Value::array();
        for (const auto& n : notes) nv.push_back(n);
        o.set("notes", nv);
        if (!c.error.empty()) o.set("error", c.error);
        std::fputs((json::write(o) + "\n").c_str(), stdout);
    } else {
        std::printf(
            "kernel twin: %s (%s)\nkernel: %s; simulation: upstream, the operations one after another in the "
            "order the session's schedule completes them\n",
            plan.name.c_str(), a.session.c_str(), release().c_str());
        for (const auto& n : notes) std::printf("note: %s\n", n.c_str());
        std::printf("%-3s %-44s %-11s %-12s %-12s %s\n", "op", "operation", "cell", "kernel", "simulation", "agree");
        for (const auto& r : c.rows) {
            if (!a.all && r.agree && !r.changed) continue;
            std::printf("%-3zu %-44s %-11s %-12s %-12s %s\n", r.op, r.label.substr(0, 44).c_str(), r.cell.c_str(),
                        r.kernel.c_str(), r.sim.c_str(), r.agree ? "yes" : "NO");
        }
        if (!a.all) std::printf("(rows that agree and changed on neither side are left out; --all prints them)\n");
        for (const auto& n : kernel::notComparable()) std::printf("not compared: %s\n", n.c_str());
        if (!c.error.empty()) std::printf("error: %s\n", c.error.c_str());
        std::printf("agreement: %zu/%zu observations\n", c.agreed, c.total);
        if (first)
            std::printf("first disagreement: op %zu (%s): %s: kernel %s, simulation %s\n", first->op,
                        first->label.c_str(), first->cell.c_str(), first->kernel.c_str(), first->sim.c_str());
    }
    return first || !c.error.empty() ? kFailed : kOk;
}

}  // namespace

void addKernelCommand(CLI::App& app, int& exitCode) {
    auto a = std::make_shared<KernelArgs>();
    CLI::App* cmd = app.add_subcommand(
        "kernel",
        "Run a session on this kernel and compare it with the simulation after every operation (exit 77: "
        "not allowed here)");
    cmd->add_option("SESSION", a->session, "session file (docs/session-format.md)")->required();
    cmd->add_flag("--json", a->json, "print the comparison as JSON (format faultline-kernel)");
    cmd->add_flag("--all", a->all, "print every compared cell, not only those that changed or disagree");
    cmd->add_flag("--raw", a->raw, "print the kernel's observation lines only (what the reproducer prints)");
    cmd->add_flag("--race", a->race, "race the operations the schedule interleaves, on real CPUs");
    cmd->add_option("--iterations", a->iterations, "race: stop after N iterations")
        ->type_name("N")
        ->check(wholeNumberIn(1, 1'000'000'000));
    cmd->add_option("--seconds", a->seconds, "race: stop after S seconds (0: no limit)")
        ->type_name("S")
        ->check(CLI::Range(0.0, 86400.0))
        ->capture_default_str();
    cmd->add_option("--window-us", a->windowUs,
                    "race: start offsets over +-W microseconds (default: over the range where the racing operations "
                    "overlap, from their durations measured on this kernel)")
        ->type_name("W")
        ->check(CLI::Range(1, 100000));
    cmd->add_flag("--uniform", a->uniform,
                  "race: offsets uniform over the window (default: aimed at the offsets where a violation was seen)");
    cmd->add_option("--emit-c", a->emitC, "write a standalone C reproducer of the session to FILE.c")
        ->type_name("FILE.c");
    cmd->add_flag("--force", a->force, "--emit-c: replace FILE.c if it exists");
    cmd->callback([a, &exitCode] { exitCode = run(*a); });
}

}  // namespace faultline::cli
