// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Persistent sets (Godefroid): the tasks the explorer must try at a state so
// that every schedule is still represented. A set P of tasks is persistent at
// s when no sequence of steps of tasks outside P, from s, contains a step
// dependent with the next step of a task in P; then exploring only P's steps
// (the others run later, after them) loses no reachable terminal state and
// no finding, provided every cycle of the reduced graph has a state where
// every task was tried (the explorer's proviso, explorer.cpp).
//
// Built by closure from one task: a task u joins P when the next step of a
// task already in P may conflict with u's future (core/explore/future_footprint.h);
// a task in P that cannot run now brings in every task that could wake it
// (for a lock held exclusively, its holders; for a uffd sleeper, every task
// that may answer messages; for a punch's waiter, every task that may end a
// punch; else every task with a future). A run ends when every worker is
// done, which disables the monitor and IO: a worker whose step may end the
// run brings in the enabled monitor and IO, and the monitor or IO brings in
// one worker not done yet (while it waits in P no run can end). Each enabled
// task is tried as the seed; the smallest set wins.
#include <cstdint>
#include <vector>

#include "explore/footprint.h"
#include "explore/future_footprint.h"
#include "model/state.h"

namespace faultline {

// `enabled`: bit per runnable task; `next[t]`: the footprint of t's next step
// for every enabled t (nullptr where unknown: such a task makes P all);
// `sleeping`: tasks whose step need not be explored (they still count for
// closure). Returns P ∩ enabled (== enabled when nothing smaller is persistent).
uint32_t persistentSet(const State& s, uint32_t enabled, uint32_t sleeping, const std::vector<const Footprint*>& next,
                       const std::vector<FutureFootprint>& future);

}  // namespace faultline
