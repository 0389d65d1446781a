// SPDX-License-Identifier: GPL-3.0-or-later
// UFFDIO_MOVE (Linux 6.8, anonymous memory): mm/userfaultfd.c move_pages() →
// move_pages_pte(). Each source page's folio (or swap entry) is moved to the
// destination address instead of copied: the source pte becomes none, the
// destination pte maps the same folio writable, dirty if the source pte was,
// and without uffd-wp (move_present_ptes: a new pte from dst_vma's
// vm_page_prot); a swap entry moves as it is, its uffd-wp bit with it
// (move_swap_pte: ptep_get_and_clear, set_pte_at), so the page keeps its
// protection through a swap-in at the destination. As Linux 6.18 does it
// (tools/kernel-checks/uffdio_move.c, sample S22):
// the destination VMA must be registered with this userfaultfd and both VMAs
// anonymous (-EINVAL), a populated destination pte is -EEXIST, a source hole
// -ENOENT unless UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES; a source pte marker is
// -EFAULT. Variants without it (before v6.8: all but `upstream`) refuse it
// with -EINVAL, as those kernels have no such ioctl.
#include "paths/path_common.h"

namespace faultline::paths {
namespace {

constexpr uint32_t kMoveDontwake = 1, kMoveAllowSrcHoles = 2;

void move_pages(StepContext& c) {
    StackFrame& f = c.f();
    const uint8_t mm = f.mm;
    const uint64_t n = f.hi - f.lo, src = f.index;  // dst [lo, hi), src [index, index + n)
    if (!c.k().wpUnpopulated) {
        FL_AT(c, "UFFDIO_MOVE does not exist in this kernel variant (v6.8+) → -EINVAL");
        return c.ret(kEINVAL);
    }
    if (f.ctx < c.s.ctxCount() && !c.s.ctx(f.ctx).changing.empty()) {
        FL_AT(c, "UFFDIO_MOVE: a non-cooperative event is not complete (ctx->mmap_changing) → -EAGAIN");
        return c.ret(kEAGAIN);
    }
    if (!c.lock(ML(mm), false)) return;
    FL_AT(c, "UFFDIO_MOVE(" + c.pageName(mm, f.lo) + " ← " + c.pageName(mm, src) + ", " + std::to_string(n) +
         " page(s)): mmap_read_lock");
    auto fail = [&](int32_t e, const std::string& why) {
        c.unlock(ML(mm));
        FL_SAY(c, "; " + why + " → " + errnoName(e));
        return c.ret(e);
    };
    Mm& m = c.s.mms[mm];
    int moved = 0;
    for (uint64_t i = 0; i < n; ++i) {
        const uint64_t d = f.lo + i, sv = src + i;
        const Vma* dv = c.vmaOf(mm, d);
        const Vma* svma = c.vmaOf(mm, sv);
        if (!dv || !svma) return fail(kEINVAL, "a page of the range is not mapped");
        if (!dv->uffd || dv->ctx != f.ctx) return fail(kEINVAL, "the destination is not registered with this userfaultfd");
        if (dv->file || svma->file) return fail(kEINVAL, "only anonymous VMAs can move pages");
        if (!(dv->flags & VM_WRITE) || !(svma->flags & VM_WRITE)) return fail(kEINVAL, "a VMA without VM_WRITE");
        const Pte dp = m.pt.get(d), sp = m.pt.get(sv);
        if (!dp.isNone()) return fail(kEEXIST, c.pageName(mm, d) + " is " + dp.describe() + " (after " +
                                                   std::to_string(moved) + " moved)");
        if (sp.isNone()) {
            if (f.flags & kMoveAllowSrcHoles) continue;
            return fail(kENOENT, c.pageName(mm, sv) + " is a hole (after " + std::to_string(moved) + " moved)");
        }
        if (sp.isMarker()) return fail(kEFAULT, c.pageName(mm, sv) + " is a pte marker");
        if (sp.isPresent()) {
            const Folio& fo = c.s.folio(sp.pfn);
            if (!fo.anon || fo.mapcount != 1) return fail(kEBUSY, c.pageName(mm, sv) + "'s folio is not exclusive");
            // The monitor moves the page itself: it wants no protection on
            // either pte any more (as COPY without MODE_WP), whoever issues
            // the ioctl, so the source's uffd-wp going is no loss (C2).
            c.setIntent(mm, sv, false);
            c.setIntent(mm, d, false);
            c.setPte(mm, sv, Pte::none());
            c.editFolio(sp.pfn, [&](Folio& x) { x.index = d; });  // folio_move_anon_rmap, folio->index
            c.setPte(mm, d, Pte::present(sp.pfn, true, sp.dirty, true, false));
        } else {  // a swap entry moves as it is (move_swap_pte), its uffd-wp bit kept
            if (c.s.swap.slots.get(sp.slot).count != 1)  // !pte_swp_exclusive: a fork shares it
                return fail(kEBUSY, c.pageName(mm, sv) + "'s swap entry is shared");
            c.setIntent(mm, sv, false);
            c.setIntent(mm, d, false);
            c.setPte(mm, sv, Pte::none());
            c.editSlot(sp.slot, [&](SwapSlot& sl) { sl.owner = d; });
            if (uint32_t cp = c.s.swap.slots.get(sp.slot).cachePfn) c.editFolio(cp, [&](Folio& x) { x.index = d; });
            c.setPte(mm, d, sp);
        }
        ++moved;
    }
    c.unlock(ML(mm));
    FL_SAY(c, "; " + std::to_string(moved) +
          " page(s) moved (present: writable, no uffd-wp; swap entries as they were); mmap_read_unlock");
    if (!(f.flags & kMoveDontwake)) c.wakeUffdRange(f.ctx, mm, f.lo, f.hi);
    return c.ret(0);
}

}  // namespace

const FunctionInfo& info_move_pages() {
    static const FunctionInfo info{
        "move_pages",
        "mm/userfaultfd.c",
        {{"",
          "if (atomic_read(&ctx->mmap_changing)) return -EAGAIN; validate_move_areas(ctx, src_vma, dst_vma);  /* "
          "anonymous, VM_WRITE, dst registered with ctx */ for each page: move_pages_pte();  /* dst pte none else "
          "-EEXIST; src hole -ENOENT unless ALLOW_SRC_HOLES; move_present_ptes: folio_move_anon_rmap, dst pte "
          "writable, dirty if src was, no uffd-wp; move_swap_pte: the swap pte as it is, uffd-wp kept */ if (!(mode & DONTWAKE)) wake_userfault(ctx, dst range);"}},
        move_pages,
        {"lo:dst start", "hi:dst end", "index:src start", "flags:mode"}};
    return info;
}

}  // namespace faultline::paths
