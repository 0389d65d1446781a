// SPDX-License-Identifier: GPL-3.0-or-later
#include "model/state.h"

#include <algorithm>
#include <cstdio>

#include "util/hash.h"

namespace faultline {

std::string_view taskStateName(TaskState s) {
    switch (s) {
    case TaskState::Runnable: return "runnable";
    case TaskState::Blocked: return "blocked";
    case TaskState::SleepUffd: return "sleeping (userfault)";
    case TaskState::SleepFalloc: return "sleeping (shmem_falloc_waitq)";
    case TaskState::SleepWriteback: return "sleeping (writeback)";
    case TaskState::Idle: return "idle (poll)";
    case TaskState::Done: return "done";
    case TaskState::Unforked: return "not forked yet";
    }
    return "?";
}

std::string lockName(const LockId& id, const Config& cfg) {
    auto mm = [&] { return id.mm < cfg.mmNames.size() ? cfg.mmNames[id.mm] : std::to_string(id.mm); };
    switch (id.kind) {
    case LockKind::ML: return "mmap_lock(" + mm() + ")";
    case LockKind::PTL: return "PTL(" + mm() + ")#" + std::to_string(id.arg);
    case LockKind::FL: return "folio_lock(p" + std::to_string(id.arg) + ")";
    case LockKind::IL: return "i_rwsem";
    case LockKind::IM: return "i_mmap_rwsem";
    case LockKind::IPL: return "i_lock";
    case LockKind::XA: return "xa_lock";
    }
    return "?";
}

std::string vmFlagsText(uint32_t flags) {
    static const std::pair<uint32_t, const char*> names[] = {{VM_READ, "READ"},
                                                             {VM_WRITE, "WRITE"},
                                                             {VM_SHARED, "SHARED"},
                                                             {VM_MAYWRITE, "MAYWRITE"},
                                                             {VM_MAYSHARE, "MAYSHARE"},
                                                             {VM_SOFTDIRTY, "SOFTDIRTY"},
                                                             {VM_UFFD_MISSING, "UFFD_MISSING"},
                                                             {VM_UFFD_WP, "UFFD_WP"},
                                                             {VM_UFFD_MINOR, "UFFD_MINOR"}};
    std::string s;
    for (auto [bit, name] : names)
        if (flags & bit) s += std::string(s.empty() ? "" : "|") + name;
    return s;
}

std::string uffdMsgText(const UffdMsg& m, const State& s) {
    if (m.event == UffdEvent::Remap) {  // msg.arg.remap: from, to (bytes), len (pages here)
        char buf[64];
        std::snprintf(buf, sizeof buf, "REMAP(0x%llx,0x%llx,%llu)", (unsigned long long)(m.lo << 12),
                      (unsigned long long)(m.hi << 12), (unsigned long long)m.va);
        return buf;
    }
    if (m.event == UffdEvent::Fork) {
        const Config& cfg = *s.config;
        return "FORK(" + (m.lo < cfg.mmNames.size() ? cfg.mmNames[m.lo] : std::to_string(m.lo)) + ")";
    }
    if (m.event != UffdEvent::Pagefault)
        return std::string(m.event == UffdEvent::Remove ? "REMOVE" : "UNMAP") + "(" + std::to_string(m.lo) + "-" +
               std::to_string(m.hi) + ")";
    std::string kind = (m.flags & UFFD_PAGEFAULT_FLAG_WP)      ? "WP"
                       : (m.flags & UFFD_PAGEFAULT_FLAG_MINOR) ? "MINOR"
                                                               : "MISS";
    const Vma* v = m.mm < s.mms.size() ? s.mms[m.mm].findVma(m.va) : nullptr;
    const uint64_t idx = v ? (v->file ? v->indexOf(m.va) : m.va - v->start) : m.va;
    return kind + "(" + std::to_string(idx) + ((m.flags & UFFD_PAGEFAULT_FLAG_WRITE) ? ",W)" : ")");
}

const Vma* Mm::findVma(uint64_t vpn) const {
    for (const Vma& v : vmas)
        if (v.contains(vpn)) return &v;
    return nullptr;
}

Vma* Mm::findVma(uint64_t vpn) {
    for (Vma& v : vmas)
        if (v.contains(vpn)) return &v;
    return nullptr;
}

const LockHold* State::findLock(const LockId& id) const {
    for (const LockHold& h : locks)
        if (h.id == id) return &h;
    return nullptr;
}

uint32_t State::heldBy(uint8_t task) const {
    return uint32_t(std::count_if(locks.begin(), locks.end(),
                                  [&](const LockHold& h) { return h.holders & (uint64_t{1} << task); }));
}

std::vector<LockId> State::locksHeldBy(uint8_t task) const {
    std::vector<LockId> out;
    for (const LockHold& h : locks)
        if (h.holders & (uint64_t{1} << task)) out.push_back(h.id);
    return out;
}

namespace {

void hashFrame(Hasher& h, const StackFrame& f) {
    h.add(uint64_t(f.fn)).add(f.pc).add(f.mm).add(f.write).add(f.pfn).add(f.slot).add(f.va).add(f.index);
    h.add(f.lo)
        .add(f.hi)
        .add(f.cursor)
        .add(f.aux)
        .add(uint64_t(uint32_t(f.ret)))
        .add(f.flags)
        .add(f.orig_pte.stableHash())
        .add(f.tag.bits());
    if (f.ctx) h.add(0xc7c7).add(f.ctx);  // hashed only when set: states without more contexts hash as before
}

void hashMsgs(Hasher& h, const std::vector<UffdMsg>& q) {
    h.add(q.size());
    for (const UffdMsg& m : q) {
        h.add(m.id).add(m.task).add(m.mm).add(m.va).add(m.flags);
        if (m.event != UffdEvent::Pagefault)
            h.add(uint64_t(m.event)).add(m.lo).add(m.hi);  // page-fault hashes as before events existed
    }
}

}  // namespace

// The step counter is not part of the state: two runs that reach the same
// state by different paths hash and compare equal (what an explorer wants).
uint64_t State::hash() const {
    // A run's toggles never change and their hash is ~40 mixing rounds: the
    // last one is remembered (per thread: the explorer hashes in parallel).
    thread_local Toggles lastToggles;
    thread_local uint64_t lastTogglesHash = lastToggles.stableHash();
    if (!(toggles == lastToggles)) {
        lastToggles = toggles;
        lastTogglesHash = toggles.stableHash();
    }
    Hasher h;
    h.add(configHash).add(lastTogglesHash);
    for (const Task& t : tasks) {
        h.add(uint64_t(t.state)).add(uint64_t(t.waitLock.kind)).add(t.waitLock.mm).add(t.waitLock.arg).add(t.waitArg);
        h.add(t.opIndex).add(t.faultRetries).add(t.lastSignal).add(t.stack.size());
        for (const StackFrame& f : t.stack) hashFrame(h, f);
        h.add(t.refs.size());
        for (uint32_t r : t.refs) h.add(r);
    }
    for (const Mm& m : mms) {
        h.add(m.vmas.size());
        for (const Vma& v : m.vmas)
        {
            h.add(v.start).add(v.end).add(v.pgoff).add(v.flags).add(v.file).add(v.uffd).add(v.nameId);
            if (v.ctx) h.add(0xc7c7).add(v.ctx);
        }
        h.add(m.pt.hash())
            .add(m.intent.hash())
            .add(uint64_t(m.rssShmem))
            .add(uint64_t(m.rssAnon))
            .add(uint64_t(m.rssSwapents));
    }
    const Inode& in = inode;
    h.add(in.sizePages).add(in.xa.hash()).add(uint64_t(in.nrpages)).add(in.iPrivate.has_value());
    if (in.iPrivate) h.add(in.iPrivate->waitq).add(in.iPrivate->start).add(in.iPrivate->next);
    h.add(in.fallocWaiters).add(uint64_t(in.alloced)).add(uint64_t(in.swapped)).add(in.writeSealed);
    h.add(folios.hash()).add(nextPfn);
    h.add(swap.nslots).add(swap.slots.hash()).add(swap.cursor);
    h.add(uffd.exists).add(uffd.mm).add(uffd.apiDone).add(uffd.features).add(uffd.released).add(uffd.nextMsgId);
    hashMsgs(h, uffd.pending);
    hashMsgs(h, uffd.readWaiting);
    if (!uffd.changing.empty()) h.add(0xc7cc).add(uffd.changing.size());  // hashed only when set, as before
    for (uint32_t id : uffd.changing) h.add(id);
    if (!moreUffds.empty()) h.add(0xc7c8).add(moreUffds.size());
    for (const UffdCtx& u : moreUffds) {
        h.add(u.exists).add(u.mm).add(u.apiDone).add(u.features).add(u.released).add(u.nextMsgId);
        hashMsgs(h, u.pending);
        hashMsgs(h, u.readWaiting);
        h.add(u.changing.size());
        for (uint32_t id : u.changing) h.add(id);
    }
    h.add(writeback.size());
    for (uint32_t p : writeback) h.add(p);
    h.add(locks.size());
    for (const LockHold& l : locks) h.add(uint64_t(l.id.kind)).add(l.id.mm).add(l.id.arg).add(l.write).add(l.holders);
    return h.value();
}

bool operator==(const State& a, const State& b) {
    const bool sameConfig = a.config == b.config || a.configHash == b.configHash;
    return sameConfig && a.toggles == b.toggles && a.tasks == b.tasks && a.mms == b.mms && a.inode == b.inode &&
           a.folios == b.folios && a.nextPfn == b.nextPfn && a.swap == b.swap && a.uffd == b.uffd && a.moreUffds == b.moreUffds &&
           a.locks == b.locks && a.writeback == b.writeback;
}

}  // namespace faultline
