// SPDX-License-Identifier: GPL-3.0-or-later
// Write faults (spec §3): do_shared_fault() on a none pte, do_wp_page() on a
// read-only present pte, and handle_pte_marker() for faults through a marker.
#include "paths/path_common.h"

namespace faultline::paths {
namespace {

enum { WN_1, WN_1_RET, WN_2, WN_3 };

void do_shared_fault(StepContext& c) {
    StackFrame& f = c.f();
    switch (f.pc) {
    case WN_1:
        FL_AT(c, "no fault-around on write faults; __do_fault → shmem_fault");
        f.pc = WN_1_RET;
        return c.call(Fn::shmem_fault, faultFrame(f));
    case WN_1_RET:
        if (f.ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY)) {
            FL_AT(c, "shmem_fault returned " + vmFaultText(f.ret));
            return c.ret(f.ret);
        }
        FL_AT(c, "shmem_fault returned locked " + pfnText(f.pfn));
        return c.next(WN_2);
    case WN_2: {
        FL_AT(c, "finish_fault (write)");
        StackFrame n = faultFrame(f);
        n.pfn = f.pfn;
        f.pc = WN_3;
        return c.call(Fn::finish_fault, n);
    }
    case WN_3:
        if (f.ret & VM_FAULT_NOPAGE) {
            FL_AT(c, "finish_fault failed: folio_unlock, folio_put");
            c.unlockFolio(f.pfn);
            c.putRef(f.pfn);
            return c.ret(f.ret);
        }
        c.editFolio(f.pfn, [](Folio& fo) { fo.set(PG_dirty); });
        c.unlockFolio(f.pfn);
        FL_AT(c, "fault_dirty_shared_page: " + pfnText(f.pfn) + " dirty, unlocked");
        return c.ret(0);
    }
    throw EngineError("do_shared_fault: bad pc");
}

enum { CW_1, CW_1_RET, CW_2, CW_3 };

// A write fault on a none pte of a MAP_PRIVATE file VMA: the file's page is
// read through shmem_fault and copied into a new anonymous page, which is
// mapped; the file never sees the write.
void do_cow_fault(StepContext& c) {
    StackFrame& f = c.f();
    switch (f.pc) {
    case CW_1:
        FL_AT(c, "MAP_PRIVATE write fault: __do_fault → shmem_fault for the file's page, then copy");
        f.pc = CW_1_RET;
        return c.call(Fn::shmem_fault, faultFrame(f));
    case CW_1_RET: {
        if (f.ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY)) {
            FL_AT(c, "shmem_fault returned " + vmFaultText(f.ret));
            return c.ret(f.ret);
        }
        const uint32_t file = f.pfn;
        const Tag data = c.s.folio(file).data;
        const uint32_t q = c.allocFolio(true, f.mm, f.va);
        c.editFolio(q, [&](Folio& fo) {
            fo.data = data;
            fo.set(PG_uptodate);
            fo.set(PG_lru);
        });
        c.unlockFolio(file);
        c.putRef(file);
        f.pfn = q;
        FL_AT(c, "copy_mc_user_highpage: file " + pfnText(file) + " (" + data.str() + ") → new anonymous " + pfnText(q) +
             "; folio_unlock, folio_put the file's page");
        return c.next(CW_2);
    }
    case CW_2: {
        FL_AT(c, "finish_fault (the private copy)");
        StackFrame n = faultFrame(f);
        n.pfn = f.pfn;
        f.pc = CW_3;
        return c.call(Fn::finish_fault, n);
    }
    case CW_3:
        if (f.ret & VM_FAULT_NOPAGE) {
            FL_AT(c, "finish_fault failed: the copy is dropped");
            c.putRef(f.pfn);
            return c.ret(f.ret);
        }
        FL_AT(c, "private copy " + pfnText(f.pfn) + " mapped");
        return c.ret(0);
    }
    throw EngineError("do_cow_fault: bad pc");
}

