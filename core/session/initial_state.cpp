// SPDX-License-Identifier: GPL-3.0-or-later
#include "session/initial_state.h"

#include "engine/engine.h"
#include "engine/fault_codes.h"

#include <algorithm>

namespace faultline {

ToggleResult resolveToggles(const std::string& variant,
                            const std::vector<std::pair<std::string, std::string>>& overrides) {
    ToggleResult r;
    const Variant* v = findVariant(variant);
    if (!v) {
        std::string known;
        for (const Variant& x : variants()) known += (known.empty() ? "" : ", ") + std::string(x.id);
        r.error = "unknown kernel variant '" + variant + "' (known: " + known + ")";
        return r;
    }
    r.toggles = v->toggles;
    for (const auto& [name, value] : overrides)
        if (auto e = setToggle(r.toggles, name, value)) {
            r.error = *e;
            return r;
        }
    return r;
}

namespace {

unsigned bitsFor(uint64_t n) {
    unsigned b = 9;
    while ((uint64_t{1} << b) < n) ++b;
    return b;
}

State geometry(const Session& s, const Toggles& toggles) {
    State st;
    auto cfg = std::make_shared<Config>(s.config);
    cfg->addIoTask();
    cfg->placements.clear();
    for (size_t m = 0; m < s.mms.size(); ++m)
        for (const VmaSpec& v : s.mms[m].vmas) {
            VmaPlacement p;
            p.mm = int(m), p.start = v.start, p.pgoff = v.file ? v.pgoff : 0, p.pages = v.pages, p.file = v.file;
            p.flags = VM_READ | VM_MAYWRITE | VM_SOFTDIRTY | (v.write ? uint32_t(VM_WRITE) : 0u) |
                      (v.shared ? uint32_t(VM_SHARED | VM_MAYSHARE) : 0u);
            p.nameId = uint8_t(cfg->vmaNames.size());
            for (size_t i = 0; i < cfg->vmaNames.size(); ++i)
                if (cfg->vmaNames[i] == v.name) p.nameId = uint8_t(i);
            cfg->placements.push_back(p);
        }
    st.config = cfg;
    st.configHash = cfg->stableHash();
    st.toggles = toggles;
    st.tasks.resize(cfg->tasks.size());
    for (size_t i = 0; i < st.tasks.size(); ++i)
        if (cfg->tasks[i].program.empty() && int(i) != cfg->ioTask) st.tasks[i].state = TaskState::Done;
        else if (cfg->tasks[i].mm >= 0 && cfg->parentOf(size_t(cfg->tasks[i].mm)) >= 0)
            st.tasks[i].state = TaskState::Unforked;  // runs once the fork that creates its mm returns
    st.inode.sizePages = s.filePages;
    st.inode.xa = CowRadix<XaEntry>(bitsFor(s.filePages));
    st.swap.nslots = s.swapSlots;
    st.swap.slots = CowRadix<SwapSlot>(bitsFor(s.swapSlots));
    for (const MmSpec& m : s.mms) {
        Mm mm;
        for (const VmaSpec& v : m.vmas) {
            if (m.forkOf >= 0) break;  // a fork child is empty until the fork
            Vma vma;
            vma.start = v.start;
            vma.end = v.start + v.pages;
            vma.pgoff = v.file ? v.pgoff : 0;
            vma.file = v.file;
            vma.flags = VM_READ | VM_MAYWRITE | VM_SOFTDIRTY | (v.write ? uint32_t(VM_WRITE) : 0u) |
                        (v.shared ? uint32_t(VM_SHARED | VM_MAYSHARE) : 0u);
            vma.nameId = uint8_t(cfg->vmaNames.size());
            for (size_t i = 0; i < cfg->vmaNames.size(); ++i)
                if (cfg->vmaNames[i] == v.name) vma.nameId = uint8_t(i);
            mm.vmas.push_back(vma);
        }
        std::sort(mm.vmas.begin(), mm.vmas.end(), [](const Vma& a, const Vma& b) { return a.start < b.start; });
        st.mms.push_back(std::move(mm));
    }
    return st;
}

// A setup write(2) of a range of holes (how a session fills its file): what
// shmem_file_write's micro-steps leave behind for each page -- a new dirty,
// uptodate folio in the page cache holding the tag, inode_lock and the folio
// locks released, the writer's references dropped -- done in one go instead
// of four micro-steps per page (262,144 pages: 2 s). Anything else (a page
// already cached or in swap, a lock held, the task inside an operation) is
// left to the micro-steps: returns false.
// What one setup operation counts for in SetupProgress.
uint64_t unitsOf(const Op& op) { return op.kind == OpKind::FileWrite ? std::max<uint64_t>(1, op.count) : 1; }

// `report(pages done)`: called every kSetupProgressEvery pages; false stops (returns true, `*stopped` set).
template <class Report>
bool bulkFileWrite(State& st, uint8_t task, const Op& op, Report&& report, bool* stopped) {
    if (op.kind != OpKind::FileWrite || op.count == 0) return false;
    const uint64_t lo = op.page, hi = op.page + op.count;
    if (hi < lo || hi > st.inode.sizePages) return false;
    if (st.inode.xa.nextLive(lo, hi)) return false;  // not all holes
    if (!st.locks.empty()) return false;
    Task& t = st.tasks[task];
    if (!t.stack.empty() || !t.refs.empty()) return false;
    for (uint64_t idx = lo; idx < hi; ++idx) {
        if (idx > lo && (idx - lo) % kSetupProgressEvery == 0 && !report(idx - lo)) {
            *stopped = true;  // the state is half written: the caller drops it
            return true;
        }
        // shmem_get_folio_gfp SG.7: allocFolio + the page cache's reference;
        // shmem_file_write FW.3: the data, dirty, unlock, the writer's reference dropped.
        const uint32_t pfn = st.nextPfn++;
        Folio f;
        f.allocated = true;
        f.refcount = 1;
        f.index = idx;
        f.fileMapping = true;
        f.set(PG_swapbacked);
        f.set(PG_lru);
        f.set(PG_uptodate);
        f.set(PG_dirty);
        f.data = op.tag;
        st.folios.set(pfn, f);
        st.inode.xa.set(idx, XaEntry::folio(pfn));
    }
    st.inode.nrpages += hi - lo;
    st.inode.alloced += hi - lo;
    t.faultRetries = 0;  // startOp
    t.lastSignal = 0;
    return true;
}

}  // namespace

uint64_t setupUnits(const Session& s) {
    uint64_t n = 0;
    for (const SetupStep& ss : s.setup) n += unitsOf(ss.op);
    return n;
}

InitialState buildInitialState(const Session& s, const Toggles& toggles, bool bulkWrites,
                               const SetupProgress& progress) {
    InitialState out{geometry(s, toggles), {}};
    State& st = out.state;
    constexpr uint64_t kSetupStepLimit = 50'000'000;
    uint64_t steps = 0;
    const uint64_t total = progress ? setupUnits(s) : 0;
    uint64_t done = 0;  // units of the operations before this one
    for (size_t i = 0; i < s.setup.size(); ++i) {
        const SetupStep& ss = s.setup[i];
        if (progress && !progress(done, total)) {
            out.error = kSetupCancelled;
            return out;
        }
        const std::string where =
            "setup step " + std::to_string(i + 1) + " (" + s.config.tasks[ss.task].name + ": " + ss.op.text() + ")";
        Task& t = st.tasks[ss.task];
        const TaskState stateBefore = t.state;
        const uint32_t opIndex = t.opIndex;
        bool stopped = false;
        const uint64_t before = done;
        auto report = [&](uint64_t pages) { return !progress || progress(before + pages, total); };
        const bool bulk = bulkWrites && bulkFileWrite(st, uint8_t(ss.task), ss.op, report, &stopped);
        done += unitsOf(ss.op);
        if (stopped) {
            out.error = kSetupCancelled;
            return out;
        }
        if (bulk) {
            st.tasks[ss.task].state = stateBefore == TaskState::Done && s.config.tasks[ss.task].program.empty()
                                          ? TaskState::Done
                                          : TaskState::Runnable;
            continue;
        }
        try {
            startOp(st, uint8_t(ss.task), ss.op);
        } catch (const std::exception& e) {
            out.error = where + ": " + e.what();
            return out;
        }
        // Run only this task; its op must complete without waiting on another.
        while (!st.tasks[ss.task].stack.empty()) {
            if (st.tasks[ss.task].state != TaskState::Runnable) {
                out.error = where + " cannot complete alone: " + s.config.tasks[ss.task].name + " is " +
                            std::string(taskStateName(st.tasks[ss.task].state)) + " at " +
                            whereIs(st, uint8_t(ss.task));
                return out;
            }
            // step() would count the op as one of the program's: keep the
            // program position where it was.
            StepRecord r = step(st, uint8_t(ss.task));
            if (r.opDone && r.opResult < 0) {
                out.error = where + " failed: " + errnoName(r.opResult) + " (" + r.summary() + ")";
                return out;
            }
            for (const Finding& f : r.findings)
                if (f.rule == Rule::Engine || f.rule == Rule::C4) {
                    out.error = where + ": " + f.text;
                    return out;
                }
            // A long micro-stepped operation: Cancel is looked at within it too.
            if (progress && steps % kSetupProgressEvery == kSetupProgressEvery - 1 && !progress(before, total)) {
                out.error = kSetupCancelled;
                return out;
            }
            if (++steps > kSetupStepLimit) {
                out.error = where + ": more than " + std::to_string(kSetupStepLimit) + " steps";
                return out;
            }
        }
        st.tasks[ss.task].opIndex = opIndex;
        st.tasks[ss.task].state = stateBefore == TaskState::Done && s.config.tasks[ss.task].program.empty()
                                      ? TaskState::Done
                                      : TaskState::Runnable;
        if (st.tasks[ss.task].lastSignal) {
            out.error = where + ": the access was killed by signal " + std::to_string(st.tasks[ss.task].lastSignal);
            return out;
        }
    }
    st.stepCount = 0;
    if (progress && !progress(total, total)) out.error = kSetupCancelled;
    return out;
}

SessionStart startSession(const Session& s, const std::string& variant,
                          const std::vector<std::pair<std::string, std::string>>& extra,
                          const SetupProgress& progress) {
    SessionStart out;
    out.variant = variant.empty() ? s.variant : variant;
    auto overrides = s.toggles;
    overrides.insert(overrides.end(), extra.begin(), extra.end());
    ToggleResult tr = resolveToggles(out.variant, overrides);
    if (!tr.error.empty()) {
        out.error = tr.error;
        return out;
    }
    out.toggles = tr.toggles;
    InitialState init = buildInitialState(s, tr.toggles, true, progress);
    out.error = std::move(init.error);
    out.state = std::move(init.state);
    return out;
}

}  // namespace faultline
