// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// AccessLog: an optional, per-thread record of what one engine step read and
// wrote, for the interleaving explorer's partial-order reduction. Nothing is
// recorded unless a caller installs a log for the duration of a step (see
// ScopedAccessLog); then CowRadix lookups and stores and the engine's lock and
// wake helpers note the cells they touch. Reads the log cannot see (plain
// member reads of the state) are covered by the explorer's conservative rules
// (core/explore/footprint.h), not here.
#include <cstdint>
#include <vector>

namespace faultline {

struct AccessLog {
    struct Range {
        const void* tree = nullptr;  // the CowRadix object
        uint64_t lo = 0, hi = 0;     // keys [lo, hi)
    };
    std::vector<Range> reads;
    std::vector<Range> writes;
    std::vector<uint64_t> lockReads;  // packed LockId (see packLockId in step_context.cpp)
    std::vector<uint64_t> lockWrites;
    bool readsAllTaskStates = false;  // a wake-up loop looked at every task's state

    void clear() {
        reads.clear(), writes.clear(), lockReads.clear(), lockWrites.clear();
        readsAllTaskStates = false;
    }
};

// A lock as one 64-bit key: kind, mm and argument (pte-table index or pfn).
inline uint64_t packLockId(uint8_t kind, uint8_t mm, uint64_t arg) {
    return uint64_t(kind) << 56 | uint64_t(mm) << 48 | (arg & ((uint64_t{1} << 48) - 1));
}

inline thread_local AccessLog* tlsAccessLog = nullptr;

class ScopedAccessLog {
public:
    explicit ScopedAccessLog(AccessLog& log) : prev_(tlsAccessLog) { tlsAccessLog = &log; }
    ~ScopedAccessLog() { tlsAccessLog = prev_; }
    ScopedAccessLog(const ScopedAccessLog&) = delete;
    ScopedAccessLog& operator=(const ScopedAccessLog&) = delete;

private:
    AccessLog* prev_;
};

}  // namespace faultline
