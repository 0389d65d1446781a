// SPDX-License-Identifier: GPL-3.0-or-later
#include "twin_plan.h"

#include <algorithm>
#include <csignal>
#include <set>
#include <sstream>

#include "engine/engine.h"
#include "engine/fault_codes.h"
#include "session/cells.h"
#include "session/initial_state.h"
#include "session/runner.h"
#include "session/timeline.h"

namespace faultline::kernel {
namespace {

constexpr const char* kVariant = "upstream";
constexpr uint64_t kStepLimit = 2'000'000;

// The VMA (index into the initial mm's VMAs) an op's page lies in; the
// engine's findNamedVma() rule: a file VMA of that name mapping the index, or
// an anonymous one at that offset.
// The VMAs an mm starts with; a fork child's are its parent's (the fork copies them).
const std::vector<Vma>& startVmas(const State& st, size_t mm) {
    const int parent = st.config->parentOf(mm);
    return st.mms[parent >= 0 ? size_t(parent) : mm].vmas;
}

// An anonymous VMA's pages count from the first page of the VMA it was
// mapped as, across the pieces REGISTER split it into (they keep its name).
uint64_t anonBase(const std::vector<Vma>& vmas, uint8_t nameId) {
    uint64_t base = UINT64_MAX;
    for (const Vma& v : vmas)
        if (!v.file && v.nameId == nameId) base = std::min(base, v.start);
    return base;
}

// *pieceOff: how far the piece found starts after that first page (anonymous).
int vmaIndex(const State& st, int mm, uint8_t nameId, uint64_t page, uint64_t* pieceOff = nullptr) {
    if (mm < 0 || size_t(mm) >= st.mms.size()) return -1;
    const auto& vmas = startVmas(st, size_t(mm));
    const uint64_t base = anonBase(vmas, nameId);
    for (size_t i = 0; i < vmas.size(); ++i) {
        const Vma& v = vmas[i];
        if (v.nameId != nameId) continue;
        if (v.file ? v.mapsIndex(page) : v.contains(base + page)) {
            if (pieceOff) *pieceOff = v.file ? 0 : v.start - base;
            return int(i);
        }
    }
    return -1;
}

bool isUffdOp(const Op& op) {
    return (op.kind >= OpKind::UffdApi && op.kind <= OpKind::UffdWake) || op.kind == OpKind::UffdClose ||
           op.kind == OpKind::UffdPoison || op.kind == OpKind::UffdMove;
}

// The mm an op works on, as the engine's entryFrame() picks it: the one it
// names, else a uffd op's context's (ctxMm: the mm of each context's
// uffdio_api, -1 where none opened it), else the task's own.
int opMm(const Session& s, int task, const Op& op, const std::vector<int>& ctxMm) {
    const int taskMm = s.config.tasks[task].mm;
    const bool uffdOp = isUffdOp(op);
    int mm = op.mm >= 0 ? op.mm : taskMm;
    if (uffdOp && op.kind != OpKind::UffdApi && op.mm < 0 && op.uffd < ctxMm.size() && ctxMm[op.uffd] >= 0)
        mm = ctxMm[op.uffd];
    if (uffdOp && mm < 0) mm = 0;
    return mm;
}

std::string resultText(const State& st, int task, const Op& op, const StepRecord* done) {
    if (!done) return "blocked";
    const Task& t = st.tasks[task];
    if (t.lastSignal) return t.lastSignal == SIGBUS ? "SIGBUS" : "SIGSEGV";
    if (done->opResult < 0) return errnoName(done->opResult);
    if (op.kind == OpKind::Read && op.count == 1) {
        // The value a single-page read returned: the page its pte maps now
        // (nothing else ran since it returned but the monitor).
        const int mm = st.config->tasks[task].mm;
        const uint64_t base = anonBase(st.mms[mm].vmas, op.vma);
        for (const Vma& v : st.mms[mm].vmas) {
            if (v.nameId != op.vma) continue;  // the op's VMA (mprotect may have split it into several)
            const uint64_t vpn = v.file ? (v.mapsIndex(op.page) ? v.vpnOf(op.page) : 0) : base + op.page;
            if ((v.file && !v.mapsIndex(op.page)) || (!v.file && !v.contains(vpn))) continue;
            const Pte p = st.mms[mm].pt.get(vpn);
            if (p.isPresent()) return "read=" + st.folio(p.pfn).data.str();
        }
        return "read=?";
    }
    return "ok";
}

void observeCells(const State& st, const std::vector<CellSpec>& cells, Observation& o) {
    for (const CellSpec& c : cells) {
        if (c.kind != TW_CELL_PTE && c.page >= st.inode.sizePages) {  // past i_size (ftruncate): as twin_rt shows it
            o.cells.emplace_back(c.name, "beyond-eof");
            continue;
        }
        std::string err;
        auto v = cellValue(st, c.name, &err);
        o.cells.emplace_back(c.name, v ? *v : "unmapped");
    }
}

std::string joinMsgs(const std::vector<std::string>& m) {
    std::string s;
    for (const auto& x : m) s += (s.empty() ? "" : " ") + x;
    return s.empty() ? "-" : s;
}

// Runs op `task`'s next program operation to completion, the monitor and the
// IO task answering in between, as the kernel twin runs it: nothing else runs.
// Returns the record of the completing step, or nullptr if it cannot complete.
// Whether the monitor may take a step without running an operation of its
// program out of order: it is inside an operation, or its next one is serve.
bool monitorMayStep(const State& st, int mon) {
    if (mon < 0 || !isRunnable(st, uint8_t(mon))) return false;
    const Task& t = st.tasks[mon];
    const auto& prog = st.config->tasks[mon].program;
    return t.opIndex < prog.size() && (prog[t.opIndex].kind == OpKind::Serve || !t.stack.empty());
}

std::optional<StepRecord> runAlone(Timeline& tl, int task, std::vector<std::string>& msgs) {
    const State& st = tl.current();
    const int mon = st.config->uffdTask, io = st.config->ioTask;
    for (uint64_t n = 0; n < kStepLimit; ++n) {
        int who = -1;
        if (isRunnable(tl.current(), uint8_t(task))) who = task;
        else if (task != mon && monitorMayStep(tl.current(), mon)) who = mon;
        else if (io >= 0 && isRunnable(tl.current(), uint8_t(io))) who = io;
        if (who < 0) return std::nullopt;
        const StepRecord& r = tl.stepTask(uint8_t(who));
        for (const auto& m : r.raised) msgs.push_back(m.text);
        if (who == task && r.opDone) {
            StepRecord copy = r;
            // The monitor finishes what it was doing (as its thread would).
            for (int k = 0; k < 10000 && monitorMayStep(tl.current(), mon); ++k) tl.stepTask(uint8_t(mon));
            return copy;
        }
    }
    return std::nullopt;
}

std::string label(const Session& s, const PlannedOp& p) {
    std::string text = p.op.text();
    if (isUffdOp(p.op) && p.op.uffd && text.find("uffd ") == std::string::npos)
        text += " (uffd " + std::to_string(p.op.uffd) + ")";  // which context's fd the ioctl goes to
    return std::string(p.setup ? "setup " : "") + s.config.tasks[p.task].name + ": " + text;
}

const char* keep(Plan& plan, const std::string& s) {
    plan.strings.push_back(s);
    return plan.strings.back().c_str();
}

}  // namespace

const std::vector<std::string>& notComparable() {
    static const std::vector<std::string> v = {
        "the pte's writable and dirty bits (pagemap shows neither): P(w,d,wp) is compared on presence and uffd-wp only",
        "locks and their holders, and every transient state inside an operation (the i_private window of a punch, a "
        "folio locked by truncation): operations run to completion",
        "the content of a swapped-out page (reading it would swap it in): data[i] of a page not in the page cache",
        "folios, refcounts, swap slots and the monitor's intent (no user-visible counterpart)",
    };
    return v;
}

void makePlan(const Session& s, Plan& plan) {
    plan.name = s.name;
    plan.description = s.description;
    ToggleResult tr = resolveToggles(kVariant, s.toggles);
    if (!tr.error.empty()) {
        plan.error = tr.error;
        return;
    }
    InitialState init = buildInitialState(s, tr.toggles);
    if (!init.error.empty()) {
        plan.error = init.error;
        return;
    }
    const State& st0 = init.state;
    const Config& cfg = *st0.config;
    if (s.mms.size() > TW_MAX_MMS) {
        plan.error = "the twin builds at most " + std::to_string(TW_MAX_MMS) + " mms";
        return;
    }
    for (const Mm& m : st0.mms)
        if (m.vmas.size() > TW_MAX_VMAS) {
            plan.error = "the twin builds at most " + std::to_string(TW_MAX_VMAS) + " VMAs per mm";
            return;
        }

    // The order: every program operation as the simulated schedule completes it.
    RunOptions ro;
    ro.variant = kVariant;
    RunResult run = runSession(s, ro);
    if (!run.error.empty()) {
        plan.error = run.error;
        return;
    }
    {
        std::set<std::string> rules;
        for (const Finding& f : run.findings) rules.insert(std::string(ruleName(f.rule)));
        for (const auto& r : rules) plan.race.simFindings += (plan.race.simFindings.empty() ? "" : ",") + r;
    }
    std::vector<int> order;
    for (const StepRecord& r : run.timeline->records())
        if (r.opDone && int(r.task) != cfg.ioTask) order.push_back(r.task);

    for (const SetupStep& ss : s.setup) plan.ops.push_back({ss.task, true, ss.op, "", false, ""});
    plan.nsetup = plan.ops.size();
    {
        std::vector<size_t> next(cfg.tasks.size(), 0);
        for (int t : order) {
            const Op& op = cfg.tasks[t].program.at(next[t]++);
            // serve ends when the uffd is closed: the twin's monitor thread ends with the close.
            if (op.kind != OpKind::Serve) plan.ops.push_back({t, false, op, "", false, ""});
        }
    }
    for (PlannedOp& p : plan.ops) p.label = label(s, p);

    // Cells: every page of every VMA of every mm, then the file.
    for (size_t m = 0; m < st0.mms.size(); ++m) {
        std::set<uint64_t> named;
        for (int pass = 0; pass < 2; ++pass)  // file VMAs first, as cellValue() resolves names
            for (size_t vi = 0; vi < startVmas(st0, m).size(); ++vi) {
                const Vma& v = startVmas(st0, m)[vi];
                if (v.file != (pass == 0)) continue;
                const uint64_t off = v.file ? 0 : v.start - anonBase(startVmas(st0, m), v.nameId);
                for (uint64_t k = 0; k < v.end - v.start; ++k) {
                    const uint64_t idx = v.file ? v.pgoff + k : off + k;
                    if (!named.insert(idx).second) continue;
                    plan.cells.push_back({cfg.mmNames[m] + ".pte[" + std::to_string(idx) + "]", TW_CELL_PTE, int(m),
                                          int(vi), v.file ? idx : k});
                }
            }
    }
    for (uint64_t i = 0; i < s.filePages; ++i)
        plan.cells.push_back({"xa[" + std::to_string(i) + "]", TW_CELL_XA, -1, -1, i});
    for (uint64_t i = 0; i < s.filePages; ++i)
        plan.cells.push_back({"data[" + std::to_string(i) + "]", TW_CELL_DATA, -1, -1, i});

    // The simulation, one operation at a time. Setup: the state after each
    // prefix of the setup (each op runs alone there anyway).
    for (size_t k = 0; k < plan.nsetup; ++k) {
        Session prefix = s;
        prefix.setup.resize(k + 1);
        InitialState pi = buildInitialState(prefix, tr.toggles);
        Observation o;
        o.label = plan.ops[k].label;
        o.result = pi.error.empty() ? "ok" : "error";
        o.msgs = "-";
        if (pi.error.empty()) {
            const Op& op = plan.ops[k].op;
            if (op.kind == OpKind::Read && op.count == 1) {
                StepRecord fake;
                o.result = resultText(pi.state, plan.ops[k].task, op, &fake);
            }
            observeCells(pi.state, plan.cells, o);
        }
        plan.sim.push_back(std::move(o));
    }
    Timeline tl(st0);
    for (size_t k = plan.nsetup; k < plan.ops.size(); ++k) {
        std::vector<std::string> msgs;
        auto done = runAlone(tl, plan.ops[k].task, msgs);
        Observation o;
        o.label = plan.ops[k].label;
        o.result = resultText(tl.current(), plan.ops[k].task, plan.ops[k].op, done ? &*done : nullptr);
        o.msgs = joinMsgs(msgs);
        observeCells(tl.current(), plan.cells, o);
        plan.sim.push_back(std::move(o));
        if (!done) {
            plan.notes.push_back("the simulation cannot complete '" + plan.ops[k].label +
                                 "' with the other operations held back; the rest is not simulated");
            plan.ops.resize(k + 1);
            break;
        }
    }

    // twin_rt tables. Each context lives in the process of the mm its
    // uffdio_api names (userfaultfd(2) binds it to the caller's mm).
    std::vector<int> ctxMm(TW_MAX_UFFDS, -1);
    for (const PlannedOp& p : plan.ops)
        if (p.op.kind == OpKind::UffdApi && p.op.uffd < TW_MAX_UFFDS && ctxMm[p.op.uffd] < 0)
            ctxMm[p.op.uffd] = opMm(s, p.task, p.op, ctxMm);
    const int uffdMm = ctxMm[0];
    for (const PlannedOp& p : plan.ops) {
        if (!isUffdOp(p.op) || p.op.kind == OpKind::UffdApi) continue;
        const unsigned n = p.op.uffd;
        if (n >= TW_MAX_UFFDS || ctxMm[n] < 0) {
            plan.error = p.label + ": no uffdio_api opens userfaultfd context " + std::to_string(n) +
                         " (the twin serves the contexts fork creates but cannot name them)";
            return;
        }
        if (p.op.mm >= 0 && p.op.mm != ctxMm[n]) {
            plan.error = p.label + ": context " + std::to_string(n) + " is " + cfg.mmNames[size_t(ctxMm[n])] +
                         "'s; on the kernel its ioctls act on that mm, not on " + cfg.mmNames[size_t(p.op.mm)];
            return;
        }
    }
    std::set<uint64_t> reclaimed;
    bool needSwap = false;
    for (PlannedOp& p : plan.ops) {
        const Op& op = p.op;
        tw_op t{};
        t.label = keep(plan, p.label);
        t.mm = -1;
        t.vma = 0;
        t.page = op.page;
        t.count = op.count;
        t.tag = keep(plan, op.tag.zero() ? "" : op.tag.str());
        const int mm = opMm(s, p.task, op, ctxMm);
        t.uffd = op.uffd;
        auto inMm = [&](int kind) {
            t.kind = kind;
            t.mm = mm;
            uint64_t off = 0;
            t.vma = vmaIndex(st0, mm, op.vma, op.page, &off);
            t.page = op.page - off;  // twin_rt counts an anonymous page from its piece's start
            if (t.vma < 0) plan.error = p.label + ": no VMA of the mm maps page " + std::to_string(op.page);
        };
        switch (op.kind) {
        case OpKind::Read: inMm(TW_READ); break;
        case OpKind::Write: inMm(TW_WRITE); break;
        case OpKind::FileWrite: t.kind = TW_FILE_WRITE; break;
        case OpKind::Punch: t.kind = TW_PUNCH; break;
        case OpKind::MadviseDontneed: inMm(TW_DONTNEED); break;
        case OpKind::MadvisePageout: inMm(TW_PAGEOUT), needSwap = true; break;
        case OpKind::Munmap: inMm(TW_MUNMAP); break;
        case OpKind::Reclaim:
            needSwap = true;
            p.standIn = true;
            if (op.mm >= 0) {
                inMm(TW_PAGEOUT);
                t.arg = 1;  // repeated while still mapped (a folio not on the LRU yet is skipped)
                p.note = "global reclaim of one page is not available to user space: MADV_PAGEOUT by " +
                         cfg.mmNames[mm] + " stands in for it";
            } else if (reclaimed.insert(op.page).second) {
                t.kind = TW_RECLAIM;
                p.note =
                    "global reclaim of one page is not available to user space: MADV_PAGEOUT by the process "
                    "mapping it stands in for it (unmap, writeout and free in one call)";
            } else {
                t.kind = TW_NOOP;
                p.note = "nothing to do on the kernel: the first stand-in MADV_PAGEOUT already freed the page";
            }
            if (op.mm >= 0 && !reclaimed.insert(uint64_t(op.mm) << 40 | op.page).second) {
                t.kind = TW_NOOP;
                p.note = "nothing to do on the kernel: the first stand-in MADV_PAGEOUT already freed the page";
            }
            break;
        case OpKind::WritebackEnd:
            t.kind = TW_NOOP;
            p.standIn = true;
            p.note = "swap I/O completes by itself on the kernel: no-op";
            break;
        case OpKind::UffdApi:  // names no page: opens the context in the mm's process
            t.kind = TW_API, t.mm = mm, t.vma = 0, t.arg = op.features;
            break;
        case OpKind::UffdRegister: inMm(TW_REGISTER), t.arg = op.mode; break;
        case OpKind::UffdUnregister: inMm(TW_UNREGISTER); break;
        case OpKind::UffdWriteprotect: inMm(TW_WRITEPROTECT), t.arg = op.mode; break;
        case OpKind::UffdCopy: inMm(TW_COPY), t.arg = op.mode; break;
        case OpKind::UffdZeropage: inMm(TW_ZEROPAGE), t.arg = op.mode; break;
        case OpKind::UffdContinue: inMm(TW_CONTINUE), t.arg = op.mode; break;
        case OpKind::UffdWake: inMm(TW_WAKE); break;
        case OpKind::Serve: plan.error = p.label + ": serve is the monitor thread, not an operation"; break;
        case OpKind::MadviseRemove: inMm(TW_REMOVE); break;
        case OpKind::Ftruncate: t.kind = TW_FTRUNCATE; break;              // page: the size in bytes
        case OpKind::Mprotect: inMm(TW_MPROTECT), t.arg = op.mode; break;  // PROT_READ 1 | PROT_WRITE 2, as mprotect(2)
        case OpKind::Mmap:
            // op.vma names the VMA (no page): the one of that name in the mm.
            t.kind = TW_MMAP;
            t.mm = mm;
            t.vma = -1;
            for (size_t i = 0; mm >= 0 && i < st0.mms[mm].vmas.size(); ++i)
                if (st0.mms[mm].vmas[i].nameId == op.vma) {
                    t.vma = int(i);
                    break;
                }
            if (t.vma < 0) plan.error = p.label + ": the mm has no such VMA";
            break;
        case OpKind::UffdClose:
            // The userfaultfd lives in the process of its mm.
            t.kind = TW_UFFD_CLOSE;
            t.mm = mm;
            t.vma = 0;
            break;
        case OpKind::UffdPoison: inMm(TW_POISON); break;
        case OpKind::Mremap: inMm(TW_MREMAP), t.arg = op.to * 4096; break;
        case OpKind::UffdMove:
            inMm(TW_MOVE), t.arg = op.mode;
            {
                uint64_t off = 0;
                t.src_vma = vmaIndex(st0, mm, op.srcVma, op.srcPage, &off);
                t.src_page = op.srcPage - off;
            }
            if (t.src_vma < 0) plan.error = p.label + ": no VMA of the mm maps source page " + std::to_string(op.srcPage);
            break;
        case OpKind::Fork:
            t.kind = TW_FORK;  // in the parent's process, which the child's becomes a copy of
            t.mm = mm;
            t.arg = uint64_t(op.child);
            break;
        case OpKind::kCount: plan.error = p.label + ": not an operation"; break;
        }
        if (op.kind == OpKind::UffdApi && t.mm >= 0) t.vma = 0;
        if (!plan.error.empty()) return;
        if (!p.note.empty()) plan.notes.push_back(p.label + ": " + p.note);
        plan.twOps.push_back(t);
    }
    for (const CellSpec& c : plan.cells) plan.twCells.push_back({keep(plan, c.name), c.kind, c.mm, c.vma, c.page});

    tw_world& w = plan.world;
    w.name = keep(plan, s.name);
    w.file_pages = s.filePages;
    w.nmms = int(st0.mms.size());
    for (size_t m = 0; m < st0.mms.size(); ++m) {
        w.mms[m].name = keep(plan, cfg.mmNames[m]);
        const auto& vmas = startVmas(st0, m);
        w.mms[m].nvmas = int(vmas.size());
        w.mms[m].fork_of1 = cfg.parentOf(m) + 1;
        for (size_t i = 0; i < vmas.size(); ++i) {
            const Vma& v = vmas[i];
            w.mms[m].vmas[i] = {(unsigned long)(v.start * 4096), (unsigned long)(v.end - v.start),
                                (unsigned long)v.pgoff,          v.file ? 1 : 0,
                                (v.flags & VM_WRITE) ? 1 : 0,    (v.flags & VM_SHARED) ? 1 : 0};
        }
    }
    w.uffd_mm = uffdMm;
    const MonitorPolicy& pol = cfg.policy;
    w.policy = {pol.copyModeWp, keep(plan, pol.copyTag), pol.useZeropage,
                pol.clearOnWp,  pol.continueOnMinor,     pol.continueModeWp, pol.closeForked,
                pol.moveSrcOffset};
    w.nops = int(plan.twOps.size());
    w.ops = plan.twOps.data();
    w.ncells = int(plan.twCells.size());
    w.cells = plan.twCells.data();
    w.need_swap = needSwap;

    // The race: the first operation of every task the schedule names starts
    // together; the rest follow in order.
    RacePlan& rp = plan.race;
    std::vector<int> raceTasks;
    for (const Directive& d : s.schedule)
        if (d.task != cfg.uffdTask && d.task != cfg.ioTask &&
            std::find(raceTasks.begin(), raceTasks.end(), d.task) == raceTasks.end())
            raceTasks.push_back(d.task);
    if (raceTasks.size() < 2 || raceTasks.size() > TW_MAX_RACERS) {
        rp.error = "the session's schedule does not interleave operations of two to four tasks";
        return;
    }
    for (int t : raceTasks)
        for (size_t k = plan.nsetup; k < plan.ops.size(); ++k)
            if (plan.ops[k].task == t) {
                rp.racers.push_back(int(k));
                break;
            }
    for (size_t k = plan.nsetup; k < plan.ops.size(); ++k)
        if (std::find(rp.racers.begin(), rp.racers.end(), int(k)) == rp.racers.end()) rp.follow.push_back(int(k));
    // Re-arming replays the setup but the uffd's creation and registration
    // (they last); one-page accesses of consecutive pages become one op.
    for (size_t k = 0; k < plan.nsetup; ++k) {
        if (plan.ops[k].op.kind == OpKind::UffdApi || plan.ops[k].op.kind == OpKind::UffdRegister) continue;
        const tw_op& t = plan.twOps[k];
        if (!rp.rearm.empty() && size_t(rp.rearm.back()) >= plan.twOps.size() - (plan.twOps.size() - plan.ops.size())) {
            tw_op& last = plan.twOps[size_t(rp.rearm.back())];
            if ((t.kind == TW_READ || t.kind == TW_WRITE) && last.kind == t.kind && last.mm == t.mm &&
                last.vma == t.vma && std::string(last.tag) == t.tag && last.page + last.count == t.page) {
                last.count += t.count;
                continue;
            }
        }
        if (t.kind == TW_READ || t.kind == TW_WRITE) {
            tw_op merged = t;
            merged.label = keep(plan, std::string("re-arm ") + t.label + " ...");
            plan.twOps.push_back(merged);
            rp.rearm.push_back(int(plan.twOps.size() - 1));
        } else {
            rp.rearm.push_back(int(k));
        }
    }
    plan.world.ops = plan.twOps.data();
    // The watched page: the one a follow-up writes (the monitor's protection
    // is about it), else the page a racing access touches.
    std::vector<int> candidates;
    for (int k : rp.follow)  // writes in the registered mm first
        if (plan.twOps[size_t(k)].kind == TW_WRITE && plan.twOps[size_t(k)].mm == uffdMm) candidates.push_back(k);
    for (int k : rp.follow)
        if (plan.twOps[size_t(k)].kind == TW_WRITE) candidates.push_back(k);
    for (int k : rp.racers) candidates.push_back(k);
    for (int k : candidates) {
        const tw_op& t = plan.twOps[size_t(k)];
        if ((t.kind != TW_READ && t.kind != TW_WRITE) || t.mm < 0) continue;
        const Vma& v = st0.mms[t.mm].vmas[t.vma];
        const uint64_t idx = t.page;
        for (size_t c = 0; c < plan.cells.size(); ++c)
            if (plan.cells[c].kind == TW_CELL_PTE && plan.cells[c].mm == t.mm && plan.cells[c].page == idx &&
                (v.file || plan.cells[c].vma == t.vma)) {
                rp.watch = int(c);
                break;
            }
        const uint64_t vpn = v.file ? v.vpnOf(idx) : v.start + idx;
        rp.watchProtected = st0.mms[t.mm].intent.get(vpn).protect;
        break;
    }
    if (rp.watch < 0) rp.error = "no racing operation is a user access whose page could be watched";
    if (rp.racers.size() < 2) rp.error = "fewer than two operations to race";
}

// ---- reading twin_rt's lines -----------------------------------------------------

ParsedRun parseObservations(const std::string& text) {
    ParsedRun r;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("# ", 0) == 0) {
            r.notes.push_back(line.substr(2));
        } else if (line.rfind("op ", 0) == 0) {
            Observation o;
            const auto sp = line.find(' ', 3);
            o.label = sp == std::string::npos ? "" : line.substr(sp + 1);
            r.ops.push_back(std::move(o));
        } else if (r.ops.empty()) {
            continue;
        } else if (line.rfind("result ", 0) == 0) {
            r.ops.back().result = line.substr(7);
        } else if (line.rfind("msgs ", 0) == 0) {
            r.ops.back().msgs = line.substr(5);
        } else if (line.rfind("cell ", 0) == 0) {
            const auto sp = line.find(' ', 5);
            if (sp != std::string::npos) r.ops.back().cells.emplace_back(line.substr(5, sp - 5), line.substr(sp + 1));
        }
    }
    return r;
}

