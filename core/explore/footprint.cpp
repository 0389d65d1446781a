// SPDX-License-Identifier: GPL-3.0-or-later
#include "explore/footprint.h"

#include <algorithm>

namespace faultline {
namespace {

// Set on a lock key in AccessLog::lockWrites for a reader's shared access
// (core/engine/step_context.cpp, noteLock).
constexpr uint64_t kLockSharedBit = uint64_t{1} << 63;

constexpr uint16_t kXa = 0xF000, kFolios = 0xF001, kSlots = 0xF002, kUnknown = 0xFFFF;

uint16_t spaceOf(const State& s, const void* tree) {
    for (size_t i = 0; i < s.mms.size(); ++i) {
        if (tree == &s.mms[i].pt) return uint16_t(2 * i);
        if (tree == &s.mms[i].intent) return uint16_t(2 * i + 1);
    }
    if (tree == &s.inode.xa) return kXa;
    if (tree == &s.folios) return kFolios;
    if (tree == &s.swap.slots) return kSlots;
    return kUnknown;
}

void sortUnique(std::vector<uint64_t>& v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
}

bool overlap(const std::vector<Footprint::Range>& a, const std::vector<Footprint::Range>& b) {
    for (const auto& x : a)
        for (const auto& y : b)
            if (x.space == y.space && x.lo < y.hi && y.lo < x.hi) return true;
    return false;
}

bool meet(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b) {
    size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        if (a[i] == b[j]) return true;
        a[i] < b[j] ? ++i : ++j;
    }
    return false;
}

bool sameSched(const Task& a, const Task& b) {
    return a.state == b.state && a.waitLock == b.waitLock && a.waitArg == b.waitArg;
}

// The parts every step is assumed to read (see footprint.h).
bool sharedChanged(const State& a, const State& b) {
    const Inode &x = a.inode, &y = b.inode;
    if (x.sizePages != y.sizePages || x.iPrivate != y.iPrivate || x.fallocWaiters != y.fallocWaiters ||
        x.writeSealed != y.writeSealed)
        return true;
    if (!(a.uffd == b.uffd) || !(a.moreUffds == b.moreUffds) || a.writeback != b.writeback || a.nextPfn != b.nextPfn) return true;
    if (a.swap.cursor != b.swap.cursor || a.swap.nslots != b.swap.nslots || !(a.toggles == b.toggles)) return true;
    if (a.mms.size() != b.mms.size() || a.tasks.size() != b.tasks.size()) return true;
    for (size_t i = 0; i < a.mms.size(); ++i)
        if (a.mms[i].vmas != b.mms[i].vmas) return true;
    return false;
}

}  // namespace

Footprint captureFootprint(const State& before, const State& after, uint8_t task, const AccessLog& log,
                           bool engineError) {
    Footprint fp;
    fp.task = task;
    fp.opaque = engineError;
    auto take = [&](const std::vector<AccessLog::Range>& in, std::vector<Footprint::Range>& out) {
        out.reserve(in.size());
        for (const auto& r : in) {
            const uint16_t sp = spaceOf(after, r.tree);
            if (sp == kUnknown) fp.opaque = true;
            if (r.lo < r.hi) out.push_back({sp, r.lo, r.hi});
        }
    };
    take(log.reads, fp.reads);
    take(log.writes, fp.writes);
    fp.lockReads = log.lockReads;
    for (uint64_t k : log.lockWrites)
        (k & kLockSharedBit ? fp.lockShared : fp.lockWrites).push_back(k & ~kLockSharedBit);
    sortUnique(fp.lockReads);
    sortUnique(fp.lockWrites);
    sortUnique(fp.lockShared);
    fp.readsAllTaskStates = log.readsAllTaskStates;
    fp.shared = sharedChanged(before, after);
    // A lock-table change the helpers did not announce is an unknown write.
    if (before.locks != after.locks && fp.lockWrites.empty() && fp.lockShared.empty()) fp.shared = true;
    if (!fp.shared) {
        for (size_t i = 0; i < after.tasks.size(); ++i) {
            if (i == task) {
                fp.ownSchedChanged = !sameSched(before.tasks[i], after.tasks[i]);
            } else if (!(before.tasks[i] == after.tasks[i])) {
                fp.otherTasksWritten |= uint64_t{1} << i;
            }
        }
    }
    return fp;
}

bool independent(const Footprint& a, const Footprint& b) {
    if (a.task == b.task || a.opaque || b.opaque || a.shared || b.shared) return false;
    const uint64_t aBit = uint64_t{1} << a.task, bBit = uint64_t{1} << b.task;
    // Each reads its whole own Task; wake-ups write other tasks.
    if ((a.otherTasksWritten & bBit) || (b.otherTasksWritten & aBit)) return false;
    if (a.otherTasksWritten & b.otherTasksWritten) return false;
    if (a.readsAllTaskStates && (b.ownSchedChanged || b.otherTasksWritten)) return false;
    if (b.readsAllTaskStates && (a.ownSchedChanged || a.otherTasksWritten)) return false;
    if (meet(a.lockWrites, b.lockWrites) || meet(a.lockWrites, b.lockReads) || meet(b.lockWrites, a.lockReads))
        return false;
    if (meet(a.lockWrites, b.lockShared) || meet(b.lockWrites, a.lockShared)) return false;
    if (meet(a.lockReads, b.lockShared) || meet(b.lockReads, a.lockShared)) return false;
    if (overlap(a.writes, b.writes) || overlap(a.writes, b.reads) || overlap(b.writes, a.reads)) return false;
    return true;
}

}  // namespace faultline
