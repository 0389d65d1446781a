// SPDX-License-Identifier: GPL-3.0-or-later
// Zapping ptes (spec §5.2, §6.5): unmap_mapping_range() → zap_pte_range()
// over every mm that maps the file; madvise(MADV_DONTNEED) over one mm; and
// munmap (unmap_vmas, which drops markers).
#include "paths/path_common.h"

namespace faultline::paths {

// userfaultfd_remove(): with EVENT_REMOVE negotiated on the VMA's context,
// drop mmap_lock, queue REMOVE(start, end) and wait until the monitor has
// read it. True if the caller now sleeps (it continues at `woken`).
bool userfaultfdRemove(StepContext& c, uint64_t lo, uint64_t hi, uint8_t woken) {
    StackFrame& f = c.f();
    const Vma* v = c.vmaOf(f.mm, lo);
    const UffdCtx* u = v ? c.s.ctxOf(*v) : nullptr;
    if (!u || !u->exists || !(u->features & UFFD_FEATURE_EVENT_REMOVE)) return false;
    c.unlock(ML(f.mm));
    const uint64_t end = std::min(hi, v->end);
    const uint8_t ctx = v->ctx;
    const uint32_t id = c.queueUffdEvent(ctx, UffdEvent::Remove, f.mm, lo, end);
    notePart(Part::UffdPending, PartAccess::Read);
    FL_SAY(c, "userfaultfd_remove: EVENT_REMOVE → mmap_read_unlock, queue " + uffdMsgText(c.s.ctx(ctx).pending.back(), c.s) +
          ", wait until the monitor reads it");
    f.pc = woken;
    c.sleep(TaskState::SleepUffd, id);
    return true;
}

namespace {

// zap_pte_range() over [from, to) vpns of one VMA; returns what it did.
std::string zapPtes(StepContext& c, uint8_t mm, const Vma& v, uint64_t from, uint64_t to, bool dropMarker,
                    bool evenCows = true) {
    Mm& m = c.s.mms[mm];
    std::vector<uint64_t> keys;
    m.pt.forEach(from, to, [&](uint64_t k, const Pte&) { keys.push_back(k); });
    std::string out;
    auto note = [&](const std::string& s) { out += (out.empty() ? "" : "; ") + s; };
    for (uint64_t vpn : keys) {
        const Pte p = m.pt.get(vpn);
        const std::string name = c.pageName(mm, vpn);
        if (p.isPresent() && !evenCows && v.file && c.s.folio(p.pfn).anon) {
            note(name + " is a private anonymous copy: kept (should_zap_folio: not even_cows)");
        } else if (p.isPresent()) {
            c.substep("ZP.3", "zap_pte_range");
            const bool keepWp = p.uffd_wp && (v.flags & VM_UFFD_WP) && v.file;
            if (keepWp && c.k().pteMarkers && !dropMarker) {
                c.substep("ZP.4", "zap_pte_range");
                c.unmapPresent(mm, vpn, Pte::markerWp());
                note("ZP.4 " + name + " " + p.describe() + " → uffd-wp marker (PTE_MARKERS=on, zap keeps markers)");
            } else {
                c.unmapPresent(mm, vpn, Pte::none());
                std::string why;
                if (p.uffd_wp && (v.flags & VM_UFFD_WP))
                    why = !c.k().pteMarkers ? ": uffd-wp LOST (PTE_MARKERS=off)"
                                            : ": uffd-wp dropped (ZAP_FLAG_DROP_MARKER)";
                note("ZP.3 " + name + " " + p.describe() + " → none" + why);
            }
        } else if (p.isMarker()) {
            if (dropMarker || !v.file) {
                c.substep("ZP.5", "zap_pte_range");
                c.setPte(mm, vpn, Pte::none());
                note("ZP.5 " + name + " marker dropped (" + (dropMarker ? "ZAP_FLAG_DROP_MARKER" : "anonymous VMA") +
                     ")");
            } else {
                note("ZP.5 " + name + " marker kept");
            }
        } else if (p.isSwap()) {
            // Anonymous swap pte: the zap frees the swap reference.
            const uint32_t slot = p.slot;
            c.substep("ZP.3", "zap_pte_range");
            c.setPte(mm, vpn, Pte::none());
            --m.rssSwapents;
            c.editSlot(slot, [](SwapSlot& s) { --s.count; });
            if (c.s.swap.slots.get(slot).count == 0 && !c.s.swap.slots.get(slot).hasCache)
                c.editSlot(slot, [](SwapSlot& s) { s = SwapSlot{}; });
            note("ZP.3 " + name + " swap entry freed");
        }
    }
    return out.empty() ? "no ptes" : out;
}

enum { ZP_0, ZP_1, ZP_7 };

void unmap_mapping_range(StepContext& c) {
    StackFrame& f = c.f();
    const bool drop = f.flags & ZAP_FLAG_DROP_MARKER;
    switch (f.pc) {
    case ZP_0:
        if (!c.lock(IM(), false)) return;
        FL_AT(c, "i_mmap_lock_read; zap file pages [" + idxText(f.lo) + ", " + idxText(f.hi) + ") in every mapping" +
             (drop ? " with ZAP_FLAG_DROP_MARKER" : " (zap_flags 0)"));
        f.aux = 0;
        if (!nextMapping(c.s, f.aux, f.lo, f.hi)) {
            FL_SAY(c, "no VMA maps them");
            return c.jump(ZP_7);
        }
        f.cursor = std::max(f.lo, c.s.mms[f.aux >> 16].vmas[f.aux & 0xffff].pgoff);
        return c.jump(ZP_1);
    case ZP_1: {
        const uint8_t mm = uint8_t(f.aux >> 16);
        const Vma v = c.s.mms[mm].vmas[f.aux & 0xffff];
        const uint64_t vpn = v.vpnOf(f.cursor);
        if (!c.lock(PTL(mm, vpn))) return;
        const uint64_t vmaEndIdx = v.pgoff + (v.end - v.start);
        const uint64_t endIdx = std::min({f.hi, vmaEndIdx, f.cursor + ((vpn | 511) + 1 - vpn)});
        const std::string did = zapPtes(c, mm, v, vpn, v.vpnOf(endIdx), drop, f.flags & ZAP_EVEN_COWS);
        c.unlock(PTL(mm, vpn));
        FL_AT(c, "zap_pte_range " + c.mmName(mm) + " [" + idxText(f.cursor) + ", " + idxText(endIdx) + "): " + did +
             "; ZP.6 unlock");
        f.cursor = endIdx;
        if (f.cursor >= std::min(f.hi, vmaEndIdx)) {
            ++f.aux;
            if (!nextMapping(c.s, f.aux, f.lo, f.hi)) return c.next(ZP_7);
            f.cursor = std::max(f.lo, c.s.mms[f.aux >> 16].vmas[f.aux & 0xffff].pgoff);
        }
        return c.next(ZP_1);
    }
    case ZP_7:
        c.unlock(IM());
        FL_AT(c, "i_mmap_unlock_read");
        return c.ret(0);
    }
    throw EngineError("unmap_mapping_range: bad pc");
}

enum { DN_1, DN_2, DN_3, DN_EV };
constexpr uint32_t kRemoveEventSent = 1;  // madvise_dontneed flags

// madvise(MADV_DONTNEED) → zap_page_range_single(): this mm only, zap flags
// 0, so file VMAs keep markers (v6.x); the page cache is untouched.
void madvise_dontneed(StepContext& c) {
    StackFrame& f = c.f();
    switch (f.pc) {
    case DN_1:
        if (!c.lock(ML(f.mm), false)) return;
        FL_AT(c, "madvise(MADV_DONTNEED) [" + c.pageName(f.mm, f.lo) + ", +" + std::to_string(f.hi - f.lo) +
             "): mmap_read_lock");
        f.cursor = f.lo;
        if (!(f.flags & kRemoveEventSent) && userfaultfdRemove(c, f.lo, f.hi, DN_EV)) return;
        return c.jump(DN_2);
    case DN_2: {
        if (!c.lock(PTL(f.mm, f.cursor))) return;
        const uint64_t end = std::min(f.hi, (f.cursor | 511) + 1);
        const Vma v = vmaFor(c, f.mm, f.cursor);
        const uint64_t stop = std::min(end, v.end);
        const std::string did = zapPtes(c, f.mm, v, f.cursor, stop, false);
        c.unlock(PTL(f.mm, f.cursor));
        FL_AT(c, "zap_pte_range " + c.mmName(f.mm) + ": " + did);
        f.cursor = stop;
        return f.cursor < f.hi ? c.next(DN_2) : c.jump(DN_3);
    }
    case DN_3:
        c.unlock(ML(f.mm));
        FL_SAY(c, "mmap_read_unlock");
        return c.ret(0);
    case DN_EV:
        f.flags |= kRemoveEventSent;
        FL_AT(c, "REMOVE read by the monitor: mmap_read_lock again, vma_lookup");
        return c.jump(DN_1);
    }
    throw EngineError("madvise_dontneed: bad pc");
}

// munmap of one VMA: unmap_vmas() zaps with ZAP_FLAG_DROP_MARKER, then the
// VMA goes; the monitor's intent for it is gone too (spec §8.0).
void do_munmap(StepContext& c) {
    StackFrame& f = c.f();
    if (f.pc == 1) {
        FL_AT(c, "UNMAP read by the monitor: munmap returns");
        return c.ret(0);
    }
    if (!c.lock(ML(f.mm), true)) return;
    Mm& m = c.s.mms[f.mm];
    const Vma* vp = m.findVma(f.lo);
    if (!vp) {
        c.unlock(ML(f.mm));
        FL_AT(c, "munmap: nothing mapped there → -EINVAL");
        return c.ret(kEINVAL);
    }
    const Vma v = *vp;
    // The zap changes the state: it runs whether or not the step is narrated.
    const std::string zapped = zapPtes(c, f.mm, v, v.start, v.end, true);
    FL_AT(c, "mmap_write_lock; unmap_vmas: " + zapped);
    std::vector<uint64_t> keys;
    m.intent.forEach(v.start, v.end, [&](uint64_t k, const Intent&) { keys.push_back(k); });
    for (uint64_t k : keys) m.intent.set(k, Intent{});
    // userfaultfd_unmap_prep(): remember the range (the VMA still holds its
    // context); userfaultfd_unmap_complete() sends UNMAP after the unlock.
    const UffdCtx* u = c.s.ctxOf(v);
    const bool unmapEvent = u && u->exists && (u->features & UFFD_FEATURE_EVENT_UNMAP);
    const uint32_t id = unmapEvent ? c.queueUffdEvent(v.ctx, UffdEvent::Unmap, f.mm, v.start, v.end) : 0;
    std::erase_if(m.vmas, [&](const Vma& x) { return x.start == v.start; });
    c.touch({CellKind::Vma, f.mm, 0});
    c.unlock(ML(f.mm));
    FL_SAY(c, "VMA removed; mmap_write_unlock");
    if (unmapEvent) {
        FL_SAY(c, "; userfaultfd_unmap_complete: EVENT_UNMAP → queue " + c.rec.raised.back().text +
              ", wait until the monitor reads it");
        f.pc = 1;
        return c.sleep(TaskState::SleepUffd, id);
    }
    return c.ret(0);
}

}  // namespace

const FunctionInfo& info_unmap_mapping_range() {
    static const FunctionInfo info{
        "unmap_mapping_range",
        "mm/memory.c",
        {{"ZP.0",
          "i_mmap_lock_read(mapping); vma_interval_tree_foreach(vma, &mapping->i_mmap, first_index, last_index) "
          "unmap_mapping_range_vma(vma, ...);"},
         {"ZP.1",
          "zap_pte_range(): start_pte = pte_offset_map_lock(mm, pmd, addr, &ptl); for each pte: none → skip (ZP.2); "
          "present → ptep_get_and_clear_full, dirty/young to the folio, rmap and rss down (ZP.3); "
          "zap_install_uffd_wp_if_needed (ZP.4); marker: drop only with ZAP_FLAG_DROP_MARKER (ZP.5); pte_unmap_unlock "
          "(ZP.6)"},
         {"ZP.7", "i_mmap_unlock_read(mapping);"}},
        unmap_mapping_range,
        {"lo:first index", "hi:end index", "cursor:index", "aux:mm<<16|vma", "flags:zap_flags"}};
    return info;
}

const FunctionInfo& info_madvise_dontneed() {
    static const FunctionInfo info{
        "madvise_dontneed_single_vma",
        "mm/madvise.c",
        {{"", "mmap_read_lock(mm);"},
         {"",
          "zap_page_range_single(vma, start, end - start, NULL);  /* zap_pte_range per pte table, zap_flags 0: markers "
          "kept on file VMAs */"},
         {"", "mmap_read_unlock(mm);"},
         {"",
          "/* madvise_dontneed_free: if (!userfaultfd_remove(vma, start, end)) { mmap_read_lock(mm); vma = "
          "vma_lookup(mm, start); }  (EVENT_REMOVE: lock dropped, REMOVE read) */"}},
        madvise_dontneed,
        {"lo:start", "hi:end", "cursor:address"}};
    return info;
}

const FunctionInfo& info_do_munmap() {
    static const FunctionInfo info{"do_vmi_munmap",
                                   "mm/mmap.c",
                                   {{"",
                                     "mmap_write_lock(mm); userfaultfd_unmap_prep(); unmap_vmas(&tlb, ...);  /* "
                                     "ZAP_FLAG_DROP_MARKER */ remove_vma(); mmap_write_unlock(mm); "
                                     "userfaultfd_unmap_complete(mm, &uf);  /* EVENT_UNMAP: wait until read */"},
                                    {"", "return 0;"}},
                                   do_munmap,
                                   {"lo:start"}};
    return info;
}

}  // namespace faultline::paths
