// SPDX-License-Identifier: GPL-3.0-or-later
#include "model/toggles.h"

#include <charconv>

#include "util/hash.h"

namespace faultline {
namespace {

// One accessor per toggle: name, description, how to read and write it.
struct ToggleField {
    ToggleInfo info;
    bool Toggles::*flag = nullptr;  // boolean toggles
};

const std::vector<ToggleField>& fields() {
    static const std::vector<ToggleField> f = {
        {{"SHMEM_MAP_PAGES", "shmem_vm_ops has .map_pages = filemap_map_pages (fault-around on shmem)", {"on", "off"}},
         &Toggles::shmemMapPages},
        {{"FAULT_AROUND_POLICY",
          "when do_read_fault() faults around",
          {"always", "skip-minor", "skip-armed", "skip-wp-minor"}},
         nullptr},
        {{"PUNCH_PREUNMAP", "shmem_fallocate() punch unmaps the range before truncating (PH.4)", {"on", "off"}},
         &Toggles::punchPreunmap},
        {{"PTE_MARKERS",
          "uffd-wp pte markers (v5.19+): zap/unmap/WRITEPROTECT keep protection on none ptes",
          {"on", "off"}},
         &Toggles::pteMarkers},
        {{"WRITENOTIFY_UFFD_WP", "VM_UFFD_WP VMAs want writenotify: read faults map read-only (v6.2+)", {"on", "off"}},
         &Toggles::writenotifyUffdWp},
        {{"RO_PREFAULT_A",
          "A's read-installed ptes are read-only even without writenotify (spec §10 Q1)",
          {"on", "off"}},
         &Toggles::roPrefaultA},
        {{"UNREGISTER_RESETS_WP", "UFFDIO_UNREGISTER clears uffd-wp bits and markers (v6.0+)", {"on", "off"}},
         &Toggles::unregisterResetsWp},
        {{"MINOR_MODE", "MINOR registration on shmem (v5.14+; what-if for older variants)", {"on", "off"}},
         &Toggles::minorMode},
        {{"SHMEM_UFFD_WP", "WP registration on shmem (out-of-tree in 2020, v5.19+ mainline)", {"on", "off"}},
         &Toggles::shmemUffdWp},
        {{"COPY_MODE_WP", "UFFDIO_COPY honours MODE_WP on shmem", {"on", "off"}}, &Toggles::copyModeWp},
        {{"WP_CLEAR_WRITABLE", "WRITEPROTECT(0) makes a dirty shared pte writable at once (v6.x)", {"on", "off"}},
         &Toggles::wpClearMakesWritable},
        {{"WP_UNPOPULATED", "UFFD_FEATURE_WP_UNPOPULATED offered (v6.4+, anonymous memory only)", {"on", "off"}},
         &Toggles::wpUnpopulated},
        {{"PAGEMAP_BIT57", "pagemap reports uffd-wp in bit 57 (display only)", {"on", "off"}}, &Toggles::pagemapBit57},
        {{"FAULT_AROUND_BYTES", "fault_around_bytes (debugfs); rounded down to a power of two, 4096..2097152", {}},
         nullptr},
    };
    return f;
}

const std::vector<std::string_view> kPolicyNames = {"always", "skip-minor", "skip-armed", "skip-wp-minor"};

}  // namespace

std::string_view faultAroundPolicyName(FaultAroundPolicy p) { return kPolicyNames.at(size_t(p)); }

uint32_t Toggles::faultAroundPages() const {
    uint32_t pages = faultAroundBytes / 4096;
    if (pages < 1) pages = 1;
    if (pages > 512) pages = 512;
    uint32_t p = 1;
    while (p * 2 <= pages) p *= 2;
    return p;
}

uint64_t Toggles::stableHash() const {
    Hasher h;
    for (const ToggleField& f : fields())
        if (f.flag) h.add(this->*f.flag);
    return h.add(uint64_t(faultAround)).add(faultAroundBytes).value();
}

const std::vector<ToggleInfo>& toggleInfos() {
    static const std::vector<ToggleInfo> infos = [] {
        std::vector<ToggleInfo> v;
        for (const ToggleField& f : fields()) v.push_back(f.info);
        return v;
    }();
    return infos;
}

std::string toggleValue(const Toggles& t, std::string_view name) {
    for (const ToggleField& f : fields()) {
        if (f.info.name != name) continue;
        if (f.flag) return t.*f.flag ? "on" : "off";
        if (name == "FAULT_AROUND_POLICY") return std::string(faultAroundPolicyName(t.faultAround));
        return std::to_string(t.faultAroundBytes);
    }
    return "";
}

std::optional<std::string> setToggle(Toggles& t, std::string_view name, std::string_view value) {
    for (const ToggleField& f : fields()) {
        if (f.info.name != name) continue;
        if (f.flag) {
            if (value == "on" || value == "true" || value == "1") return t.*f.flag = true, std::nullopt;
            if (value == "off" || value == "false" || value == "0") return t.*f.flag = false, std::nullopt;
            return "toggle " + std::string(name) + " takes on or off, not '" + std::string(value) + "'";
        }
        if (name == "FAULT_AROUND_POLICY") {
            for (size_t i = 0; i < kPolicyNames.size(); ++i)
                if (kPolicyNames[i] == value) return t.faultAround = FaultAroundPolicy(i), std::nullopt;
            return "FAULT_AROUND_POLICY takes always, skip-minor, skip-armed or skip-wp-minor, not '" +
                   std::string(value) + "'";
        }
        uint32_t bytes = 0;
        auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), bytes);
        if (ec != std::errc() || p != value.data() + value.size() || bytes < 4096 || bytes > 2097152)
            return "FAULT_AROUND_BYTES takes a byte count from 4096 to 2097152, not '" + std::string(value) + "'";
        t.faultAroundBytes = bytes;
        return std::nullopt;
    }
    std::string known;
    for (const ToggleField& f : fields()) known += (known.empty() ? "" : ", ") + std::string(f.info.name);
    return "unknown toggle '" + std::string(name) + "' (known: " + known + ")";
}

}  // namespace faultline
