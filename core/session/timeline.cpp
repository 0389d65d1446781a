// SPDX-License-Identifier: GPL-3.0-or-later
#include "session/timeline.h"

#include <algorithm>

#include "engine/engine.h"
#include "paths/registry.h"

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

Timeline::Timeline(State initial, bool keepRecords)
    : current_(initial), keep_(keepRecords), cache_(std::make_shared<RecordCache>()) {
    open_ = std::make_shared<StepChunk>();
    open_->start = std::move(initial);
}

Timeline::Timeline(const Timeline& o)
    : done_(o.done_),
      open_(std::make_shared<StepChunk>(*o.open_)),
      schedule_(o.schedule_),
      current_(o.current_),
      position_(o.position_),
      keep_(o.keep_),
      quiet_(o.quiet_),
      cache_(o.cache_) {
    // Each copy appends to a chunk of its own.
    if (open_->records) {
        auto r = std::make_shared<std::vector<StepRecord>>();
        r->reserve(kCheckpointEvery);
        r->assign(o.open_->records->begin(), o.open_->records->begin() + o.open_->size);
        open_->records = std::move(r);
    }
}

Timeline& Timeline::operator=(const Timeline& o) {
    if (this != &o) *this = Timeline(o);
    return *this;
}

std::vector<std::shared_ptr<const StepChunk>> Timeline::chunks() const {
    std::vector<std::shared_ptr<const StepChunk>> out;
    out.reserve(done_.size() + 1);
    out.insert(out.end(), done_.begin(), done_.end());
    if (open_->size) out.push_back(open_);
    return out;
}

std::shared_ptr<const std::vector<std::shared_ptr<const StepChunk>>> Timeline::doneChunks() const {
    if (!doneShared_ || doneShared_->size() != done_.size())
        doneShared_ = std::make_shared<const std::vector<std::shared_ptr<const StepChunk>>>(done_);
    return doneShared_;
}

std::shared_ptr<const StepRecord> Timeline::record(uint64_t n) const {
    if (n < 1 || n > length()) return nullptr;
    const uint64_t k = (n - 1) / kCheckpointEvery;
    const std::shared_ptr<const StepChunk> c = k < done_.size() ? done_[k] : open_;
    auto recs = recordsOf(c, c->size);
    return std::shared_ptr<const StepRecord>(recs, &(*recs)[(n - 1) % kCheckpointEvery]);
}

std::vector<StepRecord> Timeline::records() const {
    std::vector<StepRecord> out;
    out.reserve(length());
    forEachRecord([&](const StepRecord& r) { out.push_back(r); });
    return out;
}

void Timeline::appendToOpen(uint8_t task, StepRecord&& rec) {
    StepChunk& c = *open_;
    const uint32_t i = c.size;
    StepBrief b;
    b.fn = rec.pieces.empty() ? Fn{} : rec.main().fn;
    b.pc = rec.pieces.empty() ? 0 : rec.main().pc;
    b.task = task;
    b.flags = uint8_t((rec.findings.empty() ? 0 : StepBrief::HasFindings) | (rec.raised.empty() ? 0 : StepBrief::HasRaised) |
                      (rec.opDone ? StepBrief::OpDone : 0) | (rec.opDone && rec.opResult < 0 ? StepBrief::OpError : 0) |
                      (rec.opDone && rec.opSignal ? StepBrief::OpSignal : 0));
    c.briefs[i] = b;
    c.hashes[i] = rec.hashAfter;
    c.counts[i] = countsOf(current_);
    for (const StepPiece& p : rec.pieces) c.fns.set(size_t(p.fn));
    if (task < current_.tasks.size() && !current_.tasks[task].stack.empty())
        c.fns.set(size_t(current_.tasks[task].stack.back().fn));
    c.changed.insert(c.changed.end(), rec.changed.begin(), rec.changed.end());
    c.findings.insert(c.findings.end(), rec.findings.begin(), rec.findings.end());
    if (!c.records) {
        c.records = std::make_shared<std::vector<StepRecord>>();
        c.records->reserve(kCheckpointEvery);
    }
    c.records->push_back(std::move(rec));
    ++c.size;
}

void Timeline::completeOpen() {
    auto c = std::make_shared<StepChunk>(*open_);
    std::sort(c->changed.begin(), c->changed.end());
    c->changed.erase(std::unique(c->changed.begin(), c->changed.end()), c->changed.end());
    c->changed.shrink_to_fit();
    c->findings.shrink_to_fit();
    c->complete = true;
    if (!keep_) c->records.reset();  // recomputed from c->start when read
    done_.push_back(std::move(c));
    doneShared_.reset();
    open_ = std::make_shared<StepChunk>();
    open_->first = done_.size() * kCheckpointEvery;
    open_->start = current_;
}

void Timeline::reopen(uint64_t first, const State& start, uint64_t n) {
    open_ = std::make_shared<StepChunk>();
    open_->first = first;
    open_->start = start;
    State keep = std::move(current_);
    current_ = start;
    for (uint64_t i = 0; i < n; ++i) {
        StepRecord r = step(current_, schedule_[first + i]);
        appendToOpen(schedule_[first + i], std::move(r));
    }
    current_ = std::move(keep);
}

