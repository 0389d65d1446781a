// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Timeline: a run as a debugger sees it. It owns the initial state, the
// schedule so far (which task took each step), the record of every step and
// checkpoints of the state every kCheckpointEvery steps. Going back to step n
// restores the nearest checkpoint at or before n and re-executes the
// schedule: the engine is deterministic, so reverse is exact. Steps are
// stored in chunks (session/step_chunk.h) whose first state is that checkpoint.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/record.h"
#include "model/state.h"
#include "session/session.h"
#include "session/step_chunk.h"

namespace faultline {

enum class RunEnd { Running, Finished, Deadlock, StepLimit, EngineError, ScheduleError, Cancelled };
std::string_view runEndName(RunEnd e);

class Timeline {
public:
    static constexpr uint64_t kCheckpointEvery = StepChunk::kSteps;

    // keepRecords: keep every step's whole record (a CLI run that prints them
    // all); else only the newest chunk's, the rest recomputed on demand.
    explicit Timeline(State initial, bool keepRecords = true);
    Timeline(const Timeline& o);
    Timeline& operator=(const Timeline& o);
    Timeline(Timeline&&) noexcept = default;
    Timeline& operator=(Timeline&&) noexcept = default;

    const State& initial() const { return done_.empty() ? open_->start : done_.front()->start; }
    const State& current() const { return current_; }
    uint64_t position() const { return position_; }       // steps executed to reach current()
    uint64_t length() const { return schedule_.size(); }  // steps recorded (may be > position after going back)
    const std::vector<uint8_t>& schedule() const { return schedule_; }
    bool keepsRecords() const { return keep_; }

    // Per step n (1-based, 1..length()), without re-executing anything.
    uint64_t hashAfter(uint64_t n) const { return chunkOf(n - 1).hashes[(n - 1) % kCheckpointEvery]; }
    const StepBrief& brief(uint64_t n) const { return chunkOf(n - 1).briefs[(n - 1) % kCheckpointEvery]; }
    // The curves' counts of the state after step n (0 = the initial state).
    StateCounts countsAt(uint64_t n) const {
        return n == 0 ? countsOf(initial()) : chunkOf(n - 1).counts[(n - 1) % kCheckpointEvery];
    }
    // The whole record of step n, or null: kept, or executed again from its
    // chunk's checkpoint (and cached).
    std::shared_ptr<const StepRecord> record(uint64_t n) const;
    // Every record in order (re-executed where not kept): for short runs and tests.
    std::vector<StepRecord> records() const;
    // f(const StepRecord&) for every step in order, one chunk's records at a time.
    template <class F>
    void forEachRecord(F&& f) const {
        for (const auto& c : chunks()) {
            const auto recs = recordsOf(c, c->size);
            for (uint32_t i = 0; i < c->size; ++i) f((*recs)[i]);
        }
    }
    // f(const StepRecord&) for the steps whose brief has a flag of `mask`, in
    // order: only the chunks holding one are executed again (where not kept).
    template <class F>
    void forEachRecordFlagged(uint8_t mask, F&& f) const {
        for (const auto& c : chunks()) {
            uint32_t last = 0;
            for (uint32_t i = 0; i < c->size; ++i)
                if (c->briefs[i].flags & mask) last = i + 1;
            if (!last) continue;
            const auto recs = recordsOf(c, last);
            for (uint32_t i = 0; i < last; ++i)
                if (c->briefs[i].flags & mask) f((*recs)[i]);
        }
    }
    // f(const Finding&) for every finding of the run, in order.
    template <class F>
    void forEachFinding(F&& f) const {
        for (const auto& c : done_)
            for (const Finding& x : c->findings) f(x);
        for (const Finding& x : open_->findings) f(x);
    }
    // The chunks holding steps 1..length() (the last one still being written).
    std::vector<std::shared_ptr<const StepChunk>> chunks() const;
    // The complete chunks, shared: made again only when one completes or the
    // run branches, so a snapshot of a long run costs O(1) per step.
    std::shared_ptr<const std::vector<std::shared_ptr<const StepChunk>>> doneChunks() const;
    // The chunk being written (it may be empty), shared with snapshots.
    std::shared_ptr<const StepChunk> openChunk() const { return open_; }
    // Chunk k (k <= length() / kCheckpointEvery), without copying the list.
    const StepChunk& chunk(uint64_t k) const { return k < done_.size() ? *done_[k] : *open_; }
    const std::shared_ptr<RecordCache>& cache() const { return cache_; }
    // The records of a chunk's first n steps (kept, cached or re-executed).
    std::shared_ptr<const std::vector<StepRecord>> recordsOf(const std::shared_ptr<const StepChunk>& c,
                                                             uint32_t n) const {
        return cache_->get(c, n);
    }

    // Executes one step of `task` at the current position. If the position is
    // behind the end, the recorded future is discarded (a new branch). The
    // reference is valid until the next change of the timeline.
    const StepRecord& stepTask(uint8_t task);
    // Quiet: the run is being rebuilt (a recording loaded, a schedule run)
    // and only its newest chunk's records will be read. Steps are executed
    // without their texts (engine.h Narrate) and, when quiet ends, the open
    // chunk is executed again with them. Only for a run that does not keep
    // every record (a kept record would stay without its text).
    void setQuiet(bool quiet);
    bool quiet() const { return quiet_; }
    // One step forward along the recorded schedule (position() < length()):
    // the step's record as executed now.
    StepRecord stepRecorded();
    // The default policy's choice: the first runnable task in session order.
    std::optional<uint8_t> defaultTask() const;

    // Moves to step n (0 = initial state) within the recorded schedule.
    void seek(uint64_t n);
    // The state after step n (0..length()), without moving.
    State stateAt(uint64_t n) const;

    // Runs one directive; returns an error text if it cannot be satisfied,
    // or kCancelled when `progress` (called with length() every
    // kProgressEvery steps) returned false.
    static constexpr const char* kCancelled = "cancelled";
    static constexpr uint64_t kProgressEvery = 4096;
    std::string runDirective(const Directive& d, uint64_t stepLimit,
                             const std::function<bool(uint64_t)>& progress = {});
    // Runs the default policy until the work is done, a deadlock, or the limit.
    RunEnd runDefault(uint64_t stepLimit);

    // Why the run stopped (for a caller that drove it to the end).
    std::string describeDeadlock() const;

private:
    void truncateFuture();
    // The open chunk is full and the run goes on: it joins done_.
    void completeOpen();
    // A new open chunk from `start` (at step first), with the first n steps of `sched` from there.
    void reopen(uint64_t first, const State& start, uint64_t n);
    void appendToOpen(uint8_t task, StepRecord&& rec);
    const StepChunk& chunkOf(uint64_t i) const {  // the chunk holding 0-based step i
        const uint64_t k = i / kCheckpointEvery;
        return k < done_.size() ? *done_[k] : *open_;
    }
    std::vector<std::shared_ptr<const StepChunk>> done_;  // complete chunks, [k] = steps k*256 ..
    mutable std::shared_ptr<const std::vector<std::shared_ptr<const StepChunk>>> doneShared_;  // done_, for snapshots
    std::shared_ptr<StepChunk> open_;                     // the chunk being written (may be full or empty)
    std::vector<uint8_t> schedule_;
    State current_;
    uint64_t position_ = 0;
    bool keep_ = true;
    bool quiet_ = false;
    std::shared_ptr<RecordCache> cache_;
};

}  // namespace faultline
