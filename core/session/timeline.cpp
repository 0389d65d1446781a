// SPDX-License-Identifier: GPL-3.0-or-later
#include "session/timeline.h"

#include "engine/engine.h"

namespace faultline {

std::string_view runEndName(RunEnd e) {
    switch (e) {
    case RunEnd::Running: return "running";
    case RunEnd::Finished: return "finished";
    case RunEnd::Deadlock: return "deadlock";
    case RunEnd::StepLimit: return "step-limit";
    case RunEnd::EngineError: return "engine-error";
    case RunEnd::ScheduleError: return "schedule-error";
    case RunEnd::Cancelled: return "cancelled";
    }
    return "?";
}

Timeline::Timeline(State initial) : current_(initial) { checkpoints_.push_back(std::move(initial)); }

void Timeline::truncateFuture() {
    if (position_ == schedule_.size()) return;
    schedule_.resize(position_);
    records_.resize(position_);
    checkpoints_.resize(position_ / kCheckpointEvery + 1);
}

const StepRecord& Timeline::stepTask(uint8_t task) {
    truncateFuture();
    records_.push_back(step(current_, task));
    schedule_.push_back(task);
    ++position_;
    if (position_ % kCheckpointEvery == 0) checkpoints_.push_back(current_);
    return records_.back();
}

std::optional<uint8_t> Timeline::defaultTask() const {
    for (size_t i = 0; i < current_.tasks.size(); ++i)
        if (isRunnable(current_, uint8_t(i))) return uint8_t(i);
    return std::nullopt;
}

State Timeline::stateAt(uint64_t n) const {
    if (n > schedule_.size()) n = schedule_.size();
    if (n == position_) return current_;
    const uint64_t k = n / kCheckpointEvery;
    State s = checkpoints_.at(k);
    for (uint64_t i = k * kCheckpointEvery; i < n; ++i) step(s, schedule_[i]);
    return s;
}

void Timeline::seek(uint64_t n) {
    if (n > schedule_.size()) n = schedule_.size();
    if (n == position_) return;
    if (n > position_ && n / kCheckpointEvery == position_ / kCheckpointEvery) {
        for (uint64_t i = position_; i < n; ++i) step(current_, schedule_[i]);  // short hop forward
    } else {
        current_ = stateAt(n);
    }
    position_ = n;
}

std::string Timeline::runDirective(const Directive& d, uint64_t stepLimit) {
    const uint8_t t = uint8_t(d.task);
    const std::string name = current_.config->tasks[t].name;
    auto fail = [&](const std::string& why) { return "schedule: " + d.text() + ": " + why; };
    switch (d.kind) {
    case Directive::Kind::Steps:
        for (uint64_t i = 0; i < d.count; ++i) {
            if (length() >= stepLimit) return fail("step limit reached (" + std::to_string(stepLimit) + " steps)");
            if (!isRunnable(current_, t))
                return fail(name + " is " + std::string(taskStateName(current_.tasks[t].state)) + " after " +
                            std::to_string(i) + " steps");
            stepTask(t);
        }
        return "";
    case Directive::Kind::UntilStep:
        for (uint64_t i = 0; nextStepId(current_, t) != d.stepId; ++i) {
            if (!isRunnable(current_, t))
                return fail(name + " stopped (" + std::string(taskStateName(current_.tasks[t].state)) + " at " +
                            whereIs(current_, t) + ") before reaching " + d.stepId);
            if (length() >= stepLimit) return fail("step limit reached (" + std::to_string(stepLimit) + " steps)");
            stepTask(t);
        }
        return "";
    case Directive::Kind::UntilBlocked:
        for (uint64_t i = 0; isRunnable(current_, t); ++i) {
            if (length() >= stepLimit) return fail("step limit reached (" + std::to_string(stepLimit) + " steps)");
            stepTask(t);
        }
        return "";
    case Directive::Kind::UntilDone:
        for (uint64_t i = 0; current_.tasks[t].state != TaskState::Done; ++i) {
            if (!isRunnable(current_, t))
                return fail(name + " is " + std::string(taskStateName(current_.tasks[t].state)) + " at " +
                            whereIs(current_, t));
            if (length() >= stepLimit) return fail("step limit reached (" + std::to_string(stepLimit) + " steps)");
            stepTask(t);
        }
        return "";
    case Directive::Kind::Ops: {
        const uint64_t target = current_.tasks[t].opIndex + d.count;
        for (uint64_t i = 0; current_.tasks[t].opIndex < target && current_.tasks[t].state != TaskState::Done; ++i) {
            if (!isRunnable(current_, t))
                return fail(name + " is " + std::string(taskStateName(current_.tasks[t].state)) + " at " +
                            whereIs(current_, t));
            if (length() >= stepLimit) return fail("step limit reached (" + std::to_string(stepLimit) + " steps)");
            stepTask(t);
        }
        return "";
    }
    }
    return fail("unknown directive");
}

RunEnd Timeline::runDefault(uint64_t stepLimit) {
    for (uint64_t i = 0;; ++i) {
        if (!records_.empty() && position_ == records_.size()) {
            for (const Finding& f : records_.back().findings)
                if (f.rule == Rule::Engine) return RunEnd::EngineError;
        }
        if (workDone(current_)) return RunEnd::Finished;
        const auto t = defaultTask();
        if (!t) return RunEnd::Deadlock;
        if (i >= stepLimit) return RunEnd::StepLimit;
        stepTask(*t);
    }
}

std::string Timeline::describeDeadlock() const {
    std::string s;
    for (size_t i = 0; i < current_.tasks.size(); ++i) {
        const Task& t = current_.tasks[i];
        if (t.state == TaskState::Done) continue;
        s += (s.empty() ? "" : "; ") + current_.config->tasks[i].name + " " + std::string(taskStateName(t.state)) +
             " at " + whereIs(current_, uint8_t(i));
        if (t.state == TaskState::Blocked) s += " waiting for " + lockName(t.waitLock, *current_.config);
    }
    return s;
}

std::string Directive::text() const {
    std::string who = "task #" + std::to_string(task);
    switch (kind) {
    case Kind::Steps: return who + " steps " + std::to_string(count);
    case Kind::UntilStep: return who + " until " + stepId;
    case Kind::UntilBlocked: return who + " until blocked";
    case Kind::UntilDone: return who + " until done";
    case Kind::Ops: return who + " ops " + std::to_string(count);
    }
    return who;
}

}  // namespace faultline