void Timeline::truncateFuture() {
    if (position_ == schedule_.size()) return;
    const uint64_t n = position_, k = n / kCheckpointEvery;
    const State start = k < done_.size() ? done_[k]->start : open_->start;
    done_.resize(std::min<uint64_t>(k, done_.size()));
    doneShared_.reset();
    reopen(k * kCheckpointEvery, start, n - k * kCheckpointEvery);
    schedule_.resize(n);
}

const StepRecord& Timeline::stepTask(uint8_t task) {
    truncateFuture();
    if (open_->size == kCheckpointEvery) completeOpen();
    StepRecord r = step(current_, task, true, quiet_ ? Narrate::No : Narrate::Yes);
    schedule_.push_back(task);
    ++position_;
    appendToOpen(task, std::move(r));
    return open_->records->back();
}

void Timeline::setQuiet(bool quiet) {
    quiet = quiet && !keep_;
    if (quiet_ && !quiet && open_->size) {
        // reopen() narrates; the open chunk is this run's own until snapshots
        // share it, and a rebuilt run has none yet.
        quiet_ = false;
        reopen(open_->first, State(open_->start), open_->size);
    }
    quiet_ = quiet;
}

StepRecord Timeline::stepRecorded() {
    StepRecord r = step(current_, schedule_.at(position_));
    ++position_;
    return r;
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
    const StepChunk& c = k < done_.size() ? *done_[k] : *open_;  // n = length() of a full open chunk: its start
    State s = c.start;
    for (uint64_t i = c.first; i < n; ++i) step(s, schedule_[i], false, Narrate::No);
    return s;
}

void Timeline::seek(uint64_t n) {
    if (n > schedule_.size()) n = schedule_.size();
    if (n == position_) return;
    if (n > position_ && n / kCheckpointEvery == position_ / kCheckpointEvery) {
        for (uint64_t i = position_; i < n; ++i) step(current_, schedule_[i], false, Narrate::No);  // short hop forward
    } else {
        current_ = stateAt(n);
    }
    position_ = n;
}

std::string Timeline::runDirective(const Directive& d, uint64_t stepLimit, const std::function<bool(uint64_t)>& progress) {
    const uint8_t t = uint8_t(d.task);
    const std::string name = current_.config->tasks[t].name;
    auto fail = [&](const std::string& why) { return "schedule: " + d.text() + ": " + why; };
    // One directive can be a million steps (`A1 x 1000000`): the caller sees
    // progress inside it and can cancel it.
    auto step = [&](uint8_t task) {
        stepTask(task);
        return !progress || length() % kProgressEvery != 0 || progress(length());
    };
    switch (d.kind) {
    case Directive::Kind::Steps:
        for (uint64_t i = 0; i < d.count; ++i) {
            if (length() >= stepLimit) return fail("step limit reached (" + std::to_string(stepLimit) + " steps)");
            if (!isRunnable(current_, t))
                return fail(name + " is " + std::string(taskStateName(current_.tasks[t].state)) + " after " +
                            std::to_string(i) + " steps");
            if (!step(t)) return std::string(kCancelled);
        }
        return "";
    case Directive::Kind::UntilStep:
        for (uint64_t i = 0; nextStepId(current_, t) != d.stepId; ++i) {
            if (!isRunnable(current_, t))
                return fail(name + " stopped (" + std::string(taskStateName(current_.tasks[t].state)) + " at " +
                            whereIs(current_, t) + ") before reaching " + d.stepId);
            if (length() >= stepLimit) return fail("step limit reached (" + std::to_string(stepLimit) + " steps)");
            if (!step(t)) return std::string(kCancelled);
        }
        return "";
    case Directive::Kind::UntilBlocked:
        for (uint64_t i = 0; isRunnable(current_, t); ++i) {
            if (length() >= stepLimit) return fail("step limit reached (" + std::to_string(stepLimit) + " steps)");
            if (!step(t)) return std::string(kCancelled);
        }
        return "";
    case Directive::Kind::UntilDone:
        for (uint64_t i = 0; current_.tasks[t].state != TaskState::Done; ++i) {
            if (!isRunnable(current_, t))
                return fail(name + " is " + std::string(taskStateName(current_.tasks[t].state)) + " at " +
                            whereIs(current_, t));
            if (length() >= stepLimit) return fail("step limit reached (" + std::to_string(stepLimit) + " steps)");
            if (!step(t)) return std::string(kCancelled);
        }
        return "";
    case Directive::Kind::Ops: {
        const uint64_t target = current_.tasks[t].opIndex + d.count;
        for (uint64_t i = 0; current_.tasks[t].opIndex < target && current_.tasks[t].state != TaskState::Done; ++i) {
            if (!isRunnable(current_, t))
                return fail(name + " is " + std::string(taskStateName(current_.tasks[t].state)) + " at " +
                            whereIs(current_, t));
            if (length() >= stepLimit) return fail("step limit reached (" + std::to_string(stepLimit) + " steps)");
            if (!step(t)) return std::string(kCancelled);
        }
        return "";
    }
    }
    return fail("unknown directive");
}

RunEnd Timeline::runDefault(uint64_t stepLimit) {
    for (uint64_t i = 0;; ++i) {
        if (position_ > 0 && position_ == length() && (brief(position_).flags & StepBrief::HasFindings)) {
            for (const Finding& f : record(position_)->findings)
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
