// SPDX-License-Identifier: GPL-3.0-or-later
// The userfaultfd monitor M (spec §0.1): a user-space loop that reads
// messages and resolves them with ioctls, per the session's MonitorPolicy.
#include "paths/path_common.h"
#include "paths/step_pcs.h"

namespace faultline::paths {
namespace {

void uffd_monitor(StepContext& c) {
    StackFrame& f = c.f();
    switch (f.pc) {
    case MON_POLL: {
        // poll() over every open userfaultfd: context 0 and any more (a further
        // UFFDIO_API, or a fork child's from a FORK message); the first with a
        // message is read.
        notePart(Part::UffdPending, PartAccess::Read);
        bool open = false, closed = false;
        for (size_t i = 0; i < c.s.ctxCount(); ++i) {
            const UffdCtx& u = c.s.ctx(i);
            if (!u.exists) continue;
            (u.released ? closed : open) = true;
            if (!u.released && !u.pending.empty()) {
                f.ctx = uint8_t(i);
                return c.jump(MON_READ);
            }
        }
        if (closed && !open) {
            FL_AT(c, "poll(uffd): the userfaultfd is closed → the monitor's loop ends");
            return c.ret(0);
        }
        FL_AT(c, "poll(uffd): nothing pending → wait");
        return c.sleep(TaskState::Idle, 0);
    }
    case MON_READ: {
        const std::string fd = f.ctx ? "uffd " + std::to_string(f.ctx) : "uffd";
        notePart(Part::UffdPending, PartAccess::Read);
        UffdMsg m = c.s.ctx(f.ctx).pending.front();
        if (m.event == UffdEvent::Fork) {
            // userfaultfd_ctx_read() → resolve_userfault_fork(): the child's
            // context becomes a new fd of the monitor; the fork completes.
            c.editCtx(f.ctx, [&](UffdCtx& u) { u.pending.erase(u.pending.begin()); });
            FL_AT(c, "read(" + fd + ") → " + uffdMsgText(m, c.s) + ": msg.arg.fork.ufd = uffd " + std::to_string(m.hi) +
                 " (the child's); event complete, the fork returns");
            c.completeUffdEvent(m.id);
            if (c.cfg().policy.closeForked) {
                FL_SAY(c, "; policy: close the child's userfaultfd");
                StackFrame n;
                n.mm = uint8_t(m.lo);
                n.ctx = uint8_t(m.hi);
                f.pc = MON_END;
                return c.call(Fn::userfaultfd_release, n);
            }
            FL_SAY(c, "; policy: serve it too (poll it with the others)");
            return c.next(MON_POLL);
        }
        if (m.event != UffdEvent::Pagefault) {
            // userfaultfd_ctx_read() → userfaultfd_event_complete(): reading
            // an event completes it; the monitor has nothing to resolve (a
            // real one would forget the range it tracked).
            c.editCtx(f.ctx, [&](UffdCtx& u) { u.pending.erase(u.pending.begin()); });
            FL_AT(c, "read(" + fd + ") → " + uffdMsgText(m, c.s) +
                 ": event complete (userfaultfd_event_complete); policy: note the range, no ioctl");
            c.completeUffdEvent(m.id);
            return c.next(MON_POLL);
        }
        c.editCtx(f.ctx, [&](UffdCtx& u) {
            u.pending.erase(u.pending.begin());
            u.readWaiting.push_back(m);
        });
        f.mm = m.mm;
        f.va = m.va;
        f.aux = m.id;
        f.flags = m.flags;
        f.index = 0;  // 1 once a move_src_offset move failed: answer as without it
        if (m.flags & UFFD_PAGEFAULT_FLAG_WP)
            c.s.mms[m.mm].intent.update(m.va, [](Intent& i) { i.wpMsgSinceSet = true; });
        FL_AT(c, "read(" + fd + ") → " + uffdMsgText(m, c.s));
        return c.next(MON_RESOLVE);
    }
    case MON_RESOLVE: {
        const MonitorPolicy& pol = c.cfg().policy;
        const Vma* v = c.vmaOf(f.mm, f.va);
        StackFrame n;
        n.mm = f.mm;
        n.va = f.va;
        n.ctx = f.ctx;  // the ioctl goes to the fd the message came from
        f.pc = MON_DONE;
        if (f.flags & UFFD_PAGEFAULT_FLAG_WP) {
            if (!pol.clearOnWp) {
                FL_AT(c, "policy: leave WP faults unanswered");
                return c.next(MON_POLL);
            }
            FL_AT(c, "policy: answer WP by UFFDIO_WRITEPROTECT(mode=0)");
            n.lo = f.va, n.hi = f.va + 1, n.write = false;
            return c.call(Fn::mwriteprotect_range, n);
        }
        if (f.flags & UFFD_PAGEFAULT_FLAG_MINOR) {
            if (!pol.continueOnMinor) {
                FL_AT(c, "policy: leave MINOR faults unanswered");
                return c.next(MON_POLL);
            }
            FL_AT(c, "policy: answer MINOR by UFFDIO_CONTINUE");
            n.aux = 2;
            n.flags = pol.continueModeWp ? uint32_t(UFFDIO_COPY_MODE_WP) : 0u;
            return c.call(Fn::mfill_atomic_pte, n);
        }
        if (pol.moveSrcOffset && v && !v->file && !f.index) {
            // A staging page of the same VMA moves in (move_pages); its wake
            // wakes the fault.
            n.lo = f.va, n.hi = f.va + 1, n.flags = 0;
            n.index = uint64_t(int64_t(f.va) + pol.moveSrcOffset);
            f.pc = MON_MOVED;
            FL_AT(c, "policy: answer MISSING by UFFDIO_MOVE(" + c.pageName(f.mm, f.va) + " ← " +
                 c.pageName(f.mm, n.index) + ")");
            return c.call(Fn::move_pages, n);
        }
        const uint64_t idx = v && v->file ? v->indexOf(f.va) : (v ? f.va - v->start : 0);
        n.aux = pol.useZeropage ? 1 : 0;
        n.tag = pol.copyTagFor(idx);
        n.flags = pol.copyModeWp && !pol.useZeropage ? uint32_t(UFFDIO_COPY_MODE_WP) : 0u;
        FL_AT(c, std::string("policy: answer MISSING by ") +
             (pol.useZeropage ? "UFFDIO_ZEROPAGE" : "UFFDIO_COPY(" + n.tag.str() + (n.flags ? ", MODE_WP)" : ")")));
        return c.call(Fn::mfill_atomic_pte, n);
    }
    case MON_MOVED:
        if (f.ret < 0 && f.ret != kEAGAIN && f.ret != kEEXIST) {
            FL_AT(c, "UFFDIO_MOVE returned " + errnoName(f.ret) + " → answer as without move_src_offset");
            f.index = 1;
            return c.next(MON_RESOLVE);
        }
        [[fallthrough]];
    case MON_DONE:
        if (f.ret == kEAGAIN) {
            // An event is still being delivered: a monitor retries once it
            // has been (it polls again; the sender's resumption wakes it).
            FL_AT(c, "ioctl returned -EAGAIN (mmap_changing) → retry when the event completes");
            f.pc = MON_RESOLVE;
            return c.sleep(TaskState::Idle, 0);
        }
        if (f.ret == kEEXIST) {
            FL_AT(c, "ioctl returned -EEXIST → UFFDIO_WAKE");
            StackFrame n;
            n.mm = f.mm, n.lo = f.va, n.hi = f.va + 1, n.ctx = f.ctx;
            f.pc = MON_END;
            return c.call(Fn::userfaultfd_wake, n);
        }
        FL_AT(c, f.ret < 0 ? "ioctl failed: " + errnoName(f.ret) : "resolved");
        return c.next(MON_POLL);
    case MON_END: return c.next(MON_POLL);
    }
    throw EngineError("uffd_monitor: bad pc");
}

}  // namespace

const FunctionInfo& info_uffd_monitor() {
    static const FunctionInfo info{
        "uffd monitor",
        "(user space)",
        {{"", "poll(uffd, POLLIN);"},
         {"",
          "read(uffd, &msg, sizeof(msg));  /* an event (REMOVE, UNMAP, FORK) is complete once read: its sender wakes; "
          "FORK hands over the child's uffd, served too or closed per policy */"},
         {"",
          "MISSING → ioctl(UFFDIO_MOVE from the staging page, per policy; failing that) ioctl(UFFDIO_COPY, MODE_WP per "
          "policy); WP → ioctl(UFFDIO_WRITEPROTECT, mode 0); MINOR → "
          "ioctl(UFFDIO_CONTINUE);"},
         {"", "if (ret == -EEXIST) ioctl(uffd, UFFDIO_WAKE, &range);"},
         {"", "goto poll;"}},
        uffd_monitor,
        {"va:msg.address", "aux:message id", "flags:msg.flags", "ctx:the uffd read"}};
    return info;
}

}  // namespace faultline::paths
