// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What one step of one task read and wrote, for the explorer's partial-order
// reduction (sleep sets), and the independence test on two such footprints.
//
// Sources, from most to least precise:
//   - radix trees (page tables, intents, i_pages, folios, swap slots): every
//     lookup, range scan and store, recorded by CowRadix (util/access_log.h);
//   - locks: the lock helpers of StepContext note each lock they test or
//     change; a reader taking or dropping a lock held only by readers is a
//     "shared" access, which commutes with other shared accesses of the same
//     lock but not with reads or writes of it; unlock and the wake helpers
//     note that they scan every task's sleep state;
//   - the stepping task's own Task: always read and written;
//   - other tasks: written when they differ after the step (a wake-up);
//   - everything else (inode flags and punch range, the uffd context and its
//     queues, VMAs, writeback list, the pfn and swap-slot allocators, the lock
//     table as a whole): ASSUMED READ BY EVERY STEP. A step that changes any
//     of it is dependent with every other step. This is the conservative
//     over-approximation that keeps the reduction sound whatever the kernel
//     paths read directly from the state.
//   - the counters rss*, nrpages, alloced, swapped: changed only by ++/--
//     (which commute) and read only by the accounting check, never by a path
//     to decide what to do; two steps that both change them commute.
// A step that hit an engine error, or that read a radix tree the explorer
// cannot name, is dependent with everything.
#include <cstdint>
#include <vector>

#include "model/state.h"
#include "util/access_log.h"

namespace faultline {

struct Footprint {
    struct Range {
        uint16_t space = 0;  // which tree (see footprint.cpp)
        uint64_t lo = 0, hi = 0;
        friend bool operator==(const Range&, const Range&) = default;
    };
    uint8_t task = 0;
    std::vector<Range> reads, writes;
    std::vector<uint64_t> lockReads, lockWrites, lockShared;  // sorted, unique
    uint64_t otherTasksWritten = 0;                           // bitmask (a session has at most 64 tasks)
    bool ownSchedChanged = false;                             // the task's own state / wait fields changed
    bool readsAllTaskStates = false;
    bool shared = false;  // changed a part every step is assumed to read
    bool opaque = false;  // dependent with everything
    friend bool operator==(const Footprint&, const Footprint&) = default;  // the explorer stores each distinct one once
};

// `after` must be the object the step ran on (the log names its trees by address).
Footprint captureFootprint(const State& before, const State& after, uint8_t task, const AccessLog& log,
                           bool engineError);
bool independent(const Footprint& a, const Footprint& b);

}  // namespace faultline
