// SPDX-License-Identifier: GPL-3.0-or-later
// mprotect(2): do_mprotect_pkey() → mprotect_fixup() splits the range into its
// own VMAs, sets VM_READ/VM_WRITE, recomputes vm_page_prot and runs
// change_protection() over the ptes; then neighbours merge again.
#include "paths/path_common.h"

namespace faultline::paths {
namespace {

std::string protText(uint32_t prot) {
    return prot == 0 ? "PROT_NONE" : prot == 1 ? "PROT_READ" : "PROT_READ|PROT_WRITE";
}

void do_mprotect(StepContext& c) {
    StackFrame& f = c.f();
    const uint8_t mm = f.mm;
    if (!c.lock(ML(mm), true)) return;
    FL_AT(c, "mprotect([" + c.pageName(mm, f.lo) + ", +" + std::to_string(f.hi - f.lo) + "), " + protText(f.flags) +
         "): mmap_write_lock");
    if (!splitAt(c, mm, f.lo, f.hi)) {
        c.unlock(ML(mm));
        FL_SAY(c, "; part of the range is not mapped → -ENOMEM");
        return c.ret(kENOMEM);
    }
    Mm& m = c.s.mms[mm];
    for (const Vma& v : m.vmas)
        if (v.start >= f.lo && v.end <= f.hi && (f.flags & 2) && !(v.flags & VM_MAYWRITE)) {
            c.unlock(ML(mm));
            FL_SAY(c, "; PROT_WRITE on a VMA without VM_MAYWRITE → -EACCES");
            return c.ret(kEACCES);
        }
    const uint32_t want = ((f.flags & 1) ? uint32_t(VM_READ) : 0u) | ((f.flags & 2) ? uint32_t(VM_WRITE) : 0u);
    for (Vma& v : m.vmas)
        if (v.start >= f.lo && v.end <= f.hi) v.flags = (v.flags & ~uint32_t(VM_READ | VM_WRITE)) | want;
    c.touch({CellKind::Vma, mm, 0});
    // change_protection(): without PROT_WRITE every pte loses its write bit;
    // with it, ptes stay as they are and the next write fault makes them
    // writable (do_wp_page reuse for shared pages, copy for private ones).
    int changed = 0;
    if (!(f.flags & 2)) {
        std::vector<uint64_t> keys;
        m.pt.forEach(f.lo, f.hi, [&](uint64_t k, const Pte& p) {
            if (p.isPresent() && p.write) keys.push_back(k);
        });
        for (uint64_t k : keys) {
            Pte p = m.pt.get(k);
            p.write = false;
            c.setPte(mm, k, p);
            ++changed;
        }
    }
    const int merged = mergeVmas(c, mm);
    c.unlock(ML(mm));
    FL_SAY(c, "; vm_flags set, vm_page_prot recomputed; change_protection: " + std::to_string(changed) +
          " ptes write-protected" + (merged ? "; " + std::to_string(merged) + " VMA merge(s)" : "") +
          "; mmap_write_unlock");
    return c.ret(0);
}

}  // namespace

const FunctionInfo& info_do_mprotect() {
    static const FunctionInfo info{
        "do_mprotect_pkey",
        "mm/mprotect.c",
        {{"",
          "mmap_write_lock(mm); for_each_vma_range(vmi, vma, end) { mprotect_fixup(&vmi, &tlb, vma, &prev, start, end, "
          "newflags);  /* split, vm_flags_reset, vma_set_page_prot, change_protection */ } mmap_write_unlock(mm);"}},
        do_mprotect,
        {"lo:start", "hi:end", "flags:prot"}};
    return info;
}

}  // namespace faultline::paths
