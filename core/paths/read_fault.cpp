// SPDX-License-Identifier: GPL-3.0-or-later
// Read fault on a none pte of a shared shmem mapping (spec §2.2–§2.6):
// do_read_fault(), do_fault_around(), filemap_map_pages(), finish_fault().
#include <algorithm>

#include "paths/path_common.h"

namespace faultline::paths {
namespace {

// Whether do_read_fault() calls do_fault_around() (spec §2.2 policy table).
// Returns the reason in `why` for the trace.
bool shouldFaultAround(StepContext& c, const Vma& v, std::string& why) {
    const Toggles& k = c.k();
    if (!k.shmemMapPages) return why = "shmem_vm_ops has no .map_pages (SHMEM_MAP_PAGES=off)", false;
    if (k.faultAroundPages() <= 1) return why = "fault_around_bytes is one page", false;
    switch (k.faultAround) {
    case FaultAroundPolicy::Always:
    case FaultAroundPolicy::SkipArmed:  // Peter's check sits inside do_fault_around()
        return why =
                   "->map_pages exists (FAULT_AROUND_POLICY=" + std::string(faultAroundPolicyName(k.faultAround)) + ")",
               true;
    case FaultAroundPolicy::SkipMinor:
        if (v.flags & VM_UFFD_MINOR) return why = "userfaultfd_minor(vma) (FAULT_AROUND_POLICY=skip-minor)", false;
        return why = "VMA not MINOR-registered", true;
    case FaultAroundPolicy::SkipWpOrMinor:
        if (v.flags & (VM_UFFD_WP | VM_UFFD_MINOR))
            return why = "uffd_disable_fault_around(vma): VMA has VM_UFFD_WP|VM_UFFD_MINOR", false;
        return why = "VMA not WP/MINOR-registered", true;
    }
    return false;
}

enum { RF_1, RF_1_RET, RF_2, RF_2_RET, RF_3, RF_4 };

void do_read_fault(StepContext& c) {
    StackFrame& f = c.f();
    switch (f.pc) {
    case RF_1: {
        const Vma& v = vmaFor(c, f.mm, f.va);
        std::string why;
        if (shouldFaultAround(c, v, why)) {
            FL_AT(c, "should_fault_around: yes — " + why);
            f.pc = RF_1_RET;
            return c.call(Fn::do_fault_around, faultFrame(f));
        }
        FL_AT(c, "should_fault_around: no — " + why);
        return c.jump(RF_2);
    }
    case RF_1_RET:
        if (f.ret & VM_FAULT_NOPAGE) {
            FL_AT(c, "fault-around mapped the faulting address → VM_FAULT_NOPAGE");
            return c.ret(VM_FAULT_NOPAGE);
        }
        FL_AT(c, "fault-around did not map the faulting address");
        return c.next(RF_2);
    case RF_2:
        FL_AT(c, "__do_fault → shmem_fault");
        f.pc = RF_2_RET;
        return c.call(Fn::shmem_fault, faultFrame(f));
    case RF_2_RET:
        if (f.ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY)) {
            FL_AT(c, "shmem_fault returned " + vmFaultText(f.ret));
            return c.ret(f.ret);
        }
        FL_AT(c, "shmem_fault returned locked " + pfnText(f.pfn));
        return c.next(RF_3);
    case RF_3: {
        FL_AT(c, "finish_fault");
        f.pc = RF_4;
        StackFrame n = faultFrame(f);
        n.pfn = f.pfn;
        return c.call(Fn::finish_fault, n);
    }
    case RF_4: {
        const int32_t r = f.ret;
        FL_AT(c, "folio_unlock(" + pfnText(f.pfn) + ")");
        c.unlockFolio(f.pfn);
        if (r & VM_FAULT_NOPAGE) {
            FL_SAY(c, "finish_fault failed: drop the fault's reference");
            c.putRef(f.pfn);
        }
        return c.ret(r);
    }
    }
    throw EngineError("do_read_fault: bad pc");
}

enum { FA_1, FA_2, FA_3 };

void do_fault_around(StepContext& c) {
    StackFrame& f = c.f();
    switch (f.pc) {
    case FA_1: {
        const Vma& v = vmaFor(c, f.mm, f.va);
        if (c.k().faultAround == FaultAroundPolicy::SkipArmed && (v.flags & VM_UFFD_ANY)) {
            FL_AT(c, "userfaultfd_armed(vma) → no fault-around (FAULT_AROUND_POLICY=skip-armed)");
            return c.ret(0);
        }
        // Spec §2.3: the nr-aligned block holding the fault, clamped to the VMA
        // and the pte table; it shifts (does not shrink) at the VMA start.
        const int64_t nr = c.k().faultAroundPages();
        const int64_t pteOff = int64_t(f.va & 511);
        const int64_t vmaOff = int64_t(f.index - v.pgoff);
        const int64_t vpages = int64_t(v.end - v.start);
        const int64_t fromPte = std::max(pteOff & ~(nr - 1), pteOff - std::min(pteOff, vmaOff));
        const int64_t toPte = std::min({fromPte + nr, int64_t(512), pteOff + vpages - vmaOff}) - 1;
        f.lo = f.index + fromPte - pteOff;
        f.hi = f.index + toPte - pteOff;
        FL_AT(c, "window: file pages " + idxText(f.lo) + ".." + idxText(f.hi) + " (fault_around_bytes " +
             std::to_string(c.k().faultAroundBytes) + ")");
        return c.jump(FA_2);
    }
    case FA_2: {
        FL_SAY(c, "rcu_read_lock(); filemap_map_pages(" + idxText(f.lo) + ", " + idxText(f.hi) + ")");
        StackFrame n = faultFrame(f);
        n.lo = f.lo;
        n.hi = f.hi;
        n.cursor = f.lo;
        f.pc = FA_3;
        return c.call(Fn::filemap_map_pages, n);
    }
    case FA_3: {
        // v6.x: filemap_map_pages() reports whether the faulting address got
        // mapped; a marker there is not "mapped" (it is left to the fault).
        const bool mapped = c.s.mms[f.mm].pt.get(f.va).isPresent();
        FL_AT(c, std::string("rcu_read_unlock(); faulting address ") +
             (mapped ? "mapped → VM_FAULT_NOPAGE" : "not mapped → 0"));
        return c.ret(mapped ? VM_FAULT_NOPAGE : 0);
    }
    }
    throw EngineError("do_fault_around: bad pc");
}

enum { MP_1, MP_3, MP_7, MP_11 };

void filemap_map_pages(StepContext& c) {
    StackFrame& f = c.f();
    const Inode& in = c.s.inode;
    auto skip = [&](std::string why) {
        FL_SAY(c, std::to_string(f.cursor) + ": " + why + " → skip");
        ++f.cursor;
        return c.jump(MP_1);
    };
    switch (f.pc) {
    case MP_1: {
        // MP.1/MP.2: the xarray walk skips holes by itself; value entries
        // (swap) and locked folios are skipped with a lockless test.
        const auto k = in.xa.nextLive(f.cursor, f.hi + 1);
        if (!k) {
            if (c.rec.pieces.empty() || c.rec.pieces.back().fn != Fn::filemap_map_pages)
                FL_AT(c, "no more entries in the window");
            else FL_SAY(c, "no more entries in the window");
            return c.jump(MP_11);
        }
        f.cursor = *k;
        const XaEntry e = in.xa.get(*k);
        if (c.rec.pieces.empty() || c.rec.pieces.back().fn != Fn::filemap_map_pages) FL_AT(c, "");
        if (e.isSwap()) return skip("MP.1 swap entry (value)");
        if (c.s.folio(e.value).has(PG_locked)) return skip("MP.2 " + pfnText(e.value) + " is locked");
        f.pfn = e.value;
        FL_SAY(c, std::to_string(*k) + ": " + pfnText(e.value) + " unlocked (MP.2, lockless)");
        return c.next(MP_3);
    }
    case MP_3: {
        FL_AT(c, "");
        const Folio fo = c.s.folio(f.pfn);  // a copy: the mutators below may reallocate
        if (!fo.allocated || !(in.xa.get(f.cursor) == XaEntry::folio(f.pfn)))
            return skip("MP.3 folio_try_get/xas_reload: slot changed");
        c.getRef(f.pfn);
        if (!fo.has(PG_uptodate) || fo.has(PG_readahead) || fo.has(PG_hwpoison)) {
            c.putRef(f.pfn);
            return skip("MP.4 not uptodate");
        }
        if (!c.trylockFolio(f.pfn)) {
            c.putRef(f.pfn);
            return skip("MP.5 folio_trylock failed");
        }
        if (!fo.fileMapping || f.cursor >= in.sizePages) {
            c.unlockFolio(f.pfn);
            c.putRef(f.pfn);
            return skip("MP.6 mapping changed or beyond EOF");
        }
        FL_SAY(c, std::to_string(f.cursor) + ": MP.3–MP.6 reference taken, " + pfnText(f.pfn) + " trylocked");
        return c.next(MP_7);
    }
    case MP_7: {
        const Vma& v = vmaFor(c, f.mm, f.va);
        const uint64_t vpn = v.vpnOf(f.cursor);
        if (!c.holds(PTL(f.mm, vpn)) && !c.lock(PTL(f.mm, vpn))) return;
        const Pte cur = c.s.mms[f.mm].pt.get(vpn);
        if (!cur.isNone()) {
            FL_AT(c, std::to_string(f.cursor) + ": MP.8 pte is " + cur.describe() + ", not none → skip");
            c.unlockFolio(f.pfn);
            c.putRef(f.pfn);
            ++f.cursor;
            return c.next(MP_1);
        }
        const bool w = c.pageProtWritable(v);
        Pte p = Pte::present(f.pfn, w, false, true, false);
        c.mapFromTaskRef(f.mm, vpn, p);
        FL_AT(c, 
            c.pageName(f.mm, vpn) + " ← " + p.describe() + " (MP.9; " +
            (w ? "writable: vm_page_prot grants write" : "read-only: writenotify (WRITENOTIFY_UFFD_WP/RO_PREFAULT_A)") +
            "; fault-around never sets uffd-wp); MP.10 folio_unlock");
        c.unlockFolio(f.pfn);
        ++f.cursor;
        return c.next(MP_1);
    }
    case MP_11: {
        const Vma& v = vmaFor(c, f.mm, f.va);
        const LockId ptl = PTL(f.mm, v.vpnOf(f.lo));
        if (c.holds(ptl)) {
            c.unlock(ptl);
            FL_SAY(c, "MP.11 pte_unmap_unlock");
        }
        return c.ret(0);
    }
    }
    throw EngineError("filemap_map_pages: bad pc");
}

enum { FF_1, FF_2, FF_3, FF_5 };

void finish_fault(StepContext& c) {
    StackFrame& f = c.f();
    switch (f.pc) {
    case FF_1:
        if (!c.lock(PTL(f.mm, f.va))) return;
        FL_AT(c, "pte_offset_map_lock");
        return c.jump(FF_2);
    case FF_2: {
        const Pte cur = c.s.mms[f.mm].pt.get(f.va);
        // v5.10 alloc_set_pte: the pte must be none; v6.x: it must still be
        // orig_pte (so a marker must still be the same marker).
        const bool same = c.k().pteMarkers ? cur == f.orig_pte : cur.isNone();
        if (!same) {
            c.unlock(PTL(f.mm, f.va));
            FL_SAY(c, "FF.2 pte changed to " + cur.describe() + " → VM_FAULT_NOPAGE");
            return c.ret(VM_FAULT_NOPAGE);
        }
        return c.jump(FF_3);
    }
    case FF_3: {
        const Vma& v = vmaFor(c, f.mm, f.va);
        Pte p = Pte::present(f.pfn, false, false, true, false);
        std::string why;
        if (f.write) {
            p.dirty = true;
            p.write = (v.flags & VM_WRITE) != 0;
            why = "write fault: dirty, writable";
        } else {
            p.write = c.pageProtWritable(v);
            why = p.write ? "read fault: vm_page_prot grants write" : "read fault: read-only";
        }
        if (c.k().pteMarkers && f.orig_pte.isWpMarker() && (v.flags & VM_UFFD_WP)) {
            p.uffd_wp = true;
            p.write = false;
            why += "; replaces a uffd-wp marker → pte_mkuffd_wp(pte_wrprotect()) (PTE_MARKERS=on)";
        }
        c.mapFromTaskRef(f.mm, f.va, p);
        FL_SAY(c, "FF.3/FF.4 " + c.pageName(f.mm, f.va) + " ← " + p.describe() + " (" + why + ")");
        return c.jump(FF_5);
    }
    case FF_5:
        c.unlock(PTL(f.mm, f.va));
        FL_SAY(c, "FF.5 pte_unmap_unlock");
        return c.ret(0);
    }
    throw EngineError("finish_fault: bad pc");
}

}  // namespace

