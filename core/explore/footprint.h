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
//     lock but not with reads or writes of it. A lock a step takes and drops
//     again (its entry in the lock table is the same before and after) was
//     only read: the step depended on who held it, and changed nothing;
//   - the parts of util/access_log.h's Part (the uffd queues and message-id
//     counter, inode->i_private, the falloc waiter mask, the pfn and swap-slot
//     allocators): reads are noted where the engine reads them (step_context.cpp
//     and the paths: monitor.cpp, userfault.cpp, uffd_release.cpp, zap.cpp,
//     shmem_fault.cpp); writes are found by comparing the part before and after
//     the step, so a write cannot be missed. Setting one's own bit in the waiter
//     mask is a shared write (commutes with other shared writes);
//   - the stepping task's own Task: always read and written;
//   - other tasks: written when they differ after the step (a wake-up). The
//     wake-up helpers read only tasks asleep on something the step writes (a
//     lock, a queued message, the waiter mask, a folio under writeback), and
//     each such task read that thing in the step that put it to sleep, so the
//     two steps are already dependent through it;
//   - everything else (inode size and seals, the uffd context's registration
//     fields, VMAs, writeback list, toggles, the lock table changed without a
//     helper): ASSUMED READ BY EVERY STEP. A step that changes any of it is
//     dependent with every other step. These change only in setup-like steps
//     (mmap, register, release, truncate, reclaim), rarely during a race.
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
    // Range::space: 2 * mm for an mm's page table, 2 * mm + 1 for its
    // intents, else one of these.
    static constexpr uint16_t kXa = 0xF000, kFolios = 0xF001, kSlots = 0xF002, kUnknown = 0xFFFF;
    struct Range {
        uint16_t space = 0;  // which tree
        uint64_t lo = 0, hi = 0;
        friend bool operator==(const Range&, const Range&) = default;
    };
    uint8_t task = 0;
    std::vector<Range> reads, writes;
    std::vector<uint64_t> lockReads, lockWrites, lockShared;  // sorted, unique
    uint64_t otherTasksWritten = 0;                           // bitmask (a session has at most 64 tasks)
    uint32_t partReads = 0, partWrites = 0, partShared = 0;   // bit per Part (util/access_log.h)
    bool shared = false;  // changed a part every step is assumed to read
    bool opaque = false;  // dependent with everything
    friend bool operator==(const Footprint&, const Footprint&) = default;  // the explorer stores each distinct one once
};

// `after` must be the object the step ran on (the log names its trees by address).
Footprint captureFootprint(const State& before, const State& after, uint8_t task, const AccessLog& log,
                           bool engineError);
bool independent(const Footprint& a, const Footprint& b);

}  // namespace faultline
