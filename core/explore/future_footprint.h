// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What a task may still touch, from a state to the end of its program: an
// over-approximation of the footprints of all its future steps, for the
// explorer's persistent sets (core/explore/persistent_set.h).
//
// The state is split in two:
//   - page-local state of file page k: the xarray slot k, the folios whose
//     index is k (and their folio locks), and in every mm the ptes and
//     intents of the addresses a file VMA maps to k;
//   - global state, in classes: each Part of util/access_log.h (the uffd
//     queues and message ids, i_private, the waiter mask, the allocators),
//     mmap_lock and the PTLs of each mm, the inode's own locks, swap slots,
//     anonymous memory (ptes outside file VMAs, anonymous folios), and each
//     task (its own steps, and the wake-ups of others).
// A task's page-local reach is bounded by the pages its remaining operations
// name (a read's fault-around window, a punch's range, the pages the monitor
// may be asked about); its global reach by the classes those operations'
// paths touch (listed per operation in future_footprint.cpp, from the lock
// and part accesses of core/paths/). An operation this analysis does not
// bound (one that changes VMAs, registrations or the file size, forks,
// swaps, moves...) makes the task `top`: every step conflicts with it.
#include <cstdint>
#include <utility>
#include <vector>

#include "explore/footprint.h"
#include "model/state.h"

namespace faultline {

struct FutureFootprint {
    bool none = true;  // the task has no future step (done, or nothing it could ever run)
    bool top = false;  // may touch anything
    std::vector<std::pair<uint64_t, uint64_t>> pages;  // sorted, disjoint file page ranges [lo, hi)
    uint32_t parts = 0;                                // bit per Part it may read or write
    uint32_t mmapLocks = 0, ptls = 0;                  // bit per mm: its mmap_lock, its PTLs
    uint32_t inodeLocks = 0;                           // bit per LockKind: IL, IM, IPL, XA
    bool swap = false;                                 // swap slots
    bool anon = false;                                 // anonymous ptes and folios

    bool hasPage(uint64_t lo, uint64_t hi) const;  // meets [lo, hi)
};

FutureFootprint futureFootprint(const State& s, uint8_t task);
// The same into `out`, reusing its storage.
void futureFootprint(const State& s, uint8_t task, FutureFootprint& out);

// Whether a step with footprint `step`, taken from `s`, may be dependent with
// some future step of task `owner`, whose future is `ff`, along steps of tasks
// outside `inP` (bit per task). A lock that a task of `inP` holds exclusively
// at `s` stays held along such steps (only its holder releases it), so every
// access to it there is a failed attempt, a read: the step's own failed
// attempt on it (a read) conflicts with none of them.
bool mayConflict(const Footprint& step, const FutureFootprint& ff, uint8_t owner, const State& s, uint32_t inP = 0);

}  // namespace faultline
