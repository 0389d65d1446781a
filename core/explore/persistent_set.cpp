// SPDX-License-Identifier: GPL-3.0-or-later
#include "explore/persistent_set.h"

#include <bit>

#include "model/config.h"

namespace faultline {
namespace {

bool hasOp(const State& s, size_t task, OpKind kind) {
    const Config& cfg = *s.config;
    if (task >= cfg.tasks.size()) return false;
    const auto& prog = cfg.tasks[task].program;
    for (size_t i = s.tasks[task].opIndex; i < prog.size(); ++i)
        if (prog[i].kind == kind) return true;
    return false;
}

// Every task that could make `d` (not runnable now) runnable, along steps of
// any tasks.
uint32_t enablers(const State& s, size_t d, const std::vector<FutureFootprint>& future) {
    const size_t n = s.tasks.size();
    uint32_t all = 0, top = 0;
    for (size_t i = 0; i < n; ++i) {
        if (i == d || future[i].none) continue;
        all |= uint32_t{1} << i;
        if (future[i].top) top |= uint32_t{1} << i;
    }
    const Task& t = s.tasks[d];
    switch (t.state) {
    case TaskState::Blocked: {
        // Only a holder can release a lock held exclusively; a lock held
        // shared can be taken and dropped by any reader, waking the waiter.
        const LockHold* h = s.findLock(t.waitLock);
        if (h && h->write) return uint32_t(h->holders) & ~(uint32_t{1} << d);
        return all;
    }
    case TaskState::SleepUffd: {
        // Woken by an answer (the monitor's loop, or an operation that is
        // `top`: the uffd ioctls, close, unregister).
        uint32_t m = top;
        for (size_t i = 0; i < n; ++i)
            if ((all >> i & 1) && hasOp(s, i, OpKind::Serve)) m |= uint32_t{1} << i;
        return m;
    }
    case TaskState::SleepFalloc: {
        // Woken at the end of a punch (shmem_fallocate's wake-up).
        uint32_t m = top;
        for (size_t i = 0; i < n; ++i)
            if ((all >> i & 1) && hasOp(s, i, OpKind::Punch)) m |= uint32_t{1} << i;
        return m;
    }
    default: return all;
    }
}

}  // namespace

uint32_t persistentSet(const State& s, uint32_t enabled, uint32_t sleeping, const std::vector<const Footprint*>& next,
                       const std::vector<FutureFootprint>& future) {
    const size_t n = s.tasks.size();
    uint32_t best = enabled;
    int bestAwake = std::popcount(enabled & ~sleeping), bestSize = std::popcount(enabled);
    if (bestSize <= 1) return enabled;
    // The explorer ends a run when every worker (not the monitor, not IO) is
    // done, so the step that finishes the last worker disables the monitor
    // and IO: it is dependent with their steps. A worker that may take that
    // step now, and one that is still not done (no run ends while it is in P
    // and waits), are what the closure adds for it below.
    const Config& cfg = *s.config;
    uint32_t workers = 0, helpers = 0;
    for (size_t i = 0; i < n; ++i) {
        if (int(i) == cfg.uffdTask || int(i) == cfg.ioTask) helpers |= uint32_t{1} << i;
        else if (s.tasks[i].state != TaskState::Done) workers |= uint32_t{1} << i;
    }
    auto mayFinishAll = [&](size_t t) {
        if (workers != uint32_t{1} << t || t >= cfg.tasks.size()) return false;
        return s.tasks[t].opIndex + 1 >= cfg.tasks[t].program.size();
    };
    // Who could wake each task that cannot run (the same for every seed).
    uint32_t wakers[32];
    uint32_t known = 0;
    auto wakersOf = [&](size_t d) {
        if (!(known >> d & 1)) wakers[d] = enablers(s, d, future), known |= uint32_t{1} << d;
        return wakers[d];
    };
    for (size_t seed = 0; seed < n; ++seed) {
        if (!(enabled >> seed & 1)) continue;
        uint32_t p = uint32_t{1} << seed, todo = p;
        bool full = false;
        while (todo && !full) {
            const size_t x = size_t(std::countr_zero(todo));
            todo &= todo - 1;
            uint32_t add = 0;
            if (enabled >> x & 1) {
                const Footprint* fp = next[x];
                if (!fp) {
                    full = true;
                    break;
                }
                for (size_t u = 0; u < n; ++u) {
                    if (p >> u & 1) continue;
                    // A task that cannot run, and that only tasks of P could
                    // wake, takes no step along steps of tasks outside P.
                    if (!(enabled >> u & 1) && !(wakersOf(u) & ~p)) continue;
                    if (mayConflict(*fp, future[u], uint8_t(u), s, p)) add |= uint32_t{1} << u;
                }
            } else {
                add = wakersOf(x) & ~p;
            }
            if (enabled >> x & 1) {
                if (mayFinishAll(x)) add |= helpers & enabled & ~p;
                if ((helpers >> x & 1) && !((p | add) & workers) && workers)
                    add |= workers & (~workers + 1);  // one worker not done: no run ends without it
            }
            p |= add;
            todo |= add;
            if ((p & enabled) == enabled) full = true;
        }
        if (full) continue;
        const uint32_t pe = p & enabled;
        const int awake = std::popcount(pe & ~sleeping), size = std::popcount(pe);
        if (awake < bestAwake || (awake == bestAwake && size < bestSize)) best = pe, bestAwake = awake, bestSize = size;
    }
    return best;
}

}  // namespace faultline
