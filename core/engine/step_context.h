// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// StepContext: what a kernel-path step function sees. It runs one piece of a
// function (one case of its step table) and ends it with exactly one of
//   next(pc)  — the micro-step ends here; continue at pc next time,
//   jump(pc)  — go on in this function now (same micro-step),
//   call(...) — enter a callee now (same micro-step),
//   ret(v)    — return to the caller now (same micro-step),
//   or a failed lock()/sleep(), which ends the micro-step with the task waiting.
// All state changes go through the mutators here so that the step's changed
// cells, C2 provenance and C4 accounting checks are recorded in one place.
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/record.h"
#include "model/state.h"

namespace faultline {

class StepContext {
public:
    StepContext(State& s, uint8_t task, StepRecord& rec, bool narrating = true)
        : s(s), t(task), rec(rec), narrating(narrating) {}

    State& s;
    const uint8_t t;
    StepRecord& rec;
    // Whether the pieces get their texts (engine.h Narrate). A quiet step
    // records the same pieces, cells, findings and messages, with empty texts.
    const bool narrating;

    Task& task() { return s.tasks[t]; }
    StackFrame& f() { return s.tasks[t].stack.back(); }
    const Toggles& k() const { return s.toggles; }
    const Config& cfg() const { return *s.config; }
    const std::string& taskName() const { return s.config->tasks[t].name; }
    const std::string& mmName(uint8_t mm) const { return s.config->mmNames[mm]; }

    // ---- narration: one piece per executed case (step id from the table) ----
    // Paths call them through FL_AT / FL_SAY (below), which build the text
    // only when the step is narrated.
    void at(std::string text);
    void say(std::string text);  // append to the current piece
    // Names the kernel helper and spec step doing the next state changes when
    // they are finer than the row (e.g. "ZP.3" in zap_pte_range); provenance
    // (C2) uses it. Cleared by the next at().
    // Recorded in rec.subSteps (breakpoints on "ZP.3" stop on this step); the
    // ids used must be listed by paths/registry.h substepIds().
    void substep(std::string_view id, std::string_view fn);

    // ---- control flow (see header comment) ----
    void next(uint8_t pc);
    void jump(uint8_t pc);
    void call(Fn fn, StackFrame init);
    void ret(int32_t value);

    // ---- locks ----
    // Takes the lock, or blocks the task (micro-step ends, nothing else done).
    bool lock(const LockId& id, bool write = true);
    bool trylock(const LockId& id, bool write = true);  // never blocks
    void unlock(const LockId& id);
    bool holds(const LockId& id) const;
    // Folio lock: PG_locked plus the lock table entry.
    bool lockFolio(uint32_t pfn);
    bool trylockFolio(uint32_t pfn);
    void unlockFolio(uint32_t pfn);

    // ---- sleeping ----
    void sleep(TaskState why, uint64_t arg);                   // ends the micro-step
    // wake_userfault(ctx, range): the page faults of context `ctx` in a vpn range.
    void wakeUffdRange(uint8_t ctx, uint8_t mm, uint64_t lo, uint64_t hi);
    void wakeFallocWaiters();
    void wakeWriteback(uint32_t pfn);

    // ---- mutators (record changed cells) ----
    void setPte(uint8_t mm, uint64_t vpn, const Pte& p);
    void setXa(uint64_t index, const XaEntry& e);
    template <class F>
    void editFolio(uint32_t pfn, F&& fn) {
        s.folios.update(pfn, fn);
        touch({CellKind::Folio, 0, pfn});
    }
    template <class F>
    void editSlot(uint32_t slot, F&& fn) {
        s.swap.slots.update(slot, fn);
        touch({CellKind::Slot, 0, slot});
    }
    template <class F>
    void editInode(F&& fn) {
        fn(s.inode);
        touch({CellKind::Inode, 0, 0});
    }
    template <class F>
    void editUffd(F&& fn) {
        fn(s.uffd);
        touch({CellKind::Uffd, 0, 0});
    }
    template <class F>
    void editCtx(uint8_t ctx, F&& fn) {
        fn(s.ctx(ctx));
        touch({CellKind::Uffd, 0, 0});
    }
    // A new userfaultfd context slot (userfaultfd(2), or dup_userfaultfd's for a fork child): returns its index.
    uint8_t newCtx(size_t at = SIZE_MAX);
    void touch(const CellRef& c);

    // Folio lifetime and references (C4 bookkeeping).
    uint32_t allocFolio(bool anon, uint8_t mm, uint64_t index);  // refcount 1, held by this task
    void getRef(uint32_t pfn);                                   // this task takes a reference
    void putRef(uint32_t pfn);                                   // this task drops one; frees at 0
    void dropRefCount(uint32_t pfn);                             // a non-task reference goes (cache, pte); frees at 0
    void freeIfUnused(uint32_t pfn);
    // Moves one of this task's references to a pte (mapcount++).
    void mapFromTaskRef(uint8_t mm, uint64_t vpn, const Pte& p);
    // Clears a present pte (zap/unmap): mapcount--, refcount--, rss--.
    void unmapPresent(uint8_t mm, uint64_t vpn, const Pte& replacement);

    // Swap slots.
    std::optional<uint32_t> allocSwapSlot();

    // uffd messages.
    // Message ids come from context 0's counter, whichever context queues.
    uint32_t queueUffdMsg(uint8_t ctx, uint8_t mm, uint64_t vpn, uint8_t flags);
    // A non-cooperative event (userfaultfd_event_wait_completion): queued for
    // the monitor; the caller then sleeps (SleepUffd, the returned id) until
    // the monitor's read completes it (completeUffdEvent).
    uint32_t queueUffdEvent(uint8_t ctx, UffdEvent ev, uint8_t mm, uint64_t vpnLo, uint64_t vpnHi);
    void completeUffdEvent(uint32_t id);

    // Intent (checker) updates, made by the monitor's ioctls.
    void setIntent(uint8_t mm, uint64_t vpn, bool protect);
    void finding(Rule r, int mm, int64_t index, std::string text);

    // Geometry helpers.
    const Vma* vmaOf(uint8_t mm, uint64_t vpn) const { return s.mms[mm].findVma(vpn); }
    // vm_page_prot grants write (spec §1.2 page_prot_writable).
    bool pageProtWritable(const Vma& v) const;
    std::string pageName(uint8_t mm, uint64_t vpn) const;  // "A[8]"

    bool flowSet = false;      // one of the control-flow calls was made
    bool continueNow = false;  // fused: run the (new) top frame again now
    bool opFinished = false;

private:
    std::string_view subId_, subFn_;
    void recordWpChange(uint8_t mm, uint64_t vpn, const Pte& before, const Pte& after);
};

}  // namespace faultline

// A piece's text is built only when someone will read it. Re-executing a long
// run to rebuild its checkpoints, or the explorer stepping millions of states,
// runs quiet: the piece (function, line) is still recorded, its text is not
// built, which is most of a step's string work. The text expression is not
// evaluated when quiet, so it must not change anything: compute state changes
// before the call (tests/engine/quiet_step_test.cpp holds both runs equal).
#define FL_AT(c, ...) ((c).narrating ? (c).at(__VA_ARGS__) : (c).at(std::string()))
#define FL_SAY(c, ...) ((c).narrating ? (c).say(__VA_ARGS__) : (c).say(std::string()))
