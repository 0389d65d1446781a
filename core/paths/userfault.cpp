// SPDX-License-Identifier: GPL-3.0-or-later
// userfaultfd (spec §4): handle_userfault() and the ioctls that do not fill
// pages (API, REGISTER, UNREGISTER, WAKE). Filling and write-protecting are in
// uffd_fill.cpp and uffd_writeprotect.cpp; the monitor's loop in monitor.cpp.
#include <algorithm>
#include <cstdio>

#include "paths/path_common.h"
#include "paths/step_pcs.h"

namespace faultline::paths {
// Splits the VMAs of `mm` at lo and hi (vpns) so that [lo, hi) is made of
// whole VMAs (__split_vma). Returns false if part of the range is unmapped.
bool splitAt(StepContext& c, uint8_t mm, uint64_t lo, uint64_t hi) {
    auto& vmas = c.s.mms[mm].vmas;
    for (uint64_t p = lo; p < hi;) {
        const Vma* v = c.s.mms[mm].findVma(p);
        if (!v) return false;
        p = v->end;
    }
    for (uint64_t cut : {lo, hi}) {
        for (size_t i = 0; i < vmas.size(); ++i) {
            Vma& v = vmas[i];
            if (cut > v.start && cut < v.end) {
                Vma tail = v;
                tail.start = cut;
                if (v.file) tail.pgoff = v.pgoff + (cut - v.start);
                v.end = cut;
                vmas.insert(vmas.begin() + long(i) + 1, tail);
                break;
            }
        }
    }
    c.touch({CellKind::Vma, mm, 0});
    return true;
}

// vma_merge(): adjacent VMAs of one mapping (same name, same kind, same
// flags and userfaultfd context, contiguous file offsets) become one, as
// vma_modify_flags_uffd() does after REGISTER and UNREGISTER change flags.
// Returns how many merges were made.
int mergeVmas(StepContext& c, uint8_t mm) {
    auto& vmas = c.s.mms[mm].vmas;
    int merged = 0;
    for (size_t i = 0; i + 1 < vmas.size();) {
        const Vma& a = vmas[i];
        const Vma& b = vmas[i + 1];
        const bool ok = a.end == b.start && a.nameId == b.nameId && a.file == b.file && a.flags == b.flags &&
                        a.uffd == b.uffd && (!a.uffd || a.ctx == b.ctx) && (!a.file || a.pgoff + (a.end - a.start) == b.pgoff);
        if (!ok) {
            ++i;
            continue;
        }
        vmas[i].end = b.end;
        vmas.erase(vmas.begin() + long(i) + 1);
        ++merged;
    }
    if (merged) c.touch({CellKind::Vma, mm, 0});
    return merged;
}

namespace {

std::string reasonName(uint32_t r) {
    return r == VM_UFFD_WP ? "VM_UFFD_WP" : r == VM_UFFD_MINOR ? "VM_UFFD_MINOR" : "VM_UFFD_MISSING";
}

bool msgQueued(const UffdCtx& u, uint32_t id) {
    notePart(Part::UffdPending, PartAccess::Read);
    notePart(Part::UffdReadWaiting, PartAccess::Read);
    auto has = [&](const std::vector<UffdMsg>& q) {
        return std::any_of(q.begin(), q.end(), [&](const UffdMsg& m) { return m.id == id; });
    };
    return has(u.pending) || has(u.readWaiting);
}

void handle_userfault(StepContext& c) {
    StackFrame& f = c.f();
    if (f.pc == HU_1) f.ctx = vmaFor(c, f.mm, f.va).ctx;  // the VMA's context gets the message
    const UffdCtx& u = c.s.ctx(f.ctx);
    switch (f.pc) {
    case HU_1: {
        const Vma& v = vmaFor(c, f.mm, f.va);
        if (!v.uffd || !u.exists) {
            FL_AT(c, "no userfaultfd context → VM_FAULT_SIGBUS");
            return c.ret(VM_FAULT_SIGBUS);
        }
        if (u.features & UFFD_FEATURE_SIGBUS) {
            FL_AT(c, "UFFD_FEATURE_SIGBUS → VM_FAULT_SIGBUS, no message");
            return c.ret(VM_FAULT_SIGBUS);
        }
        if (u.released) {
            c.unlock(ML(f.mm));
            FL_AT(c, "userfaultfd released → drop mmap_lock, VM_FAULT_RETRY");
            return c.ret(VM_FAULT_RETRY);
        }
        uint8_t flags = 0;
        if (f.write) flags |= UFFD_PAGEFAULT_FLAG_WRITE;
        if (f.flags == VM_UFFD_WP) flags |= UFFD_PAGEFAULT_FLAG_WP;
        if (f.flags == VM_UFFD_MINOR) flags |= UFFD_PAGEFAULT_FLAG_MINOR;
        f.aux = c.queueUffdMsg(f.ctx, f.mm, f.va, flags);
        UffdMsg m;
        m.id = uint32_t(f.aux), m.mm = f.mm, m.va = f.va, m.flags = flags;
        FL_AT(c, "handle_userfault(" + reasonName(f.flags) + "): queue message " + uffdMsgText(m, c.s) +
             " on fault_pending_wqh; set_current_state(TASK_KILLABLE)");
        return c.next(HU_4);
    }
    case HU_4: {
        const Pte p = c.s.mms[f.mm].pt.get(f.va);
        const bool mustWait = p.noneMostly() || (f.flags == VM_UFFD_WP && !(p.isPresent() && p.write));
        c.unlock(ML(f.mm));
        const uint32_t id = uint32_t(f.aux);
        if (!msgQueued(u, id)) {
            FL_AT(c, "already woken by a resolving ioctl; release mmap_lock → VM_FAULT_RETRY");
            return c.ret(VM_FAULT_RETRY);
        }
        if (!mustWait) {
            c.editCtx(f.ctx, [&](UffdCtx& x) {
                std::erase_if(x.pending, [&](const UffdMsg& m) { return m.id == id; });
                std::erase_if(x.readWaiting, [&](const UffdMsg& m) { return m.id == id; });
            });
            FL_AT(c, "userfaultfd_must_wait: pte is " + p.describe() + " — resolved meanwhile → VM_FAULT_RETRY");
            return c.ret(VM_FAULT_RETRY);
        }
        FL_AT(c, "userfaultfd_must_wait: pte " + p.describe() + " → release mmap_lock and sleep until woken");
        f.pc = HU_6;
        return c.sleep(TaskState::SleepUffd, id);
    }
    case HU_6: FL_AT(c, "woken → VM_FAULT_RETRY"); return c.ret(VM_FAULT_RETRY);
    }
    throw EngineError("handle_userfault: bad pc");
}

uint64_t supportedFeatures(const Toggles& k) {
    uint64_t f = UFFD_FEATURE_EVENT_FORK | UFFD_FEATURE_EVENT_REMAP | UFFD_FEATURE_EVENT_REMOVE | UFFD_FEATURE_EVENT_UNMAP | UFFD_FEATURE_MISSING_SHMEM |
                 UFFD_FEATURE_SIGBUS | UFFD_FEATURE_THREAD_ID;
    if (k.minorMode) f |= UFFD_FEATURE_MINOR_SHMEM;
    if (k.pteMarkers) f |= UFFD_FEATURE_WP_HUGETLBFS_SHMEM | UFFD_FEATURE_EXACT_ADDRESS;
    // WP_UNPOPULATED (v6.4), POISON (v6.6) and WP_ASYNC (v6.7): the variant
    // for current kernels offers all three, older ones none.
    if (k.wpUnpopulated) f |= UFFD_FEATURE_WP_UNPOPULATED | UFFD_FEATURE_POISON | UFFD_FEATURE_WP_ASYNC | UFFD_FEATURE_MOVE;
    return f;
}

void userfaultfd_api(StepContext& c) {
    StackFrame& f = c.f();
    const uint64_t want = f.aux;
    const uint64_t missing = want & ~supportedFeatures(c.k());
    if (f.ctx >= c.s.ctxCount()) c.newCtx(f.ctx);  // userfaultfd(2): a further context
    if (c.s.ctx(f.ctx).apiDone) {
        FL_AT(c, "UFFDIO_API again → -EINVAL");
        return c.ret(kEINVAL);
    }
    if (missing) {
        char hex[24];
        std::snprintf(hex, sizeof hex, "%#llx", static_cast<unsigned long long>(missing));
        FL_AT(c, "UFFDIO_API: features " + std::string(hex) + " not supported by this kernel variant → -EINVAL");
        return c.ret(kEINVAL);
    }
    // userfaultfd_api(): WP_ASYNC relies on WP_UNPOPULATED, which it turns on.
    const uint64_t features = (want & UFFD_FEATURE_WP_ASYNC) ? want | UFFD_FEATURE_WP_UNPOPULATED : want;
    c.editCtx(f.ctx, [&](UffdCtx& u) {
        u.exists = true;
        u.mm = f.mm;
        u.apiDone = true;
        u.features = features;
    });
    FL_AT(c, "UFFDIO_API: features negotiated");
    return c.ret(0);
}

std::string modeText(uint32_t mode) {
    std::string s;
    if (mode & UFFDIO_REGISTER_MODE_MISSING) s += "MISSING";
    if (mode & UFFDIO_REGISTER_MODE_WP) s += std::string(s.empty() ? "" : "|") + "WP";
    if (mode & UFFDIO_REGISTER_MODE_MINOR) s += std::string(s.empty() ? "" : "|") + "MINOR";
    return s;
}

enum { REG_LOCK, REG_DO };

void userfaultfd_register(StepContext& c) {
    StackFrame& f = c.f();
    const uint8_t mm = f.mm;
    if (f.pc == REG_LOCK) {
        if (!c.lock(ML(mm), true)) return;
        FL_AT(c, "UFFDIO_REGISTER(" + modeText(f.flags) + ") [" + c.pageName(mm, f.lo) + ", +" +
             std::to_string(f.hi - f.lo) + "): mmap_write_lock");
        return c.jump(REG_DO);
    }
    auto fail = [&](int32_t e, const std::string& why) {
        c.unlock(ML(mm));
        FL_SAY(c, why + " → " + errnoName(e));
        return c.ret(e);
    };
    if (f.ctx >= c.s.ctxCount() || !c.s.ctx(f.ctx).apiDone || c.s.ctx(f.ctx).released)
        return fail(kEINVAL, "UFFDIO_API not done on this userfaultfd");
    for (uint64_t p = f.lo; p < f.hi;) {
        const Vma* v = c.s.mms[mm].findVma(p);
        if (!v) return fail(kEINVAL, "range not fully mapped");
        // One context per VMA: faults must know where to go.
        if (v->uffd && v->ctx != f.ctx)
            return fail(kEBUSY, "VMA already registered with another userfaultfd (context " + std::to_string(v->ctx) +
                                    ")");
        if (!(v->flags & VM_MAYWRITE)) return fail(kEPERM, "VMA not VM_MAYWRITE");
        if ((f.flags & UFFDIO_REGISTER_MODE_WP) && v->file && !c.k().shmemUffdWp)
            return fail(kEINVAL, "vma_can_userfault: WP on shmem not supported (SHMEM_UFFD_WP=off)");
        if (f.flags & UFFDIO_REGISTER_MODE_MINOR) {
            if (!v->file) return fail(kEINVAL, "MINOR on anonymous memory is not supported");
            // vma_can_userfault() asks the VMA type only, never the context's
            // features: MINOR registers without UFFD_FEATURE_MINOR_SHMEM.
            if (!c.k().minorMode) return fail(kEINVAL, "MINOR on shmem is not supported (MINOR_MODE=off)");
        }
        p = v->end;
    }
    splitAt(c, mm, f.lo, f.hi);
    uint32_t vmflags = 0;
    if (f.flags & UFFDIO_REGISTER_MODE_MISSING) vmflags |= VM_UFFD_MISSING;
    if (f.flags & UFFDIO_REGISTER_MODE_WP) vmflags |= VM_UFFD_WP;
    if (f.flags & UFFDIO_REGISTER_MODE_MINOR) vmflags |= VM_UFFD_MINOR;
    // userfaultfd_register_range(): a VMA already registered with every
    // requested mode is skipped; any other gets exactly the new modes
    // ((vm_flags & ~__VM_UFFD_FLAGS) | new): WP over MISSING drops MISSING.
    int kept = 0, replaced = 0;
    for (Vma& v : c.s.mms[mm].vmas)
        if (v.start >= f.lo && v.end <= f.hi) {
            if (v.uffd && (v.flags & vmflags) == vmflags) {
                ++kept;
                continue;
            }
            replaced += v.uffd && (v.flags & VM_UFFD_ANY) != vmflags;
            v.flags = (v.flags & ~VM_UFFD_ANY) | vmflags;
            v.uffd = true;
            v.ctx = f.ctx;
        }
    const int merged = mergeVmas(c, mm);
    c.unlock(ML(mm));
    FL_SAY(c, std::string(kept ? "already registered with these modes: left as is; " : "") +
          (replaced ? "earlier modes replaced, not added to; " : "") +
          "VM_UFFD_* set, vm_page_prot recomputed; no pte touched" +
          (merged ? "; vma_modify_flags_uffd merged " + std::to_string(merged) + " VMA(s) with a neighbour" : "") +
          "; mmap_write_unlock");
    return c.ret(0);
}

void userfaultfd_unregister(StepContext& c) {
    StackFrame& f = c.f();
    const uint8_t mm = f.mm;
    if (f.pc == REG_LOCK) {
        if (!c.lock(ML(mm), true)) return;
        FL_AT(c, "UFFDIO_UNREGISTER [" + c.pageName(mm, f.lo) + ", +" + std::to_string(f.hi - f.lo) + "): mmap_write_lock");
        return c.jump(REG_DO);
    }
    // Checked before anything changes: a VMA registered with another
    // context cannot be unregistered through this one (-EINVAL).
    for (uint64_t p = f.lo; p < f.hi;) {
        const Vma* v = c.s.mms[mm].findVma(p);
        if (!v) break;
        if (v->uffd && v->ctx != f.ctx) {
            c.unlock(ML(mm));
            FL_SAY(c, "VMA registered with another userfaultfd (context " + std::to_string(v->ctx) + ") → -EINVAL");
            return c.ret(kEINVAL);
        }
        p = v->end;
    }
    if (!splitAt(c, mm, f.lo, f.hi)) {
        c.unlock(ML(mm));
        FL_SAY(c, "range not fully mapped → -EINVAL");
        return c.ret(kEINVAL);
    }
    Mm& m = c.s.mms[mm];
    for (size_t i = 0; i < m.vmas.size(); ++i) {
        const Vma v = m.vmas[i];
        if (v.start < f.lo || v.end > f.hi || !v.uffd) continue;
        if (v.flags & VM_UFFD_MISSING) c.wakeUffdRange(f.ctx, mm, v.start, v.end);
        if ((v.flags & VM_UFFD_WP) && c.k().unregisterResetsWp) {
            // uffd_wp_range(clear): bits off on present ptes, markers gone.
            std::vector<uint64_t> keys;
            m.pt.forEach(v.start, v.end, [&](uint64_t k, const Pte&) { keys.push_back(k); });
            int cleared = 0;
            for (uint64_t k : keys) {
                Pte p = m.pt.get(k);
                if (p.isWpMarker()) p = Pte::none();
                else if (p.isPresent() || p.isSwap()) p.uffd_wp = false;
                cleared += !(p == m.pt.get(k));
                c.setPte(mm, k, p);
            }
            FL_SAY(c, "uffd_wp_range(clear): " + std::to_string(cleared) + " ptes/markers reset (UNREGISTER_RESETS_WP=on)");
        }
        m.vmas[i].flags &= ~VM_UFFD_ANY;
        m.vmas[i].uffd = false;
        m.vmas[i].ctx = 0;
    }
    std::vector<uint64_t> intents;
    m.intent.forEach(f.lo, f.hi, [&](uint64_t k, const Intent&) { intents.push_back(k); });
    for (uint64_t k : intents) c.setIntent(mm, k, false);
    c.touch({CellKind::Vma, mm, 0});
    const int merged = mergeVmas(c, mm);
    c.unlock(ML(mm));
    FL_SAY(c, std::string(c.k().unregisterResetsWp ? ""
                                               : "stale uffd-wp bits and markers stay (UNREGISTER_RESETS_WP=off); ") +
          "VM_UFFD_* cleared" +
          (merged ? "; vma_modify_flags_uffd merged " + std::to_string(merged) + " VMA(s) with a neighbour" : "") +
          "; mmap_write_unlock");
    return c.ret(0);
}

void userfaultfd_wake(StepContext& c) {
    StackFrame& f = c.f();
    FL_AT(c, "UFFDIO_WAKE [" + c.pageName(f.mm, f.lo) + ", +" + std::to_string(f.hi - f.lo) + ")");
    c.wakeUffdRange(f.ctx, f.mm, f.lo, f.hi);
    return c.ret(0);
}

}  // namespace

const FunctionInfo& info_handle_userfault() {
    static const FunctionInfo info{
        "handle_userfault",
        "fs/userfaultfd.c",
        {{"HU.1",
          "if (!ctx || ctx->features & UFFD_FEATURE_SIGBUS) return VM_FAULT_SIGBUS; uwq.msg = "
          "userfault_msg(vmf->address, vmf->real_address, vmf->flags, reason, ctx->features); "
          "__add_wait_queue(&ctx->fault_pending_wqh, &uwq.wq); set_current_state(blocking_state);  /* HU.2, HU.3 */"},
         {"HU.4",
          "must_wait = userfaultfd_must_wait(ctx, vmf, reason);  /* pte_none_mostly(pte) || (WP && !pte_write(pte)) */ "
          "release_fault_lock(vmf); if (likely(must_wait && !READ_ONCE(ctx->released))) { wake_up_poll(&ctx->fd_wqh, "
          "EPOLLIN); schedule(); }  /* HU.5 */"},
         {"HU.6", "__set_current_state(TASK_RUNNING); list_del(&uwq.wq.entry); return VM_FAULT_RETRY;"}},
        handle_userfault,
        {"va:address", "flags:reason", "aux:message id", "write:write"}};
    return info;
}

const FunctionInfo& info_userfaultfd_api() {
    static const FunctionInfo info{"userfaultfd_api",
                                   "fs/userfaultfd.c",
                                   {{"",
                                     "features = uffdio_api.features; if (features & ~UFFD_API_FEATURES) return "
                                     "-EINVAL; ctx->features = features;"}},
                                   userfaultfd_api,
                                   {"aux:features"}};
    return info;
}

const FunctionInfo& info_userfaultfd_register() {
    static const FunctionInfo info{
        "userfaultfd_register",
        "fs/userfaultfd.c",
        {{"", "mmap_write_lock(mm);"},
         {"",
          "for_each_vma_range(vmi, cur, end) if (!vma_can_userfault(cur, vm_flags, wp_async)) goto out_unlock; "
          "userfaultfd_register_range(ctx, vma, vm_flags, start, end, wp_async);  /* split, set VM_UFFD_*, "
          "vma_set_page_prot */ mmap_write_unlock(mm);"}},
        userfaultfd_register,
        {"lo:start", "hi:end", "flags:mode"}};
    return info;
}

const FunctionInfo& info_userfaultfd_unregister() {
    static const FunctionInfo info{"userfaultfd_unregister",
                                   "fs/userfaultfd.c",
                                   {{"", "mmap_write_lock(mm);"},
                                    {"",
                                     "for_each_vma_range(vmi, vma, end) { if (userfaultfd_missing(vma)) "
                                     "wake_userfault(ctx, &range); if (userfaultfd_wp(vma)) uffd_wp_range(vma, start, "
                                     "len, false);  /* v6.0+ */ userfaultfd_clear_vma(); } mmap_write_unlock(mm);"}},
                                   userfaultfd_unregister,
                                   {"lo:start", "hi:end"}};
    return info;
}

const FunctionInfo& info_userfaultfd_wake() {
    static const FunctionInfo info{"userfaultfd_wake",
                                   "fs/userfaultfd.c",
                                   {{"", "wake_userfault(ctx, &range);"}},
                                   userfaultfd_wake,
                                   {"lo:start", "hi:end"}};
    return info;
}

}  // namespace faultline::paths
