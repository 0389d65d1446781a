// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Runs a plan on the running kernel through twin_rt and returns its lines.
#include <string>

#include "twin_plan.h"

namespace faultline::kernel {

struct KernelRun {
    int code = 0;      // twin_rt's: 0 ran, 2 bad world, 77 not allowed, 3 twin failure
    std::string text;  // the observation lines
};

// 0, or 77 with the reason (older kernel, no userfaultfd, not permitted).
int preflight(std::string* why);
KernelRun runSequential(const Plan& plan);
// windowUs 0: the offsets sweep the range where the racers overlap (calibrated); uniform: not aimed at hits.
KernelRun runRace(const Plan& plan, long iterations, double seconds, int windowUs, bool uniform = false);

// Writes the standalone reproducer (C source text).
std::string emitC(const Plan& plan, const std::string& sessionPath, bool race, long iterations, double seconds,
                  int windowUs, bool uniform = false);

}  // namespace faultline::kernel