const FunctionInfo& info_do_read_fault() {
    static const FunctionInfo info{
        "do_read_fault",
        "mm/memory.c",
        {{"RF.1", "if (should_fault_around(vmf)) {"},
         {"RF.1", "    ret = do_fault_around(vmf); if (ret) return ret; }"},
         {"RF.2", "ret = __do_fault(vmf);  /* vma->vm_ops->fault = shmem_fault */"},
         {"RF.2", "if (unlikely(ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY))) return ret;"},
         {"RF.3", "ret |= finish_fault(vmf);"},
         {"RF.4",
          "folio_unlock(folio); if (unlikely(ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY))) "
          "folio_put(folio); return ret;"}},
        do_read_fault,
        {"va:address", "index:pgoff", "pfn:folio"}};
    return info;
}

const FunctionInfo& info_do_fault_around() {
    static const FunctionInfo info{
        "do_fault_around",
        "mm/memory.c",
        {{"FA.1",
          "from_pte = max(ALIGN_DOWN(pte_off, nr_pages), pte_off - min(pte_off, vma_off)); to_pte = min3(from_pte + "
          "nr_pages, PTRS_PER_PTE, pte_off + vma_pages(vma) - vma_off) - 1;"},
         {"FA.2",
          "rcu_read_lock(); ret = vmf->vma->vm_ops->map_pages(vmf, vmf->pgoff + from_pte - pte_off, vmf->pgoff + "
          "to_pte - pte_off);"},
         {"FA.3", "rcu_read_unlock(); return ret;  /* VM_FAULT_NOPAGE if the faulting address got mapped */"}},
        do_fault_around,
        {"va:address", "index:pgoff", "lo:start_pgoff", "hi:end_pgoff"}};
    return info;
}

