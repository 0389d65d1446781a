// SPDX-License-Identifier: GPL-3.0-or-later
#include "model/variants.h"

namespace faultline {
namespace {

// a: the 2020 kernel the thread is about, with the out-of-tree shmem uffd-wp
// series assumed (spec §10 Q2).
Toggles baseline2020() { return Toggles{}; }

std::vector<Variant> makeVariants() {
    std::vector<Variant> v;
    v.push_back({"baseline-2020", "a",
                 "v5.10 + out-of-tree shmem uffd-wp (Nov 2020): fault-around and pre-unmap, no markers",
                 baseline2020()});

    Toggles b = baseline2020();
    b.faultAround = FaultAroundPolicy::SkipArmed;
    v.push_back({"skip-faultaround", "b", "Peter's patch: do_fault_around() skips userfaultfd_armed() VMAs", b});

    Toggles c = baseline2020();
    c.punchPreunmap = false;
    v.push_back({"no-preunmap", "c", "Peter's alternative: shmem_fallocate() without the pre-unmap (PH.4)", c});

    Toggles d = baseline2020();
    d.shmemMapPages = false;
    v.push_back({"no-map-pages", "d", "Andrea's patch: shmem_vm_ops without .map_pages (no fault-around on shmem)", d});

    // e0: v5.19 .. v6.1 — pte markers and uffd_disable_fault_around(), no
    // writenotify for uffd-wp VMAs; UNREGISTER does not reset (v5.19).
    Toggles e0 = baseline2020();
    e0.faultAround = FaultAroundPolicy::SkipWpOrMinor;
    e0.pteMarkers = true;
    e0.minorMode = true;
    e0.wpClearMakesWritable = true;
    e0.pagemapBit57 = true;
    v.push_back(
        {"upstream-5.19", "e0", "v5.19–v6.1: pte markers, uffd_disable_fault_around(), no uffd-wp writenotify", e0});

    // e1: v6.2 .. v6.3 — + writenotify for VM_UFFD_WP, UNREGISTER resets uffd-wp.
    Toggles e1 = e0;
    e1.writenotifyUffdWp = true;
    e1.unregisterResetsWp = true;
    v.push_back({"upstream-6.2", "e1", "v6.2–v6.3: + writenotify on uffd-wp VMAs, UNREGISTER resets uffd-wp", e1});

    // e2: >= v6.4 — + UFFD_FEATURE_WP_UNPOPULATED (anonymous only). Default.
    Toggles e2 = e1;
    e2.wpUnpopulated = true;
    v.push_back({"upstream", "e2", "v6.4 and later (what a current kernel does)", e2});
    return v;
}

}  // namespace

const std::vector<Variant>& variants() {
    static const std::vector<Variant> v = makeVariants();
    return v;
}

const Variant* findVariant(std::string_view id) {
    for (const Variant& v : variants())
        if (v.id == id || v.letter == id) return &v;
    return nullptr;
}

}  // namespace faultline
