// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/op_entry.h"

#include "engine/engine_error.h"
#include "paths/path_common.h"

namespace faultline {
namespace {

// The VMA of `mm` named `nameId` that maps `page` (a file page index for a
// file VMA; a page offset from the VMA's original start for an anonymous one).
// VMAs split by REGISTER keep their name, so an op still finds its page.
const Vma* findNamedVma(const Mm& mm, uint8_t nameId, uint64_t page, uint64_t& vpn) {
    uint64_t anonBase = UINT64_MAX;
    for (const Vma& v : mm.vmas)
        if (v.nameId == nameId && !v.file) anonBase = std::min(anonBase, v.start);
    for (const Vma& v : mm.vmas) {
        if (v.nameId != nameId) continue;
        if (v.file && v.mapsIndex(page)) return vpn = v.vpnOf(page), &v;
        if (!v.file && v.contains(anonBase + page)) return vpn = anonBase + page, &v;
    }
    return nullptr;
}

}  // namespace

StackFrame entryFrame(const State& s, uint8_t task, const Op& op) {
    const Config& cfg = *s.config;
    const int taskMm = cfg.tasks[task].mm;
    // The mm an op works on: its own, or the one it names, or the uffd ctx's.
    int mm = op.mm >= 0 ? op.mm : taskMm;
    const bool uffdOp = (op.kind >= OpKind::UffdApi && op.kind <= OpKind::UffdWake) || op.kind == OpKind::UffdClose ||
                        op.kind == OpKind::UffdPoison || op.kind == OpKind::UffdMove;
    if (uffdOp && op.kind != OpKind::UffdApi && op.uffd < s.ctxCount() && s.ctx(op.uffd).exists && op.mm < 0)
        mm = s.ctx(op.uffd).mm;
    if (uffdOp && mm < 0) mm = 0;

    StackFrame f;
    if (uffdOp) f.ctx = op.uffd;
    f.mm = uint8_t(mm < 0 ? 0 : mm);
    f.tag = op.tag;
    auto locate = [&](uint64_t page) {
        if (mm < 0) throw EngineError(cfg.tasks[task].name + ": " + op.text() + " needs an mm");
        uint64_t vpn = 0;
        const Vma* v = findNamedVma(s.mms[mm], op.vma, page, vpn);
        if (!v)
            throw EngineError(cfg.tasks[task].name + ": " + op.text() + ": " + cfg.mmNames[mm] + " maps no page " +
                              std::to_string(page) + " of VMA '" + cfg.vmaNames.at(op.vma) + "'");
        return std::pair{v, vpn};
    };
    switch (op.kind) {
    case OpKind::Read:
    case OpKind::Write: {
        if (mm >= 0) {
            uint64_t vpn = 0;
            if (!findNamedVma(s.mms[mm], op.vma, op.page, vpn)) {
                // Unmapped now (munmap): the access goes to where the VMA was
                // and ends in SIGSEGV (user_access finds no VMA).
                for (const VmaPlacement& p : cfg.placements)
                    if (p.mm == mm && p.nameId == op.vma) {
                        f.fn = Fn::user_access;
                        f.va = p.start + (op.page - p.pgoff);
                        f.index = p.file ? op.page : 0;
                        f.write = op.kind == OpKind::Write;
                        return f;
                    }
            }
        }
        auto [v, vpn] = locate(op.page);
        f.fn = Fn::user_access;
        f.va = vpn;
        f.index = v->file ? op.page : 0;
        f.write = op.kind == OpKind::Write;
        return f;
    }
    case OpKind::FileWrite:
        f.fn = Fn::shmem_file_write;
        f.lo = op.page;
        f.hi = op.page + op.count;
        return f;
    case OpKind::Punch:
        f.fn = Fn::shmem_fallocate;
        f.aux = op.page;      // offset in bytes
        f.cursor = op.count;  // length in bytes
        return f;
    case OpKind::Mmap:
        f.fn = Fn::do_mmap;
        f.aux = op.vma;  // which placement
        return f;
    case OpKind::Mprotect: {
        auto [v, vpn] = locate(op.page);
        (void)v;
        f.fn = Fn::do_mprotect;
        f.lo = vpn;
        f.hi = vpn + op.count;
        f.flags = op.mode;
        return f;
    }
    case OpKind::Ftruncate:
        f.fn = Fn::shmem_setattr;
        f.aux = op.page;  // new size in bytes
        return f;
    case OpKind::MadviseDontneed:
    case OpKind::MadviseRemove:
    case OpKind::MadvisePageout: {
        auto [v, vpn] = locate(op.page);
        (void)v;
        f.fn = op.kind == OpKind::MadviseDontneed ? Fn::madvise_dontneed
               : op.kind == OpKind::MadviseRemove ? Fn::madvise_remove
                                                  : Fn::madvise_pageout;
        f.lo = vpn;
        f.hi = vpn + op.count;
        return f;
    }
    case OpKind::Reclaim:
    case OpKind::WritebackEnd: {
        f.fn = op.kind == OpKind::Reclaim ? Fn::shrink_folio_list : Fn::folio_end_writeback;
        uint32_t pfn = 0;
        if (op.mm >= 0) {  // an anonymous page of that mm
            auto [v, vpn] = locate(op.page);
            (void)v;
            f.va = vpn;
            f.flags = paths::kAnonReclaim;
            const Pte& p = s.mms[mm].pt.get(vpn);
            if (p.isPresent()) pfn = p.pfn;
            else if (p.isSwap()) pfn = s.swap.slots.get(p.slot).cachePfn;
        } else {
            f.index = op.page;
            const XaEntry& e = s.inode.xa.get(op.page);
            if (e.isFolio()) pfn = e.value;
            else if (e.isSwap()) pfn = s.swap.slots.get(e.value).cachePfn;
        }
        f.pfn = pfn;
        return f;
    }
    case OpKind::Munmap: {
        auto [v, vpn] = locate(op.page);
        (void)vpn;
        f.fn = Fn::do_munmap;
        f.lo = v->start;
        return f;
    }
    case OpKind::UffdApi:
        f.fn = Fn::userfaultfd_api;
        f.aux = op.features;
        return f;
    case OpKind::Serve: f.fn = Fn::uffd_monitor; return f;
    case OpKind::UffdClose: f.fn = Fn::userfaultfd_release; return f;
    case OpKind::Mremap: {
        auto [v, vpn] = locate(op.page);
        (void)vpn;
        f.fn = Fn::move_vma;
        f.lo = v->start;
        f.va = op.to;
        return f;
    }
    case OpKind::Fork:
        f.fn = Fn::dup_mmap;
        f.aux = uint64_t(op.child);
        return f;
    default: break;
    }
    // Range ioctls on the ctx's mm: [page, page + count) of the named VMA.
    auto [v, vpn] = locate(op.page);
    (void)v;
    f.lo = vpn;
    f.hi = vpn + op.count;
    f.va = vpn;
    f.flags = op.mode;
    switch (op.kind) {
    case OpKind::UffdRegister: f.fn = Fn::userfaultfd_register; break;
    case OpKind::UffdUnregister: f.fn = Fn::userfaultfd_unregister; break;
    case OpKind::UffdWriteprotect:
        f.fn = Fn::mwriteprotect_range;
        f.write = op.mode & UFFDIO_WRITEPROTECT_MODE_WP;
        break;
    case OpKind::UffdCopy: f.fn = Fn::mfill_atomic_pte, f.aux = 0; break;
    case OpKind::UffdZeropage: f.fn = Fn::mfill_atomic_pte, f.aux = 1; break;
    case OpKind::UffdContinue: f.fn = Fn::mfill_atomic_pte, f.aux = 2; break;
    case OpKind::UffdWake: f.fn = Fn::userfaultfd_wake; break;
    case OpKind::UffdPoison: f.fn = Fn::mfill_atomic_pte_poison; break;
    case OpKind::UffdMove: {
        f.fn = Fn::move_pages;
        uint64_t svpn = 0;
        if (!findNamedVma(s.mms[mm], op.srcVma, op.srcPage, svpn))
            throw EngineError(cfg.tasks[task].name + ": " + op.text() + ": no source page " +
                              std::to_string(op.srcPage) + " of VMA '" + cfg.vmaNames.at(op.srcVma) + "'");
        f.index = svpn;
        break;
    }
    default: throw EngineError("unknown operation");
    }
    return f;
}

}  // namespace faultline
