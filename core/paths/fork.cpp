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
// A VMA with anonymous pages (an anonymous VMA, or a MAP_PRIVATE file VMA
// with copies: the parent's anon_vma is set) is copied too (mm/memory.c
// copy_pte_range): a present anonymous pte shares its folio with the child
// (folio_try_dup_anon_rmap_pte: mapcount and refcount up), and in a COW
// mapping both ptes become write-protected (__copy_present_ptes), so the
// first write of either mm takes do_wp_page → wp_page_copy, or reuses the
// folio once it is exclusive again (wp_can_reuse_anon_folio). A swap pte is
// duplicated (swap_dup_entry_direct: the slot's count up, both ptes point to
// it). The child keeps a pte's uffd-wp bit only when its VMA is VM_UFFD_WP
// (pte_clear_uffd_wp / pte_swp_clear_uffd_wp when !userfaultfd_wp(dst_vma)),
// and a marker's uffd-wp bit likewise (copy_pte_marker). In the model the
// anonymous rmap is "the folio's address in every mm" (a fork keeps
// addresses), which is what try_to_unmap_one and the accounting walk.
// Not modelled: pinned pages copied at fork (copy_present_page), and the
// stale uffd-wp bit kernels before v5.16 left in a child that is not
// VM_UFFD_WP (no fault honoured it).
#include "paths/path_common.h"

namespace faultline::paths {
namespace {

enum { DM_LOCK, DM_COPY, DM_EVENTS };

// The anonymous pages (present or swapped) of a VMA: the parent's anon_vma
// is set, so vma_needs_copy() is true.
bool hasAnonPages(const StepContext& c, uint8_t mm, const Vma& v) {
    bool any = false;
    c.s.mms[mm].pt.forEach(v.start, v.end, [&](uint64_t, const Pte& p) {
        if (p.isSwap() || (p.isPresent() && c.s.folio(p.pfn).anon)) any = true;
    });
    return any;
}

// copy_pte_range() of one VMA into the child (same addresses); says what it copied.
std::string copyPteRange(StepContext& c, uint8_t mm, uint8_t child, const Vma& v, bool dstWp) {
    const bool cow = !(v.flags & VM_SHARED) && (v.flags & VM_MAYWRITE);  // is_cow_mapping()
    std::vector<std::pair<uint64_t, Pte>> ptes;
    c.s.mms[mm].pt.forEach(v.start, v.end, [&](uint64_t k, const Pte& p) { ptes.emplace_back(k, p); });
    int present = 0, anon = 0, swaps = 0, markers = 0, wpKept = 0, wpCleared = 0;
    for (auto [vpn, p] : ptes) {
        if (p.uffd_wp || p.isWpMarker()) ++(dstWp ? wpKept : wpCleared);
        if (p.isPresent()) {
            // copy_present_ptes → __copy_present_ptes: folio_get and
            // folio_dup_file_rmap_pte / folio_try_dup_anon_rmap_pte; old,
            // clean in a shared VMA, write-protected in both in a COW mapping.
            Pte q = p;
            q.young = false;
            if (v.flags & VM_SHARED) q.dirty = false;
            if (cow && p.write) {
                Pte w = p;
                w.write = false;
                c.setPte(mm, vpn, w);
                q.write = false;
            }
            if (!dstWp) q.uffd_wp = false;  // pte_clear_uffd_wp
            anon += c.s.folio(p.pfn).anon;
            c.getRef(p.pfn);
            c.mapFromTaskRef(child, vpn, q);
            ++present;
        } else if (p.isSwap()) {
            // copy_nonpresent_pte: swap_dup_entry_direct; the entry is shared now.
            c.editSlot(p.slot, [](SwapSlot& sl) { ++sl.count; });
            ++c.s.mms[child].rssSwapents;
            c.setPte(child, vpn, Pte::swap(p.slot, dstWp && p.uffd_wp));  // pte_swp_clear_uffd_wp
            ++swaps;
        } else if (p.isMarker()) {
            // copy_pte_marker(): poisoned and guard always, uffd-wp only into a VM_UFFD_WP VMA.
            Pte q = p;
            if (!dstWp) q.marker &= uint8_t(~kMarkerUffdWp);
            if (q.marker) {
                c.setPte(child, vpn, q);
                ++markers;
            }
        }
    }
    std::string said = "copy_page_range (" + std::string(dstWp ? "child VM_UFFD_WP" : "anon_vma") + "): " +
                       std::to_string(present) + " present pte(s) copied old";
    if (v.flags & VM_SHARED) said += " and clean";
    if (anon) said += ", " + std::to_string(anon) + " anonymous folio(s) shared copy-on-write";
    if (cow && present) said += ", write-protected in both mms";
    if (swaps) said += ", " + std::to_string(swaps) + " swap entr" + (swaps == 1 ? "y" : "ies") + " duplicated";
    said += ", " + std::to_string(markers) + " marker(s)";
    if (wpKept) said += "; uffd-wp kept on " + std::to_string(wpKept);
    if (wpCleared) said += "; uffd-wp cleared on " + std::to_string(wpCleared) + " (the child is not VM_UFFD_WP)";
    return said;
}

void dup_mmap(StepContext& c) {
    StackFrame& f = c.f();
    const uint8_t mm = f.mm;
    const uint8_t child = uint8_t(f.aux);
    switch (f.pc) {
    case DM_LOCK:
        if (!c.lock(ML(mm), true)) return;
        FL_AT(c, "fork → dup_mmap(" + c.mmName(child) + ", " + c.mmName(mm) + "): mmap_write_lock(" + c.mmName(mm) + ")");
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
            const bool anonVma = hasAnonPages(c, mm, v);
            if (!dstWp && !anonVma) {  // vma_needs_copy(): no VM_UFFD_WP, no anon_vma
                note("'" + name + "': no ptes copied (vma_needs_copy: the child faults them in)");
                continue;
            }
            if (!anonVma && !c.k().pteMarkers) {
                note("'" + name + "': no ptes copied (before v5.19 copy_page_range skipped shared VMAs without "
                     "anon_vma, VM_UFFD_WP or not): the child's uffd-wp is lost (PTE_MARKERS=off)");
                continue;
            }
            note("'" + name + "': " + copyPteRange(c, mm, child, v, dstWp));
        }
        c.touch({CellKind::Vma, child, 0});
        c.unlock(ML(mm));
        FL_SAY(c, "; " + said + "; mmap_write_unlock");
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
            FL_AT(c, "dup_userfaultfd_complete: queue " + c.rec.raised.back().text + " on " +
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
        FL_AT(c, "fork returns: wake_up_new_task — " + std::to_string(woken) + " task(s) of " + c.mmName(child) +
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
          "if vma_needs_copy: VM_UFFD_WP or anon_vma; anon folios shared and COW ptes write-protected in both, swap "
          "entries duplicated, uffd-wp kept only if userfaultfd_wp(dst_vma) */ } mmap_write_unlock(oldmm);"},
         {"",
          "dup_userfaultfd_complete(&uf);  /* per new ctx: FORK on the parent's ctx, "
          "userfaultfd_event_wait_completion */ ... wake_up_new_task(p);"}},
        dup_mmap,
        {"aux:child mm", "lo:contexts still to announce", "hi:their child contexts"}};
    return info;
}

}  // namespace faultline::paths
