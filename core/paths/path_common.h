// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Helpers shared by the kernel-path files: lock ids, frame builders and the
// bits of text every path uses to say what happened.
#include <string>

#include "engine/engine_error.h"
#include "engine/fault_codes.h"
#include "engine/step_context.h"
#include "paths/registry.h"

namespace faultline::paths {

inline LockId ML(uint8_t mm) { return {LockKind::ML, mm, 0}; }
inline LockId PTL(uint8_t mm, uint64_t vpn) { return {LockKind::PTL, mm, vpn >> 9}; }
inline LockId IL() { return {LockKind::IL, 0, 0}; }
inline LockId IM() { return {LockKind::IM, 0, 0}; }
inline LockId IPL() { return {LockKind::IPL, 0, 0}; }
inline LockId XA() { return {LockKind::XA, 0, 0}; }

// shmem_get_folio_gfp() modes (the sgp_type and the caller's context).
enum SgpFlags : uint32_t {
    SGP_NOUFFD = 1,   // not from a VMA fault: no userfaultfd checks (write(2), truncation)
    SGP_NOALLOC = 2,  // do not allocate: a hole returns no folio (UFFDIO_CONTINUE, partial truncate)
};

// shrink_folio_list() / try_to_unmap_one() / writepage: the folio is anonymous.
constexpr uint32_t kAnonReclaim = 1;

// zap_details.zap_flags
constexpr uint32_t ZAP_FLAG_DROP_MARKER = 1;
// zap_details.even_cows: also zap the anonymous copies in MAP_PRIVATE
// mappings (truncation); a punch leaves them (should_zap_folio()).
constexpr uint32_t ZAP_EVEN_COWS = 2;

// The next (mm, VMA) after position `pos` (encoded mm << 16 | vma index) that
// maps a file page in [lo, hi): the i_mmap interval-tree walk.
inline bool nextMapping(const State& s, uint64_t& pos, uint64_t lo, uint64_t hi) {
    for (uint64_t p = pos; (p >> 16) < s.mms.size(); p = ((p >> 16) + 1) << 16) {
        const auto& vmas = s.mms[p >> 16].vmas;
        for (uint64_t i = p & 0xffff; i < vmas.size(); ++i) {
            const Vma& v = vmas[i];
            if (v.file && v.pgoff < hi && v.pgoff + (v.end - v.start) > lo) {
                pos = (p & ~uint64_t(0xffff)) | i;
                return true;
            }
        }
    }
    return false;
}

// Swap-in on a swap-cache miss (SI.2, and do_swap_page for anonymous
// memory): a new folio, held by this task, added to the swap cache of `slot`
// and filled from it.
inline uint32_t readSwapIntoCache(StepContext& c, uint32_t slot, bool anon, uint8_t mm, uint64_t index) {
    const Tag data = c.s.swap.slots.get(slot).data;
    const uint32_t q = c.allocFolio(anon, mm, index);
    c.editFolio(q, [&](Folio& fo) {
        fo.swap = slot + 1;
        fo.set(PG_swapcache);
        ++fo.refcount;  // the swap cache's reference
        fo.data = data;
        fo.set(PG_uptodate);
        fo.set(PG_lru);
    });
    c.editSlot(slot, [&](SwapSlot& x) { x.hasCache = true, x.cachePfn = q; });
    return q;
}

// Whether an anonymous folio belongs to its one pte alone (the model's
// PageAnonExclusive, as wp_can_reuse_anon_folio() decides it): mapped once,
// not under writeback, and held by nothing else — refcount 1, or 2 with the
// swap cache's reference when no swap pte (a fork's other mm) still refers to
// the slot, so folio_free_swap() can drop it. `viaSwapCache` says which.
inline bool anonExclusive(const State& s, uint32_t pfn, bool* viaSwapCache = nullptr) {
    const Folio& fo = s.folio(pfn);
    if (viaSwapCache) *viaSwapCache = false;
    if (!fo.anon || fo.mapcount != 1 || fo.has(PG_writeback)) return false;
    if (fo.refcount == 1) return true;
    const bool cacheOnly = fo.swap && fo.refcount == 2 && s.swap.slots.get(fo.swap - 1).count == 0;
    if (viaSwapCache) *viaSwapCache = cacheOnly;
    return cacheOnly;
}

// The part of that which does not depend on passing references: one pte maps
// the folio and no swap pte of another mm refers to its swap slot.
inline bool anonMappedAlone(const State& s, uint32_t pfn) {
    const Folio& fo = s.folio(pfn);
    return fo.anon && fo.mapcount == 1 && (!fo.swap || s.swap.slots.get(fo.swap - 1).count == 0);
}

// A frame for a fault-path callee: same mm, address, index, access type.
inline StackFrame faultFrame(const StackFrame& f) {
    StackFrame n;
    n.mm = f.mm;
    n.va = f.va;
    n.index = f.index;
    n.write = f.write;
    n.orig_pte = f.orig_pte;
    n.flags = f.flags;
    n.tag = f.tag;
    return n;
}

inline std::string pfnText(uint32_t pfn) { return "p" + std::to_string(pfn); }
inline std::string idxText(uint64_t i) { return std::to_string(i); }

// The VMA of the frame's address; an engine error if it vanished.
inline const Vma& vmaFor(StepContext& c, uint8_t mm, uint64_t vpn) {
    const Vma* v = c.vmaOf(mm, vpn);
    if (!v) throw EngineError("no VMA at " + c.pageName(mm, vpn));
    return *v;
}

// userfaultfd_remove() (zap.cpp): with EVENT_REMOVE negotiated, drops
// mmap_lock, queues REMOVE for [lo, hi) and sleeps until the monitor has read
// it; the frame continues at `woken`. False (nothing done) without the event.
bool userfaultfdRemove(StepContext& c, uint64_t lo, uint64_t hi, uint8_t woken);

// VMA geometry (userfault.cpp): __split_vma at lo and hi so that [lo, hi) is
// whole VMAs (false if part of it is unmapped), and vma_merge of compatible
// neighbours (returns how many merges were made).
bool splitAt(StepContext& c, uint8_t mm, uint64_t lo, uint64_t hi);
int mergeVmas(StepContext& c, uint8_t mm);

// Names of toggles as users set them, for the "why" of a step.
inline std::string onOff(bool b) { return b ? "on" : "off"; }

}  // namespace faultline::paths
