// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A run is stored as chunks of kSteps consecutive steps. A chunk keeps the
// state before its first step (the checkpoint reverse stepping starts from)
// and, per step, only what the views and the debugger read for every step of
// a long run: the task, the main piece's function and line, a few flags, the
// state hash and the curves' counts (about 30 bytes). A step's whole record
// (pieces with their texts, changed cells, messages) is what the engine
// gives back when the chunk's steps are executed again from its checkpoint:
// a long run keeps only the records of its newest chunk and of a few chunks
// read lately (RecordCache), and a run of a million steps needs tens of
// megabytes instead of a gigabyte.
//
// Sharing: the chunk being written is shared with the views' snapshots while
// the run appends to it. Its per-step arrays have a fixed size and its record
// vector a reserved capacity, so appending writes only slots past every
// reader's count and never moves what a reader sees; a truncation or a copy
// of the run clones the chunk instead of changing it.
#include <array>
#include <bitset>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <vector>

#include "engine/record.h"
#include "model/state.h"

namespace faultline {

enum class Fn : uint8_t;

// What every step of a long run keeps (the rest is recomputed).
struct StepBrief {
    // OpError: the operation it finished failed (negative errno); OpSignal: it
    // ended in a signal. Together with HasRaised they say which steps a run's
    // result (messages, errors, signals) needs the whole record of.
    enum Flag : uint8_t { HasFindings = 1, HasRaised = 2, OpDone = 4, OpError = 8, OpSignal = 16 };
    Fn fn{};          // the main piece's function
    uint8_t pc = 0;   // and its line
    uint8_t flags = 0;
    uint8_t task = 0;
};

struct StepChunk {
    static constexpr uint64_t kSteps = 256;
    uint64_t first = 0;  // 0-based index of its first step (a multiple of kSteps)
    State start;         // the state before step first + 1
    uint32_t size = 0;   // steps written (readers use their own count)
    std::array<StepBrief, kSteps> briefs{};
    std::array<uint64_t, kSteps> hashes{};     // state hash after each step
    std::array<StateCounts, kSteps> counts{};  // the curves' counts after each step
    // The whole records, while they are kept (the chunk being written, or a
    // run that keeps everything); else recomputed by replay().
    std::shared_ptr<std::vector<StepRecord>> records;

    // Read only once the chunk is complete (scans that skip whole chunks);
    // the run fills them as it appends.
    bool complete = false;
    std::vector<Finding> findings;  // of all its steps, in order
    std::bitset<256> fns;           // functions its steps ran (pieces) or stopped in (stack top)
    std::vector<CellRef> changed;   // cells any of its steps changed (sorted, unique once complete)

    // The records of steps [first, first + n), executed again from `start`.
    std::vector<StepRecord> replay(uint32_t n) const;
};

// Records of chunks executed again, kept for the newest reads (a trace view
// scrolling, a reverse scan): shared by the run's copies and its snapshots.
class RecordCache {
public:
    static constexpr size_t kChunks = 24;
    // The records of `c`'s first n steps: kept ones, a cached replay, or a new replay.
    std::shared_ptr<const std::vector<StepRecord>> get(const std::shared_ptr<const StepChunk>& c, uint32_t n);

private:
    struct Entry {
        std::weak_ptr<const StepChunk> chunk;
        const StepChunk* key = nullptr;
        uint32_t n = 0;
        std::shared_ptr<const std::vector<StepRecord>> records;
    };
    std::mutex mutex_;
    std::list<Entry> lru_;  // most recent first
};

}  // namespace faultline
