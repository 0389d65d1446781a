// SPDX-License-Identifier: GPL-3.0-or-later
#include "explore/hidden_deadlock.h"

#include "engine/engine.h"

namespace faultline {

bool onlyBlocked(const State& x, const State& y, uint8_t task) {
    if (y.tasks[task].state != TaskState::Blocked || x.tasks[task].state == TaskState::Blocked) return false;
    State z = y;
    z.tasks[task].state = x.tasks[task].state;
    z.tasks[task].waitLock = x.tasks[task].waitLock;
    z.stepCount = x.stepCount;
    return z == x;
}

std::optional<HiddenDeadlock> hiddenDeadlock(const State& x, uint8_t last) {
    HiddenDeadlock d{{}, x};
    if (last < x.tasks.size() && isRunnable(x, last)) d.steps.push_back(last);
    for (size_t t = 0; t < x.tasks.size(); ++t)
        if (t != last && isRunnable(x, uint8_t(t))) d.steps.push_back(uint8_t(t));
    if (d.steps.empty()) return std::nullopt;
    for (uint8_t t : d.steps) {
        State y = d.state;
        step(y, t, false, Narrate::No);
        if (!onlyBlocked(d.state, y, t)) return std::nullopt;
        d.state = std::move(y);
    }
    if (workDone(d.state) || anyRunnable(d.state)) return std::nullopt;
    return d;
}

}  // namespace faultline
