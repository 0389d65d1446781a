// SPDX-License-Identifier: GPL-3.0-or-later
// ftruncate(2) on the shmem file: shmem_setattr() → i_size_write(), then for
// a shrink unmap_mapping_range() past the new end (zap_flags 0: uffd-wp
// markers are kept, as on Linux 6.18) and shmem_truncate_range() (the
// punch's shmem_undo_range(), whose truncate_inode_folio() zaps again with
// ZAP_FLAG_DROP_MARKER only where a folio is still mapped).
#include "paths/path_common.h"

namespace faultline::paths {
namespace {

enum { ST_1, ST_2, ST_3, ST_4 };

void shmem_setattr(StepContext& c) {
    StackFrame& f = c.f();
    // Locals: aux = new size (bytes), lo = new size in pages (rounded up), hi = old size in pages.
    switch (f.pc) {
    case ST_1: {
        if (!c.lock(IL())) return;
        f.lo = (f.aux + 4095) / 4096;
        f.hi = c.s.inode.sizePages;
        FL_AT(c, "inode_lock; ftruncate(" + std::to_string(f.aux) + "): i_size " + std::to_string(f.hi * 4096) + " → " +
             std::to_string(f.aux) + "; i_size_write first: faults at or past page " + idxText(f.lo) +
             " now get SIGBUS");
        c.editInode([&](Inode& in) { in.sizePages = f.lo; });
        if (f.lo >= f.hi && f.aux % 4096 == 0) {
            c.unlock(IL());
            FL_SAY(c, f.lo > f.hi ? "; grown: the new pages are holes; inode_unlock" : "; same size; inode_unlock");
            return c.ret(0);
        }
        return c.next(ST_2);
    }
    case ST_2: {
        if (f.lo >= f.hi) return c.jump(ST_3);
        FL_AT(c, "unmap_mapping_range(mapping, " + idxText(f.lo) + ", to the end, even_cows): zap_flags 0, markers kept");
        StackFrame n;
        n.lo = f.lo;
        n.hi = f.hi;
        n.flags = ZAP_EVEN_COWS;
        f.pc = ST_3;
        return c.call(Fn::unmap_mapping_range, n);
    }
    case ST_3: {
        FL_AT(c, "shmem_truncate_range(" + std::to_string(f.aux) + ", -1)");
        StackFrame n;
        n.aux = f.aux;                           // lstart
        n.va = std::max(f.hi, f.lo) * 4096 - 1;  // lend: the old end
        n.lo = f.lo;                             // start: first whole page past the end
        n.hi = std::max(f.hi, f.lo);             // end
        n.cursor = n.lo;
        f.pc = ST_4;
        return c.call(Fn::shmem_undo_range, n);
    }
    case ST_4:
        c.unlock(IL());
        FL_AT(c, "inode_unlock; return 0");
        return c.ret(0);
    }
    throw EngineError("shmem_setattr: bad pc");
}

}  // namespace

const FunctionInfo& info_shmem_setattr() {
    static const FunctionInfo info{"shmem_setattr",
                                   "mm/shmem.c",
                                   {{"",
                                     "inode_lock(inode); oldsize = inode->i_size; i_size_write(inode, newsize); if "
                                     "(newsize >= oldsize) return 0;  /* growth: holes */"},
                                    {"",
                                     "holebegin = round_up(newsize, PAGE_SIZE); unmap_mapping_range(inode->i_mapping, "
                                     "holebegin, 0, 1);  /* zap_flags 0: uffd-wp markers kept */"},
                                    {"",
                                     "shmem_truncate_range(inode, newsize, (loff_t)-1);  /* shmem_undo_range: partial "
                                     "tail zeroed, folios and swap past the end freed */"},
                                    {"", "inode_unlock(inode); return 0;"}},
                                   shmem_setattr,
                                   {"aux:newsize", "lo:holebegin (pages)", "hi:old size (pages)"}};
    return info;
}

}  // namespace faultline::paths
