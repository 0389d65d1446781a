// SPDX-License-Identifier: GPL-3.0-or-later
// fork(2) of an mm into a fork child's (kernel/fork.c dup_mmap): every VMA is
// copied; dup_userfaultfd() keeps a VMA's registration only when its context
// negotiated EVENT_FORK — with a new context for the child, announced to the
// monitor by a FORK message the fork waits for — and otherwise clears it
// (userfaultfd_reset_ctx). copy_page_range() copies ptes only where
// vma_needs_copy(): the child's VMA is VM_UFFD_WP (the protection lives only
// in the ptes), or the parent's has an anon_vma. A shared shmem VMA without
// uffd-wp gets no ptes (the child faults them in from the page cache);
// copied ptes are old and, in a shared VMA, clean (__copy_present_ptes), and
// keep uffd-wp and uffd-wp markers only when the child's VMA is VM_UFFD_WP
// (copy_nonpresent_pte / copy_pte_marker). Linux 6.18 shows exactly this
// (docs/real-kernel-checks.md, "fork"). Kernels before v5.19 (the
// variants without PTE_MARKERS) copied no pte of a shared VMA at all (the
// userfaultfd_wp(dst_vma) test came with the shmem uffd-wp series, "mm/shmem:
// handle uffd-wp during fork()"): the child lost every uffd-wp bit.
//
// Not modelled: anonymous pages shared copy-on-write between two mms (the
// engine's anonymous folios have one owner). A fork of an mm that has
// anonymous pages (an anonymous VMA's, or a MAP_PRIVATE copy) is refused
// with an engine error that says so.
#include "paths/path_common.h"

