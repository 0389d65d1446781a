// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Page-cache xarray entries, page frames (order-0 folios) and swap slots:
// spec §1.4–§1.6.
#include <cstdint>
#include <string>

#include "model/tag.h"

namespace faultline {

// One slot of the shmem inode's i_pages xarray.
enum class XaKind : uint8_t { Empty, Folio, SwapValue };
struct XaEntry {
    XaKind kind = XaKind::Empty;
    uint32_t value = 0;  // pfn for Folio, swap slot for SwapValue

    static XaEntry folio(uint32_t pfn) { return {XaKind::Folio, pfn}; }
    static XaEntry swapValue(uint32_t slot) { return {XaKind::SwapValue, slot}; }
    bool isEmpty() const { return kind == XaKind::Empty; }
    bool isFolio() const { return kind == XaKind::Folio; }
    bool isSwap() const { return kind == XaKind::SwapValue; }
    uint64_t stableHash() const { return (uint64_t(kind) << 32) | value; }
    // CowRadix tallies: bit 0 a folio in the cache, bit 1 a swap entry.
    unsigned tallyBits() const { return unsigned(isFolio()) | unsigned(isSwap()) << 1; }
    std::string describe() const;
    friend bool operator==(const XaEntry&, const XaEntry&) = default;
};

// Folio flags (PG_*), spec §1.5.
enum FolioFlag : uint16_t {
    PG_locked = 1 << 0,
    PG_uptodate = 1 << 1,
    PG_dirty = 1 << 2,
    PG_writeback = 1 << 3,
    PG_swapcache = 1 << 4,
    PG_swapbacked = 1 << 5,
    PG_referenced = 1 << 6,
    PG_active = 1 << 7,
    PG_lru = 1 << 8,
    PG_readahead = 1 << 9,
    PG_hwpoison = 1 << 10,
};
std::string folioFlagsText(uint16_t flags);

enum class FolioOwner : uint8_t { Free, File, Anon, SwapCacheOnly };

// A page frame. pfns are never reused within a run, so a pfn names one life of
// one page (easier to follow in a trace than a recycled number).
struct Folio {
    bool allocated = false;
    uint16_t flags = 0;
    int32_t refcount = 0;
    int32_t mapcount = 0;
    bool fileMapping = false;  // folio->mapping == the shmem inode
    bool anon = false;         // anonymous folio (spec §6.4 contrast)
    uint8_t mm = 0;            // owning mm of an anonymous folio
    uint64_t index = 0;        // file page index (file) or va page (anon)
    uint32_t swap = 0;         // swap slot + 1 while in the swap cache, else 0
    Tag data;

    bool has(FolioFlag f) const { return flags & f; }
    void set(FolioFlag f, bool on = true) { flags = on ? (flags | f) : (flags & ~f); }
    uint64_t stableHash() const;
    friend bool operator==(const Folio&, const Folio&) = default;
};

// One swap slot (swap_map count + SWAP_HAS_CACHE), with the data written at
// writeback. shmem's reference is count 1 (SWAP_MAP_SHMEM in old kernels).
struct SwapSlot {
    uint8_t count = 0;
    bool hasCache = false;
    uint32_t cachePfn = 0;  // pfn of the swap-cache folio, 0 if none
    bool shmem = false;     // referenced from the shmem xarray (else: anon swap ptes)
    uint8_t ownerMm = 0;    // anon: the mm that swapped it out (a fork shares the entry at the same vpn)
    uint64_t owner = 0;     // shmem: file page index; anon: vpn
    Tag data;

    bool free() const { return count == 0 && !hasCache; }
    uint64_t stableHash() const;
    friend bool operator==(const SwapSlot&, const SwapSlot&) = default;
};

}  // namespace faultline
