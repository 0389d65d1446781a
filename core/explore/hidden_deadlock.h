// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Deadlocks the explorer's key hides. The key does not tell a task blocked
// on a lock from the runnable task it was (future_key.cpp), so from a state
// whose every runnable task would only block, each step leads back to the
// state's own key and the search never makes the state where no task can
// run. Such a state stands for that deadlock; these functions find it.
#include <cstdint>
#include <optional>
#include <vector>

#include "model/state.h"

namespace faultline {

// Whether the step of `task` from x to y did nothing but block it on a lock.
bool onlyBlocked(const State& x, const State& y, uint8_t task);

// If every runnable task of x, stepped in turn, only blocks, and after them
// no task can run and the work is not done: that order of steps (`last`
// first when it is runnable, so the steps cost no preemption: every later
// switch is away from a blocked task), with the deadlocked state.
struct HiddenDeadlock {
    std::vector<uint8_t> steps;
    State state;
};
std::optional<HiddenDeadlock> hiddenDeadlock(const State& x, uint8_t last);

}  // namespace faultline