enum { WP_1, WP_2, WP_3, WP_UFFD_RET };

void do_wp_page(StepContext& c) {
    StackFrame& f = c.f();
    switch (f.pc) {
    case WP_1: {
        const Vma& v = vmaFor(c, f.mm, f.va);
        const Pte p = c.s.mms[f.mm].pt.get(f.va);
        if ((v.flags & VM_UFFD_WP) && p.uffd_wp && c.s.ctxOf(v) && (c.s.ctxOf(v)->features & UFFD_FEATURE_WP_ASYNC)) {
            // userfaultfd_wp_async(): the kernel resolves the fault itself
            // (the monitor reads the cleared bit from pagemap later).
            Pte n = p;
            n.uffd_wp = false;
            c.setPte(f.mm, f.va, n);
            c.s.mms[f.mm].intent.update(f.va, [](Intent& i) { i.wpMsgSinceSet = true; });
            FL_AT(c, "userfaultfd_wp_async: WP_ASYNC → uffd-wp cleared by the kernel, no message");
            return c.jump(WP_2);
        }
        if ((v.flags & VM_UFFD_WP) && p.uffd_wp) {
            FL_AT(c, 
                "userfaultfd_pte_wp: VMA has VM_UFFD_WP and pte has uffd-wp → pte_unmap_unlock; "
                "handle_userfault(VM_UFFD_WP)");
            c.unlock(PTL(f.mm, f.va));
            StackFrame n = faultFrame(f);
            n.flags = VM_UFFD_WP;
            f.pc = WP_UFFD_RET;
            return c.call(Fn::handle_userfault, n);
        }
        FL_AT(c, p.uffd_wp ? "pte has a stale uffd-wp bit but the VMA is not VM_UFFD_WP: ignored"
                       : "pte has no uffd-wp bit");
        return c.jump(WP_2);
    }
    case WP_2: {
        const Vma& v = vmaFor(c, f.mm, f.va);
        Pte p = c.s.mms[f.mm].pt.get(f.va);
        f.pfn = p.pfn;
        p.write = p.dirty = p.young = true;
        if (v.flags & (VM_SHARED | VM_MAYSHARE)) {
            c.getRef(f.pfn);
            c.setPte(f.mm, f.va, p);
            c.unlock(PTL(f.mm, f.va));
            FL_SAY(c, "WP.2 wp_page_shared → wp_page_reuse: " + c.pageName(f.mm, f.va) + " ← " + p.describe() +
                  " (no message: nothing marks it protected)");
            return c.next(WP_3);
        }
        const Folio fo = c.s.folio(f.pfn);
        std::string reuse;  // how wp_can_reuse_anon_folio() found the folio exclusive, if it did
        bool viaSwapCache = false;
        if (anonExclusive(c.s, f.pfn, &viaSwapCache)) {
            reuse = "exclusive";
            if (viaSwapCache) {  // folio_free_swap(): no swap pte refers to the slot any more
                const uint32_t slot = fo.swap - 1, pfn = f.pfn;
                c.editFolio(pfn, [](Folio& x) {
                    x.swap = 0;
                    x.set(PG_swapcache, false);
                });
                c.editSlot(slot, [](SwapSlot& sl) { sl = SwapSlot{}; });
                c.dropRefCount(pfn);
                reuse = "exclusive once folio_free_swap dropped swap slot " + std::to_string(slot);
            }
        }
        if (reuse.empty()) {
            // wp_page_copy(): a MAP_PRIVATE file page, or an anonymous folio
            // another pte (a fork's other mm) or reference may still use, is
            // copied into a new anonymous page; the old one stays as it was.
            const uint32_t old = f.pfn;
            const Tag data = fo.data;
            const uint32_t q = c.allocFolio(true, f.mm, f.va);
            c.editFolio(q, [&](Folio& x) {
                x.data = data;
                x.set(PG_uptodate);
                x.set(PG_lru);
            });
            c.unmapPresent(f.mm, f.va, Pte::none());
            const Pte np = Pte::present(q, (v.flags & VM_WRITE) != 0, true, true, false);
            c.mapFromTaskRef(f.mm, f.va, np);
            c.unlock(PTL(f.mm, f.va));
            const std::string what =
                fo.anon ? "anonymous " + pfnText(old) + " not exclusive (mapcount " + std::to_string(fo.mapcount) +
                              ", refcount " + std::to_string(fo.refcount) + ")"
                        : "MAP_PRIVATE file page " + pfnText(old);
            FL_SAY(c, "WP.2 " + what + " → wp_page_copy: (" + data.str() + ") copied to anonymous " + pfnText(q) + "; " +
                  c.pageName(f.mm, f.va) + " ← " + np.describe() + "; " +
                  (fo.anon ? "the other mm keeps " + pfnText(old) : std::string("the file is unchanged")));
            return c.ret(0);
        }
        c.setPte(f.mm, f.va, p);
        c.unlock(PTL(f.mm, f.va));
        FL_SAY(c, "WP.2 anonymous page " + reuse + " → wp_page_reuse: " + p.describe());
        return c.ret(0);
    }
    case WP_3:
        if (!c.lockFolio(f.pfn)) return;
        c.editFolio(f.pfn, [](Folio& fo) { fo.set(PG_dirty); });
        c.unlockFolio(f.pfn);
        c.putRef(f.pfn);
        FL_AT(c, "folio_lock; fault_dirty_shared_page: " + pfnText(f.pfn) + " dirty; folio_unlock; folio_put");
        return c.ret(0);
    case WP_UFFD_RET: return c.ret(f.ret);
    }
    throw EngineError("do_wp_page: bad pc");
}

