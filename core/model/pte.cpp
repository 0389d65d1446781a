// SPDX-License-Identifier: GPL-3.0-or-later
#include "model/pte.h"

#include "util/hash.h"

namespace faultline {

uint64_t Pte::stableHash() const {
    return Hasher()
        .add(uint64_t(kind))
        .add(uint64_t(write) | uint64_t(dirty) << 1 | uint64_t(young) << 2 | uint64_t(uffd_wp) << 3 |
             uint64_t(soft_dirty) << 4 | uint64_t(exclusive) << 5)
        .add(pfn)
        .add(slot)
        .add(marker)
        .value();
}

std::string Pte::describe() const {
    switch (kind) {
    case PteKind::None: return "none";
    case PteKind::Present:
        return "P(w=" + std::to_string(write) + ",d=" + std::to_string(dirty) + ",wp=" + std::to_string(uffd_wp) +
               ") p" + std::to_string(pfn);
    case PteKind::Swap: return "swap(slot " + std::to_string(slot) + (uffd_wp ? ", swp_uffd_wp)" : ")");
    case PteKind::Marker: {
        std::string s = "marker(";
        if (marker & kMarkerUffdWp) s += "uffd-wp";
        if (marker & kMarkerPoisoned) s += std::string(s.size() > 7 ? "|" : "") + "poisoned";
        if (marker & kMarkerGuard) s += std::string(s.size() > 7 ? "|" : "") + "guard";
        return s + ")";
    }
    }
    return "?";
}

}  // namespace faultline