bool comparable(const std::string& k) { return k.find_first_not_of('?') != std::string::npos; }

bool agrees(const std::string& k, const std::string& s) {
    if (k.size() != s.size()) return false;
    for (size_t i = 0; i < k.size(); ++i)
        if (k[i] != '?' && k[i] != s[i]) return false;
    return true;
}

Comparison compare(const std::vector<Observation>& kernel, const std::vector<Observation>& sim) {
    Comparison c;
    if (kernel.size() != sim.size())
        c.error = "the kernel ran " + std::to_string(kernel.size()) + " operations, the simulation " +
                  std::to_string(sim.size());
    const size_t n = std::min(kernel.size(), sim.size());
    for (size_t i = 0; i < n; ++i) {
        const Observation& k = kernel[i];
        const Observation& s = sim[i];
        auto add = [&](const std::string& cell, const std::string& kv, const std::string& sv, bool changed) {
            if (!comparable(kv)) return;
            CompareRow r{i + 1, s.label, cell, kv, sv, agrees(kv, sv), changed};
            ++c.total;
            if (r.agree) ++c.agreed;
            else if (c.firstDisagreement < 0) c.firstDisagreement = int(c.rows.size());
            c.rows.push_back(std::move(r));
        };
        add("result", k.result, s.result, true);
        add("msgs", k.msgs, s.msgs, true);
        for (size_t j = 0; j < s.cells.size(); ++j) {
            const auto& [name, sv] = s.cells[j];
            std::string kv = "missing";
            if (j < k.cells.size() && k.cells[j].first == name) kv = k.cells[j].second;
            else
                for (const auto& [kn, kval] : k.cells)
                    if (kn == name) kv = kval;
            // Before the first operation the world is fresh: no ptes, no pages.
            const std::string fresh = name.find(".pte[") != std::string::npos ? "none" : "hole";
            bool changed = i == 0 && (sv != fresh || kv != fresh);
            if (i > 0 && j < sim[i - 1].cells.size() && sim[i - 1].cells[j].second != sv) changed = true;
            if (i > 0 && j < kernel[i - 1].cells.size() && j < k.cells.size() && kernel[i - 1].cells[j].second != kv)
                changed = true;
            add(name, kv, sv, changed);
        }
    }
    return c;
}

