// SPDX-License-Identifier: GPL-3.0-or-later
// madvise(MADV_REMOVE) on a shared shmem mapping: madvise_remove() sends the
// userfaultfd REMOVE event (EVENT_REMOVE), drops mmap_lock and punches the
// range with vfs_fallocate(PUNCH_HOLE|KEEP_SIZE) → shmem_fallocate().
#include "paths/path_common.h"

namespace faultline::paths {
namespace {

enum { MR_1, MR_EV, MR_RET };

void punchIt(StepContext& c) {
    StackFrame& f = c.f();
    const Vma* v = c.vmaOf(f.mm, f.lo);
    // The file offset was computed under mmap_lock (f.index); the VMA may be gone now.
    StackFrame n;
    n.aux = f.index * 4096;
    n.cursor = (f.hi - f.lo) * 4096;
    (void)v;
    FL_SAY(c, "vfs_fallocate(PUNCH_HOLE|KEEP_SIZE, " + std::to_string(n.aux) + ", " + std::to_string(n.cursor) + ")");
    f.pc = MR_RET;
    c.call(Fn::shmem_fallocate, n);
}

void madvise_remove(StepContext& c) {
    StackFrame& f = c.f();
    switch (f.pc) {
    case MR_1: {
        if (!c.lock(ML(f.mm), false)) return;
        FL_AT(c, "madvise(MADV_REMOVE) [" + c.pageName(f.mm, f.lo) + ", +" + std::to_string(f.hi - f.lo) +
             "): mmap_read_lock");
        const Vma& v = vmaFor(c, f.mm, f.lo);
        if (!v.file) {
            c.unlock(ML(f.mm));
            FL_SAY(c, "; not a file mapping → -EINVAL");
            return c.ret(kEINVAL);
        }
        if (!(v.flags & VM_SHARED) || !(v.flags & VM_MAYWRITE)) {
            c.unlock(ML(f.mm));
            FL_SAY(c, "; not a shared writable mapping → -EACCES");
            return c.ret(kEACCES);
        }
        f.hi = std::min(f.hi, v.end);
        f.index = v.indexOf(f.lo);
        if (userfaultfdRemove(c, f.lo, f.hi, MR_EV)) return;
        c.unlock(ML(f.mm));
        FL_SAY(c, "; mmap_read_unlock");
        return punchIt(c);
    }
    case MR_EV: FL_AT(c, "REMOVE read by the monitor"); return punchIt(c);
    case MR_RET: FL_AT(c, "return " + std::string(f.ret < 0 ? errnoName(f.ret) : "0")); return c.ret(f.ret);
    }
    throw EngineError("madvise_remove: bad pc");
}

}  // namespace

const FunctionInfo& info_madvise_remove() {
    static const FunctionInfo info{
        "madvise_remove",
        "mm/madvise.c",
        {{"",
          "mmap_read_lock(mm); if (!vma->vm_file) return -EINVAL; if (!vma_is_shared_maywrite(vma)) return -EACCES; "
          "offset = start - vma->vm_start + (vma->vm_pgoff << PAGE_SHIFT); if (userfaultfd_remove(vma, start, end)) "
          "mmap_read_unlock(mm);"},
         {"",
          "/* EVENT_REMOVE: userfaultfd_remove() dropped mmap_lock, queued REMOVE(start, end) and waited until it was "
          "read */"},
         {"",
          "error = vfs_fallocate(f, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, end - start); return error;"}},
        madvise_remove,
        {"lo:start", "hi:end", "index:file offset (pages)"}};
    return info;
}

}  // namespace faultline::paths
