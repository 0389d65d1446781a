// SPDX-License-Identifier: GPL-3.0-or-later
// The anonymous-memory contrast (spec §6.4, §8.8): do_anonymous_page() and
// do_swap_page() for a private anonymous VMA, whose swap ptes keep uffd-wp.
#include "paths/path_common.h"

namespace faultline::paths {
namespace {

enum { AP_1, AP_RET };

void do_anonymous_page(StepContext& c) {
    StackFrame& f = c.f();
    if (f.pc == AP_RET) return c.ret(f.ret);
    const Vma& v = vmaFor(c, f.mm, f.va);
    if (v.flags & VM_UFFD_MISSING) {
        FL_AT(c, "userfaultfd_missing(vma) → handle_userfault(VM_UFFD_MISSING)");
        StackFrame n = faultFrame(f);
        n.flags = VM_UFFD_MISSING;
        f.pc = AP_RET;
        return c.call(Fn::handle_userfault, n);
    }
    if (!c.lock(PTL(f.mm, f.va))) return;
    // vmf_pte_changed(): the pte must still be what the fault saw (none, or
    // the uffd-wp marker WRITEPROTECT left with WP_UNPOPULATED).
    const Pte cur = c.s.mms[f.mm].pt.get(f.va);
    if (!(cur == f.orig_pte) || !cur.noneMostly()) {
        c.unlock(PTL(f.mm, f.va));
        FL_AT(c, "pte changed meanwhile → return");
        return c.ret(0);
    }
    // vmf_orig_pte_uffd_wp(): a fault through a marker maps the page
    // protected (pte_mkuffd_wp also write-protects it).
    const bool uffdWp = cur.isWpMarker();
    // A read fault would map the shared zero page read-only; the model gives
    // the page its own zero-filled folio, mapped read-only, which a later
    // write reuses in place (same bits, same messages).
    const uint32_t pfn = c.allocFolio(true, f.mm, f.va);
    c.editFolio(pfn, [](Folio& fo) {
        fo.set(PG_uptodate);
        fo.set(PG_lru);
    });
    const bool w = f.write && (v.flags & VM_WRITE) && !uffdWp;
    c.mapFromTaskRef(f.mm, f.va, Pte::present(pfn, w, f.write && w, true, uffdWp));
    c.unlock(PTL(f.mm, f.va));
    FL_AT(c, "allocate zeroed anonymous " + pfnText(pfn) + ", map it " + (w ? "writable" : "read-only") +
         (uffdWp ? " with uffd-wp (the marker's protection kept)" : ""));
    return c.ret(0);
}

enum { DS_1, DS_2 };

void do_swap_page(StepContext& c) {
    StackFrame& f = c.f();
    const uint32_t slot = f.orig_pte.slot;
    switch (f.pc) {
    case DS_1: {
        const SwapSlot sl = c.s.swap.slots.get(slot);
        if (sl.cachePfn) {
            f.pfn = sl.cachePfn;
            c.getRef(f.pfn);
            FL_AT(c, "swap slot " + std::to_string(slot) + ": swap-cache hit " + pfnText(f.pfn));
        } else {
            const uint32_t q = readSwapIntoCache(c, slot, true, f.mm, f.va);
            f.pfn = q;
            FL_AT(c, "swap slot " + std::to_string(slot) + ": read into new " + pfnText(q) + " (major fault)");
        }
        return c.next(DS_2);
    }
    case DS_2: {
        if (!c.holds({LockKind::FL, 0, f.pfn}) && !c.lockFolio(f.pfn)) return;
        if (!c.lock(PTL(f.mm, f.va))) return;
        if (!(c.s.mms[f.mm].pt.get(f.va) == f.orig_pte)) {
            c.unlock(PTL(f.mm, f.va));
            c.unlockFolio(f.pfn);
            c.putRef(f.pfn);
            FL_AT(c, "pte changed meanwhile → return");
            return c.ret(0);
        }
        // Exclusive: no other swap pte refers to the slot (a fork duplicates
        // it) and no other pte maps the swap-cache folio. A shared one is
        // mapped read-only; a write then takes do_wp_page (wp_page_copy). The
        // kernel calls do_wp_page at once under the same PTL; the model
        // returns and the access retries into it.
        const bool exclusive = c.s.swap.slots.get(slot).count == 1 && c.s.folio(f.pfn).mapcount == 0;
        Pte p = Pte::present(f.pfn, false, false, true, f.orig_pte.uffd_wp);
        if (f.write && !p.uffd_wp && exclusive) p.write = p.dirty = true;
        --c.s.mms[f.mm].rssSwapents;
        c.mapFromTaskRef(f.mm, f.va, p);
        c.editSlot(slot, [](SwapSlot& s) { --s.count; });
        const uint32_t pfn = f.pfn;
        std::string freed;
        if (c.s.swap.slots.get(slot).count == 0) {
            // Exclusive now: leave the swap cache and free the slot.
            c.editFolio(pfn, [](Folio& fo) {
                fo.swap = 0;
                fo.set(PG_swapcache, false);
            });
            c.editSlot(slot, [](SwapSlot& s) { s = SwapSlot{}; });
            c.dropRefCount(pfn);
            freed = ", slot freed";
        }
        c.unlock(PTL(f.mm, f.va));
        c.unlockFolio(pfn);
        FL_AT(c, c.pageName(f.mm, f.va) + " ← " + p.describe() +
             (p.uffd_wp ? " (uffd-wp restored from the swap pte: never made writable)"
              : !exclusive && f.write ? " (shared with another mm: read-only, the write retries into do_wp_page)"
                                      : "") +
             freed);
        return c.ret(0);
    }
    }
    throw EngineError("do_swap_page: bad pc");
}

}  // namespace

const FunctionInfo& info_do_anonymous_page() {
    static const FunctionInfo info{"do_anonymous_page",
                                   "mm/memory.c",
                                   {{"",
                                     "if (userfaultfd_missing(vma)) return handle_userfault(vmf, VM_UFFD_MISSING); "
                                     "folio = alloc_anon_folio(vmf); entry = mk_pte(); if (vma->vm_flags & VM_WRITE) "
                                     "entry = pte_mkwrite(pte_mkdirty(entry)); if (vmf_pte_changed(vmf)) goto release; "
                                     "if (vmf_orig_pte_uffd_wp(vmf)) entry = pte_mkuffd_wp(entry); set_pte_at();"},
                                    {"", "return ret;"}},
                                   do_anonymous_page,
                                   {"va:address", "write:write"}};
    return info;
}

const FunctionInfo& info_do_swap_page() {
    static const FunctionInfo info{
        "do_swap_page",
        "mm/memory.c",
        {{"",
          "folio = swap_cache_get_folio(entry); if (!folio) folio = swapin_readahead(entry, GFP_HIGHUSER_MOVABLE, "
          "vmf);"},
         {"",
          "folio_lock(folio); vmf->pte = pte_offset_map_lock(); if (!pte_same(ptep_get(vmf->pte), vmf->orig_pte)) goto "
          "out_nomap; pte = mk_pte(page, vma->vm_page_prot); if (pte_swp_uffd_wp(vmf->orig_pte)) pte = "
          "pte_mkuffd_wp(pte); else if (write && exclusive) pte = pte_mkwrite(pte_mkdirty(pte)); set_pte_at(); "
          "swap_free(entry);"}},
        do_swap_page,
        {"va:address", "orig_pte:orig_pte", "pfn:folio"}};
    return info;
}

}  // namespace faultline::paths
