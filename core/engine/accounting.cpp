// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/accounting.h"

#include <map>

namespace faultline {
namespace {

std::string pfnName(uint32_t pfn) { return "p" + std::to_string(pfn); }

// Present ptes that map `pfn`, found through the rmap the kernel would use:
// the folio's index in every file VMA, or its anon address in every mm (a
// fork shares anonymous folios at the same address).
int countMappings(const State& s, uint32_t pfn, const Folio& f) {
    int n = 0;
    if (f.anon) {
        for (const Mm& mm : s.mms) {
            const Pte& p = mm.pt.get(f.index);
            n += p.isPresent() && p.pfn == pfn;
        }
        return n;
    }
    for (const Mm& mm : s.mms)
        for (const Vma& v : mm.vmas)
            if (v.mapsIndex(f.index)) {
                const Pte& p = mm.pt.get(v.vpnOf(f.index));
                n += p.isPresent() && p.pfn == pfn;
            }
    return n;
}

int taskRefs(const State& s, uint32_t pfn) {
    int n = 0;
    for (const Task& t : s.tasks)
        for (uint32_t r : t.refs) n += r == pfn;
    return n;
}

void checkFolio(const State& s, uint32_t pfn, std::vector<std::string>& out) {
    const Folio& f = s.folio(pfn);
    if (!f.allocated) {
        if (taskRefs(s, pfn)) out.push_back("a task holds a reference on freed " + pfnName(pfn));
        return;
    }
    const int maps = countMappings(s, pfn, f);
    if (maps != f.mapcount)
        out.push_back(pfnName(pfn) + ": mapcount " + std::to_string(f.mapcount) + " but " + std::to_string(maps) +
                      " ptes map it");
    const int expect = int(f.fileMapping) + int(f.swap != 0) + f.mapcount + taskRefs(s, pfn);
    if (expect != f.refcount)
        out.push_back(pfnName(pfn) + ": refcount " + std::to_string(f.refcount) + ", expected " +
                      std::to_string(expect) + " (cache " + std::to_string(int(f.fileMapping) + int(f.swap != 0)) +
                      " + mapcount " + std::to_string(f.mapcount) + " + task references " +
                      std::to_string(taskRefs(s, pfn)) + ")");
    if (f.fileMapping) {
        const XaEntry& e = s.inode.xa.get(f.index);
        if (!(e == XaEntry::folio(pfn)))
            out.push_back(pfnName(pfn) + " claims file index " + std::to_string(f.index) + " but i_pages holds " +
                          e.describe());
    }
    if (f.swap) {
        const SwapSlot& sl = s.swap.slots.get(f.swap - 1);
        if (sl.cachePfn != pfn || !sl.hasCache)
            out.push_back(pfnName(pfn) + " is in the swap cache of slot " + std::to_string(f.swap - 1) +
                          " but the slot disagrees");
    }
}

void checkSlot(const State& s, uint32_t slot, std::vector<std::string>& out) {
    const SwapSlot& sl = s.swap.slots.get(slot);
    const std::string name = "swap slot " + std::to_string(slot);
    if (sl.hasCache != (sl.cachePfn != 0)) out.push_back(name + ": SWAP_HAS_CACHE disagrees with the swap cache");
    if (sl.cachePfn) {
        const Folio& f = s.folio(sl.cachePfn);
        if (!f.allocated || f.swap != slot + 1)
            out.push_back(name + ": swap-cache folio " + pfnName(sl.cachePfn) + " does not point back");
    }
    if (sl.count == 0) return;
    int refs = 0;
    if (sl.shmem) {
        refs = s.inode.xa.get(sl.owner) == XaEntry::swapValue(slot);
    } else {
        for (const Mm& mm : s.mms) {  // the owner's address in every mm (fork duplicates swap ptes)
            const Pte& p = mm.pt.get(sl.owner);
            refs += p.isSwap() && p.slot == slot;
        }
    }
    if (refs != sl.count)
        out.push_back(name + ": count " + std::to_string(sl.count) + " but " + std::to_string(refs) +
                      " entries refer to it");
}

}  // namespace

std::vector<std::string> checkTouched(const State& s, const std::vector<CellRef>& changed) {
    std::vector<std::string> out;
    for (const CellRef& c : changed) {
        switch (c.kind) {
        case CellKind::Folio: checkFolio(s, uint32_t(c.key), out); break;
        case CellKind::Slot: checkSlot(s, uint32_t(c.key), out); break;
        case CellKind::Pte: {
            const Pte& p = s.mms[c.mm].pt.get(c.key);
            if (p.isPresent() && !s.folio(p.pfn).allocated) out.push_back("a pte maps freed " + pfnName(p.pfn));
            break;
        }
        default: break;
        }
    }
    return out;
}

std::vector<std::string> checkAccounting(const State& s) {
    std::vector<std::string> out;
    s.folios.forEach(0, s.folios.keyLimit(), [&](uint64_t pfn, const Folio&) { checkFolio(s, uint32_t(pfn), out); });
    s.swap.slots.forEach(0, s.swap.nslots, [&](uint64_t slot, const SwapSlot&) { checkSlot(s, uint32_t(slot), out); });
    for (size_t m = 0; m < s.mms.size(); ++m) {
        int64_t shmem = 0, anon = 0, swapents = 0;
        s.mms[m].pt.forEach(0, s.mms[m].pt.keyLimit(), [&](uint64_t, const Pte& p) {
            if (p.isPresent()) (s.folio(p.pfn).anon ? anon : shmem)++;
            if (p.isSwap()) ++swapents;
        });
        const Mm& mm = s.mms[m];
        if (shmem != mm.rssShmem || anon != mm.rssAnon || swapents != mm.rssSwapents)
            out.push_back("mm " + s.config->mmNames[m] + ": rss counters disagree with its page table");
    }
    int64_t nr = 0, swapped = 0;
    s.inode.xa.forEach(0, s.inode.xa.keyLimit(), [&](uint64_t, const XaEntry& e) {
        nr += e.isFolio();
        swapped += e.isSwap();
    });
    if (nr != s.inode.nrpages)
        out.push_back("inode: nrpages " + std::to_string(s.inode.nrpages) + " but " + std::to_string(nr) +
                      " folios in i_pages");
    if (swapped != s.inode.swapped)
        out.push_back("inode: info->swapped " + std::to_string(s.inode.swapped) + " but " + std::to_string(swapped) +
                      " swap entries in i_pages");
    return out;
}

}  // namespace faultline
