// SPDX-License-Identifier: GPL-3.0-or-later
// close(uffd): userfaultfd_release() marks the context released, clears every
// VMA's registration (userfaultfd_clear_vma: uffd-wp reset where the kernel
// does so, neighbours merged) and wakes every task waiting on it: faults
// retry and now run as if nothing were registered; event senders go on.
#include "paths/path_common.h"

namespace faultline::paths {
namespace {

void userfaultfd_release(StepContext& c) {
    StackFrame& f = c.f();
    const uint8_t mm = f.mm;
    const uint8_t ctx = f.ctx;
    const std::string fd = ctx ? "uffd " + std::to_string(ctx) : "uffd";
    if (ctx >= c.s.ctxCount() || !c.s.ctx(ctx).apiDone || c.s.ctx(ctx).released) {
        FL_AT(c, "close(" + fd + "): no open userfaultfd → -EBADF");
        return c.ret(kEBADF);
    }
    if (!c.lock(ML(mm), true)) return;
    FL_AT(c, "close(" + fd + ") → userfaultfd_release: released = true; mmap_write_lock(" + c.mmName(mm) + ")");
    c.editCtx(ctx, [](UffdCtx& u) { u.released = true; });
    Mm& m = c.s.mms[mm];
    // Another open context on this mm keeps the monitor's intent for its own ranges.
    bool otherCtx = false;
    for (size_t i = 0; i < c.s.ctxCount(); ++i)
        otherCtx |= i != ctx && c.s.ctx(i).exists && !c.s.ctx(i).released && c.s.ctx(i).mm == mm;
    std::vector<std::pair<uint64_t, uint64_t>> ranges;
    int cleared = 0, reset = 0;
    for (Vma& v : m.vmas) {
        if (!v.uffd || v.ctx != ctx) continue;
        ranges.emplace_back(v.start, v.end);
        if ((v.flags & VM_UFFD_WP) && c.k().unregisterResetsWp) {
            std::vector<uint64_t> keys;
            m.pt.forEach(v.start, v.end, [&](uint64_t k, const Pte&) { keys.push_back(k); });
            for (uint64_t k : keys) {
                Pte p = m.pt.get(k);
                if (p.isWpMarker()) p = Pte::none();
                else if (p.isPresent() || p.isSwap()) p.uffd_wp = false;
                if (!(p == m.pt.get(k))) ++reset, c.setPte(mm, k, p);
            }
        }
        v.flags &= ~VM_UFFD_ANY;
        v.uffd = false;
        v.ctx = 0;
        ++cleared;
    }
    c.touch({CellKind::Vma, mm, 0});
    std::vector<uint64_t> intents;
    if (!otherCtx) ranges = {{0, UINT64_MAX >> 16}};
    for (auto [lo, hi] : ranges) m.intent.forEach(lo, hi, [&](uint64_t k, const Intent&) { intents.push_back(k); });
    for (uint64_t k : intents) c.setIntent(mm, k, false);
    const int merged = mergeVmas(c, mm);
    c.unlock(ML(mm));
    // wake_up_all(&ctx->fault_pending_wqh / fault_wqh / event_wqh / fd_wqh)
    std::vector<uint32_t> events;
    notePart(Part::UffdPending, PartAccess::Read);
    notePart(Part::UffdReadWaiting, PartAccess::Read);
    for (const UffdMsg& msg : c.s.ctx(ctx).pending)
        if (msg.event != UffdEvent::Pagefault) events.push_back(msg.id);
    c.wakeUffdRange(ctx, mm, 0, UINT64_MAX);
    for (uint32_t id : events) c.completeUffdEvent(id);
    c.editCtx(ctx, [](UffdCtx& u) { u.pending.clear(), u.readWaiting.clear(); });
    for (size_t i = 0; i < c.s.tasks.size(); ++i)
        if (c.s.tasks[i].state == TaskState::Idle) {
            c.s.tasks[i].state = TaskState::Runnable;
            c.touch({CellKind::Task, 0, i});
        }
    FL_SAY(c, "; " + std::to_string(cleared) + " VMA(s) unregistered" +
          (reset ? ", " + std::to_string(reset) + " uffd-wp ptes/markers reset" : "") +
          (merged ? ", " + std::to_string(merged) + " merge(s)" : "") + "; mmap_write_unlock; every waiter woken");
    return c.ret(0);
}

}  // namespace

const FunctionInfo& info_userfaultfd_release() {
    static const FunctionInfo info{
        "userfaultfd_release",
        "fs/userfaultfd.c",
        {{"",
          "WRITE_ONCE(ctx->released, true); userfaultfd_release_all(mm, ctx);  /* mmap_write_lock; for each VMA of "
          "ctx: userfaultfd_clear_vma() */ wake_up_all(&ctx->fault_pending_wqh); wake_up_all(&ctx->fault_wqh); "
          "wake_up_poll(&ctx->fd_wqh, EPOLLHUP);"}},
        userfaultfd_release,
        {}};
    return info;
}

}  // namespace faultline::paths
