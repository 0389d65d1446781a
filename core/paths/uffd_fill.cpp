// SPDX-License-Identifier: GPL-3.0-or-later
// UFFDIO_COPY / UFFDIO_ZEROPAGE / UFFDIO_CONTINUE (spec §4.3, §4.5):
// mfill_atomic() → shmem_mfill_atomic_pte() / mfill_atomic_pte_continue().
#include "paths/path_common.h"

namespace faultline::paths {
namespace {

enum FillKind : uint64_t { kCopy = 0, kZeropage = 1, kContinue = 2 };
enum { UC_1, UC_2, UC_2_RET, UC_3, UC_4, UC_5, UC_6 };

std::string kindName(uint64_t k) {
    return k == kCopy ? "UFFDIO_COPY" : k == kZeropage ? "UFFDIO_ZEROPAGE" : "UFFDIO_CONTINUE";
}

void mfill_atomic_pte(StepContext& c) {
    StackFrame& f = c.f();
    const uint8_t mm = f.mm;
    const bool wantWp = f.flags & UFFDIO_COPY_MODE_WP;
    auto fail = [&](int32_t e, const std::string& why) {
        if (f.pfn) {
            if (c.holds({LockKind::FL, 0, f.pfn})) c.unlockFolio(f.pfn);
            c.putRef(f.pfn);
            f.pfn = 0;
        }
        c.unlock(ML(mm));
        FL_SAY(c, why + " → " + errnoName(e));
        return c.ret(e);
    };
    switch (f.pc) {
    case UC_1: {
        if (f.ctx < c.s.ctxCount() && !c.s.ctx(f.ctx).changing.empty()) {
            FL_AT(c, kindName(f.aux) + "(" + c.pageName(mm, f.va) +
                 "): a non-cooperative event is not complete (ctx->mmap_changing) → -EAGAIN");
            return c.ret(kEAGAIN);
        }
        if (!c.lock(ML(mm), false)) return;
        FL_AT(c, kindName(f.aux) + "(" + c.pageName(mm, f.va) + (f.aux == kCopy ? ", " + f.tag.str() : "") +
             (wantWp ? ", MODE_WP" : "") + "): mmap_read_lock");
        const Vma* v = c.vmaOf(mm, f.va);
        if (!v || !v->uffd) return fail(kENOENT, "destination not in a registered VMA");
        if (wantWp && !(v->flags & VM_UFFD_WP)) return fail(kEINVAL, "MODE_WP needs a VM_UFFD_WP VMA");
        if (wantWp && v->file && !c.k().copyModeWp) {
            f.flags &= ~UFFDIO_COPY_MODE_WP;
            FL_SAY(c, "MODE_WP ignored for shmem (COPY_MODE_WP=off)");
        }
        // mfill_atomic(): CONTINUE is refused only outside shmem; a shmem VMA
        // registered MISSING (or WP) only is filled like a MINOR one.
        if (f.aux == kContinue && !c.k().minorMode)
            return fail(kEINVAL, "no UFFDIO_CONTINUE in this kernel (MINOR_MODE=off)");
        if (f.aux == kContinue && !v->file) return fail(kEINVAL, "CONTINUE on a VMA that is not shmem");
        f.index = v->file ? v->indexOf(f.va) : f.va - v->start;
        // remember: shared file (1: the page goes into the page cache), or
        // anonymous / MAP_PRIVATE (0: mfill_atomic_pte_copy, a private anonymous page)
        f.cursor = v->file && (v->flags & VM_SHARED);
        return c.jump(UC_2);
    }
    case UC_2: {
        if (f.aux == kContinue) {
            FL_SAY(c, "shmem_get_folio(SGP_NOALLOC)");
            StackFrame n;
            n.index = f.index;
            n.flags = SGP_NOUFFD | SGP_NOALLOC;
            f.pc = UC_2_RET;
            return c.call(Fn::shmem_get_folio_gfp, n);
        }
        const uint32_t p = c.allocFolio(!f.cursor, mm, f.cursor ? f.index : f.va);
        c.lockFolio(p);
        const Tag data = f.aux == kCopy ? f.tag : Tag();
        c.editFolio(p, [&](Folio& fo) {
            fo.data = data;
            fo.set(PG_uptodate);
            fo.set(PG_lru);
        });
        f.pfn = p;
        FL_SAY(c, "allocate " + pfnText(p) + ", " + (f.aux == kCopy ? "copy " + data.str() : std::string("zero-fill")) +
              ", locked, uptodate");
        return c.jump(f.cursor ? UC_3 : UC_4);
    }
    case UC_2_RET:
        if (!(f.ret & VM_FAULT_LOCKED) || !f.pfn) {
            f.pfn = 0;
            return fail(kEFAULT, "no page in the file at " + idxText(f.index));
        }
        FL_AT(c, "page-cache " + pfnText(f.pfn) + " locked (page cache unchanged)");
        return c.jump(UC_4);
    case UC_3: {
        if (f.index >= c.s.inode.sizePages) return fail(kEFAULT, "index beyond i_size");
        const XaEntry e = c.s.inode.xa.get(f.index);
        if (!e.isEmpty()) return fail(kEEXIST, "UC.3 i_pages[" + idxText(f.index) + "] is already " + e.describe());
        c.editFolio(f.pfn, [&](Folio& fo) {
            fo.fileMapping = true;
            ++fo.refcount;
        });
        c.setXa(f.index, XaEntry::folio(f.pfn));
        c.editInode([](Inode& x) { ++x.nrpages; });
        FL_SAY(c, "UC.3 shmem_add_to_page_cache at " + idxText(f.index) + " (visible to every mapping now)");
        return c.next(UC_4);
    }
    case UC_4: {
        if (!c.lock(PTL(mm, f.va))) return;
        const Vma& v = vmaFor(c, mm, f.va);
        const Pte cur = c.s.mms[mm].pt.get(f.va);
        const bool ok = c.k().pteMarkers ? cur.noneMostly() : cur.isNone();
        if (!ok) {
            c.unlock(PTL(mm, f.va));
            if (f.aux != kContinue && f.cursor) {
                c.setXa(f.index, XaEntry());
                c.editFolio(f.pfn, [](Folio& fo) {
                    fo.fileMapping = false;
                    --fo.refcount;
                });
                c.editInode([](Inode& x) { --x.nrpages; });
            }
            return fail(kEEXIST, "UC.4 pte is " + cur.describe());
        }
        const bool wp = f.flags & UFFDIO_COPY_MODE_WP;
        // mfill_atomic_install_pte(): a page-cache page in a MAP_PRIVATE VMA
        // (CONTINUE) is mapped read-only: the next write copies it.
        const bool cachePageInPrivate = f.aux == kContinue && !(v.flags & VM_SHARED);
        Pte p = Pte::present(f.pfn, (v.flags & VM_WRITE) && !wp && !cachePageInPrivate, true, true, wp);
        c.mapFromTaskRef(mm, f.va, p);
        c.unlock(PTL(mm, f.va));
        FL_AT(c, "mfill_atomic_install_pte: " + c.pageName(mm, f.va) + " ← " + p.describe() +
             (cur.isWpMarker() ? " (overwrites the uffd-wp marker)" : "") + "; only this mm's pte");
        return c.jump(UC_5);
    }
    case UC_5:
        if (f.aux != kContinue && f.cursor) c.editInode([](Inode& x) { ++x.alloced; });
        c.unlockFolio(f.pfn);
        FL_SAY(c, "folio_unlock(" + pfnText(f.pfn) + ")");
        f.pfn = 0;
        return c.next(UC_6);
    case UC_6: {
        const bool wp = f.flags & UFFDIO_COPY_MODE_WP;
        c.unlock(ML(mm));
        if (wp) c.setIntent(mm, f.va, true);
        else if (f.aux != kContinue) c.setIntent(mm, f.va, false);
        if (f.aux != kContinue) c.s.mms[mm].intent.update(f.va, [](Intent& i) { i.minorSeen = true; });
        FL_AT(c, "mmap_read_unlock");
        if (!(f.flags & UFFDIO_COPY_MODE_DONTWAKE)) c.wakeUffdRange(f.ctx, mm, f.va, f.va + 1);
        return c.ret(0);
    }
    }
    throw EngineError("mfill_atomic_pte: bad pc");
}

}  // namespace

const FunctionInfo& info_mfill_atomic_pte() {
    static const FunctionInfo info{
        "mfill_atomic_pte",
        "mm/userfaultfd.c",
        {{"UC.1",
          "mmap_read_lock / uffd_mfill_lock(dst_mm, dst_start, len); if (!dst_vma || !userfaultfd_armed) return "
          "-ENOENT; if ((flags & MFILL_ATOMIC_WP) && !(dst_vma->vm_flags & VM_UFFD_WP)) return -EINVAL;"},
         {"UC.2",
          "folio = shmem_alloc_folio(gfp, 0, info, pgoff); copy_from_user / clear_user_highpage; __folio_set_locked; "
          "__folio_set_swapbacked; __folio_mark_uptodate;  /* CONTINUE: shmem_get_folio(SGP_NOALLOC) */"},
         {"UC.2", "if (!folio) return -EFAULT;  /* CONTINUE: no page in the file */"},
         {"UC.3",
          "if (unlikely(pgoff >= max_off)) return -EFAULT; ret = shmem_add_to_page_cache(folio, mapping, pgoff, NULL, "
          "gfp);  /* -EEXIST if an entry is there */"},
         {"UC.4",
          "ret = mfill_atomic_install_pte(dst_pmd, dst_vma, dst_addr, page, true, flags);  /* pte must be "
          "pte_none_mostly; pte_mkdirty; MODE_WP → pte_mkuffd_wp */"},
         {"UC.5", "shmem_recalc_inode(inode, 1, 0); folio_unlock(folio);"},
         {"UC.6", "mmap_read_unlock; if (!(mode & DONTWAKE)) wake_userfault(ctx, &range); return copied;"}},
        mfill_atomic_pte,
        {"va:dst", "index:pgoff", "pfn:folio", "aux:ioctl (0 COPY, 1 ZEROPAGE, 2 CONTINUE)", "flags:mode", "tag:data"}};
    return info;
}

}  // namespace faultline::paths
