// SPDX-License-Identifier: GPL-3.0-or-later
// shmem side of a fault (spec §2.5, §6.6): shmem_fault(),
// shmem_get_folio_gfp(), shmem_swapin_folio(); and write(2) to the file.
#include "paths/path_common.h"

namespace faultline::paths {

namespace {

enum { SF_1, SF_2, SF_CALL, SF_WOKEN, SF_RET };

void shmem_fault(StepContext& c) {
    StackFrame& f = c.f();
    switch (f.pc) {
    case SF_1:
        notePart(Part::IPrivate, PartAccess::Read);
        if (!c.s.inode.iPrivate) {
            FL_AT(c, "inode->i_private is NULL (lockless read)");
            return c.next(SF_CALL);
        }
        FL_AT(c, "inode->i_private is set (lockless read) → check under i_lock");
        return c.next(SF_2);
    case SF_2: {
        if (!c.lock(IPL())) return;
        notePart(Part::IPrivate, PartAccess::Read);
        const auto& fa = c.s.inode.iPrivate;
        if (fa && fa->waitq && f.index >= fa->start && f.index < fa->next) {
            notePart(Part::FallocWaiters, PartAccess::Shared);  // sets only this task's bit
            c.editInode([&](Inode& in) { in.fallocWaiters |= uint64_t{1} << c.t; });
            c.unlock(ML(f.mm));
            c.unlock(IPL());
            FL_AT(c, "index " + idxText(f.index) + " is inside the hole being punched [" + idxText(fa->start) + ", " +
                 idxText(fa->next) + "): drop mmap_lock, sleep on shmem_falloc_waitq");
            f.pc = SF_WOKEN;
            return c.sleep(TaskState::SleepFalloc, 0);
        }
        c.unlock(IPL());
        FL_AT(c, "index " + idxText(f.index) + " not inside a punch");
        return c.jump(SF_CALL);
    }
    case SF_CALL:
        FL_SAY(c, "shmem_get_folio_gfp(SGP_CACHE)");
        f.pc = SF_RET;
        return c.call(Fn::shmem_get_folio_gfp, faultFrame(f));
    case SF_WOKEN:
        if (!c.lock(IPL())) return;
        c.unlock(IPL());
        FL_AT(c, "woken: finish_wait under i_lock → VM_FAULT_RETRY");
        return c.ret(VM_FAULT_RETRY);
    case SF_RET: return c.ret(f.ret);
    }
    throw EngineError("shmem_fault: bad pc");
}

enum { SG_1, SG_2, SG_3, SG_4, SG_4_RET, SG_5, SG_6, SG_7, SG_7_RET, SG_RET };

void shmem_get_folio_gfp(StepContext& c) {
    StackFrame& f = c.f();
    Inode& in = c.s.inode;
    const bool uffd = !(f.flags & SGP_NOUFFD);
    switch (f.pc) {
    case SG_1:
        if (f.index >= in.sizePages) {
            FL_AT(c, "index " + idxText(f.index) + " beyond i_size → -EINVAL (SIGBUS)");
            return c.ret(VM_FAULT_SIGBUS);
        }
        return c.jump(SG_2);
    case SG_2: {
        const XaEntry e = in.xa.get(f.index);
        f.pfn = 0;
        f.slot = 0;
        if (e.isFolio()) {
            f.pfn = e.value;
            c.getRef(f.pfn);
        } else if (e.isSwap()) {
            f.slot = e.value + 1;
        }
        FL_AT(c, "i_pages[" + idxText(f.index) + "] = " + e.describe() + (e.isFolio() ? " (reference taken)" : ""));
        return c.next(SG_3);
    }
    case SG_3: {
        if (uffd && (f.pfn || f.slot)) {
            const Vma& v = vmaFor(c, f.mm, f.va);
            if (v.flags & VM_UFFD_MINOR) {
                if (f.pfn) c.putRef(f.pfn);
                f.pfn = 0;
                FL_AT(c, "VMA is MINOR-registered and the page is in the file → handle_userfault(VM_UFFD_MINOR)");
                StackFrame n = faultFrame(f);
                n.flags = VM_UFFD_MINOR;
                f.pc = SG_RET;
                return c.call(Fn::handle_userfault, n);
            }
        }
        if (f.slot) return c.jump(SG_4);
        if (f.pfn) return c.jump(SG_5);
        return c.jump(SG_6);
    }
    case SG_4: {
        FL_AT(c, "swap entry → shmem_swapin_folio");
        StackFrame n;
        n.index = f.index;
        n.slot = f.slot;
        f.pc = SG_4_RET;
        return c.call(Fn::shmem_swapin_folio, n);
    }
    case SG_4_RET:
        if (f.ret == kEEXIST) {
            FL_AT(c, "swap-in raced (-EEXIST) → look up again");
            return c.next(SG_1);
        }
        FL_AT(c, "swapped in " + pfnText(f.pfn) + " (locked)");
        return c.ret(VM_FAULT_LOCKED | VM_FAULT_MAJOR);
    case SG_5: {
        if (!c.lockFolio(f.pfn)) return;
        const Folio fo = c.s.folio(f.pfn);
        if (!fo.fileMapping || !(in.xa.get(f.index) == XaEntry::folio(f.pfn))) {
            c.unlockFolio(f.pfn);
            c.putRef(f.pfn);
            FL_AT(c, "folio_lock(" + pfnText(f.pfn) +
                 "): it left the file meanwhile (truncated or swapped) → retry lookup");
            return c.next(SG_1);
        }
        if (!fo.has(PG_uptodate))
            c.editFolio(f.pfn, [](Folio& x) {
                x.set(PG_uptodate);
                x.data = Tag();
            });
        FL_AT(c, "folio_lock(" + pfnText(f.pfn) + "); still in the file → return it locked");
        return c.ret(VM_FAULT_LOCKED);
    }
    case SG_6: {
        if (uffd) {
            const Vma& v = vmaFor(c, f.mm, f.va);
            if (v.flags & VM_UFFD_MISSING) {
                FL_AT(c, "hole and VMA is MISSING-registered → handle_userfault(VM_UFFD_MISSING)");
                StackFrame n = faultFrame(f);
                n.flags = VM_UFFD_MISSING;
                f.pc = SG_RET;
                return c.call(Fn::handle_userfault, n);
            }
        }
        if (f.flags & SGP_NOALLOC) {
            FL_AT(c, "hole, SGP_NOALLOC → no folio");
            return c.ret(0);
        }
        return c.jump(SG_7);
    }
    case SG_7: {
        const uint32_t pfn = c.allocFolio(false, 0, f.index);
        c.lockFolio(pfn);
        if (!in.xa.get(f.index).isEmpty()) {
            c.unlockFolio(pfn);
            c.putRef(pfn);
            FL_AT(c, "hole filled meanwhile: shmem_add_to_page_cache -EEXIST → retry lookup");
            return c.next(SG_1);
        }
        c.editFolio(pfn, [&](Folio& fo) {
            fo.fileMapping = true;
            ++fo.refcount;  // the page cache's reference
            fo.set(PG_lru);
            fo.set(PG_uptodate);
        });
        c.setXa(f.index, XaEntry::folio(pfn));
        c.editInode([](Inode& x) { ++x.nrpages, ++x.alloced; });
        if (uffd) c.s.mms[f.mm].intent.update(f.va, [](Intent& i) { i.minorSeen = true; });
        f.pfn = pfn;
        FL_AT(c, "hole: allocate " + pfnText(pfn) + ", add to page cache at " + idxText(f.index) +
             ", zero it, uptodate, not dirty" + (uffd ? " (no userfault: VMA not MISSING-registered)" : ""));
        return c.next(SG_7_RET);
    }
    case SG_7_RET: FL_AT(c, "return " + pfnText(f.pfn) + " locked"); return c.ret(VM_FAULT_LOCKED);
    case SG_RET: return c.ret(f.ret);
    }
    throw EngineError("shmem_get_folio_gfp: bad pc");
}

enum { SI_1, SI_2, SI_3, SI_4, SI_5, SI_7 };

void shmem_swapin_folio(StepContext& c) {
    StackFrame& f = c.f();
    const uint32_t slot = f.slot - 1;
    switch (f.pc) {
    case SI_1: {
        const SwapSlot sl = c.s.swap.slots.get(slot);
        if (sl.cachePfn) {
            f.pfn = sl.cachePfn;
            c.getRef(f.pfn);
            FL_AT(c, "swap slot " + std::to_string(slot) + ": swap-cache hit " + pfnText(f.pfn));
            return c.next(SI_3);
        }
        if (sl.count == 0) {
            FL_AT(c, "swap slot " + std::to_string(slot) + " was freed meanwhile → -EEXIST");
            return c.ret(kEEXIST);
        }
        FL_AT(c, "swap slot " + std::to_string(slot) + ": swap-cache miss");
        return c.jump(SI_2);
    }
    case SI_2: {
        const uint32_t q = readSwapIntoCache(c, slot, false, 0, f.index);
        f.pfn = q;
        FL_SAY(c, "SI.2 allocate " + pfnText(q) + ", add to swap cache, read slot data " + c.s.folio(q).data.str() +
              " (major fault)");
        return c.next(SI_3);
    }
    case SI_3: {
        if (!c.lockFolio(f.pfn)) return;
        const Folio fo = c.s.folio(f.pfn);
        if (fo.swap != slot + 1 || !(c.s.inode.xa.get(f.index) == XaEntry::swapValue(slot))) {
            c.unlockFolio(f.pfn);
            c.putRef(f.pfn);
            FL_AT(c, "folio_lock(" + pfnText(f.pfn) + "): swap entry changed meanwhile → -EEXIST");
            return c.ret(kEEXIST);
        }
        FL_AT(c, "folio_lock(" + pfnText(f.pfn) + "); swap entry still valid");
        return c.jump(SI_4);
    }
    case SI_4:
        if (c.s.folio(f.pfn).has(PG_writeback)) {
            FL_AT(c, "folio_wait_writeback(" + pfnText(f.pfn) + ")");
            return c.sleep(TaskState::SleepWriteback, f.pfn);
        }
        return c.jump(SI_5);
    case SI_5: {
        const uint32_t q = f.pfn;
        // shmem_add_to_page_cache() replaces the swap entry only if it is
        // still there: a punch while this task waited for writeback freed it.
        if (!(c.s.inode.xa.get(f.index) == XaEntry::swapValue(slot))) {
            c.unlockFolio(q);
            c.putRef(q);
            FL_AT(c, "i_pages[" + idxText(f.index) + "] is no longer swap entry " + std::to_string(slot) +
                 " (punched meanwhile) → -EEXIST; " + pfnText(q) + " stays in the swap cache");
            return c.ret(kEEXIST);
        }
        c.setXa(f.index, XaEntry::folio(q));
        c.editFolio(q, [&](Folio& fo) {
            fo.fileMapping = true;
            fo.index = f.index;
            fo.swap = 0;  // SI.6: delete from swap cache; the cache reference moves to the page cache
            fo.set(PG_swapcache, false);
            fo.set(PG_dirty);
        });
        c.editInode([](Inode& x) { ++x.nrpages, --x.swapped; });
        c.editSlot(slot, [&](SwapSlot& x) {
            x.hasCache = false, x.cachePfn = 0;
            --x.count;
        });
        if (c.s.swap.slots.get(slot).count == 0) c.editSlot(slot, [](SwapSlot& x) { x = SwapSlot{}; });
        FL_AT(c, "SI.5 i_pages[" + idxText(f.index) + "] = " + pfnText(q) +
             "; SI.6 delete from swap cache, mark dirty, swap_free(slot " + std::to_string(slot) + ")");
        return c.next(SI_7);
    }
    case SI_7: FL_AT(c, "return " + pfnText(f.pfn) + " locked"); return c.ret(VM_FAULT_LOCKED);
    }
    throw EngineError("shmem_swapin_folio: bad pc");
}

enum { FW_1, FW_2, FW_3, FW_4 };

void shmem_file_write(StepContext& c) {
    StackFrame& f = c.f();
    switch (f.pc) {
    case FW_1:
        if (!c.lock(IL())) return;
        FL_AT(c, "inode_lock; write " + f.tag.str() + " to pages " + idxText(f.lo) + ".." + idxText(f.hi - 1));
        f.cursor = f.lo;
        return c.jump(FW_2);
    case FW_2: {
        FL_SAY(c, "shmem_write_begin(" + idxText(f.cursor) + ")");
        StackFrame n;
        n.index = f.cursor;
        n.flags = SGP_NOUFFD;
        f.pc = FW_3;
        return c.call(Fn::shmem_get_folio_gfp, n);
    }
    case FW_3: {
        if (!(f.ret & VM_FAULT_LOCKED)) {
            c.unlock(IL());
            FL_AT(c, "shmem_write_begin failed: " + vmFaultText(f.ret));
            return c.ret(kEINVAL);
        }
        const Tag tag = f.tag;
        c.editFolio(f.pfn, [&](Folio& fo) {
            fo.data = tag;
            fo.set(PG_dirty);
            fo.set(PG_uptodate);
        });
        c.unlockFolio(f.pfn);
        c.putRef(f.pfn);
        FL_AT(c, "copy " + tag.str() + " into " + pfnText(f.pfn) + "; shmem_write_end: dirty, unlock");
        ++f.cursor;
        return f.cursor < f.hi ? c.next(FW_2) : c.jump(FW_4);
    }
    case FW_4:
        c.unlock(IL());
        FL_SAY(c, "inode_unlock");
        return c.ret(0);
    }
    throw EngineError("shmem_file_write: bad pc");
}

}  // namespace

const FunctionInfo& info_shmem_fault() {
    static const FunctionInfo info{
        "shmem_fault",
        "mm/shmem.c",
        {{"SF.1", "if (unlikely(inode->i_private)) {  /* lockless */"},
         {
             "SF.2",
             "    spin_lock(&inode->i_lock); shmem_falloc = inode->i_private; if (shmem_falloc && shmem_falloc->waitq "
             "&& start <= pgoff < next) { prepare_to_wait(); release_fault_lock(vmf); spin_unlock(); schedule(); ...",
         },
         {"SF.3", "error = shmem_get_folio_gfp(inode, vmf->pgoff, 0, &folio, SGP_CACHE, gfp, vmf, &ret);"},
         {"SF.2",
          "    spin_lock(&inode->i_lock); finish_wait(shmem_falloc_waitq, &shmem_fault_wait); "
          "spin_unlock(&inode->i_lock); return VM_FAULT_RETRY; }"},
         {"SF.3", "return ret;  /* VM_FAULT_LOCKED with vmf->page */"}},
        shmem_fault,
        {"va:address", "index:pgoff", "write:write"}};
    return info;
}

const FunctionInfo& info_shmem_get_folio_gfp() {
    static const FunctionInfo info{
        "shmem_get_folio_gfp",
        "mm/shmem.c",
        {{"SG.1", "if (index > (MAX_LFS_FILESIZE >> PAGE_SHIFT) || index >= i_size pages) return -EINVAL;"},
         {"SG.2", "folio = filemap_get_entry(inode->i_mapping, index);  /* RCU lookup, takes a reference */"},
         {"SG.3",
          "if (folio && vma && userfaultfd_minor(vma)) { folio_put(folio); *fault_type = handle_userfault(vmf, "
          "VM_UFFD_MINOR); return 0; }"},
         {"SG.4",
          "if (xa_is_value(folio)) { error = shmem_swapin_folio(inode, index, &folio, sgp, gfp, vma, fault_type);"},
         {"SG.4", "    if (error == -EEXIST) goto repeat; return 0; }"},
         {"SG.5",
          "if (folio) { folio_lock(folio); if (unlikely(folio->mapping != inode->i_mapping)) { folio_unlock; "
          "folio_put; goto repeat; } if (uptodate) return 0; }"},
         {"SG.6",
          "if (vma && userfaultfd_missing(vma)) { *fault_type = handle_userfault(vmf, VM_UFFD_MISSING); return 0; }"},
         {"SG.7",
          "folio = shmem_alloc_and_add_folio(vmf, gfp, inode, index, fault_mm, false);  /* locked, in page cache, "
          "zeroed, uptodate, not dirty */"},
         {"SG.7", "return 0;  /* folio locked */"},
         {"SG.6", "return 0;  /* *fault_type from handle_userfault */"}},
        shmem_get_folio_gfp,
        {"index:index", "pfn:folio", "slot:swap (+1)", "flags:sgp"}};
    return info;
}

const FunctionInfo& info_shmem_swapin_folio() {
    static const FunctionInfo info{
        "shmem_swapin_folio",
        "mm/shmem.c",
        {{"SI.1", "folio = swap_cache_get_folio(swap, NULL, 0);"},
         {"SI.2",
          "if (!folio) { folio = shmem_swap_alloc_folio(...) / shmem_swapin_cluster(swap, gfp, info, index);  /* swap "
          "cache + read I/O */ }"},
         {"SI.3",
          "folio_lock(folio); if (!folio_test_swapcache(folio) || folio->swap.val != swap.val || "
          "!shmem_confirm_swap(mapping, index, swap)) { error = -EEXIST; goto unlock; }"},
         {"SI.4", "folio_wait_writeback(folio);"},
         {"SI.5",
          "error = shmem_add_to_page_cache(folio, mapping, index, swp_to_radix_entry(swap), gfp); "
          "shmem_recalc_inode(inode, 0, -1); delete_from_swap_cache(folio); folio_mark_dirty(folio); swap_free(swap);  "
          "/* SI.6 */"},
         {"SI.7", "*foliop = folio; return 0;"}},
        shmem_swapin_folio,
        {"index:index", "slot:swap (+1)", "pfn:folio"}};
    return info;
}

const FunctionInfo& info_shmem_file_write() {
    static const FunctionInfo info{
        "shmem_file_write_iter",
        "mm/shmem.c",
        {{"", "inode_lock(inode);"},
         {"", "shmem_write_begin(): shmem_get_folio(inode, index, pos + len, &folio, SGP_WRITE);"},
         {"",
          "copy_page_from_iter_atomic(); shmem_write_end(): folio_mark_dirty(folio); folio_unlock(folio); "
          "folio_put(folio);"},
         {"", "inode_unlock(inode);"}},
        shmem_file_write,
        {"lo:first page", "hi:end page", "cursor:page", "tag:data"}};
    return info;
}

}  // namespace faultline::paths
