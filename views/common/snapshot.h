// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What every view is handed: an immutable picture of the debugger at one
// position. A State copy is O(1) (copy-on-write), the trace is the
// run's chunks (read only below the snapshot's length), so a snapshot costs a
// few pointer copies and no model ever points into a state that is still
// mutating.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "debug/debugger.h"
#include "debug/saved_stops.h"
#include "engine/record.h"
#include "model/state.h"
#include "session/step_chunk.h"
#include "session/timeline.h"

namespace faultline::views {

// The first size() steps of a run, shared with the run's own storage (its
// chunks, session/step_chunk.h): a snapshot costs a copy of the chunk
// pointers, never of records. Per-step briefs, hashes and counts are read in
// place; a whole record is the kept one of the newest chunk, or executed
// again from its chunk's checkpoint (and cached) when a view asks for it.
class RecordLog {
public:
    static constexpr uint64_t kChunk = StepChunk::kSteps;
    RecordLog() = default;
    explicit RecordLog(const Timeline& tl);
    uint64_t size() const { return size_; }
    const StepBrief& brief(uint64_t i) const { return chunkOf(i)->briefs[i % kChunk]; }  // 0-based
    uint8_t task(uint64_t i) const { return brief(i).task; }
    // The curves' counts after step n (0 = the initial state).
    StateCounts counts(uint64_t n) const { return n ? chunkOf(n - 1)->counts[(n - 1) % kChunk] : initial_; }
    // The whole record of step n (1-based), or null.
    std::shared_ptr<const StepRecord> step(uint64_t n) const;
    // f(const Finding&) for the findings of steps from+1 .. size(), in order.
    template <class F>
    void forEachFinding(uint64_t from, F&& f) const {
        for (uint64_t k = from / kChunk; k < chunkCount(); ++k) {
            const StepChunk& c = *chunkOf(k * kChunk);
            const uint64_t lo = std::max(from, k * kChunk), hi = std::min(size_, (k + 1) * kChunk);
            if (c.complete) {
                for (const Finding& x : c.findings)
                    if (x.step > lo && x.step <= hi) f(x);
                continue;
            }
            for (uint64_t i = lo; i < hi; ++i)  // the chunk still being written: its kept records
                if (brief(i).flags & StepBrief::HasFindings)
                    for (const Finding& x : step(i + 1)->findings) f(x);
        }
    }
    // The chunk holding 0-based step i, and how many of its steps this log has.
    const std::shared_ptr<const StepChunk>& chunkOf(uint64_t i) const {
        const uint64_t k = i / kChunk;
        return k < done_->size() ? (*done_)[k] : open_;
    }
    uint32_t stepsIn(uint64_t k) const { return uint32_t(std::min(kChunk, size_ - k * kChunk)); }
    uint64_t chunkCount() const { return (size_ + kChunk - 1) / kChunk; }

private:
    // The run's complete chunks (shared list) and the one being written.
    std::shared_ptr<const std::vector<std::shared_ptr<const StepChunk>>> done_ =
        std::make_shared<const std::vector<std::shared_ptr<const StepChunk>>>();
    std::shared_ptr<const StepChunk> open_;
    uint64_t size_ = 0;
    StateCounts initial_;
    std::shared_ptr<RecordCache> cache_;
};

struct Snapshot {
    State state;                          // the state after step `position`
    std::shared_ptr<const State> before;  // the state before it (position >= 1), for "old → new"
    std::string sessionName, sessionDescription, sessionFile;
    uint64_t position = 0;
    uint64_t length = 0;
    std::shared_ptr<const RecordLog> log;
    // Records before this index are those of the previous snapshot's log
    // (0 after a load, a variant switch or a branch): views may append
    // instead of rebuilding.
    uint64_t logSameBefore = 0;
    std::optional<uint8_t> nextTask;
    std::string nextTaskWhy;
    std::optional<uint8_t> chosenTask;
    std::string variant;
    std::vector<debug::Breakpoint> breakpoints;
    std::vector<debug::Watchpoint> watchpoints;
    // Saved entries the debugger cannot use, kept as read (shown disabled, saved back unchanged).
    std::vector<debug::LeftOutStop> leftOutStops;
    int selectedTask = -1;    // the task the Tasks and Code views follow
    int selectedFrame = -1;   // index into its stack (-1 = top)
    uint64_t divergence = 0;  // compare mode: first divergent step (0 = none)

    std::shared_ptr<const StepRecord> lastStep() const { return log ? log->step(position) : nullptr; }
    bool valid() const { return state.config != nullptr; }
};

}  // namespace faultline::views
