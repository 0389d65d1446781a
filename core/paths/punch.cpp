// SPDX-License-Identifier: GPL-3.0-or-later
// Hole punch (spec §5): shmem_fallocate(PUNCH_HOLE|KEEP_SIZE) → pre-unmap →
// shmem_undo_range() → truncate_inode_folio(); shmem_free_swap().
#include "paths/path_common.h"

namespace faultline::paths {

namespace {

enum { PH_1, PH_3, PH_4, PH_4_RET, PH_5, PH_6, PH_7, PH_8 };

void shmem_fallocate(StepContext& c) {
    StackFrame& f = c.f();
    // Locals: aux = offset, cursor = len (bytes); lo/hi = whole pages [start, next).
    switch (f.pc) {
    case PH_1: {
        if (!c.lock(IL())) return;
        f.lo = (f.aux + 4095) / 4096;
        f.hi = (f.aux + f.cursor) / 4096;
        FL_AT(c, "inode_lock; fallocate(PUNCH_HOLE|KEEP_SIZE, " + std::to_string(f.aux) + ", " + std::to_string(f.cursor) +
             "): whole pages [" + idxText(f.lo) + ", " + idxText(f.hi) + ")");
        if (c.s.inode.writeSealed) {
            c.unlock(IL());
            FL_SAY(c, "file is write-sealed → -EPERM");
            return c.ret(kEPERM);
        }
        return c.next(PH_3);
    }
    case PH_3:
        if (!c.lock(IPL())) return;
        c.editInode([&](Inode& in) { in.iPrivate = ShmemFalloc{true, f.lo, f.hi}; });
        c.unlock(IPL());
        FL_AT(c, "inode->i_private = &shmem_falloc {start " + idxText(f.lo) + ", next " + idxText(f.hi) +
             "}: faults into the hole now wait in shmem_fault");
        return c.next(PH_4);
    case PH_4:
        if (!c.k().punchPreunmap) {
            FL_AT(c, "no pre-unmap (PUNCH_PREUNMAP=off): ptes stay until truncation locks each folio");
            return c.next(PH_5);
        }
        if (f.hi <= f.lo) {
            FL_AT(c, "no whole page in range: nothing to unmap");
            return c.next(PH_5);
        }
        FL_AT(c, "unmap_mapping_range(mapping, " + idxText(f.lo) + ", " + idxText(f.hi - f.lo) +
             " pages, 0): pre-unmap without any folio lock");
        {
            StackFrame n;
            n.lo = f.lo;
            n.hi = f.hi;
            n.flags = 0;
            f.pc = PH_4_RET;
            return c.call(Fn::unmap_mapping_range, n);
        }
    case PH_4_RET: return c.next(PH_5);
    case PH_5: {
        FL_AT(c, "shmem_truncate_range(" + std::to_string(f.aux) + ", " + std::to_string(f.aux + f.cursor - 1) + ")");
        StackFrame n;
        n.aux = f.aux;                 // lstart
        n.va = f.aux + f.cursor - 1;   // lend
        n.lo = (f.aux + 4095) / 4096;  // start
        n.hi = (n.va + 1) / 4096;      // end (exclusive)
        n.cursor = n.lo;
        f.pc = PH_6;
        return c.call(Fn::shmem_undo_range, n);
    }
    case PH_6: return c.next(PH_7);
    case PH_7:
        if (!c.lock(IPL())) return;
        FL_AT(c, "inode->i_private = NULL; wake_up_all(shmem_falloc_waitq)");
        c.editInode([](Inode& in) { in.iPrivate.reset(); });
        c.wakeFallocWaiters();
        c.unlock(IPL());
        return c.next(PH_8);
    case PH_8:
        c.unlock(IL());
        FL_AT(c, "inode_unlock; return 0");
        return c.ret(0);
    }
    throw EngineError("shmem_fallocate: bad pc");
}

enum { UR_1, UR_1_SWAP, UR_1_TRUNC, UR_3, UR_3_LOCK, UR_3_RET, UR_4, UR_4_LOCK, UR_4_TRUNC, UR_4_SWAP, UR_5 };
enum UrFlags : uint32_t { kPass2Found = 1, kHeadDone = 2, kTailDone = 4 };

// Calls shmem_free_swap for the entry at f.index; `cont` sees f.ret.
void callFreeSwap(StepContext& c, uint64_t index, uint32_t slot, uint8_t cont) {
    StackFrame& f = c.f();
    StackFrame n;
    n.index = index;
    n.slot = slot + 1;
    f.index = index;
    f.pc = cont;
    c.call(Fn::shmem_free_swap, n);
}

void callTruncate(StepContext& c, uint64_t index, uint32_t pfn, uint8_t cont) {
    StackFrame& f = c.f();
    StackFrame n;
    n.index = index;
    n.pfn = pfn;
    f.pc = cont;
    c.call(Fn::truncate_inode_folio, n);
}

void shmem_undo_range(StepContext& c) {
    StackFrame& f = c.f();
    const CowRadix<XaEntry>& xa = c.s.inode.xa;
    switch (f.pc) {
    case UR_1: {  // pass 1: trylock, skip what is locked
        const auto k = xa.nextLive(f.cursor, f.hi);
        if (!k) {
            FL_AT(c, "pass 1 done");
            f.cursor = f.lo;
            return c.jump(UR_3);
        }
        const XaEntry e = xa.get(*k);
        f.index = *k;
        if (e.isSwap()) {
            FL_AT(c, "pass 1: " + idxText(*k) + " is swap entry " + e.describe() + " → shmem_free_swap");
            return callFreeSwap(c, *k, e.value, UR_1_SWAP);
        }
        c.getRef(e.value);
        if (!c.trylockFolio(e.value)) {
            c.putRef(e.value);
            FL_AT(c, "pass 1: " + pfnText(e.value) + " at " + idxText(*k) +
                 " is locked → skipped (pass 2 will wait for it)");
            f.cursor = *k + 1;
            return c.next(UR_1);
        }
        f.pfn = e.value;
        FL_AT(c, "pass 1: " + pfnText(e.value) + " at " + idxText(*k) + " trylocked → truncate_inode_folio");
        return callTruncate(c, *k, e.value, UR_1_TRUNC);
    }
    case UR_1_SWAP: f.cursor = f.index + 1; return c.next(UR_1);
    case UR_1_TRUNC:
        c.unlockFolio(f.pfn);
        c.putRef(f.pfn);
        FL_AT(c, "folio_unlock, folio_put");
        f.pfn = 0;
        f.cursor = f.index + 1;
        return c.next(UR_1);
    case UR_3: {  // partial pages at either end: zero the covered bytes in place
        const bool head = (f.aux % 4096) != 0 && !(f.flags & kHeadDone);
        const uint64_t tailPage = f.va / 4096;
        const bool tail = ((f.va + 1) % 4096) != 0 && !(f.flags & kTailDone) && (!head || tailPage != f.aux / 4096);
        if (!head && !tail) {
            f.cursor = f.lo;
            return c.jump(UR_4);
        }
        const uint64_t page = head ? f.aux / 4096 : tailPage;
        f.flags |= head ? kHeadDone : kTailDone;
        if (page >= c.s.inode.sizePages || xa.get(page).isEmpty()) return c.jump(UR_3);
        FL_AT(c, "partial page " + idxText(page) + ": shmem_get_folio(SGP_READ) to zero part of it");
        StackFrame n;
        n.index = page;
        n.flags = SGP_NOUFFD | SGP_NOALLOC;
        f.index = page;
        f.pc = UR_3_RET;
        return c.call(Fn::shmem_get_folio_gfp, n);
    }
    case UR_3_RET: {
        if ((f.ret & VM_FAULT_LOCKED) && f.pfn) {
            const Tag old = c.s.folio(f.pfn).data;
            const Tag zeroed(old.zero() ? std::string("0") : "~" + old.str());
            c.editFolio(f.pfn, [&](Folio& fo) {
                fo.data = zeroed;
                fo.set(PG_dirty);
            });
            c.unlockFolio(f.pfn);
            c.putRef(f.pfn);
            FL_AT(c, "truncate_inode_partial_folio: bytes zeroed in place (" + zeroed.str() +
                 "), ptes and their uffd-wp bits kept, no uffd notification");
        }
        f.pfn = 0;
        return c.next(UR_3);
    }
    case UR_4: {  // pass 2: wait for each folio's lock
        const auto k = xa.nextLive(f.cursor, f.hi);
        if (!k) {
            if (f.flags & kPass2Found) {
                f.flags &= ~kPass2Found;
                f.cursor = f.lo;
                FL_AT(c, "pass 2: rescan");
                return c.next(UR_4);
            }
            return c.jump(UR_5);
        }
        const XaEntry e = xa.get(*k);
        f.index = *k;
        f.flags |= kPass2Found;
        if (e.isSwap()) {
            FL_AT(c, "pass 2: " + idxText(*k) + " is swap entry → shmem_free_swap");
            return callFreeSwap(c, *k, e.value, UR_4_SWAP);
        }
        c.getRef(e.value);
        f.pfn = e.value;
        FL_AT(c, "pass 2: " + pfnText(e.value) + " at " + idxText(*k) + " → folio_lock (may sleep)");
        return c.jump(UR_4_LOCK);
    }
    case UR_4_LOCK: {
        if (!c.lockFolio(f.pfn)) return;
        const Folio fo = c.s.folio(f.pfn);
        if (!fo.fileMapping || !(xa.get(f.index) == XaEntry::folio(f.pfn))) {
            c.unlockFolio(f.pfn);
            c.putRef(f.pfn);
            FL_AT(c, pfnText(f.pfn) + " left the file meanwhile (swapped out) → retry index " + idxText(f.index));
            f.pfn = 0;
            f.cursor = f.index;
            return c.next(UR_4);
        }
        FL_AT(c, "folio_lock(" + pfnText(f.pfn) + ") → truncate_inode_folio");
        return callTruncate(c, f.index, f.pfn, UR_4_TRUNC);
    }
    case UR_4_TRUNC:
        c.unlockFolio(f.pfn);
        c.putRef(f.pfn);
        FL_AT(c, "folio_unlock, folio_put");
        f.pfn = 0;
        f.cursor = f.index + 1;
        return c.next(UR_4);
    case UR_4_SWAP:
        f.cursor = f.ret ? f.index + 1 : f.index;  // the entry changed under us: retry it
        return c.next(UR_4);
    case UR_5: FL_AT(c, "shmem_recalc_inode"); return c.ret(0);
    }
    throw EngineError("shmem_undo_range: bad pc");
}

enum { TR_1, TR_2_RET, TR_4 };

void truncate_inode_folio(StepContext& c) {
    StackFrame& f = c.f();
    switch (f.pc) {
    case TR_1: {
        const Folio fo = c.s.folio(f.pfn);
        if (!fo.fileMapping) {
            FL_AT(c, pfnText(f.pfn) + "->mapping is not this file → -EIO");
            return c.ret(kEIO);
        }
        if (fo.mapcount > 0) {
            FL_AT(c, pfnText(f.pfn) + " is mapped (mapcount " + std::to_string(fo.mapcount) + ") → unmap_mapping_folio" +
                 (c.k().pteMarkers ? " with ZAP_FLAG_DROP_MARKER" : ""));
            StackFrame n;
            n.lo = f.index;
            n.hi = f.index + 1;
            n.flags = c.k().pteMarkers ? ZAP_FLAG_DROP_MARKER : 0;
            f.pc = TR_2_RET;
            return c.call(Fn::unmap_mapping_range, n);
        }
        FL_AT(c, pfnText(f.pfn) + " is not mapped: no second zap");
        return c.jump(TR_4);
    }
    case TR_2_RET: return c.jump(TR_4);
    case TR_4: {
        c.editFolio(f.pfn, [](Folio& fo) {
            fo.set(PG_dirty, false);
            fo.fileMapping = false;
        });
        c.setXa(f.index, XaEntry());
        c.editInode([](Inode& in) { --in.nrpages, --in.alloced; });
        FL_SAY(c, "TR.3 folio_cancel_dirty; TR.4 filemap_remove_folio: i_pages[" + idxText(f.index) +
              "] = hole, page-cache reference dropped");
        c.dropRefCount(f.pfn);
        return c.ret(0);
    }
    }
    throw EngineError("truncate_inode_folio: bad pc");
}

void shmem_free_swap(StepContext& c) {
    StackFrame& f = c.f();
    const uint32_t slot = f.slot - 1;
    if (!(c.s.inode.xa.get(f.index) == XaEntry::swapValue(slot))) {
        FL_AT(c, "i_pages[" + idxText(f.index) + "] changed (swap-in raced) → 0");
        return c.ret(0);
    }
    c.setXa(f.index, XaEntry());
    c.editInode([](Inode& in) { --in.swapped; });
    c.editSlot(slot, [](SwapSlot& s) { --s.count; });
    std::string what =
        "i_pages[" + idxText(f.index) + "] = hole; free_swap_and_cache(slot " + std::to_string(slot) + ")";
    const SwapSlot sl = c.s.swap.slots.get(slot);
    if (sl.count == 0 && sl.cachePfn) {
        const Folio fo = c.s.folio(sl.cachePfn);
        // __try_to_reclaim_swap() → folio_swapcache_freeable(): a folio under
        // writeback is never dropped from the swap cache; it stays until I/O
        // completes and reclaim frees it.
        if (!fo.has(PG_locked) && !fo.has(PG_writeback) && fo.refcount == 1) {
            const uint32_t pfn = sl.cachePfn;
            c.editFolio(pfn, [](Folio& x) {
                x.swap = 0;
                x.set(PG_swapcache, false);
            });
            c.editSlot(slot, [](SwapSlot& s) { s.hasCache = false, s.cachePfn = 0; });
            what += ", swap-cache " + pfnText(pfn) + " dropped";
            FL_AT(c, what);
            c.dropRefCount(pfn);
            what.clear();
        } else {
            what += "; swap-cache " + pfnText(sl.cachePfn) + (fo.has(PG_writeback) ? " under writeback" : " busy") +
                    ", stays until reclaimed";
        }
    }
    if (!what.empty()) FL_AT(c, what);
    if (c.s.swap.slots.get(slot).free()) c.editSlot(slot, [](SwapSlot& s) { s = SwapSlot{}; });
    return c.ret(1);
}

}  // namespace

const FunctionInfo& info_shmem_fallocate() {
    static const FunctionInfo info{
        "shmem_fallocate",
        "mm/shmem.c",
        {{"PH.1",
          "inode_lock(inode); unmap_start = round_up(offset, PAGE_SIZE); unmap_end = round_down(offset + len, "
          "PAGE_SIZE) - 1; if (info->seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)) return -EPERM;  /* PH.2 */"},
         {"PH.3",
          "shmem_falloc.waitq = &shmem_falloc_waitq; shmem_falloc.start = unmap_start >> PAGE_SHIFT; shmem_falloc.next "
          "= (unmap_end + 1) >> PAGE_SHIFT; spin_lock(&inode->i_lock); inode->i_private = &shmem_falloc; "
          "spin_unlock(&inode->i_lock);"},
         {"PH.4",
          "if ((u64)unmap_end > (u64)unmap_start) unmap_mapping_range(mapping, unmap_start, 1 + unmap_end - "
          "unmap_start, 0);"},
         {"PH.4", "/* pre-unmap done */"},
         {"PH.5", "shmem_truncate_range(inode, offset, offset + len - 1);"},
         {"PH.6", "/* No need to unmap again: hole-punching leaves COWed pages */"},
         {"PH.7",
          "spin_lock(&inode->i_lock); inode->i_private = NULL; wake_up_all(&shmem_falloc_waitq); "
          "spin_unlock(&inode->i_lock);"},
         {"PH.8", "inode_unlock(inode); return error;"}},
        shmem_fallocate,
        {"aux:offset", "cursor:len", "lo:start", "hi:next"}};
    return info;
}

const FunctionInfo& info_shmem_undo_range() {
    static const FunctionInfo info{
        "shmem_undo_range",
        "mm/shmem.c",
        {{"UR.1",
          "while (index < end && find_lock_entries(mapping, &index, end - 1, &fbatch, indices)) {  /* pass 1: "
          "folio_trylock, locked folios skipped */"},
         {"UR.2",
          "    if (xa_is_value(folio)) { nr_swaps_freed += shmem_free_swap(mapping, indices[i], folio); continue; }"},
         {"UR.2", "    truncate_inode_folio(mapping, folio); folio_unlock(folio); }"},
         {"UR.3",
          "if (partial_start) { folio = shmem_get_partial_folio(inode, lstart >> PAGE_SHIFT); "
          "truncate_inode_partial_folio(folio, lstart, lend); }  /* same for the tail */"},
         {"UR.3", "    folio_unlock(folio); folio_put(folio);"},
         {"UR.4",
          "while (index < end) { if (!find_get_entries(mapping, &index, end - 1, &fbatch, indices)) { if (index == "
          "start) break; index = start; continue; }  /* pass 2 */"},
         {"UR.4",
          "    folio_lock(folio); if (!folio_test_swapcache(folio) && folio->mapping == mapping) "
          "truncate_inode_folio(mapping, folio); else { /* swapped out meanwhile */ index = indices[i]; }"},
         {"UR.4", "    folio_unlock(folio); folio_put(folio); }"},
         {"UR.4",
          "    if (xa_is_value(folio)) { if (shmem_free_swap(mapping, indices[i], folio)) nr_swaps_freed++; else { "
          "index = indices[i]; /* swap-in raced: retry */ } }"},
         {"UR.5", "shmem_recalc_inode(inode, 0, -nr_swaps_freed);"}},
        shmem_undo_range,
        {"aux:lstart", "va:lend", "lo:start", "hi:end", "cursor:index", "index:indices[i]", "pfn:folio"}};
    return info;
}

const FunctionInfo& info_truncate_inode_folio() {
    static const FunctionInfo info{
        "truncate_inode_folio",
        "mm/truncate.c",
        {{"TR.1",
          "if (folio->mapping != mapping) return -EIO; if (folio_mapped(folio)) unmap_mapping_folio(folio);  /* TR.2: "
          "v6.x ZAP_FLAG_DROP_MARKER */"},
         {"TR.2", "/* second zap done */"},
         {"TR.4",
          "folio_cancel_dirty(folio); folio_clear_mappedtodisk(folio);  /* TR.3 */ filemap_remove_folio(folio);  /* "
          "i_pages[index] = NULL; folio->mapping = NULL; page-cache reference dropped */"}},
        truncate_inode_folio,
        {"index:index", "pfn:folio"}};
    return info;
}

const FunctionInfo& info_shmem_free_swap() {
    static const FunctionInfo info{"shmem_free_swap",
                                   "mm/shmem.c",
                                   {{"UR.2",
                                     "old = xa_cmpxchg_irq(&mapping->i_pages, index, radswap, NULL, 0); if (old != "
                                     "radswap) return 0; free_swap_and_cache(radix_to_swp_entry(radswap)); return 1;"}},
                                   shmem_free_swap,
                                   {"index:index", "slot:swap (+1)"}};
    return info;
}

}  // namespace faultline::paths