const FunctionInfo& info_filemap_map_pages() {
    static const FunctionInfo info{
        "filemap_map_pages",
        "mm/filemap.c",
        {{"MP.1",
          "xas_for_each(&xas, folio, end_pgoff) { if (xa_is_value(folio)) continue; if (folio_test_locked(folio)) "
          "continue;  /* MP.2, lockless */"},
         {"MP.3",
          "if (!folio_try_get(folio) || folio != xas_reload(&xas)) skip; if (!folio_test_uptodate(folio) || "
          "folio_test_readahead(folio)) skip; if (!folio_trylock(folio)) skip; if (folio->mapping != mapping || index "
          ">= max_idx) unlock;"},
         {"MP.7",
          "if (!pte_none(ptep_get(vmf->pte))) unlock;  /* MP.8 */ set_pte_range(vmf, folio, page, 1, addr);  /* MP.9 "
          "*/ folio_unlock(folio);  /* MP.10 */ }"},
         {"MP.11", "pte_unmap_unlock(vmf->pte, vmf->ptl); return ret;"}},
        filemap_map_pages,
        {"lo:start_pgoff", "hi:end_pgoff", "cursor:xas.xa_index", "pfn:folio"}};
    return info;
}

const FunctionInfo& info_finish_fault() {
    static const FunctionInfo info{
        "finish_fault",
        "mm/memory.c",
        {{"FF.1", "vmf->pte = pte_offset_map_lock(vma->vm_mm, vmf->pmd, vmf->address, &vmf->ptl);"},
         {"FF.2", "if (vmf_pte_changed(vmf)) { ret = VM_FAULT_NOPAGE; goto unlock; }  /* v5.10: !pte_none() */"},
         {"FF.3",
          "entry = mk_pte(page, vma->vm_page_prot); if (write) entry = maybe_mkwrite(pte_mkdirty(entry), vma); if "
          "(vmf_orig_pte_uffd_wp(vmf)) entry = pte_mkuffd_wp(entry); set_pte_at(); folio_add_file_rmap_pte();  /* FF.4 "
          "*/"},
         {"FF.5", "pte_unmap_unlock(vmf->pte, vmf->ptl); return ret;"}},
        finish_fault,
        {"va:address", "pfn:folio", "write:write", "orig_pte:orig_pte"}};
    return info;
}

}  // namespace faultline::paths
