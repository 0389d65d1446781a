// SPDX-License-Identifier: GPL-3.0-or-later
// mmap(2) of a session's named VMA again, at the address the session gave it
// (MAP_FIXED_NOREPLACE): a fresh VMA with no ptes and no userfaultfd
// registration, e.g. after munmap.
#include "paths/path_common.h"

namespace faultline::paths {
namespace {

void do_mmap(StepContext& c) {
    StackFrame& f = c.f();
    const uint8_t mm = f.mm;
    if (!c.lock(ML(mm), true)) return;
    const VmaPlacement* pl = nullptr;
    for (const VmaPlacement& p : c.cfg().placements)
        if (p.mm == mm && p.nameId == f.aux) pl = &p;
    if (!pl) throw EngineError("mmap: mm " + c.mmName(mm) + " has no VMA named " + c.cfg().vmaNames.at(f.aux));
    FL_AT(c, "mmap(" + c.cfg().vmaNames.at(f.aux) + ": " + std::to_string(pl->pages) + " pages at " + c.mmName(mm) +
         " vpn " + std::to_string(pl->start) + ", MAP_FIXED_NOREPLACE): mmap_write_lock");
    Mm& m = c.s.mms[mm];
    for (const Vma& v : m.vmas)
        if (v.start < pl->start + pl->pages && pl->start < v.end) {
            c.unlock(ML(mm));
            FL_SAY(c, "; the range is mapped already → -EEXIST");
            return c.ret(kEEXIST);
        }
    Vma v;
    v.start = pl->start;
    v.end = pl->start + pl->pages;
    v.pgoff = pl->pgoff;
    v.file = pl->file;
    v.flags = pl->flags;
    v.nameId = pl->nameId;
    m.vmas.push_back(v);
    std::sort(m.vmas.begin(), m.vmas.end(), [](const Vma& a, const Vma& b) { return a.start < b.start; });
    c.touch({CellKind::Vma, mm, 0});
    c.unlock(ML(mm));
    FL_SAY(c, "; new VMA " + vmFlagsText(v.flags) + ", no ptes, not registered; mmap_write_unlock");
    return c.ret(0);
}

}  // namespace

const FunctionInfo& info_do_mmap() {
    static const FunctionInfo info{
        "do_mmap",
        "mm/mmap.c",
        {{"",
          "mmap_write_lock(mm); if (flags & MAP_FIXED_NOREPLACE && find_vma_intersection(mm, addr, addr + len)) return "
          "-EEXIST; mmap_region(file, addr, len, vm_flags, pgoff);  /* shmem_mmap: vm_ops = shmem_vm_ops */ "
          "mmap_write_unlock(mm);"}},
        do_mmap,
        {"aux:VMA name"}};
    return info;
}

}  // namespace faultline::paths
