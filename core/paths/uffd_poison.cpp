// SPDX-License-Identifier: GPL-3.0-or-later
// UFFDIO_POISON: mfill_atomic_pte_poison() installs a poisoned pte marker on
// each none pte of the range; an access there is SIGBUS (VM_FAULT_HWPOISON).
#include "paths/path_common.h"

namespace faultline::paths {
namespace {

void mfill_atomic_pte_poison(StepContext& c) {
    StackFrame& f = c.f();
    const uint8_t mm = f.mm;
    if (!(c.s.ctx(f.ctx).features & UFFD_FEATURE_POISON) && !c.k().wpUnpopulated) {
        FL_AT(c, "UFFDIO_POISON does not exist in this kernel variant (v6.6+) → -EINVAL");
        return c.ret(kEINVAL);
    }
    if (f.ctx < c.s.ctxCount() && !c.s.ctx(f.ctx).changing.empty()) {
        FL_AT(c, "UFFDIO_POISON: a non-cooperative event is not complete (ctx->mmap_changing) → -EAGAIN");
        return c.ret(kEAGAIN);
    }
    if (!c.lock(ML(mm), false)) return;
    FL_AT(c, "UFFDIO_POISON [" + c.pageName(mm, f.lo) + ", +" + std::to_string(f.hi - f.lo) + "): mmap_read_lock");
    int done = 0;
    for (uint64_t vpn = f.lo; vpn < f.hi; ++vpn) {
        const Vma* v = c.vmaOf(mm, vpn);
        if (!v || !v->uffd) {
            c.unlock(ML(mm));
            FL_SAY(c, "; " + c.pageName(mm, vpn) + " is not in a registered VMA → -ENOENT");
            return c.ret(kENOENT);
        }
        if (!c.lock(PTL(mm, vpn)))
            throw EngineError("UFFDIO_POISON: PTL busy");  // nothing else runs between these lines
        const Pte cur = c.s.mms[mm].pt.get(vpn);
        if (!cur.isNone()) {
            c.unlock(PTL(mm, vpn));
            c.unlock(ML(mm));
            FL_SAY(c, "; " + c.pageName(mm, vpn) + " is " + cur.describe() + " → -EEXIST after " + std::to_string(done) +
                  " page(s)");
            return c.ret(kEEXIST);
        }
        Pte p;
        p.kind = PteKind::Marker, p.marker = kMarkerPoisoned;
        c.setPte(mm, vpn, p);
        c.unlock(PTL(mm, vpn));
        ++done;
    }
    c.unlock(ML(mm));
    FL_SAY(c, "; " + std::to_string(done) + " poisoned marker(s) installed; mmap_read_unlock");
    c.wakeUffdRange(f.ctx, mm, f.lo, f.hi);
    return c.ret(0);
}

}  // namespace

const FunctionInfo& info_mfill_atomic_pte_poison() {
    static const FunctionInfo info{
        "mfill_atomic_pte_poison",
        "mm/userfaultfd.c",
        {{"",
          "mmap_read_lock; for each page: dst_pte = pte_offset_map_lock(); if (!pte_none(ptep_get(dst_pte))) return "
          "-EEXIST; set_pte_at(dst_mm, dst_addr, dst_pte, make_pte_marker(PTE_MARKER_POISONED)); pte_unmap_unlock; "
          "wake_userfault()"}},
        mfill_atomic_pte_poison,
        {"lo:start", "hi:end"}};
    return info;
}

}  // namespace faultline::paths
