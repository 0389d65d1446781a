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
    if (!c.s.uffd.apiDone || c.s.uffd.released) {
        c.at("close(uffd): no open userfaultfd → -EBADF");
        return c.ret(kEBADF);
    }
    if (!c.lock(ML(mm), true)) return;
    c.at("close(uffd) → userfaultfd_release: released = true; mmap_write_lock(" + c.mmName(mm) + ")");
    c.editUffd([](UffdCtx& u) { u.released = true; });
    Mm& m = c.s.mms[mm];
    int cleared = 0, reset = 0;
    for (Vma& v : m.vmas) {
        if (!v.uffd) continue;
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
        ++cleared;
    }
    c.touch({CellKind::Vma, mm, 0});
    std::vector<uint64_t> intents;
    m.intent.forEach(0, UINT64_MAX >> 16, [&](uint64_t k, const Intent&) { intents.push_back(k); });
    for (uint64_t k : intents) c.setIntent(mm, k, false);
    const int merged = mergeVmas(c, mm);
    c.unlock(ML(mm));
    // wake_up_all(&ctx->fault_pending_wqh / fault_wqh / event_wqh / fd_wqh)
    std::vector<uint32_t> events;
    notePart(Part::UffdPending, PartAccess::Read);
    notePart(Part::UffdReadWaiting, PartAccess::Read);
    for (const UffdMsg& msg : c.s.uffd.pending)
        if (msg.event != UffdEvent::Pagefault) events.push_back(msg.id);
    c.wakeUffdRange(mm, 0, UINT64_MAX);
    for (uint32_t id : events) c.completeUffdEvent(id);
    c.editUffd([](UffdCtx& u) { u.pending.clear(), u.readWaiting.clear(); });
    for (size_t i = 0; i < c.s.tasks.size(); ++i)
        if (c.s.tasks[i].state == TaskState::Idle) {
            c.s.tasks[i].state = TaskState::Runnable;
            c.touch({CellKind::Task, 0, i});
        }
    c.say("; " + std::to_string(cleared) + " VMA(s) unregistered" +
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
