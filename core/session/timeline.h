// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Timeline: a run as a debugger sees it. It owns the initial state, the
// schedule so far (which task took each step), the record of every step and
// checkpoints of the state every kCheckpointEvery steps. Going back to step n
// restores the nearest checkpoint at or before n and re-executes the
// schedule: the engine is deterministic, so reverse is exact.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/record.h"
#include "model/state.h"
#include "session/session.h"

namespace faultline {

enum class RunEnd { Running, Finished, Deadlock, StepLimit, EngineError, ScheduleError, Cancelled };
std::string_view runEndName(RunEnd e);

class Timeline {
public:
    static constexpr uint64_t kCheckpointEvery = 256;

    explicit Timeline(State initial);

    const State& initial() const { return checkpoints_.front(); }
    const State& current() const { return current_; }
    uint64_t position() const { return position_; }       // steps executed to reach current()
    uint64_t length() const { return schedule_.size(); }  // steps recorded (may be > position after going back)
    const std::vector<uint8_t>& schedule() const { return schedule_; }
    const std::vector<StepRecord>& records() const { return records_; }
    const StepRecord* record(uint64_t n) const { return n >= 1 && n <= records_.size() ? &records_[n - 1] : nullptr; }

    // Executes one step of `task` at the current position. If the position is
    // behind the end, the recorded future is discarded (a new branch).
    const StepRecord& stepTask(uint8_t task);
    // The default policy's choice: the first runnable task in session order.
    std::optional<uint8_t> defaultTask() const;

    // Moves to step n (0 = initial state) within the recorded schedule.
    void seek(uint64_t n);
    // The state after step n (0..length()), without moving.
    State stateAt(uint64_t n) const;

    // Runs one directive; returns an error text if it cannot be satisfied.
    std::string runDirective(const Directive& d, uint64_t stepLimit);
    // Runs the default policy until the work is done, a deadlock, or the limit.
    RunEnd runDefault(uint64_t stepLimit);

    // Why the run stopped (for a caller that drove it to the end).
    std::string describeDeadlock() const;

private:
    void truncateFuture();
    std::vector<State> checkpoints_;  // [k] = state after k * kCheckpointEvery steps
    std::vector<uint8_t> schedule_;
    std::vector<StepRecord> records_;
    State current_;
    uint64_t position_ = 0;
};

}  // namespace faultline
