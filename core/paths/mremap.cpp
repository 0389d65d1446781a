// SPDX-License-Identifier: GPL-3.0-or-later
// mremap(2) of a whole VMA to a new address (MREMAP_MAYMOVE | MREMAP_FIXED):
// mm/mremap.c move_vma() → move_page_tables() → move_ptes(). The ptes move
// with the VMA. userfaultfd: mremap_userfaultfd_prep() keeps the VMA's
// registration only if its context negotiated EVENT_REMAP; otherwise the new
// VMA is unregistered (userfaultfd_reset_ctx) and move_ptes() clears the
// uffd-wp bits and drops uffd-wp markers (vma_has_uffd_without_event_remap).
// With EVENT_REMAP, mremap_userfaultfd_complete() queues REMAP(from, to, len)
// after the unlock and waits until the monitor has read it. Linux 6.18 shows
// both (docs/real-kernel-checks.md, "mremap").
//
// Not modelled: a destination that overlaps a mapping (MREMAP_FIXED would
// unmap it first; the engine refuses it with an engine error), resizing, and
// moving part of a VMA.
#include <algorithm>

#include "paths/path_common.h"

namespace faultline::paths {
namespace {

std::string hexVpn(uint64_t vpn) {
    char b[24];
    std::snprintf(b, sizeof b, "0x%llx", (unsigned long long)(vpn << 12));
    return b;
}

void move_vma(StepContext& c) {
    StackFrame& f = c.f();
    const uint8_t mm = f.mm;
    if (f.pc == 1) {
        FL_AT(c, "REMAP read by the monitor: mremap returns the new address");
        return c.ret(0);
    }
    if (!c.lock(ML(mm), true)) return;
    Mm& m = c.s.mms[mm];
    const Vma* vp = m.findVma(f.lo);
    if (!vp) {
        c.unlock(ML(mm));
        FL_AT(c, "mremap: no VMA there → -EFAULT");
        return c.ret(kEFAULT);
    }
    const Vma v = *vp;
    const uint64_t len = v.end - v.start, to = f.va;
    FL_AT(c, "mremap(" + hexVpn(v.start) + ", " + std::to_string(len) + " pages, MREMAP_MAYMOVE|MREMAP_FIXED, " +
         hexVpn(to) + "): mmap_write_lock");
    if (to < v.end && v.start < to + len) {
        c.unlock(ML(mm));
        FL_SAY(c, "; the new range overlaps the old → -EINVAL; mmap_write_unlock");
        return c.ret(kEINVAL);
    }
    for (const Vma& o : m.vmas)
        if (o.start < to + len && to < o.end)
            throw EngineError("mremap onto a mapped range (MREMAP_FIXED unmapping it first) is not modelled");
    const UffdCtx* u = c.s.ctxOf(v);
    const bool keep = u && !u->released && (u->features & UFFD_FEATURE_EVENT_REMAP);
    const bool clearWp = v.uffd && !keep;  // vma_has_uffd_without_event_remap()
    std::vector<std::pair<uint64_t, Pte>> ptes;
    m.pt.forEach(v.start, v.end, [&](uint64_t k, const Pte& p) { ptes.emplace_back(k, p); });
    // The model's anonymous rmap is the folio's address in every mm, so a
    // folio or swap entry a fork shares cannot move in one mm only.
    for (const auto& [vpn, p] : ptes)
        if ((p.isPresent() && c.s.folio(p.pfn).anon && c.s.folio(p.pfn).mapcount > 1) ||
            (p.isSwap() && c.s.swap.slots.get(p.slot).count > 1))
            throw EngineError("mremap of " + c.pageName(mm, vpn) +
                              ", an anonymous page shared with a fork's other mm, is not modelled");
    std::vector<std::pair<uint64_t, Intent>> intents;
    m.intent.forEach(v.start, v.end, [&](uint64_t k, const Intent& i) { intents.emplace_back(k, i); });
    // With the registration kept the monitor's intent moves with the pages
    // (it hears of the move); without, the old addresses lose it after the
    // ptes went (a protected pte dropped on the way is C2).
    if (keep)
        for (auto [k, i] : intents) m.intent.set(k, Intent{});
    int moved = 0, cleared = 0;
    for (auto [vpn, p] : ptes) c.setPte(mm, vpn, Pte::none());
    if (!keep)
        for (auto [k, i] : intents) m.intent.set(k, Intent{});
    for (auto [vpn, p] : ptes) {
        const uint64_t nvpn = to + (vpn - v.start);
        Pte q = p;
        if (clearWp) {
            if (q.isMarker()) {
                cleared += bool(q.marker & kMarkerUffdWp);
                q.marker &= uint8_t(~kMarkerUffdWp);
                if (!q.marker) continue;  // a uffd-wp marker only: pte_clear
            } else if ((q.isPresent() || q.isSwap()) && q.uffd_wp) {
                q.uffd_wp = false;
                ++cleared;
            }
        }
        // The anonymous rmap names the address (folio->index, the swap entry's owner).
        if (q.isPresent() && c.s.folio(q.pfn).anon) c.editFolio(q.pfn, [&](Folio& fo) { fo.index = nvpn; });
        if (q.isSwap()) {
            c.editSlot(q.slot, [&](SwapSlot& sl) { sl.owner = nvpn; });
            if (uint32_t cp = c.s.swap.slots.get(q.slot).cachePfn)
                c.editFolio(cp, [&](Folio& fo) { fo.index = nvpn; });
        }
        c.setPte(mm, nvpn, q);
        ++moved;
    }
    if (keep)
        for (auto [k, i] : intents) m.intent.set(to + (k - v.start), i);
    for (Vma& x : m.vmas)
        if (x.start == v.start) {
            x.start = to;
            x.end = to + len;
            if (clearWp) x.flags &= ~VM_UFFD_ANY, x.uffd = false, x.ctx = 0;  // userfaultfd_reset_ctx
        }
    std::sort(m.vmas.begin(), m.vmas.end(), [](const Vma& a, const Vma& b) { return a.start < b.start; });
    c.touch({CellKind::Vma, mm, 0});
    c.unlock(ML(mm));
    FL_SAY(c, "; move_page_tables: " + std::to_string(moved) + " pte(s) moved" +
          (clearWp ? " (no EVENT_REMAP: VMA unregistered, " + std::to_string(cleared) + " uffd-wp bit(s)/marker(s) dropped)"
           : keep  ? " with their uffd-wp bits and markers (EVENT_REMAP)"
                   : "") +
          "; mmap_write_unlock");
    if (keep) {
        const uint32_t id = c.queueUffdEvent(v.ctx, UffdEvent::Remap, mm, v.start, to);
        FL_SAY(c, "; mremap_userfaultfd_complete: queue " + c.rec.raised.back().text + ", wait until the monitor reads it");
        f.pc = 1;
        return c.sleep(TaskState::SleepUffd, id);
    }
    return c.ret(0);
}

}  // namespace

const FunctionInfo& info_move_vma() {
    static const FunctionInfo info{
        "move_vma",
        "mm/mremap.c",
        {{"",
          "mmap_write_lock(mm); mremap_userfaultfd_prep(vma, uf);  /* EVENT_REMAP: keep ctx, else "
          "userfaultfd_reset_ctx */ new_vma = copy_vma(); move_page_tables();  /* move_ptes: uffd-wp cleared, "
          "markers dropped if vma_has_uffd_without_event_remap */ mmap_write_unlock(mm);"},
         {"", "mremap_userfaultfd_complete(uf, addr, new_addr, len);  /* REMAP, userfaultfd_event_wait_completion */"}},
        move_vma,
        {"lo:old start", "va:new start"}};
    return info;
}

}  // namespace faultline::paths
