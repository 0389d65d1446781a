// SPDX-License-Identifier: GPL-3.0-or-later
// UFFDIO_WRITEPROTECT (spec §4.4): mwriteprotect_range() → change_protection()
// over the monitor's mm only, one pte table per micro-step.
#include "paths/path_common.h"

namespace faultline::paths {
namespace {

enum { WPR_1, WPR_2, WPR_3 };

// New value of one pte for protect (true) or unprotect (false).
Pte changeProtection(StepContext& c, const Vma& v, Pte p, bool protect, int& markers) {
    if (protect) {
        switch (p.kind) {
        case PteKind::Present: p.write = false, p.uffd_wp = true; break;
        case PteKind::Swap: p.uffd_wp = true; break;
        case PteKind::None:
            // userfaultfd_wp_use_markers(): always for shmem; for anonymous
            // memory only with UFFD_FEATURE_WP_UNPOPULATED negotiated.
            if (c.k().pteMarkers && (v.file || (c.s.ctxOf(v) && (c.s.ctxOf(v)->features & UFFD_FEATURE_WP_UNPOPULATED)))) {
                ++markers;
                return Pte::markerWp();
            }
            break;
        case PteKind::Marker: break;
        }
        return p;
    }
    switch (p.kind) {
    case PteKind::Present:
        p.uffd_wp = false;
        // v6.x MM_CP_TRY_CHANGE_WRITABLE: a dirty pte of a shared VMA may be
        // made writable at once (can_change_pte_writable); v5.x leaves the
        // write bit to the next fault (do_wp_page reuse).
        // An anonymous folio only while no other mm shares it or its swap
        // slot (can_change_pte_writable: PageAnonExclusive, which a fork
        // clears; a passing reference, e.g. reclaim's, does not matter).
        if (c.k().wpClearMakesWritable && (v.flags & VM_WRITE) &&
            ((!v.file && anonMappedAlone(c.s, p.pfn)) || (v.file && (v.flags & VM_SHARED) && p.dirty)))
            p.write = true;
        break;
    case PteKind::Swap: p.uffd_wp = false; break;
    case PteKind::Marker:
        if (p.isWpMarker()) {
            ++markers;
            return Pte::none();
        }
        break;
    case PteKind::None: break;
    }
    return p;
}

void mwriteprotect_range(StepContext& c) {
    StackFrame& f = c.f();
    const uint8_t mm = f.mm;
    switch (f.pc) {
    case WPR_1: {
        if (f.ctx < c.s.ctxCount() && !c.s.ctx(f.ctx).changing.empty()) {
            FL_AT(c, "UFFDIO_WRITEPROTECT: a non-cooperative event is not complete (ctx->mmap_changing) → -EAGAIN");
            return c.ret(kEAGAIN);
        }
        if (!c.lock(ML(mm), false)) return;
        FL_AT(c, std::string("UFFDIO_WRITEPROTECT(") + (f.write ? "WP" : "0") + ") [" + c.pageName(mm, f.lo) + ", +" +
             std::to_string(f.hi - f.lo) + "): mmap_read_lock");
        // for_each_vma_range(): each VM_UFFD_WP VMA is changed in turn; the
        // first one that is not stops the walk with -ENOENT, after the ones
        // before it were changed (aux = 1: fail at the end, hi = where).
        f.aux = 0;
        for (uint64_t p = f.lo; p < f.hi;) {
            const Vma* v = c.vmaOf(mm, p);
            if (!v || !(v->flags & VM_UFFD_WP)) {
                f.aux = 1;
                f.hi = p;
                break;
            }
            p = v->end;
        }
        if (f.aux && f.hi == f.lo) {
            c.unlock(ML(mm));
            FL_SAY(c, c.pageName(mm, f.lo) + " is not in a VM_UFFD_WP VMA → -ENOENT, nothing changed");
            return c.ret(kENOENT);
        }
        if (f.aux) FL_SAY(c, "the walk will stop at " + c.pageName(mm, f.hi) + " (not VM_UFFD_WP)");
        f.cursor = f.lo;
        return c.jump(WPR_2);
    }
    case WPR_2: {
        if (!c.lock(PTL(mm, f.cursor))) return;
        const uint64_t end = std::min(f.hi, (f.cursor | 511) + 1);
        Mm& m = c.s.mms[mm];
        int changed = 0, markers = 0;
        for (uint64_t vpn = f.cursor; vpn < end; ++vpn) {
            const Vma& v = vmaFor(c, mm, vpn);
            const Pte before = m.pt.get(vpn);
            const Pte after = changeProtection(c, v, before, f.write, markers);
            if (!(after == before)) {
                c.setPte(mm, vpn, after);
                ++changed;
            }
            c.setIntent(mm, vpn, f.write);
        }
        c.unlock(PTL(mm, f.cursor));
        FL_AT(c, "change_protection [" + c.pageName(mm, f.cursor) + ".." + std::to_string(end - f.cursor) +
             " pages]: " + std::to_string(changed) + " ptes changed" +
             (markers ? std::string(f.write ? ", " : ", ") + std::to_string(markers) +
                            (f.write ? " uffd-wp markers installed on none ptes (PTE_MARKERS=on)" : " markers removed")
                      : "") +
             (f.write && !c.k().pteMarkers ? "; none ptes cannot be protected (PTE_MARKERS=off)" : ""));
        f.cursor = end;
        return f.cursor < f.hi ? c.next(WPR_2) : c.jump(WPR_3);
    }
    case WPR_3:
        c.unlock(ML(mm));
        if (f.aux) {
            FL_SAY(c, c.pageName(mm, f.hi) +
                  " is not in a VM_UFFD_WP VMA → -ENOENT (the VMAs before it stay changed); mmap_read_unlock");
            return c.ret(kENOENT);
        }
        FL_SAY(c, "mmap_read_unlock");
        if (!f.write && !(f.flags & UFFDIO_WRITEPROTECT_MODE_DONTWAKE)) c.wakeUffdRange(f.ctx, mm, f.lo, f.hi);
        return c.ret(0);
    }
    throw EngineError("mwriteprotect_range: bad pc");
}

}  // namespace

const FunctionInfo& info_mwriteprotect_range() {
    static const FunctionInfo info{
        "mwriteprotect_range",
        "mm/userfaultfd.c",
        {{"",
          "mmap_read_lock(dst_mm); for_each_vma_range(vmi, dst_vma, end) { if (!userfaultfd_wp(dst_vma)) { err = "
          "-ENOENT; break; }  /* earlier VMAs stay changed */"},
         {"",
          "    uffd_wp_range(dst_vma, _start, _end - _start, enable_wp);  /* change_protection per pte table under "
          "PTL: WP: wrprotect + uffd_wp, none → marker (shmem, or anon with WP_UNPOPULATED); clear: uffd_wp off, "
          "marker → none */"},
         {"",
          "} mmap_read_unlock(dst_mm); if (err) return err; if (!wp && !(mode & DONTWAKE)) wake_userfault(ctx, "
          "&range);"}},
        mwriteprotect_range,
        {"lo:start", "hi:end (where the walk stops)", "write:protect", "cursor:address", "flags:mode",
         "aux:-ENOENT at hi"}};
    return info;
}

}  // namespace faultline::paths