enum { MK_1, MK_2, MK_3, MK_RET };

void handle_pte_marker(StepContext& c) {
    StackFrame& f = c.f();
    switch (f.pc) {
    case MK_1:
        if (!(f.orig_pte.marker & kMarkerUffdWp)) {
            const bool guard = f.orig_pte.marker & kMarkerGuard;
            FL_AT(c, guard ? "guard marker → SIGSEGV" : "marker without UFFD_WP (poisoned or empty) → SIGBUS");
            return c.ret(guard ? VM_FAULT_SIGSEGV : VM_FAULT_SIGBUS);
        }
        FL_AT(c, "uffd-wp marker");
        return c.jump(MK_2);
    case MK_2: {
        const Vma& v = vmaFor(c, f.mm, f.va);
        if (v.flags & VM_UFFD_WP) return c.jump(MK_3);
        if (!c.lock(PTL(f.mm, f.va))) return;
        const bool same = c.s.mms[f.mm].pt.get(f.va) == f.orig_pte;
        if (same) c.setPte(f.mm, f.va, Pte::none());
        c.unlock(PTL(f.mm, f.va));
        FL_SAY(c, std::string("VMA not VM_UFFD_WP: stale marker → pte_marker_clear") + (same ? "" : " (already changed)") +
              "; access retried");
        return c.ret(0);
    }
    case MK_3: {
        const bool file = vmaFor(c, f.mm, f.va).file;
        const Vma& v = vmaFor(c, f.mm, f.va);
        const Fn next = !file                   ? Fn::do_anonymous_page
                        : !f.write              ? Fn::do_read_fault
                        : (v.flags & VM_SHARED) ? Fn::do_shared_fault
                                                : Fn::do_cow_fault;
        FL_SAY(c, "VMA is VM_UFFD_WP → do_pte_missing → " + std::string(fnName(next)));
        f.pc = MK_RET;
        return c.call(next, faultFrame(f));
    }
    case MK_RET: return c.ret(f.ret);
    }
    throw EngineError("handle_pte_marker: bad pc");
}

}  // namespace