// ---- the race ---------------------------------------------------------------------

long RaceResult::withRule(const std::string& rule) const {
    long n = 0;
    for (const auto& o : outcomes)
        if (o.cls.find(rule) != std::string::npos) n += o.count;
    return n;
}

RaceResult parseRace(const std::string& text) {
    RaceResult r;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream ls(line);
        std::string word;
        ls >> word;
        if (word == "race") {
            std::string k;
            while (ls >> k) {
                if (k == "iterations") ls >> r.iterations;
                else if (k == "seconds") ls >> r.seconds;
                else if (k == "window_us") ls >> r.windowUs;
                else if (k == "offset_ns") ls >> r.offsetLoNs >> r.offsetHiNs;
                else if (k == "durations_ns") ls >> r.durationNs[0] >> r.durationNs[1];
                else if (k == "late") ls >> r.late;
                else if (k == "sampling") ls >> r.sampling;
                else if (k == "rearm_failed") ls >> r.rearmFailed;
                else if (k == "stuck") ls >> r.stuck;
                else if (k == "interrupted") r.interrupted = true;
            }
        } else if (word == "outcome") {
            RaceOutcome o;
            ls >> o.cls >> o.count;
            std::getline(ls, o.key);
            if (!o.key.empty() && o.key[0] == ' ') o.key.erase(0, 1);
            r.outcomes.push_back(std::move(o));
        } else if (word == "histogram" && !r.outcomes.empty()) {
            long v;
            while (ls >> v) r.outcomes.back().histogram.push_back(v);
        }
    }
    return r;
}

}  // namespace faultline::kernel
