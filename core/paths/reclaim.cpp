// SPDX-License-Identifier: GPL-3.0-or-later
// Reclaim of one folio (spec §6.1–§6.4): shrink_folio_list() with
// try_to_unmap_one(), shmem_writepage() / swap_writepage(), the writeback
// completion, and madvise(MADV_PAGEOUT).
#include "paths/path_common.h"

namespace faultline::paths {

namespace {

enum { RC_1, RC_3_RET, RC_4, RC_5, RC_6, RC_7 };

void keep(StepContext& c, const std::string& why) {
    StackFrame& f = c.f();
    if (c.holds({LockKind::FL, 0, f.pfn})) c.unlockFolio(f.pfn);
    c.putRef(f.pfn);
    FL_SAY(c, why + " → keep (putback)");
}

void shrink_folio_list(StepContext& c) {
    StackFrame& f = c.f();
    const bool anon = f.flags & kAnonReclaim;
    switch (f.pc) {
    case RC_1: {
        // Isolation: the folio was picked from the LRU (references ignored).
        if (!f.pfn) {
            FL_AT(c, "nothing to reclaim at " + (anon ? c.pageName(f.mm, f.va) : "file page " + idxText(f.index)));
            return c.ret(kENOENT);
        }
        c.getRef(f.pfn);
        FL_AT(c, "isolate " + pfnText(f.pfn) + " from the LRU");
        if (!c.trylockFolio(f.pfn)) {
            keep(c, "RC.1 folio_trylock failed");
            return c.ret(kEBUSY);
        }
        const Folio fo = c.s.folio(f.pfn);
        if (fo.has(PG_writeback)) {
            keep(c, "RC.2 under writeback");
            return c.ret(kEBUSY);
        }
        if (fo.swap && !fo.fileMapping && fo.mapcount == 0) return c.jump(RC_6);
        if (anon && !fo.swap) {
            const auto slot = c.allocSwapSlot();
            if (!slot) {
                keep(c, "add_to_swap: no free swap slot");
                return c.ret(kENOSPC);
            }
            const uint32_t pfn = f.pfn;
            c.editFolio(pfn, [&](Folio& x) {
                x.swap = *slot + 1;
                x.set(PG_swapcache);
                x.set(PG_dirty);
                ++x.refcount;
            });
            c.editSlot(*slot, [&](SwapSlot& s) {
                s.hasCache = true, s.cachePfn = pfn, s.shmem = false, s.ownerMm = f.mm, s.owner = f.va;
            });
            FL_SAY(c, "add_to_swap: slot " + std::to_string(*slot) + " allocated before unmapping (anonymous)");
        }
        if (c.s.folio(f.pfn).mapcount > 0) {
            FL_SAY(c, "RC.3 mapped (mapcount " + std::to_string(c.s.folio(f.pfn).mapcount) + ") → try_to_unmap");
            StackFrame n;
            n.pfn = f.pfn, n.index = f.index, n.mm = f.mm, n.va = f.va, n.flags = f.flags;
            f.pc = RC_3_RET;
            return c.call(Fn::try_to_unmap_one, n);
        }
        return c.jump(RC_4);
    }
    case RC_3_RET:
        if (c.s.folio(f.pfn).mapcount > 0) {
            FL_AT(c, "");
            keep(c, "a pte still maps it");
            return c.ret(kEBUSY);
        }
        return c.next(RC_4);
    case RC_4: {
        const Folio fo = c.s.folio(f.pfn);
        if (fo.has(PG_dirty) || anon) {
            FL_AT(c, pfnText(f.pfn) + " dirty → pageout → " + (anon ? "swap_writepage" : "shmem_writepage"));
            StackFrame n;
            n.pfn = f.pfn, n.index = f.index, n.flags = f.flags;
            f.pc = RC_5;
            return c.call(Fn::shmem_writepage, n);
        }
        return c.jump(RC_7);
    }
    case RC_5:
        if (f.ret < 0) {
            FL_AT(c, "");
            keep(c, "writepage refused (" + errnoName(f.ret) + ")");
            return c.ret(f.ret);
        }
        c.putRef(f.pfn);
        FL_AT(c, "RC.5 writeback started; " + pfnText(f.pfn) +
             " stays in the swap cache until I/O completes and a later pass frees it");
        return c.ret(0);
    case RC_6: {
        const Folio fo = c.s.folio(f.pfn);
        if (fo.refcount != 2) {
            keep(c, "RC.6 extra references (" + std::to_string(fo.refcount) + ")");
            return c.ret(kEBUSY);
        }
        const uint32_t slot = fo.swap - 1;
        const uint32_t pfn = f.pfn;
        c.editFolio(pfn, [](Folio& x) {
            x.swap = 0;
            x.set(PG_swapcache, false);
        });
        c.editSlot(slot, [](SwapSlot& s) { s.hasCache = false, s.cachePfn = 0; });
        if (c.s.swap.slots.get(slot).free()) c.editSlot(slot, [](SwapSlot& s) { s = SwapSlot{}; });
        FL_SAY(c, "RC.6 __remove_mapping: delete " + pfnText(pfn) + " from the swap cache (slot " + std::to_string(slot) +
              " keeps the data)");
        c.unlockFolio(pfn);
        c.dropRefCount(pfn);
        c.putRef(pfn);
        return c.ret(0);
    }
    case RC_7: {
        const uint32_t pfn = f.pfn;
        c.setXa(f.index, XaEntry());
        c.editFolio(pfn, [](Folio& x) { x.fileMapping = false; });
        c.editInode([](Inode& in) { --in.nrpages, --in.alloced; });
        FL_AT(c, "RC.7 " + pfnText(pfn) + " clean (never dirtied) → __remove_mapping from the page cache: file page " +
             idxText(f.index) + " becomes a hole");
        c.unlockFolio(pfn);
        c.dropRefCount(pfn);
        c.putRef(pfn);
        return c.ret(0);
    }
    }
    throw EngineError("shrink_folio_list: bad pc");
}

enum { TU_0, TU_1, TU_2 };

// Unmaps one pte that maps f.pfn; returns the replacement it installed.
Pte unmapOne(StepContext& c, uint8_t mm, uint64_t vpn, const Vma& v, std::string& why) {
    const Pte old = c.s.mms[mm].pt.get(vpn);
    const Folio fo = c.s.folio(old.pfn);
    Pte repl = Pte::none();
    if (fo.anon) {
        repl = Pte::swap(fo.swap - 1, old.uffd_wp);
        c.editSlot(fo.swap - 1, [](SwapSlot& s) { ++s.count; });
        ++c.s.mms[mm].rssSwapents;
        why = "swap pte carries _PAGE_SWP_UFFD_WP";
    } else if (c.k().pteMarkers && v.file && (v.flags & VM_UFFD_WP) && old.uffd_wp) {
        repl = Pte::markerWp();
        why = "pte_install_uffd_wp_if_needed → uffd-wp marker (PTE_MARKERS=on)";
    } else {
        why = old.uffd_wp ? "none: uffd-wp LOST (PTE_MARKERS=off)" : "none";
    }
    c.substep("TU.3", "try_to_unmap_one");
    c.unmapPresent(mm, vpn, repl);
    return repl;
}

void try_to_unmap_one(StepContext& c) {
    StackFrame& f = c.f();
    const bool anon = f.flags & kAnonReclaim;
    switch (f.pc) {
    case TU_0:
        if (!anon && !c.lock(IM(), false)) return;
        FL_AT(c, anon ? "rmap walk of the anon_vma" : "rmap walk: i_mmap_lock_read");
        f.aux = 0;
        return c.jump(TU_1);
    case TU_1: {
        uint8_t mm;
        uint64_t vpn;
        if (anon) {  // the anon_vma chain: the folio's address in every mm (a fork shares it)
            if (f.aux >= c.s.mms.size()) return c.jump(TU_2);
            mm = uint8_t(f.aux), vpn = f.va;
        } else {
            if (!nextMapping(c.s, f.aux, f.index, f.index + 1)) return c.jump(TU_2);
            mm = uint8_t(f.aux >> 16);
            vpn = c.s.mms[mm].vmas[f.aux & 0xffff].vpnOf(f.index);
        }
        const Pte p = c.s.mms[mm].pt.get(vpn);
        if (!p.isPresent() || p.pfn != f.pfn) {
            ++f.aux;
            return c.jump(TU_1);
        }
        if (!c.lock(PTL(mm, vpn))) return;
        const Vma v = vmaFor(c, mm, vpn);
        std::string why;
        const Pte repl = unmapOne(c, mm, vpn, v, why);
        c.unlock(PTL(mm, vpn));
        FL_AT(c, "try_to_unmap_one " + c.pageName(mm, vpn) + ": " + p.describe() + " → " + repl.describe() + " (" + why +
             ")");
        ++f.aux;
        return c.next(TU_1);
    }
    case TU_2:
        if (!anon) c.unlock(IM());
        FL_AT(c, anon ? "rmap walk done" : "i_mmap_unlock_read");
        return c.ret(0);
    }
    throw EngineError("try_to_unmap_one: bad pc");
}

enum { WB_1, WB_5 };

void shmem_writepage(StepContext& c) {
    StackFrame& f = c.f();
    switch (f.pc) {
    case WB_1: {
        if (f.flags & kAnonReclaim) return c.jump(WB_5);  // slot allocated by add_to_swap
        const auto slot = c.allocSwapSlot();
        if (!slot) {
            FL_AT(c, "WB.1 no free swap slot → redirty");
            return c.ret(kENOSPC);
        }
        const uint32_t pfn = f.pfn;
        const uint64_t index = f.index;
        c.editFolio(pfn, [&](Folio& x) {
            x.swap = *slot + 1;
            x.set(PG_swapcache);
            x.fileMapping = false;  // WB.4: the page-cache reference becomes the swap cache's
        });
        c.editSlot(*slot, [&](SwapSlot& s) {
            s.count = 1, s.hasCache = true, s.cachePfn = pfn, s.shmem = true, s.owner = index;
        });
        c.setXa(index, XaEntry::swapValue(*slot));
        c.editInode([](Inode& in) { --in.nrpages, ++in.swapped; });
        FL_AT(c, "WB.2 add " + pfnText(pfn) + " to the swap cache (slot " + std::to_string(*slot) +
             "); WB.3 swap_shmem_alloc (count 1); WB.4 i_pages[" + idxText(index) + "] = swap entry");
        return c.next(WB_5);
    }
    case WB_5: {
        const uint32_t pfn = f.pfn;
        const Folio fo = c.s.folio(pfn);
        c.editSlot(fo.swap - 1, [&](SwapSlot& s) { s.data = fo.data; });
        c.editFolio(pfn, [](Folio& x) {
            x.set(PG_dirty, false);
            x.set(PG_writeback);
        });
        c.s.writeback.push_back(pfn);
        c.unlockFolio(pfn);
        FL_AT(c, "WB.5 swap_writepage: clear dirty, set writeback, write " + fo.data.str() + " to slot " +
             std::to_string(fo.swap - 1) + ", unlock");
        return c.ret(0);
    }
    }
    throw EngineError("shmem_writepage: bad pc");
}

void folio_end_writeback(StepContext& c) {
    StackFrame& f = c.f();
    if (!f.pfn || !c.s.folio(f.pfn).has(PG_writeback)) {
        FL_AT(c, "no writeback in flight there");
        return c.ret(kEINVAL);
    }
    c.editFolio(f.pfn, [](Folio& x) { x.set(PG_writeback, false); });
    std::erase(c.s.writeback, f.pfn);
    FL_AT(c, "WB.6 I/O done: " + pfnText(f.pfn) + " writeback cleared");
    c.wakeWriteback(f.pfn);
    return c.ret(0);
}

enum { PO_1, PO_2, PO_2_RET, PO_3 };

void madvise_pageout(StepContext& c) {
    StackFrame& f = c.f();
    switch (f.pc) {
    case PO_1:
        if (!c.lock(ML(f.mm), false)) return;
        FL_AT(c, "madvise(MADV_PAGEOUT) [" + c.pageName(f.mm, f.lo) + ", +" + std::to_string(f.hi - f.lo) +
             "): mmap_read_lock");
        f.cursor = f.lo;
        return c.jump(PO_2);
    case PO_2: {
        const auto k = c.s.mms[f.mm].pt.nextLive(f.cursor, f.hi);
        if (!k) return c.jump(PO_3);
        const Pte p = c.s.mms[f.mm].pt.get(*k);
        f.cursor = *k + 1;
        if (!p.isPresent()) return c.jump(PO_2);
        const Folio fo = c.s.folio(p.pfn);
        if (fo.mapcount != 1) {
            FL_SAY(c, c.pageName(f.mm, *k) + ": folio may be mapped by another mm (mapcount " +
                  std::to_string(fo.mapcount) + ") → skipped");
            return c.jump(PO_2);
        }
        const Vma& v = vmaFor(c, f.mm, *k);
        StackFrame n;
        n.pfn = p.pfn;
        n.mm = f.mm;
        n.va = *k;
        n.index = v.file ? v.indexOf(*k) : *k;
        n.flags = v.file ? 0 : kAnonReclaim;
        FL_SAY(c, c.pageName(f.mm, *k) + " → reclaim_pages");
        f.pc = PO_2_RET;
        return c.call(Fn::shrink_folio_list, n);
    }
    case PO_2_RET: return c.next(PO_2);
    case PO_3:
        c.unlock(ML(f.mm));
        FL_AT(c, "mmap_read_unlock");
        return c.ret(0);
    }
    throw EngineError("madvise_pageout: bad pc");
}

}  // namespace

const FunctionInfo& info_shrink_folio_list() {
    static const FunctionInfo info{
        "shrink_folio_list",
        "mm/vmscan.c",
        {{"RC.1",
          "if (!folio_trylock(folio)) goto keep; if (folio_test_writeback(folio)) goto keep;  /* RC.2 */ if (anon && "
          "!folio_test_swapcache(folio)) add_to_swap(folio); if (folio_mapped(folio)) try_to_unmap(folio, flags);  /* "
          "RC.3 */"},
         {"RC.3", "if (folio_mapped(folio)) goto activate_locked;"},
         {"RC.4",
          "if (folio_test_dirty(folio)) pageout(folio, mapping, &plug, folio_list);  /* shmem_writepage / "
          "swap_writepage */"},
         {"RC.5", "/* writeback started: the folio stays on the LRU; freed by a later pass */"},
         {"RC.6",
          "if (!__remove_mapping(mapping, folio, true, sc->target_mem_cgroup)) goto keep_locked;  /* swap cache: "
          "delete, free */"},
         {"RC.7", "__remove_mapping(): clean, unmapped page-cache folio → removed from i_pages (no shadow for shmem)"}},
        shrink_folio_list,
        {"pfn:folio", "index:index", "va:address (anon)", "flags:anon"}};
    return info;
}

const FunctionInfo& info_try_to_unmap_one() {
    static const FunctionInfo info{
        "try_to_unmap_one",
        "mm/rmap.c",
        {{"TU.1", "i_mmap_lock_read(mapping);  /* rmap_walk_file */"},
         {"TU.2",
          "while (page_vma_mapped_walk(&pvmw)) { pteval = ptep_clear_flush(vma, address, pvmw.pte); if (anon) "
          "set_pte_at(swp_entry_to_pte(entry) | _PAGE_SWP_UFFD_WP if uffd_wp); else pte_install_uffd_wp_if_needed(vma, "
          "address, pvmw.pte, pteval);  /* TU.3 */ if (pte_dirty(pteval)) folio_mark_dirty(folio); "
          "folio_remove_rmap_pte(); folio_put(); }  /* TU.4, TU.5 */"},
         {"TU.5", "i_mmap_unlock_read(mapping);"}},
        try_to_unmap_one,
        {"pfn:folio", "index:index", "aux:walk position"}};
    return info;
}

const FunctionInfo& info_shmem_writepage() {
    static const FunctionInfo info{
        "shmem_writepage",
        "mm/shmem.c",
        {{"WB.1",
          "swap = folio_alloc_swap(folio); if (!swap.val) goto redirty; add_to_swap_cache(); shmem_recalc_inode(inode, "
          "0, 1); swap_shmem_alloc(swap, 1); shmem_delete_from_page_cache(folio, swp_to_radix_entry(swap));  /* "
          "WB.2–WB.4 */"},
         {"WB.5", "swap_writepage(&folio->page, wbc);  /* clear dirty, set writeback, submit I/O, unlock */"}},
        shmem_writepage,
        {"pfn:folio", "index:index"}};
    return info;
}

const FunctionInfo& info_folio_end_writeback() {
    static const FunctionInfo info{"folio_end_writeback",
                                   "mm/filemap.c",
                                   {{"WB.6", "folio_end_writeback(folio);  /* clear PG_writeback, wake waiters */"}},
                                   folio_end_writeback,
                                   {"pfn:folio"}};
    return info;
}

const FunctionInfo& info_madvise_pageout() {
    static const FunctionInfo info{"madvise_cold_or_pageout_pte_range",
                                   "mm/madvise.c",
                                   {{"", "mmap_read_lock(mm);"},
                                    {"",
                                     "for each present pte: if (folio_likely_mapped_shared(folio)) continue; "
                                     "folio_isolate_lru(folio); reclaim_pages(&folio_list);"},
                                    {"", "/* next pte */"},
                                    {"", "mmap_read_unlock(mm);"}},
                                   madvise_pageout,
                                   {"lo:start", "hi:end", "cursor:address"}};
    return info;
}

}  // namespace faultline::paths