namespace faultline::paths {
namespace {

enum { DM_LOCK, DM_COPY, DM_EVENTS };

// The anonymous pages (present or swapped) of a VMA: the parent's anon_vma
// would be set, and the engine cannot share them.
bool hasAnonPages(const StepContext& c, uint8_t mm, const Vma& v) {
    bool any = false;
    c.s.mms[mm].pt.forEach(v.start, v.end, [&](uint64_t, const Pte& p) {
        if (p.isSwap() || (p.isPresent() && c.s.folio(p.pfn).anon)) any = true;
    });
    return any;
}

void dup_mmap(StepContext& c) {
    StackFrame& f = c.f();
    const uint8_t mm = f.mm;
    const uint8_t child = uint8_t(f.aux);
    switch (f.pc) {
    case DM_LOCK:
        if (!c.lock(ML(mm), true)) return;
        c.at("fork → dup_mmap(" + c.mmName(child) + ", " + c.mmName(mm) + "): mmap_write_lock(" + c.mmName(mm) + ")");
        return c.jump(DM_COPY);
    case DM_COPY: {
        if (child >= c.s.mms.size() || !c.s.mms[child].vmas.empty())
            throw EngineError("fork: mm " + c.mmName(child) + " exists already");
        const std::vector<Vma> vmas = c.s.mms[mm].vmas;
        uint8_t newCtx[256];
        std::fill(std::begin(newCtx), std::end(newCtx), uint8_t(0));
        uint64_t forked = 0;  // parent contexts that got a child context (bit per context)
        std::string said;
        auto note = [&](const std::string& s) { said += (said.empty() ? "" : "; ") + s; };
        for (const Vma& v : vmas) {
            const std::string name = c.cfg().vmaNames.at(v.nameId);
            if (hasAnonPages(c, mm, v))
                throw EngineError("fork of " + c.mmName(mm) + ": VMA '" + name +
                                  "' has anonymous pages; sharing them copy-on-write between two mms is not modelled");
            Vma d = v;
            const UffdCtx* octx = c.s.ctxOf(v);
            if (v.uffd && octx && (octx->features & UFFD_FEATURE_EVENT_FORK) && !octx->released) {
                if (v.ctx >= 8) throw EngineError("fork: EVENT_FORK on a context numbered 8 or more");
                if (!(forked & (uint64_t{1} << v.ctx))) {
                    // dup_userfaultfd(): one new context per parent context.
                    const uint64_t features = octx->features;
                    const uint8_t n = c.newCtx();
                    c.editCtx(n, [&](UffdCtx& u) {
                        u.exists = true, u.mm = child, u.apiDone = true, u.features = features;
                    });
                    newCtx[v.ctx] = n;
                    forked |= uint64_t{1} << v.ctx;
                }
                d.ctx = newCtx[v.ctx];
                note("'" + name + "': registration kept (EVENT_FORK), child's context uffd " + std::to_string(d.ctx));
            } else if (v.uffd) {
                d.flags &= ~VM_UFFD_ANY;  // userfaultfd_reset_ctx()
                d.uffd = false;
                d.ctx = 0;
                note("'" + name + "': not registered in the child (no EVENT_FORK: userfaultfd_reset_ctx)");
            }
            c.s.mms[child].vmas.push_back(d);
            // The monitor's intent carries over with the registration (it hears of the child).
            if (d.uffd) {
                std::vector<std::pair<uint64_t, Intent>> intents;
                c.s.mms[mm].intent.forEach(v.start, v.end,
                                           [&](uint64_t k, const Intent& i) { intents.emplace_back(k, i); });
                for (auto [k, i] : intents) c.s.mms[child].intent.set(k, i);
            }
            const bool dstWp = d.flags & VM_UFFD_WP;
            if (!dstWp) {  // vma_needs_copy(): no VM_UFFD_WP, no anon_vma
                note("'" + name + "': no ptes copied (vma_needs_copy: the child faults them in)");
                continue;
            }
            if (!c.k().pteMarkers) {
                note("'" + name + "': no ptes copied (before v5.19 copy_page_range skipped shared VMAs without "
                     "anon_vma, VM_UFFD_WP or not): the child's uffd-wp is lost (PTE_MARKERS=off)");
                continue;
            }
            std::vector<std::pair<uint64_t, Pte>> ptes;
            c.s.mms[mm].pt.forEach(v.start, v.end, [&](uint64_t k, const Pte& p) { ptes.emplace_back(k, p); });
            int present = 0, markers = 0;
            for (auto [vpn, p] : ptes) {
                if (p.isPresent()) {
                    // copy_present_ptes → __copy_present_ptes: file folio,
                    // folio_dup_file_rmap; old, clean in a shared VMA; uffd-wp kept.
                    Pte q = p;
                    q.young = false;
                    if (v.flags & VM_SHARED) q.dirty = false;
                    if (!(v.flags & VM_SHARED) && (v.flags & VM_MAYWRITE) && p.write) {
                        Pte w = p;  // is_cow_mapping: write-protect both
                        w.write = false;
                        c.setPte(mm, vpn, w);
                        q.write = false;
                    }
                    c.getRef(p.pfn);
                    c.mapFromTaskRef(child, vpn, q);
                    ++present;
                } else if (p.isMarker()) {
                    // copy_pte_marker(): poisoned always, uffd-wp since the child is VM_UFFD_WP.
                    c.setPte(child, vpn, p);
                    ++markers;
                }
            }
            note("'" + name + "': copy_page_range (child VM_UFFD_WP): " + std::to_string(present) +
                 " present pte(s) copied old" + ((v.flags & VM_SHARED) ? " and clean" : "") + " with their uffd-wp, " +
                 std::to_string(markers) + " marker(s)");
        }
        c.touch({CellKind::Vma, child, 0});
        c.unlock(ML(mm));
        c.say("; " + said + "; mmap_write_unlock");
        f.lo = forked;
        f.hi = 0;
        for (int i = 0; i < 8; ++i) f.hi |= uint64_t(newCtx[i]) << (8 * i);
        return c.jump(DM_EVENTS);
    }
    case DM_EVENTS: {
        if (f.lo) {
            // dup_userfaultfd_complete → dup_fctx: FORK on the parent's context, wait until read.
            const int octx = __builtin_ctzll(f.lo);
            f.lo &= f.lo - 1;
            const uint8_t n = uint8_t(f.hi >> (8 * octx));
            const uint32_t id = c.queueUffdEvent(uint8_t(octx), UffdEvent::Fork, mm, child, n);
            c.at("dup_userfaultfd_complete: queue " + c.rec.raised.back().text + " on " +
                 (octx ? "uffd " + std::to_string(octx) : std::string("uffd")) +
                 " (msg.arg.fork.ufd: the child's context), wait until the monitor reads it");
            return c.sleep(TaskState::SleepUffd, id);
        }
        int woken = 0;
        for (size_t i = 0; i < c.s.tasks.size(); ++i)
            if (c.s.tasks[i].state == TaskState::Unforked && c.cfg().tasks[i].mm == int(child)) {
                c.s.tasks[i].state = TaskState::Runnable;
                c.touch({CellKind::Task, 0, i});
                ++woken;
            }
        c.at("fork returns: wake_up_new_task — " + std::to_string(woken) + " task(s) of " + c.mmName(child) +
             " start");
        return c.ret(0);
    }
    }
    throw EngineError("dup_mmap: bad pc");
}

}  // namespace

const FunctionInfo& info_dup_mmap() {
    static const FunctionInfo info{
        "dup_mmap",
        "kernel/fork.c",
        {{"", "mmap_write_lock_killable(oldmm);"},
         {"",
          "for_each_vma(vmi, mpnt) { tmp = vm_area_dup(mpnt); dup_userfaultfd(tmp, &uf);  /* EVENT_FORK: new ctx, "
          "else userfaultfd_reset_ctx */ if (!(tmp->vm_flags & VM_WIPEONFORK)) copy_page_range(tmp, mpnt);  /* only "
          "if vma_needs_copy: VM_UFFD_WP or anon_vma */ } mmap_write_unlock(oldmm);"},
         {"",
          "dup_userfaultfd_complete(&uf);  /* per new ctx: FORK on the parent's ctx, "
          "userfaultfd_event_wait_completion */ ... wake_up_new_task(p);"}},
        dup_mmap,
        {"aux:child mm", "lo:contexts still to announce", "hi:their child contexts"}};
    return info;
}

}  // namespace faultline::paths
