// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/step_context.h"

#include <algorithm>
#include <cassert>
#include <stdexcept>

#include "engine/engine_error.h"
#include "engine/fault_codes.h"
#include "paths/registry.h"
#include "util/access_log.h"

namespace faultline {

namespace {
// The explorer's footprint of a step (util/access_log.h): which locks it
// looked at or changed, and whether it scanned every task's sleep state.
enum class LockAccess { Read, Write, Shared };
// A shared access goes into AccessLog::lockWrites with this bit set
// (core/explore/footprint.cpp separates them again).
constexpr uint64_t kLockSharedBit = uint64_t{1} << 63;
void noteLock(const LockId& id, LockAccess a) {
    AccessLog* log = tlsAccessLog;
    if (!log) [[likely]]
        return;
    const uint64_t k = packLockId(uint8_t(id.kind), id.mm, id.arg);
    if (a == LockAccess::Read) logKey(log->lockReads, k);
    else logKey(log->lockWrites, a == LockAccess::Shared ? k | kLockSharedBit : k);
}
}  // namespace

void StepContext::at(std::string text) {
    subId_ = subFn_ = {};
    const StackFrame& fr = f();
    rec.pieces.push_back({fr.fn, fr.pc, std::move(text)});
}

void StepContext::substep(std::string_view id, std::string_view fn) {
    subId_ = id, subFn_ = fn;
    if (std::find(rec.subSteps.begin(), rec.subSteps.end(), id) == rec.subSteps.end()) rec.subSteps.push_back(id);
}

void StepContext::say(std::string text) {
    if (rec.pieces.empty()) return at(std::move(text));
    std::string& t = rec.pieces.back().text;
    if (!t.empty()) t += "; ";
    t += text;
}

void StepContext::next(uint8_t pc) {
    f().pc = pc;
    flowSet = true;
    continueNow = false;
}

void StepContext::jump(uint8_t pc) {
    f().pc = pc;
    flowSet = true;
    continueNow = true;
}

void StepContext::call(Fn fn, StackFrame init) {
    init.fn = fn;
    init.pc = 0;
    init.ret = 0;
    task().stack.push_back(init);
    touch({CellKind::Task, 0, t});
    flowSet = true;
    continueNow = true;
}

void StepContext::ret(int32_t value) {
    Task& tk = task();
    const StackFrame done = tk.stack.back();
    tk.stack.pop_back();
    touch({CellKind::Task, 0, t});
    flowSet = true;
    if (tk.stack.empty()) {
        opFinished = true;
        continueNow = false;
        rec.opDone = true;
        rec.opResult = value;
        if (narrating && value < 0 && rec.pieces.back().text.find(errnoName(value)) == std::string::npos)
            rec.pieces.back().text += " → " + errnoName(value);
        return;
    }
    StackFrame& caller = tk.stack.back();
    caller.ret = value;
    // A callee that hands back a folio leaves it in its own pfn local.
    if (done.pfn && (value & VM_FAULT_LOCKED)) caller.pfn = done.pfn;
    continueNow = true;
}

// ---- locks -------------------------------------------------------------------

namespace {
bool conflicts(const LockHold& h, uint8_t task, bool write) {
    const uint64_t others = h.holders & ~(uint64_t{1} << task);
    if (!others) return false;
    return write || h.write;
}
}  // namespace

bool StepContext::trylock(const LockId& id, bool write) {
    // Footprint: a writer reads and changes the whole entry. A reader that
    // gets the lock only looked for a writer and added its own bit, which
    // commutes with any other reader's arrival or departure (Shared); a
    // reader that has to wait read the holders (Read).
    auto it = std::lower_bound(s.locks.begin(), s.locks.end(), id,
                               [](const LockHold& h, const LockId& i) { return h.id < i; });
    if (it != s.locks.end() && it->id == id) {
        if (it->holders & (uint64_t{1} << t)) throw EngineError(lockName(id, cfg()) + " taken twice by " + taskName());
        if (conflicts(*it, t, write)) {
            noteLock(id, LockAccess::Read);
            return false;
        }
        it->holders |= uint64_t{1} << t;
        it->write = write;
        noteLock(id, write ? LockAccess::Write : LockAccess::Shared);
    } else {
        noteLock(id, write ? LockAccess::Write : LockAccess::Shared);
        s.locks.insert(it, LockHold{id, write, uint64_t{1} << t});
    }
    touch({CellKind::Lock, 0, 0});
    return true;
}

bool StepContext::lock(const LockId& id, bool write) {
    if (trylock(id, write)) return true;
    Task& tk = task();
    tk.state = TaskState::Blocked;
    tk.waitLock = id;
    touch({CellKind::Task, 0, t});
    if (narrating) {
        const LockHold* h = s.findLock(id);
        std::string by;
        for (size_t i = 0; h && i < s.tasks.size(); ++i)
            if (h->holders & (uint64_t{1} << i)) by += (by.empty() ? "" : ",") + cfg().tasks[i].name;
        say("blocks on " + lockName(id, cfg()) + (write ? "" : " (read)") + " held by " + by);
    } else {
        say({});
    }
    flowSet = true;
    continueNow = false;
    return false;
}

void StepContext::unlock(const LockId& id) {
    // The wake-up below reads only the tasks blocked on this lock; each of
    // them read the lock when it blocked, and this step writes the lock.
    auto it = std::find_if(s.locks.begin(), s.locks.end(), [&](const LockHold& h) { return h.id == id; });
    if (it == s.locks.end() || !(it->holders & (uint64_t{1} << t)))
        throw EngineError(taskName() + " releases " + lockName(id, cfg()) + " it does not hold");
    // A reader leaving removes only its own bit (Shared); a writer empties the entry.
    noteLock(id, it->write ? LockAccess::Write : LockAccess::Shared);
    it->holders &= ~(uint64_t{1} << t);
    if (!it->holders) s.locks.erase(it);
    touch({CellKind::Lock, 0, 0});
    // Everyone blocked on it retries on its next step.
    for (size_t i = 0; i < s.tasks.size(); ++i) {
        Task& o = s.tasks[i];
        if (o.state == TaskState::Blocked && o.waitLock == id) {
            o.state = TaskState::Runnable;
            touch({CellKind::Task, 0, i});
        }
    }
}

bool StepContext::holds(const LockId& id) const {
    // Reads only this task's own bit, which only this task changes: part of
    // the task's own footprint, nothing to note.
    const LockHold* h = s.findLock(id);
    return h && (h->holders & (uint64_t{1} << t));
}

bool StepContext::lockFolio(uint32_t pfn) {
    if (!lock({LockKind::FL, 0, pfn})) return false;
    editFolio(pfn, [](Folio& f) { f.set(PG_locked); });
    return true;
}

bool StepContext::trylockFolio(uint32_t pfn) {
    if (!trylock({LockKind::FL, 0, pfn})) return false;
    editFolio(pfn, [](Folio& f) { f.set(PG_locked); });
    return true;
}

void StepContext::unlockFolio(uint32_t pfn) {
    unlock({LockKind::FL, 0, pfn});
    editFolio(pfn, [](Folio& f) { f.set(PG_locked, false); });
}

// ---- sleeping ------------------------------------------------------------------

void StepContext::sleep(TaskState why, uint64_t arg) {
    Task& tk = task();
    tk.state = why;
    tk.waitArg = arg;
    touch({CellKind::Task, 0, t});
    flowSet = true;
    continueNow = false;
}

uint8_t StepContext::newCtx(size_t at) {
    if (at == SIZE_MAX) {
        at = 1;
        while (at < s.ctxCount() && s.ctx(at).exists) ++at;
    }
    if (at >= 256) throw EngineError("more than 255 userfaultfd contexts");
    if (at >= s.ctxCount()) s.moreUffds.resize(at);
    touch({CellKind::Uffd, 0, 0});
    return uint8_t(at);
}

void StepContext::wakeUffdRange(uint8_t ctx, uint8_t mm, uint64_t lo, uint64_t hi) {
    // Reads both queues; wakes only tasks sleeping on a message it removes
    // (each read the queues when it went to sleep, see handle_userfault).
    notePart(Part::UffdPending, PartAccess::Read);
    notePart(Part::UffdReadWaiting, PartAccess::Read);
    // Resolving ioctls wake page faults only; events complete when read.
    auto inRange = [&](const UffdMsg& m) {
        return m.event == UffdEvent::Pagefault && m.mm == mm && m.va >= lo && m.va < hi;
    };
    std::vector<uint32_t> woken;
    if (ctx >= s.ctxCount()) return;
    UffdCtx& u = s.ctx(ctx);
    for (auto* q : {&u.pending, &u.readWaiting})
        for (auto it = q->begin(); it != q->end();) {
            if (inRange(*it)) {
                woken.push_back(it->id);
                it = q->erase(it);
            } else {
                ++it;
            }
        }
    if (woken.empty()) return;
    touch({CellKind::Uffd, 0, 0});
    for (size_t i = 0; i < s.tasks.size(); ++i) {
        Task& o = s.tasks[i];
        if (o.state == TaskState::SleepUffd && std::count(woken.begin(), woken.end(), uint32_t(o.waitArg))) {
            o.state = TaskState::Runnable;
            touch({CellKind::Task, 0, i});
            FL_SAY(*this, "wakes " + cfg().tasks[i].name);
        }
    }
}

void StepContext::wakeFallocWaiters() {
    // Reads the waiter mask; every task in it set its bit in the step that
    // put it to sleep (shmem_fault SF.2).
    notePart(Part::FallocWaiters, PartAccess::Read);
    for (size_t i = 0; i < s.tasks.size(); ++i) {
        if (!(s.inode.fallocWaiters & (uint64_t{1} << i))) continue;
        Task& o = s.tasks[i];
        if (o.state == TaskState::SleepFalloc) {
            o.state = TaskState::Runnable;
            touch({CellKind::Task, 0, i});
            FL_SAY(*this, "wakes " + cfg().tasks[i].name);
        }
    }
    if (s.inode.fallocWaiters) editInode([](Inode& in) { in.fallocWaiters = 0; });
}

void StepContext::wakeWriteback(uint32_t pfn) {
    // Wakes tasks asleep on this pfn's writeback: each read the folio's
    // PG_writeback when it went to sleep, and the caller writes that folio.
    for (size_t i = 0; i < s.tasks.size(); ++i) {
        Task& o = s.tasks[i];
        if (o.state == TaskState::SleepWriteback && o.waitArg == pfn) {
            o.state = TaskState::Runnable;
            // The pfn is spent: a woken task's waitArg is read as the id of
            // an event it sent (eventSenderResumes), and a pfn is not one.
            o.waitArg = 0;
            touch({CellKind::Task, 0, i});
            FL_SAY(*this, "wakes " + cfg().tasks[i].name);
        }
    }
}

// ---- mutators ------------------------------------------------------------------

void StepContext::touch(const CellRef& c) { rec.changed.push_back(c); }

void StepContext::setPte(uint8_t mm, uint64_t vpn, const Pte& p) {
    Mm& m = s.mms[mm];
    const Pte before = m.pt.get(vpn);
    if (before == p) return;
    m.pt.set(vpn, p);
    touch({CellKind::Pte, mm, vpn});
    if (before.protectedWp() != p.protectedWp()) recordWpChange(mm, vpn, before, p);
}

void StepContext::setXa(uint64_t index, const XaEntry& e) {
    s.inode.xa.set(index, e);
    touch({CellKind::Xa, 0, index});
}

uint32_t StepContext::allocFolio(bool anon, uint8_t mm, uint64_t index) {
    notePart(Part::NextPfn, PartAccess::Write);
    const uint32_t pfn = s.nextPfn++;
    Folio f;
    f.allocated = true;
    f.refcount = 1;
    f.anon = anon;
    f.mm = mm;
    f.index = index;
    f.set(PG_swapbacked);
    s.folios.set(pfn, f);
    task().refs.push_back(pfn);
    touch({CellKind::Folio, 0, pfn});
    touch({CellKind::Task, 0, t});
    return pfn;
}

void StepContext::getRef(uint32_t pfn) {
    editFolio(pfn, [](Folio& f) { ++f.refcount; });
    task().refs.push_back(pfn);
    touch({CellKind::Task, 0, t});
}

void StepContext::putRef(uint32_t pfn) {
    auto& refs = task().refs;
    auto it = std::find(refs.begin(), refs.end(), pfn);
    if (it == refs.end())
        throw EngineError(taskName() + " drops a reference on pfn " + std::to_string(pfn) + " it does not hold");
    refs.erase(it);
    touch({CellKind::Task, 0, t});
    dropRefCount(pfn);
}

void StepContext::dropRefCount(uint32_t pfn) {
    editFolio(pfn, [](Folio& f) { --f.refcount; });
    freeIfUnused(pfn);
}

void StepContext::freeIfUnused(uint32_t pfn) {
    const Folio& f = s.folio(pfn);
    if (!f.allocated || f.refcount > 0) return;
    if (f.refcount < 0 || f.mapcount != 0)
        throw EngineError("pfn " + std::to_string(pfn) + " freed with refcount " + std::to_string(f.refcount) +
                          ", mapcount " + std::to_string(f.mapcount));
    if (f.has(PG_writeback)) throw EngineError("pfn " + std::to_string(pfn) + " freed while under writeback");
    FL_SAY(*this, "p" + std::to_string(pfn) + " freed (data " + f.data.str() + " gone)");
    s.folios.set(pfn, Folio{});
    touch({CellKind::Folio, 0, pfn});
}

void StepContext::mapFromTaskRef(uint8_t mm, uint64_t vpn, const Pte& p) {
    auto& refs = task().refs;
    auto it = std::find(refs.begin(), refs.end(), p.pfn);
    if (it == refs.end())
        throw EngineError(taskName() + " maps pfn " + std::to_string(p.pfn) + " without holding a reference");
    refs.erase(it);
    touch({CellKind::Task, 0, t});
    editFolio(p.pfn, [](Folio& f) { ++f.mapcount; });
    Mm& m = s.mms[mm];
    if (s.folio(p.pfn).anon) ++m.rssAnon;
    else ++m.rssShmem;
    setPte(mm, vpn, p);
}

void StepContext::unmapPresent(uint8_t mm, uint64_t vpn, const Pte& replacement) {
    const Pte old = s.mms[mm].pt.get(vpn);
    if (!old.isPresent()) throw EngineError("unmap of a non-present pte at " + pageName(mm, vpn));
    setPte(mm, vpn, replacement);
    Mm& m = s.mms[mm];
    const bool anon = s.folio(old.pfn).anon;
    if (anon) --m.rssAnon;
    else --m.rssShmem;
    editFolio(old.pfn, [&](Folio& f) {
        --f.mapcount;
        if (old.dirty) f.set(PG_dirty);
        if (old.young) f.set(PG_referenced);
    });
    dropRefCount(old.pfn);
}

std::optional<uint32_t> StepContext::allocSwapSlot() {
    SwapDevice& sw = s.swap;
    notePart(Part::SwapCursor, PartAccess::Write);
    for (uint32_t n = 0; n < sw.nslots; ++n) {
        const uint32_t slot = (sw.cursor + n) % sw.nslots;
        if (sw.slots.get(slot).free()) {
            sw.cursor = (slot + 1) % sw.nslots;
            return slot;
        }
    }
    return std::nullopt;
}

uint32_t StepContext::queueUffdMsg(uint8_t ctx, uint8_t mm, uint64_t vpn, uint8_t flags) {
    UffdMsg m;
    m.id = s.uffd.nextMsgId;
    m.task = t;
    m.mm = mm;
    m.va = vpn;
    m.flags = flags;
    ++s.uffd.nextMsgId;
    editCtx(ctx, [&](UffdCtx& u) { u.pending.push_back(m); });
    rec.raised.push_back({m.id, uffdMsgText(m, s)});
    // The Idle monitor woken below read the pending queue when it went idle.
    notePart(Part::UffdNextId, PartAccess::Write);
    notePart(Part::UffdPending, PartAccess::Write);
    if (flags & UFFD_PAGEFAULT_FLAG_MINOR) s.mms[mm].intent.update(vpn, [](Intent& i) { i.minorSeen = true; });
    // The monitor polls the fd: a new message makes it runnable.
    for (size_t i = 0; i < s.tasks.size(); ++i)
        if (s.tasks[i].state == TaskState::Idle) {
            s.tasks[i].state = TaskState::Runnable;
            touch({CellKind::Task, 0, i});
        }
    return m.id;
}

uint32_t StepContext::queueUffdEvent(uint8_t ctx, UffdEvent ev, uint8_t mm, uint64_t vpnLo, uint64_t vpnHi) {
    notePart(Part::UffdNextId, PartAccess::Write);
    notePart(Part::UffdPending, PartAccess::Write);
    UffdMsg m;
    m.id = s.uffd.nextMsgId;
    m.task = t;
    m.mm = mm;
    m.va = vpnLo;
    m.event = ev;
    const Vma* v = s.mms[mm].findVma(vpnLo);
    auto idx = [&](uint64_t vpn) { return v ? (v->file ? v->indexOf(vpn) : vpn - v->start) : vpn; };
    m.lo = idx(vpnLo);
    m.hi = idx(vpnHi);
    if (ev == UffdEvent::Fork) m.lo = vpnLo, m.hi = vpnHi;  // the child's mm and its new context
    if (ev == UffdEvent::Remap) {                             // from, to; the moved VMA is at `to` now
        const Vma* nv = s.mms[mm].findVma(vpnHi);
        m.lo = vpnLo, m.hi = vpnHi, m.va = nv ? nv->end - nv->start : 0;
    }
    ++s.uffd.nextMsgId;
    editCtx(ctx, [&](UffdCtx& u) {
        u.pending.push_back(m);
        u.changing.push_back(m.id);  // atomic_inc(&ctx->mmap_changing)
    });
    rec.raised.push_back({m.id, uffdMsgText(m, s)});
    for (size_t i = 0; i < s.tasks.size(); ++i)
        if (s.tasks[i].state == TaskState::Idle) {
            s.tasks[i].state = TaskState::Runnable;
            touch({CellKind::Task, 0, i});
        }
    return m.id;
}

void StepContext::completeUffdEvent(uint32_t id) {
    // The caller (the monitor's read) removed the event from the pending
    // queue; its sender queued it and went to sleep in one step.
    notePart(Part::UffdPending, PartAccess::Read);
    for (size_t i = 0; i < s.tasks.size(); ++i) {
        Task& o = s.tasks[i];
        if (o.state == TaskState::SleepUffd && o.waitArg == id) {
            o.state = TaskState::Runnable;
            touch({CellKind::Task, 0, i});
            FL_SAY(*this, "wakes " + cfg().tasks[i].name);
        }
    }
}

void StepContext::setIntent(uint8_t mm, uint64_t vpn, bool protect) {
    s.mms[mm].intent.update(vpn, [&](Intent& i) {
        i.protect = protect;
        i.wpMsgSinceSet = false;
    });
}

void StepContext::finding(Rule r, int mm, int64_t index, std::string text) {
    Finding f;
    f.rule = r;
    f.step = s.stepCount;
    f.task = t;
    f.index = index;
    f.mm = mm;
    f.text = std::move(text);
    rec.findings.push_back(std::move(f));
}

bool StepContext::pageProtWritable(const Vma& v) const {
    if (!(v.flags & VM_WRITE)) return false;
    if (!v.file || !(v.flags & VM_SHARED)) return false;  // private: CoW on write
    if (!(v.flags & VM_SOFTDIRTY)) return false;          // soft-dirty tracking wants writenotify
    if ((v.flags & VM_UFFD_WP) && (k().writenotifyUffdWp || k().roPrefaultA)) return false;
    return true;
}

std::string StepContext::pageName(uint8_t mm, uint64_t vpn) const {
    const Vma* v = vmaOf(mm, vpn);
    const uint64_t idx = v ? s.mms[mm].pageIndex(*v, vpn) : vpn;
    return mmName(mm) + "[" + std::to_string(idx) + "]";
}

void StepContext::recordWpChange(uint8_t mm, uint64_t vpn, const Pte& before, const Pte& after) {
    if (after.protectedWp()) return;  // gaining protection is always by request
    // C2: protection dropped by something other than the monitor's own
    // ioctls while the monitor still wants it (after UNREGISTER or
    // WRITEPROTECT(0) a stale bit going away is no loss).
    const bool byMonitor = int(t) == cfg().uffdTask;
    if (byMonitor || !s.mms[mm].intent.get(vpn).protect) return;
    const StackFrame& p = f();  // the function and step doing the change
    const Vma* v = vmaOf(mm, vpn);
    const int64_t idx = v ? int64_t(s.mms[mm].pageIndex(*v, vpn)) : -1;
    const std::string id(subId_.empty() ? stepId(p.fn, p.pc) : subId_);
    const std::string fn(subFn_.empty() ? fnName(p.fn) : subFn_);
    finding(Rule::C2, mm, idx,
            "uffd-wp of " + pageName(mm, vpn) + " dropped" + (id.empty() ? "" : " by " + id) + " in " + fn + " (" + before.describe() + " → " +
                after.describe() + ")");
}

}  // namespace faultline
