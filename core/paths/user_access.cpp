// SPDX-License-Identifier: GPL-3.0-or-later
// UA: a user access by an application thread (spec §0.3), and the fault
// dispatch handle_mm_fault() → handle_pte_fault() (spec §2.1).
#include <csignal>

#include "paths/path_common.h"

namespace faultline::paths {
namespace {

enum { UA_1, UA_2, UA_2_RET };

// The checker's view of a completed access: C1 (silent write) and C3 (minor
// completeness), spec §8.0.
void checkAccess(StepContext& c, const StackFrame& f, const Vma& v) {
    Mm& mm = c.s.mms[f.mm];
    const Intent in = mm.intent.get(f.va);
    const int64_t idx = int64_t(v.file ? v.indexOf(f.va) : f.va - v.start);
    if (f.write && in.protect && !in.wpMsgSinceSet)
        c.finding(Rule::C1, f.mm, idx,
                  c.taskName() + " wrote " + c.pageName(f.mm, f.va) + " = " + f.tag.str() +
                      " while the monitor had it write-protected, and no WP message was delivered");
    if ((v.flags & VM_UFFD_MINOR) && !in.minorSeen) {
        c.finding(Rule::C3, f.mm, idx,
                  c.taskName() + " accessed cached " + c.pageName(f.mm, f.va) +
                      " in a MINOR-registered VMA without a MINOR message");
        mm.intent.update(f.va, [](Intent& i) { i.minorSeen = true; });
    }
}

void user_access(StepContext& c) {
    StackFrame& f = c.f();
    switch (f.pc) {
    case UA_1: {
        const Vma* v = c.vmaOf(f.mm, f.va);
        if (!v) {
            FL_AT(c, c.pageName(f.mm, f.va) + ": no VMA → SIGSEGV");
            c.task().lastSignal = SIGSEGV;
            return c.ret(0);
        }
        const Pte p = c.s.mms[f.mm].pt.get(f.va);
        // PROT_NONE (mprotect): the pte is not accessible; the fault path's
        // access_error() turns it into SIGSEGV.
        if (p.isPresent() && (!f.write || p.write) && (v->flags & VM_READ)) {
            Pte n = p;
            n.young = true;
            if (f.write) n.dirty = true;
            c.setPte(f.mm, f.va, n);
            if (f.write) {
                const Tag was = c.s.folio(p.pfn).data;
                c.editFolio(p.pfn, [&](Folio& fo) { fo.data = f.tag; });
                FL_AT(c, c.taskName() + " writes " + c.pageName(f.mm, f.va) + " = " + f.tag.str() + " (was " + was.str() +
                     ", pte writable" +
                     (c.task().faultRetries ? ", after " + std::to_string(c.task().faultRetries) + " fault(s)" : "") +
                     ")");
            } else {
                FL_AT(c, c.taskName() + " reads " + c.pageName(f.mm, f.va) + " = " + c.s.folio(p.pfn).data.str());
            }
            checkAccess(c, f, *v);
            return c.ret(0);
        }
        FL_AT(c, std::string(f.write ? "write" : "read") + " of " + c.pageName(f.mm, f.va) + ": pte " + p.describe() +
             " → page fault");
        return c.jump(UA_2);
    }
    case UA_2: {
        if (!c.lock(ML(f.mm), false)) return;
        // do_user_addr_fault(): find_vma() and access_error() come before any
        // fault handling: no VMA, or a write to a VMA without VM_WRITE, is
        // SIGSEGV (bad_area) and nothing is faulted in.
        const Vma* v = c.vmaOf(f.mm, f.va);
        if (!v || (f.write && !(v->flags & VM_WRITE)) || !(v->flags & (VM_READ | VM_WRITE))) {
            c.unlock(ML(f.mm));
            c.task().lastSignal = SIGSEGV;
            FL_AT(c, "mmap_read_lock(" + c.mmName(f.mm) + "); " +
                 (!v                                  ? std::string("no VMA at ") + c.pageName(f.mm, f.va)
                  : f.write && !(v->flags & VM_WRITE) ? std::string("access_error: write to a VMA without VM_WRITE")
                                                      : std::string("access_error: PROT_NONE VMA")) +
                 " → SIGSEGV");
            return c.ret(0);
        }
        FL_AT(c, "mmap_read_lock(" + c.mmName(f.mm) + "); handle_mm_fault(" + std::string(f.write ? "WRITE" : "READ") +
             ")");
        f.pc = UA_2_RET;
        return c.call(Fn::handle_mm_fault, faultFrame(f));
    }
    case UA_2_RET: {
        const int32_t r = f.ret;
        if (c.holds(ML(f.mm))) c.unlock(ML(f.mm));
        if (r & (VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV | VM_FAULT_OOM)) {
            c.task().lastSignal = (r & VM_FAULT_SIGSEGV) ? SIGSEGV : SIGBUS;
            FL_AT(c, "fault returned " + vmFaultText(r) + " → " + ((r & VM_FAULT_SIGSEGV) ? "SIGSEGV" : "SIGBUS"));
            return c.ret(0);
        }
        ++c.task().faultRetries;
        FL_AT(c, "fault returned " + vmFaultText(r) + "; access retried");
        return c.next(UA_1);
    }
    }
    throw EngineError("user_access: bad pc");
}

enum { HF_2, HF_3, HF_RET };

void handle_mm_fault(StepContext& c) {
    StackFrame& f = c.f();
    switch (f.pc) {
    case HF_2: {
        f.orig_pte = c.s.mms[f.mm].pt.get(f.va);
        FL_AT(c, "orig_pte = " + f.orig_pte.describe() + " (lockless read)");
        return c.next(HF_3);
    }
    case HF_3: {
        const Vma& v = vmaFor(c, f.mm, f.va);
        const Pte& o = f.orig_pte;
        StackFrame n = faultFrame(f);
        f.pc = HF_RET;
        switch (o.kind) {
        case PteKind::None:
            if (!v.file) {
                FL_AT(c, "pte none, anonymous VMA → do_anonymous_page");
                return c.call(Fn::do_anonymous_page, n);
            }
            {
                const Fn next = !f.write                ? Fn::do_read_fault
                                : (v.flags & VM_SHARED) ? Fn::do_shared_fault
                                                        : Fn::do_cow_fault;
                FL_AT(c, "pte none → do_fault → " + std::string(fnName(next)));
                return c.call(next, n);
            }
        case PteKind::Marker:
            FL_AT(c, "pte is a marker → do_swap_page → handle_pte_marker");
            return c.call(Fn::handle_pte_marker, n);
        case PteKind::Swap: FL_AT(c, "pte is a swap entry → do_swap_page"); return c.call(Fn::do_swap_page, n);
        case PteKind::Present:
            if (f.write && !o.write) {
                f.pc = HF_3;  // retry this row if PTL blocks
                if (!c.lock(PTL(f.mm, f.va))) return;
                f.pc = HF_RET;
                if (!(c.s.mms[f.mm].pt.get(f.va) == o)) {
                    c.unlock(PTL(f.mm, f.va));
                    FL_AT(c, "pte changed since HF.2 → return (access retried)");
                    return c.ret(0);
                }
                FL_AT(c, "write to read-only present pte → do_wp_page (PTL held)");
                return c.call(Fn::do_wp_page, n);
            }
            FL_AT(c, "pte already allows the access (spurious fault) → return");
            return c.ret(0);
        }
        throw EngineError("handle_mm_fault: bad pte kind");
    }
    case HF_RET: return c.ret(f.ret);
    }
    throw EngineError("handle_mm_fault: bad pc");
}

}  // namespace

const FunctionInfo& info_user_access() {
    static const FunctionInfo info{"user access",
                                   "(user space)",
                                   {{"UA.1",
                                     "pte = *pte_offset(mm, va); if (pte_present(pte) && (!write || pte_write(pte))) { "
                                     "access the page; return; }"},
                                    {"UA.2",
                                     "mmap_read_lock(mm); vma = find_vma(mm, va); if (!vma || access_error(write, "
                                     "vma)) { bad_area: force_sig(SIGSEGV); return; } ret = handle_mm_fault(vma, va, "
                                     "FAULT_FLAG_USER | FAULT_FLAG_ALLOW_RETRY | (write ? FAULT_FLAG_WRITE : 0));"},
                                    {"UA.2",
                                     "if (ret & VM_FAULT_RETRY) goto UA.1;  /* mmap lock already dropped */ "
                                     "mmap_read_unlock(mm); if (ret & VM_FAULT_ERROR) force_sig(SIGBUS); goto UA.1;"}},
                                   user_access,
                                   {"va:address", "write:write", "tag:data"}};
    return info;
}

const FunctionInfo& info_handle_mm_fault() {
    static const FunctionInfo info{
        "handle_mm_fault",
        "mm/memory.c",
        {{"HF.2", "vmf->orig_pte = ptep_get_lockless(vmf->pte);  /* lockless: the pte may change after this */"},
         {"HF.3",
          "if (pte_none(vmf->orig_pte)) return do_pte_missing(vmf); if (!pte_present(vmf->orig_pte)) return "
          "do_swap_page(vmf); if (write && !pte_write(entry)) return do_wp_page(vmf);"},
         {"HF.3", "return ret;"}},
        handle_mm_fault,
        {"va:address", "index:pgoff", "write:write", "orig_pte:orig_pte"}};
    return info;
}

}  // namespace faultline::paths