const FunctionInfo& info_do_shared_fault() {
    static const FunctionInfo info{
        "do_shared_fault",
        "mm/memory.c",
        {{"WN.1", "ret = __do_fault(vmf);  /* shmem_fault; shmem has no ->page_mkwrite */"},
         {"WN.1", "if (unlikely(ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY))) return ret;"},
         {"WN.2", "ret |= finish_fault(vmf);"},
         {"WN.3",
          "if (unlikely(ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY))) { folio_unlock(folio); "
          "folio_put(folio); return ret; } ret |= fault_dirty_shared_page(vmf); return ret;"}},
        do_shared_fault,
        {"va:address", "index:pgoff", "pfn:folio"}};
    return info;
}

const FunctionInfo& info_do_cow_fault() {
    static const FunctionInfo info{
        "do_cow_fault",
        "mm/memory.c",
        {{"",
          "folio = folio_prealloc(vma->vm_mm, vma, vmf->address, false); vmf->cow_page = &folio->page; ret = "
          "__do_fault(vmf);  /* shmem_fault */"},
         {"",
          "if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY)) return ret; "
          "copy_mc_user_highpage(vmf->cow_page, vmf->page, vmf->address, vma); __folio_mark_uptodate(folio); "
          "unlock_page(vmf->page); put_page(vmf->page);"},
         {"", "ret |= finish_fault(vmf);  /* maps the anonymous copy */"},
         {"", "if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY)) folio_put(folio); return ret;"}},
        do_cow_fault,
        {"va:address", "index:pgoff", "pfn:folio (the copy after CW.1)"}};
    return info;
}

const FunctionInfo& info_do_wp_page() {
    static const FunctionInfo info{
        "do_wp_page",
        "mm/memory.c",
        {{"WP.1",
          "if (userfaultfd_pte_wp(vma, ptep_get(vmf->pte))) { pte_unmap_unlock(vmf->pte, vmf->ptl); return "
          "handle_userfault(vmf, VM_UFFD_WP); }"},
         {"WP.2",
          "if (vma->vm_flags & (VM_SHARED | VM_MAYSHARE)) return wp_page_shared(vmf, folio);  /* folio_get; "
          "wp_page_reuse: pte_mkyoung(pte_mkdirty(pte_mkwrite(entry))); pte_unmap_unlock */ if (folio_test_anon(folio) "
          "&& wp_can_reuse_anon_folio(folio, vma)) wp_page_reuse(); else return wp_page_copy(vmf);  /* a MAP_PRIVATE file "
          "page or a shared anonymous folio: copy to a new "
          "anonymous page */"},
         {"WP.3", "folio_lock(folio); fault_dirty_shared_page(vmf); folio_put(folio);"},
         {"WP.1", "return ret;"}},
        do_wp_page,
        {"va:address", "pfn:folio"}};
    return info;
}

const FunctionInfo& info_handle_pte_marker() {
    static const FunctionInfo info{
        "handle_pte_marker",
        "mm/memory.c",
        {{"MK.1",
          "marker = pte_marker_get(entry); if (WARN_ON_ONCE(!marker)) return VM_FAULT_SIGBUS; if (marker & "
          "PTE_MARKER_POISONED) return VM_FAULT_HWPOISON; if (marker & PTE_MARKER_GUARD) return VM_FAULT_SIGSEGV;"},
         {"MK.2",
          "if (pte_marker_entry_uffd_wp(entry)) return pte_marker_handle_uffd_wp(vmf);  /* !userfaultfd_wp(vma): "
          "pte_marker_clear() */"},
         {"MK.3", "return do_pte_missing(vmf);  /* do_fault: read → do_read_fault, write → do_shared_fault */"},
         {"MK.3", "return ret;"}},
        handle_pte_marker,
        {"va:address", "orig_pte:orig_pte"}};
    return info;
}

}  // namespace faultline::paths
