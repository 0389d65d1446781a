// SPDX-License-Identifier: GPL-3.0-or-later
#include "session/cells.h"

#include <algorithm>
#include <charconv>

namespace faultline {

std::string pteCellText(const Pte& p) {
    switch (p.kind) {
    case PteKind::None: return "none";
    case PteKind::Marker: return p.isWpMarker() ? "M" : "marker";
    case PteKind::Swap: return p.uffd_wp ? "swap(wp)" : "swap";
    case PteKind::Present:
        return "P(" + std::to_string(p.write) + "," + std::to_string(p.dirty) + "," + std::to_string(p.uffd_wp) + ")";
    }
    return "?";
}

std::string xaCellText(const State& s, uint64_t index) {
    const XaEntry& e = s.inode.xa.get(index);
    if (e.isEmpty()) return "hole";
    if (e.isSwap()) return "S";
    return "F(" + s.folio(e.value).data.str() + ")";
}

namespace {
// Where an anonymous VMA's page offsets count from: the first page of the
// VMA it was mapped as, before REGISTER or mprotect split it (pieces keep
// its name), as operations count them.
uint64_t anonBase(const Mm& m, const Vma& v) {
    uint64_t base = v.start;
    for (const Vma& x : m.vmas)
        if (!x.file && x.nameId == v.nameId) base = std::min(base, x.start);
    return base;
}
}  // namespace

std::string cellRefName(const State& s, const CellRef& c) {
    switch (c.kind) {
    case CellKind::Pte: {
        const std::string mm = c.mm < s.config->mmNames.size() ? s.config->mmNames[c.mm] : "?";
        const Vma* v = c.mm < s.mms.size() ? s.mms[c.mm].findVma(c.key) : nullptr;
        if (!v) return mm + ".pte@" + std::to_string(c.key);
        return mm + ".pte[" + std::to_string(v->file ? v->indexOf(c.key) : c.key - anonBase(s.mms[c.mm], *v)) + "]";
    }
    case CellKind::Xa: return "xa[" + std::to_string(c.key) + "]";
    case CellKind::Folio: return "p" + std::to_string(c.key);
    case CellKind::Slot: return "slot[" + std::to_string(c.key) + "]";
    case CellKind::Inode: return "inode";
    case CellKind::Uffd: return "uffd";
    case CellKind::Task: return "task " + (c.key < s.config->tasks.size() ? s.config->tasks[c.key].name : "?");
    case CellKind::Lock: return "locks";
    case CellKind::Vma: return "vmas " + (c.mm < s.config->mmNames.size() ? s.config->mmNames[c.mm] : "?");
    }
    return "?";
}

std::optional<std::string> cellValue(const State& s, const std::string& cell, std::string* error) {
    auto fail = [&](const std::string& why) -> std::optional<std::string> {
        if (error) *error = "cell '" + cell + "': " + why;
        return std::nullopt;
    };
    const auto open = cell.find('[');
    if (open == std::string::npos || cell.back() != ']') return fail("expected NAME[INDEX]");
    uint64_t index = 0;
    const char* b = cell.data() + open + 1;
    const char* e = cell.data() + cell.size() - 1;
    auto [p, ec] = std::from_chars(b, e, index);
    if (ec != std::errc() || p != e) return fail("index is not a number");
    const std::string name = cell.substr(0, open);
    if (name == "xa") {
        if (index >= s.inode.sizePages) return fail("index beyond the file");
        return xaCellText(s, index);
    }
    if (name == "data") {
        if (index >= s.inode.sizePages) return fail("index beyond the file");
        const XaEntry& x = s.inode.xa.get(index);
        if (x.isEmpty()) return std::string("hole");
        if (x.isSwap()) return s.swap.slots.get(x.value).data.str();
        return s.folio(x.value).data.str();
    }
    if (name == "slot") {
        if (index >= s.swap.nslots) return fail("no such swap slot");
        const SwapSlot& sl = s.swap.slots.get(index);
        if (sl.free()) return std::string("free");
        return "count=" + std::to_string(sl.count) + (sl.hasCache ? ",cache" : "");
    }
    const auto dot = name.find('.');
    const std::string field = dot == std::string::npos ? "" : name.substr(dot + 1);
    if (field != "pte" && field != "data") return fail("expected xa, data, slot, MM.pte or MM.data");
    const int mm = s.config->mmIndex(name.substr(0, dot));
    if (mm < 0) return fail("no mm named '" + name.substr(0, dot) + "'");
    // A file page index in the mm's first file VMA that maps it; else a page
    // of its first anonymous VMA, counted from that VMA's first page across
    // the pieces REGISTER or mprotect split it into (as operations count it).
    const auto& vmas = s.mms[mm].vmas;
    std::optional<uint64_t> vpn;
    for (const Vma& v : vmas)
        if (!vpn && v.mapsIndex(index)) vpn = v.vpnOf(index);
    for (const Vma& first : vmas) {
        if (vpn || first.file) continue;
        const uint64_t base = anonBase(s.mms[mm], first);
        for (const Vma& v : vmas)
            if (!vpn && !v.file && v.nameId == first.nameId && v.contains(base + index)) vpn = base + index;
        break;
    }
    for (const Vma& v : vmas)
        if (!vpn && !v.file && v.start + index < v.end) vpn = v.start + index;
    if (!vpn) return fail(name.substr(0, dot) + " maps no page " + std::to_string(index));
    const Pte& pte = s.mms[mm].pt.get(*vpn);
    if (field == "pte") return pteCellText(pte);
    // What this mm's pte gives the page (a private copy, or the shared folio
    // or swap slot): "none" when no page is mapped there.
    if (pte.isPresent()) return s.folio(pte.pfn).data.str();
    if (pte.isSwap()) {
        const SwapSlot& sl = s.swap.slots.get(pte.slot);
        return (sl.cachePfn ? s.folio(sl.cachePfn).data : sl.data).str();
    }
    return std::string("none");
}

}  // namespace faultline
