// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A page-table entry, exactly one of the kinds in spec §1.3.
#include <cstdint>
#include <string>

namespace faultline {

enum class PteKind : uint8_t { None, Present, Swap, Marker };

// Marker bits (include/linux/swapops.h PTE_MARKER_*). Only UFFD_WP is modelled.
enum MarkerBit : uint8_t { kMarkerUffdWp = 1, kMarkerPoisoned = 2, kMarkerGuard = 4 };

struct Pte {
    PteKind kind = PteKind::None;
    // Present
    bool write = false, dirty = false, young = false, uffd_wp = false, soft_dirty = false;
    uint32_t pfn = 0;
    // Swap (anonymous only): slot, and the uffd-wp / soft-dirty bits kept in
    // the swap format (_PAGE_SWP_UFFD_WP). uffd_wp above holds swp_uffd_wp.
    uint32_t slot = 0;
    bool exclusive = false;
    // Marker
    uint8_t marker = 0;

    static Pte none() { return {}; }
    static Pte present(uint32_t pfn, bool write, bool dirty, bool young, bool uffdWp) {
        Pte p;
        p.kind = PteKind::Present, p.pfn = pfn, p.write = write, p.dirty = dirty, p.young = young, p.uffd_wp = uffdWp;
        return p;
    }
    static Pte markerWp() {
        Pte p;
        p.kind = PteKind::Marker, p.marker = kMarkerUffdWp;
        return p;
    }
    static Pte swap(uint32_t slot, bool swpUffdWp) {
        Pte p;
        p.kind = PteKind::Swap, p.slot = slot, p.uffd_wp = swpUffdWp;
        return p;
    }

    bool isNone() const { return kind == PteKind::None; }
    bool isPresent() const { return kind == PteKind::Present; }
    bool isMarker() const { return kind == PteKind::Marker; }
    bool isSwap() const { return kind == PteKind::Swap; }
    // pte_marker_uffd_wp()
    bool isWpMarker() const { return kind == PteKind::Marker && (marker & kMarkerUffdWp); }
    // pte_none_mostly(): none, or a uffd-wp marker.
    bool noneMostly() const { return isNone() || isWpMarker(); }
    // Whether this entry carries uffd-wp protection in any of its forms
    // (present bit, swap-pte bit, or marker): what the checker's C2 tracks.
    bool protectedWp() const {
        return (kind == PteKind::Present && uffd_wp) || (kind == PteKind::Swap && uffd_wp) || isWpMarker();
    }

    // CowRadix tallies: bit 0 present, bit 1 protected (the timeline's curves).
    unsigned tallyBits() const { return unsigned(isPresent()) | unsigned(protectedWp()) << 1; }
    uint64_t stableHash() const;
    std::string describe() const;  // short text: "P w=0 d=1 y=1 wp=1 pfn 12", "M(uffd-wp)", "-"
    friend bool operator==(const Pte&, const Pte&) = default;
};

}  // namespace faultline
