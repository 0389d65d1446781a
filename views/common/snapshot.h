// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What every view is handed: an immutable picture of the debugger at one
// position. A State copy is O(1) (copy-on-write), the trace is shared in
// immutable chunks, so a snapshot costs a few pointer copies and no model
// ever points into a state that is still mutating.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "debug/debugger.h"
#include "engine/record.h"
#include "model/state.h"

namespace faultline::views {

// The run's step records in immutable chunks of kChunk. Appending copies at
// most one partial chunk; a snapshot shares all of them.
class RecordLog {
public:
    static constexpr uint64_t kChunk = 256;
    uint64_t size() const { return size_; }
    const StepRecord& at(uint64_t i) const { return (*chunks_[i / kChunk])[i % kChunk]; }
    // Record of step n (1-based), or nullptr.
    const StepRecord* step(uint64_t n) const { return n >= 1 && n <= size_ ? &at(n - 1) : nullptr; }
    // Keeps records [0, n) and appends `more`.
    void truncate(uint64_t n);
    void append(const StepRecord* first, uint64_t count);

private:
    std::vector<std::shared_ptr<const std::vector<StepRecord>>> chunks_;
    uint64_t size_ = 0;
};

// Counts per step for the timeline's curves (index = step number, 0..length).
struct Curves {
    std::vector<int> protectedA;   // A's ptes carrying uffd-wp in any form
    std::vector<int> presentPtes;  // present ptes, all mms
    std::vector<int> cached;       // pages in the page cache
    std::vector<int> swapped;      // file pages in swap
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
    std::shared_ptr<const Curves> curves;
    std::optional<uint8_t> nextTask;
    std::string nextTaskWhy;
    std::optional<uint8_t> chosenTask;
    std::string variant;
    std::vector<debug::Breakpoint> breakpoints;
    std::vector<debug::Watchpoint> watchpoints;
    int selectedTask = -1;    // the task the Tasks and Code views follow
    int selectedFrame = -1;   // index into its stack (-1 = top)
    uint64_t divergence = 0;  // compare mode: first divergent step (0 = none)

    const StepRecord* lastStep() const { return log ? log->step(position) : nullptr; }
    bool valid() const { return state.config != nullptr; }
};

}  // namespace faultline::views
