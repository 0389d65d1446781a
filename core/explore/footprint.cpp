// SPDX-License-Identifier: GPL-3.0-or-later
#include "explore/footprint.h"

#include <algorithm>

namespace faultline {
namespace {

// Set on a lock key in AccessLog::lockWrites for a reader's shared access
// (core/engine/step_context.cpp, noteLock).
constexpr uint64_t kLockSharedBit = uint64_t{1} << 63;

constexpr uint16_t kXa = Footprint::kXa, kFolios = Footprint::kFolios, kSlots = Footprint::kSlots,
                   kUnknown = Footprint::kUnknown;

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

// The parts every step is assumed to read (see footprint.h).
bool sharedChanged(const State& a, const State& b) {
    const Inode &x = a.inode, &y = b.inode;
    if (x.sizePages != y.sizePages || x.writeSealed != y.writeSealed) return true;
    const UffdCtx &u = a.uffd, &v = b.uffd;
    if (u.exists != v.exists || u.mm != v.mm || u.apiDone != v.apiDone || u.features != v.features ||
        u.released != v.released || u.changing != v.changing)
        return true;
    // Contexts beyond the first (more UFFDIO_API calls, fork children) are
    // not split into parts: any change to them is assumed read by every step.
    if (a.writeback != b.writeback || a.swap.nslots != b.swap.nslots || !(a.toggles == b.toggles) ||
        !(a.moreUffds == b.moreUffds))
        return true;
    if (a.mms.size() != b.mms.size() || a.tasks.size() != b.tasks.size()) return true;
    for (size_t i = 0; i < a.mms.size(); ++i)
        if (a.mms[i].vmas != b.mms[i].vmas) return true;
    return false;
}

// The Parts (util/access_log.h) that differ between the two states.
uint32_t partsChanged(const State& a, const State& b) {
    uint32_t m = 0;
    auto bit = [&](Part p, bool changed) { m |= uint32_t(changed) << unsigned(p); };
    bit(Part::UffdPending, a.uffd.pending != b.uffd.pending);
    bit(Part::UffdReadWaiting, a.uffd.readWaiting != b.uffd.readWaiting);
    bit(Part::UffdNextId, a.uffd.nextMsgId != b.uffd.nextMsgId);
    bit(Part::IPrivate, a.inode.iPrivate != b.inode.iPrivate);
    bit(Part::FallocWaiters, a.inode.fallocWaiters != b.inode.fallocWaiters);
    bit(Part::NextPfn, a.nextPfn != b.nextPfn);
    bit(Part::SwapCursor, a.swap.cursor != b.swap.cursor);
    return m;
}

const LockHold* lockEntry(const State& s, uint64_t key) {
    for (const LockHold& h : s.locks)
        if (packLockId(uint8_t(h.id.kind), h.id.mm, h.id.arg) == key) return &h;
    return nullptr;
}

// A lock whose table entry is the same before and after the step (taken and
// dropped within it, or a failed trylock) was only read.
bool lockUnchanged(const State& a, const State& b, uint64_t key) {
    const LockHold *x = lockEntry(a, key), *y = lockEntry(b, key);
    return x == y || (x && y && *x == *y);
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
    for (uint64_t k : log.lockWrites) {
        const uint64_t id = k & ~kLockSharedBit;
        if (lockUnchanged(before, after, id)) fp.lockReads.push_back(id);
        else (k & kLockSharedBit ? fp.lockShared : fp.lockWrites).push_back(id);
    }
    sortUnique(fp.lockReads);
    sortUnique(fp.lockWrites);
    sortUnique(fp.lockShared);
    // A lock both read and changed is a change; a lock changed both as a
    // reader and as a writer is a write.
    std::erase_if(fp.lockShared, [&](uint64_t k) { return std::binary_search(fp.lockWrites.begin(), fp.lockWrites.end(), k); });
    fp.shared = sharedChanged(before, after);
    // A lock-table change the helpers did not announce is an unknown write.
    if (before.locks != after.locks && fp.lockWrites.empty() && fp.lockShared.empty()) fp.shared = true;
    // Parts: a change is a write unless the step noted only a shared access.
    const uint32_t changed = partsChanged(before, after);
    const uint32_t sharedOnly = log.partShared & ~log.partWrites;
    fp.partWrites = log.partWrites | (changed & ~sharedOnly);
    fp.partShared = changed & sharedOnly;
    fp.partReads = log.partReads & ~fp.partWrites;
    if (!fp.shared) {
        for (size_t i = 0; i < after.tasks.size(); ++i)
            if (i != task && !(before.tasks[i] == after.tasks[i])) fp.otherTasksWritten |= uint64_t{1} << i;
    }
    return fp;
}

bool independent(const Footprint& a, const Footprint& b) {
    if (a.task == b.task || a.opaque || b.opaque || a.shared || b.shared) return false;
    const uint64_t aBit = uint64_t{1} << a.task, bBit = uint64_t{1} << b.task;
    // Each reads its whole own Task; wake-ups write other tasks.
    if ((a.otherTasksWritten & bBit) || (b.otherTasksWritten & aBit)) return false;
    if (a.otherTasksWritten & b.otherTasksWritten) return false;
    if (a.partWrites & (b.partWrites | b.partReads | b.partShared)) return false;
    if (b.partWrites & (a.partReads | a.partShared)) return false;
    if ((a.partShared & b.partReads) || (b.partShared & a.partReads)) return false;
    if (meet(a.lockWrites, b.lockWrites) || meet(a.lockWrites, b.lockReads) || meet(b.lockWrites, a.lockReads))
        return false;
    if (meet(a.lockWrites, b.lockShared) || meet(b.lockWrites, a.lockShared)) return false;
    if (meet(a.lockReads, b.lockShared) || meet(b.lockReads, a.lockShared)) return false;
    if (overlap(a.writes, b.writes) || overlap(a.writes, b.reads) || overlap(b.writes, a.reads)) return false;
    return true;
}

}  // namespace faultline
