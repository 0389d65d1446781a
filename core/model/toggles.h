// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The behaviour switches of spec §7.1. A kernel variant (variants.h) is a
// named setting of all of them; users may override them one at a time.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faultline {

// When a read fault may call do_fault_around() (spec §2.2 policy table).
enum class FaultAroundPolicy : uint8_t {
    Always,         // <= v5.13: only needs ->map_pages and fault_around_bytes > 1 page
    SkipMinor,      // v5.14..v5.18: !userfaultfd_minor(vma)
    SkipArmed,      // Peter's patch: !userfaultfd_armed(vma) (MISSING|WP|MINOR)
    SkipWpOrMinor,  // >= v5.19: !uffd_disable_fault_around(vma)
};

struct Toggles {
    bool shmemMapPages = true;                                  // SHMEM_MAP_PAGES: shmem_vm_ops has .map_pages
    FaultAroundPolicy faultAround = FaultAroundPolicy::Always;  // FAULT_AROUND_POLICY
    bool punchPreunmap = true;          // PUNCH_PREUNMAP: PH.4 unmap_mapping_range before truncation
    bool pteMarkers = false;            // PTE_MARKERS: uffd-wp pte markers (v5.19+)
    bool writenotifyUffdWp = false;     // WRITENOTIFY_UFFD_WP: VM_UFFD_WP wants writenotify (v6.2+)
    bool roPrefaultA = false;           // RO_PREFAULT_A: A's read-installed ptes read-only (spec §10 Q1)
    bool unregisterResetsWp = false;    // UNREGISTER_RESETS_WP: UNREGISTER clears uffd-wp (v6.0+)
    bool minorMode = false;             // MINOR_MODE: MINOR registration on shmem (v5.14+)
    bool shmemUffdWp = true;            // SHMEM_UFFD_WP: WP registration on shmem
    bool copyModeWp = true;             // COPY_MODE_WP: UFFDIO_COPY honours MODE_WP on shmem
    bool wpClearMakesWritable = false;  // WP_CLEAR_WRITABLE: WRITEPROTECT(0) makes dirty shared ptes writable (v6.x)
    bool wpUnpopulated = false;         // WP_UNPOPULATED: feature offered (anon only; v6.4+)
    bool pagemapBit57 = false;          // PAGEMAP_BIT57: pagemap reports uffd-wp (display only)
    uint32_t faultAroundBytes = 65536;  // fault_around_bytes (debugfs), rounded down to a power of two

    // Pages in the fault-around window (1..512).
    uint32_t faultAroundPages() const;
    uint64_t stableHash() const;
    friend bool operator==(const Toggles&, const Toggles&) = default;
};

// Reflection over Toggles: one row per toggle, used by --set, the GUI and docs.
struct ToggleInfo {
    std::string_view name;                 // e.g. "PTE_MARKERS"
    std::string_view description;          // one line
    std::vector<std::string_view> values;  // allowed values ("on","off" / enum names); empty = integer
};
const std::vector<ToggleInfo>& toggleInfos();
std::string toggleValue(const Toggles& t, std::string_view name);  // "" if unknown
// Sets one toggle from text; returns an error message, or nullopt on success.
std::optional<std::string> setToggle(Toggles& t, std::string_view name, std::string_view value);

std::string_view faultAroundPolicyName(FaultAroundPolicy p);

}  // namespace faultline
