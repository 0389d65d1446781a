// SPDX-License-Identifier: GPL-3.0-or-later
#include "twin_run.h"

#include <cstdio>
#include <cstdlib>

namespace faultline::kernel {
namespace {

template <class F>
KernelRun captured(F run) {
    KernelRun r;
    char* buf = nullptr;
    size_t len = 0;
    FILE* out = open_memstream(&buf, &len);
    if (!out) {
        r.code = 3;
        r.text = "# error: open_memstream failed\n";
        return r;
    }
    r.code = run(out);
    std::fclose(out);
    r.text.assign(buf, len);
    std::free(buf);
    return r;
}

}  // namespace

int preflight(std::string* why) {
    char buf[256] = "";
    int rc = tw_preflight(buf, sizeof buf);
    if (why) *why = buf;
    return rc;
}

KernelRun runSequential(const Plan& plan) {
    return captured([&](FILE* out) { return tw_run(&plan.world, int(plan.nsetup), out); });
}

KernelRun runRace(const Plan& plan, long iterations, double seconds, int windowUs, bool uniform) {
    const RacePlan& rp = plan.race;
    tw_race r{};
    r.nracers = int(rp.racers.size());
    for (size_t i = 0; i < rp.racers.size(); ++i) r.racers[i] = rp.racers[i];
    r.nfollow = int(rp.follow.size());
    r.follow = rp.follow.data();
    r.nrearm = int(rp.rearm.size());
    r.rearm = rp.rearm.data();
    r.watch = rp.watch;
    r.watch_protected = rp.watchProtected;
    r.iterations = iterations;
    r.seconds = seconds;
    r.window_us = windowUs;
    r.uniform = uniform ? 1 : 0;
    return captured([&](FILE* out) { return tw_race_run(&plan.world, int(plan.nsetup), &r, out); });
}

}  // namespace faultline::kernel
