// SPDX-License-Identifier: GPL-3.0-or-later
#include "model/page.h"

#include "util/hash.h"

namespace faultline {

std::string XaEntry::describe() const {
    switch (kind) {
    case XaKind::Empty: return "hole";
    case XaKind::Folio: return "p" + std::to_string(value);
    case XaKind::SwapValue: return "swap(slot " + std::to_string(value) + ")";
    }
    return "?";
}

std::string folioFlagsText(uint16_t flags) {
    static const char* names[] = {"locked",     "uptodate", "dirty", "writeback", "swapcache", "swapbacked",
                                  "referenced", "active",   "lru",   "readahead", "hwpoison"};
    std::string s;
    for (int i = 0; i < 11; ++i)
        if (flags & (1 << i)) s += std::string(s.empty() ? "" : ",") + names[i];
    return s;
}

uint64_t Folio::stableHash() const {
    return Hasher()
        .add(uint64_t(allocated) | uint64_t(fileMapping) << 1 | uint64_t(anon) << 2)
        .add(flags)
        .add(uint64_t(uint32_t(refcount)))
        .add(uint64_t(uint32_t(mapcount)))
        .add(mm)
        .add(index)
        .add(swap)
        .add(data.bits())
        .value();
}

uint64_t SwapSlot::stableHash() const {
    return Hasher().add(count).add(hasCache).add(cachePfn).add(shmem).add(ownerMm).add(owner).add(data.bits()).value();
}

}  // namespace faultline
