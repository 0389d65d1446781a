// SPDX-License-Identifier: GPL-3.0-or-later
#include "explore/future_footprint.h"

#include <algorithm>

#include "model/config.h"

namespace faultline {
namespace {

using Ranges = std::vector<std::pair<uint64_t, uint64_t>>;

void normalize(Ranges& r) {
    std::sort(r.begin(), r.end());
    size_t out = 0;
    for (const auto& x : r) {
        if (x.first >= x.second) continue;
        if (out && x.first <= r[out - 1].second) r[out - 1].second = std::max(r[out - 1].second, x.second);
        else r[out++] = x;
    }
    r.resize(out);
}

// Whether a read fault on file page k through `v` may run do_fault_around()
// (the policy of should_fault_around() and do_fault_around(), read_fault.cpp):
// VMA flags and toggles change only in steps that are dependent with every
// other step, so what holds now holds along any sequence of other tasks' steps.
bool mayFaultAround(const Toggles& k, const Vma& v) {
    if (!k.shmemMapPages || k.faultAroundPages() <= 1) return false;
    switch (k.faultAround) {
    case FaultAroundPolicy::Always: return true;
    case FaultAroundPolicy::SkipArmed: return !(v.flags & VM_UFFD_ANY);
    case FaultAroundPolicy::SkipMinor: return !(v.flags & VM_UFFD_MINOR);
    case FaultAroundPolicy::SkipWpOrMinor: return !(v.flags & (VM_UFFD_WP | VM_UFFD_MINOR));
    }
    return true;
}

// The file pages an access to file page k by a task of mm `mm` may touch: k,
// and for a read the fault-around window around it (do_fault_around() clamps
// it to an nr-aligned block of the pte table holding k, so it lies within
// [k - nr + 1, k + nr)).
void accessPages(const State& s, int mm, uint64_t k, bool read, Ranges& out) {
    out.push_back({k, k + 1});
    if (!read || mm < 0 || size_t(mm) >= s.mms.size()) return;
    const uint64_t nr = s.toggles.faultAroundPages();
    for (const Vma& v : s.mms[size_t(mm)].vmas)
        if (v.mapsIndex(k) && mayFaultAround(s.toggles, v)) out.push_back({k >= nr ? k - nr + 1 : 0, k + nr});
}

constexpr uint32_t bit(Part p) { return 1u << unsigned(p); }
constexpr uint32_t bit(LockKind k) { return 1u << unsigned(k); }
constexpr uint32_t kUffdParts = bit(Part::UffdPending) | bit(Part::UffdReadWaiting) | bit(Part::UffdNextId);
constexpr uint32_t kAllParts = (1u << unsigned(Part::Count)) - 1;
constexpr uint32_t kInodeLocks = bit(LockKind::IL) | bit(LockKind::IM) | bit(LockKind::IPL) | bit(LockKind::XA);

uint32_t allMms(const State& s) { return s.mms.size() >= 32 ? ~0u : (1u << s.mms.size()) - 1; }

// The global classes an operation's paths may touch (from the lock and part
// accesses of core/paths/; where a path was not read to the end, more).
void addReach(FutureFootprint& ff, const State& s, OpKind kind, int mm) {
    const uint32_t own = mm >= 0 && mm < 32 ? 1u << mm : 0;
    switch (kind) {
    case OpKind::Read:
    case OpKind::Write:
        // user_access → handle_mm_fault (mmap_lock, the PTL), shmem_fault
        // (i_lock around i_private, the waiter mask, a new folio, swap-in),
        // handle_userfault (the queues and ids), do_anonymous_page / a COW.
        ff.parts |= kUffdParts | bit(Part::IPrivate) | bit(Part::FallocWaiters) | bit(Part::NextPfn);
        ff.mmapLocks |= own, ff.ptls |= own;
        ff.inodeLocks |= bit(LockKind::IPL);
        ff.swap = ff.anon = true;
        break;
    case OpKind::Punch:
        // shmem_fallocate (inode lock, i_private, the waiters), the zaps of
        // every mm (i_mmap_rwsem, each PTL, COWed anonymous copies),
        // shmem_undo_range (folios, swap), the partial pages' lookups (which
        // may swap in). No uffd queue: a punch raises no event.
        // No mmap_lock: unmap_mapping_range() walks i_mmap, not the mms.
        ff.parts |= bit(Part::IPrivate) | bit(Part::FallocWaiters) | bit(Part::NextPfn);
        ff.ptls |= allMms(s);
        ff.inodeLocks |= kInodeLocks;
        ff.swap = ff.anon = true;
        break;
    case OpKind::Serve:
        // The monitor: reads the queues, answers with ioctls on any context's
        // mm (mfill_atomic_pte, mwriteprotect_range, userfaultfd_wake:
        // mmap_lock for read, the PTLs, folio locks, a new folio, a swap-in
        // through shmem_get_folio_gfp). No inode lock, no i_private and no
        // waiter mask: those are shmem_fault()'s and the punch's, and the
        // ioctls do not go through shmem_fault(). (An event message, or a
        // policy that moves pages, makes the monitor's future `top`:
        // monitorFuture.)
        ff.parts |= kUffdParts | bit(Part::NextPfn);
        ff.mmapLocks |= allMms(s), ff.ptls |= allMms(s);
        ff.swap = ff.anon = true;
        break;
    case OpKind::FileWrite:
        // write(2): the inode lock, new folios.
        ff.parts |= kAllParts & ~bit(Part::SwapCursor);
        ff.mmapLocks |= allMms(s), ff.ptls |= allMms(s);
        ff.inodeLocks |= kInodeLocks;
        ff.swap = ff.anon = true;
        break;
    default: ff.top = true;
    }
}

// The operations whose page-local reach is bounded by the pages they name.
bool bounded(OpKind k) {
    return k == OpKind::Read || k == OpKind::Write || k == OpKind::Punch || k == OpKind::FileWrite ||
           k == OpKind::Serve;
}

// The file pages a pte at `vpn` of mm `mm` maps, or false if it is not in a
// file VMA (anonymous or unmapped: global).
bool indexOfVpn(const State& s, size_t mm, uint64_t vpn, uint64_t& index) {
    if (mm >= s.mms.size()) return false;
    const Vma* v = s.mms[mm].findVma(vpn);
    if (!v || !v->file) return false;
    index = v->indexOf(vpn);
    return true;
}

// The monitor's page-local reach: the pages of the messages queued now, of
// the message it is handling, and of every fault any task may still take
// (only the faulting address is reported; fault-around raises nothing). Its
// answers (UFFDIO_COPY, UFFDIO_WRITEPROTECT, UFFDIO_CONTINUE, the wake-up)
// act on the message's page. Events, anonymous faults and a moving policy
// reach further: top.
// Appends to ff.pages; sets ff.top where the reach is not bounded.
void monitorFuture(const State& s, uint8_t self, FutureFootprint& ff) {
    const Config& cfg = *s.config;
    if (cfg.policy.moveSrcOffset != 0) return void(ff.top = true);
    for (size_t i = 0; i < s.ctxCount(); ++i) {
        const UffdCtx& u = s.ctx(i);
        for (const auto* q : {&u.pending, &u.readWaiting})
            for (const UffdMsg& m : *q) {
                uint64_t k = 0;
                if (m.event != UffdEvent::Pagefault || !indexOfVpn(s, m.mm, m.va, k)) return void(ff.top = true);
                ff.pages.push_back({k, k + 1});
            }
    }
    for (const StackFrame& f : s.tasks[self].stack) {
        uint64_t k = 0;
        if (indexOfVpn(s, f.mm, f.va, k)) ff.pages.push_back({k, k + 1});
        ff.pages.push_back({f.index, f.index + 1});
    }
    for (size_t t = 0; t < s.tasks.size() && t < cfg.tasks.size(); ++t) {
        if (t == self) continue;
        const Task& tk = s.tasks[t];
        if (tk.state == TaskState::Unforked) return void(ff.top = true);
        if (tk.state == TaskState::Done) continue;
        const auto& prog = cfg.tasks[t].program;
        for (size_t i = tk.opIndex; i < prog.size(); ++i) {
            const Op& op = prog[i];
            if (!bounded(op.kind)) return void(ff.top = true);
            if (op.kind != OpKind::Read && op.kind != OpKind::Write) continue;
            const int mm = cfg.tasks[t].mm;
            if (mm < 0 || size_t(mm) >= s.mms.size()) return void(ff.top = true);
            bool file = false, anon = false;
            for (const Vma& v : s.mms[size_t(mm)].vmas) file |= v.mapsIndex(op.page), anon |= !v.file;
            if (!file || anon) return void(ff.top = true);  // an anonymous fault's message names no file page
            ff.pages.push_back({op.page, op.page + 1});
        }
    }
}

}  // namespace

bool FutureFootprint::hasPage(uint64_t lo, uint64_t hi) const {
    auto it = std::upper_bound(pages.begin(), pages.end(), std::pair<uint64_t, uint64_t>{lo, UINT64_MAX});
    if (it != pages.begin() && std::prev(it)->second > lo) return true;
    return it != pages.end() && it->first < hi;
}

FutureFootprint futureFootprint(const State& s, uint8_t task) {
    FutureFootprint ff;
    futureFootprint(s, task, ff);
    return ff;
}

void futureFootprint(const State& s, uint8_t task, FutureFootprint& ff) {
    ff.pages.clear();  // the vector's capacity is kept: the explorer calls this for every task at every state
    ff.none = true, ff.top = false;
    ff.parts = ff.mmapLocks = ff.ptls = ff.inodeLocks = 0;
    ff.swap = ff.anon = false;
    const Config& cfg = *s.config;
    const Task& tk = s.tasks[task];
    if (tk.state == TaskState::Done) return;
    if (tk.state == TaskState::Unforked) return void((ff.none = false, ff.top = true));
    if (int(task) == cfg.ioTask) {
        // The IO task runs only while folios are under writeback, and those
        // are added only by steps dependent with every other step.
        if (tk.stack.empty() && s.writeback.empty()) return;
        return void((ff.none = false, ff.top = true));
    }
    if (task >= cfg.tasks.size()) return void((ff.none = false, ff.top = true));
    const auto& prog = cfg.tasks[task].program;
    // The operation in progress is prog[opIndex] (finishOp advances opIndex).
    if (tk.stack.empty() && tk.opIndex >= prog.size()) return;
    ff.none = false;
    const int mm = cfg.tasks[task].mm;
    for (size_t i = tk.opIndex; i < prog.size(); ++i) {
        const Op& op = prog[i];
        addReach(ff, s, op.kind, mm);
        if (ff.top) return;
        switch (op.kind) {
        case OpKind::Read:
        case OpKind::Write: {
            if (mm < 0 || size_t(mm) >= s.mms.size()) return void(ff.top = true);
            bool file = false;
            for (const Vma& v : s.mms[size_t(mm)].vmas) file |= v.mapsIndex(op.page);
            // A page of an anonymous VMA is global state: nothing page-local to add.
            if (file) accessPages(s, mm, op.page, op.kind == OpKind::Read, ff.pages);
            break;
        }
        case OpKind::Punch:
            // Whole pages and the partial pages at either end.
            if (op.count) ff.pages.push_back({op.page / 4096, (op.page + op.count + 4095) / 4096});
            break;
        case OpKind::FileWrite: ff.pages.push_back({op.page, op.page + op.count}); break;
        case OpKind::Serve:
            monitorFuture(s, task, ff);
            if (ff.top) return;
            break;
        default: return void(ff.top = true);
        }
    }
    normalize(ff.pages);
}

bool mayConflict(const Footprint& step, const FutureFootprint& ff, uint8_t owner, const State& s, uint32_t inP) {
    if (ff.none) return false;
    if (ff.top || step.opaque || step.shared) return true;
    // A wake-up writes the woken task, which reads its own state; what woke
    // it (a lock, a queue, the waiter mask) is checked below.
    if (owner < 64 && (step.otherTasksWritten >> owner & 1)) return true;
    if ((step.partReads | step.partWrites | step.partShared) & ff.parts) return true;
    auto folioConflicts = [&](uint64_t pfn) {
        const Folio& f = s.folio(uint32_t(pfn));
        if (!f.allocated) return true;  // a frame being allocated or freed: the allocator decides
        if (f.anon) return ff.anon;
        return ff.hasPage(f.index, f.index + 1);
    };
    auto heldInP = [&](uint64_t key) {
        const LockId id{LockKind(key >> 56), uint8_t(key >> 48), key & ((uint64_t{1} << 48) - 1)};
        const LockHold* h = s.findLock(id);
        return h && h->write && (h->holders & inP);
    };
    for (const auto* locks : {&step.lockReads, &step.lockWrites, &step.lockShared})
        for (uint64_t key : *locks) {
            if (locks == &step.lockReads && heldInP(key)) continue;
            const LockKind kind = LockKind(key >> 56);
            // A reader's arrival or departure on mmap_lock commutes with every
            // other reader's, and every operation a future that is not `top`
            // runs takes mmap_lock for read only (the writers: mmap, mprotect,
            // mremap, fork, register, unregister and release, are `top`). Its
            // failed attempts happen only while a writer holds the lock, and
            // no writer can hold it then without a step of a `top` task, or
            // of a task of P, which holds it now (so this step could not be a
            // reader's arrival or departure).
            if (kind == LockKind::ML && locks == &step.lockShared) continue;
            const unsigned mm = unsigned(key >> 48 & 0xFF);
            switch (kind) {
            case LockKind::FL:
                if (folioConflicts(key & ((uint64_t{1} << 48) - 1))) return true;
                break;
            case LockKind::ML:
                if (mm >= 32 || (ff.mmapLocks >> mm & 1)) return true;
                break;
            case LockKind::PTL:
                if (mm >= 32 || (ff.ptls >> mm & 1)) return true;
                break;
            default:
                if (ff.inodeLocks >> unsigned(kind) & 1) return true;
            }
        }
    for (const auto* ranges : {&step.reads, &step.writes})
        for (const Footprint::Range& r : *ranges) {
            if (r.space == Footprint::kXa) {
                if (ff.hasPage(r.lo, r.hi)) return true;
            } else if (r.space == Footprint::kFolios) {
                if (r.hi - r.lo > 64) return true;
                for (uint64_t p = r.lo; p < r.hi; ++p)
                    if (folioConflicts(p)) return true;
            } else if (r.space < Footprint::kXa) {
                // A page table (even space) or intents (odd) of mm space / 2:
                // the file pages its file VMAs map there; elsewhere anonymous.
                const size_t mm = r.space / 2;
                if (mm >= s.mms.size()) return true;
                uint64_t vpn = r.lo;
                for (const Vma& v : s.mms[mm].vmas) {
                    if (vpn >= r.hi) break;
                    if (v.end <= vpn) continue;
                    if (v.start > vpn) {
                        if (ff.anon) return true;  // a hole: no file page there
                        vpn = std::min(v.start, r.hi);
                        if (vpn >= r.hi) break;
                    }
                    const uint64_t end = std::min(v.end, r.hi);
                    if (v.file ? ff.hasPage(v.indexOf(vpn), v.indexOf(end)) : ff.anon) return true;
                    vpn = end;
                }
                if (vpn < r.hi && ff.anon) return true;
            } else if (ff.swap) {
                return true;  // swap slots
            }
        }
    return false;
}

}  // namespace faultline
