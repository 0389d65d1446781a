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

// Parts of the state outside the radix trees and the lock table whose every
// read is noted by the code that reads it (core/explore/footprint.h lists the
// read sites); writes to them are found by comparing the state before and
// after the step. A "shared" access is a change that commutes with every other
// shared access of the same part (setting one's own bit in a mask).
enum class Part : uint8_t {
    UffdPending,      // UffdCtx::pending (order and contents)
    UffdReadWaiting,  // UffdCtx::readWaiting
    UffdNextId,       // UffdCtx::nextMsgId
    IPrivate,         // Inode::iPrivate (the punch in progress)
    FallocWaiters,    // Inode::fallocWaiters
    NextPfn,          // State::nextPfn (the frame allocator)
    SwapCursor,       // SwapDevice::cursor (the slot allocator)
    Count
};

struct AccessLog {
    struct Range {
        const void* tree = nullptr;  // the CowRadix object
        uint64_t lo = 0, hi = 0;     // keys [lo, hi)
    };
    std::vector<Range> reads;
    std::vector<Range> writes;
    std::vector<uint64_t> lockReads;  // packed LockId (see packLockId in step_context.cpp)
    std::vector<uint64_t> lockWrites;
    uint32_t partReads = 0, partWrites = 0, partShared = 0;  // bit per Part

    void clear() {
        reads.clear(), writes.clear(), lockReads.clear(), lockWrites.clear();
        partReads = partWrites = partShared = 0;
    }
};

// A lock as one 64-bit key: kind, mm and argument (pte-table index or pfn).
inline uint64_t packLockId(uint8_t kind, uint8_t mm, uint64_t arg) {
    return uint64_t(kind) << 56 | uint64_t(mm) << 48 | (arg & ((uint64_t{1} << 48) - 1));
}

inline thread_local AccessLog* tlsAccessLog = nullptr;

// The recording itself is out of line and cold: with no log installed (every
// step but the explorer's) a hook costs one load of the thread-local pointer
// and a branch never taken, and the engine's hot paths (a radix lookup in a
// loop) stay small enough to inline and keep in registers. Callers test
// tlsAccessLog themselves and call these only when it is set.
[[gnu::cold, gnu::noinline]] inline void logRange(std::vector<AccessLog::Range>& to, const void* tree, uint64_t lo,
                                                 uint64_t hi) {
    to.push_back({tree, lo, hi});
}
[[gnu::cold, gnu::noinline]] inline void logKey(std::vector<uint64_t>& to, uint64_t key) { to.push_back(key); }

enum class PartAccess : uint8_t { Read, Write, Shared };
[[gnu::cold, gnu::noinline]] inline void logPart(AccessLog* log, Part p, PartAccess a) {
    const uint32_t bit = 1u << unsigned(p);
    (a == PartAccess::Read ? log->partReads : a == PartAccess::Write ? log->partWrites : log->partShared) |= bit;
}
inline void notePart(Part p, PartAccess a) {
    if (AccessLog* log = tlsAccessLog) [[unlikely]]
        logPart(log, p, a);
}

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
