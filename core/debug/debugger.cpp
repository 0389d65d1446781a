// SPDX-License-Identifier: GPL-3.0-or-later
#include "debug/debugger.h"

#include <algorithm>
#include <charconv>

#include "engine/engine.h"
#include "session/cells.h"
#include "session/initial_state.h"
#include "session/runner.h"

namespace faultline::debug {

namespace {

std::string lineLabel(Fn fn, int pc) {
    const auto id = stepId(fn, uint8_t(pc));
    return std::string(fnName(fn)) + (id.empty() ? ":" + std::to_string(pc) : " " + std::string(id));
}

bool parseU64(std::string_view t, uint64_t& out) {
    if (t.empty()) return false;
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
    return ec == std::errc() && p == t.data() + t.size();
}

}  // namespace

// ---- breakpoints ---------------------------------------------------------------

std::string Breakpoint::text() const {
    if (!inner.empty()) return inner + " (in " + lineLabel(fn, pc) + ")";
    return pc < 0 ? std::string(fnName(fn)) : lineLabel(fn, pc);
}

namespace {
bool innerHit(const Breakpoint& bp, const StepRecord& rec) {
    const auto& subs = substepIds();
    if (std::find(subs.begin(), subs.end(), std::string_view(bp.inner)) != subs.end())
        return std::find(rec.subSteps.begin(), rec.subSteps.end(), std::string_view(bp.inner)) != rec.subSteps.end();
    if (std::find(rec.subSteps.begin(), rec.subSteps.end(), std::string_view(bp.inner)) != rec.subSteps.end())
        return true;
    for (const StepPiece& p : rec.pieces) {
        const auto& lines = fnInfo(p.fn).lines;
        if (p.pc < lines.size() && namesWord(lines[p.pc].code, bp.inner)) return true;
    }
    return false;
}
}  // namespace

std::optional<Breakpoint> parseBreakpoint(std::string_view spec, std::string* error) {
    auto fail = [&](const std::string& why) -> std::optional<Breakpoint> {
        if (error) *error = "breakpoint '" + std::string(spec) + "': " + why;
        return std::nullopt;
    };
    if (spec.empty()) return fail("empty");
    if (auto colon = spec.find(':'); colon != std::string_view::npos) {
        const Fn fn = fnByName(spec.substr(0, colon));
        if (fn == Fn::kCount) return fail("no kernel function named '" + std::string(spec.substr(0, colon)) + "'");
        uint64_t pc = 0;
        if (!parseU64(spec.substr(colon + 1), pc) || pc >= fnInfo(fn).lines.size()) return fail("no such line");
        return Breakpoint{fn, int(pc), true, {}};
    }
    if (const Fn fn = fnByName(spec); fn != Fn::kCount) return Breakpoint{fn, -1, true, {}};
    for (size_t i = 0; i < size_t(Fn::kCount); ++i) {
        const auto& lines = fnInfo(Fn(i)).lines;
        for (size_t pc = 0; pc < lines.size(); ++pc)
            if (lines[pc].id == spec) return Breakpoint{Fn(i), int(pc), true, {}};
    }
    // A step id or helper that runs inside a row (a fused micro-step).
    if (const auto rows = rowsNaming(spec); !rows.empty())
        return Breakpoint{rows.front().first, rows.front().second, true, std::string(spec)};
    return fail("neither a kernel function nor a step id");
}

// ---- watchpoints ----------------------------------------------------------------

const std::vector<std::string_view>& watchFields(Watchpoint::Where where) {
    static const std::vector<std::string_view> pte{"any",   "uffd_wp", "wp_bit", "present", "write",
                                                   "dirty", "young",   "kind",   "pfn"};
    static const std::vector<std::string_view> xa{"any", "kind"};
    static const std::vector<std::string_view> folio{"any",      "locked",   "uptodate", "dirty", "writeback",
                                                     "refcount", "mapcount", "pfn",      "data"};
    static const std::vector<std::string_view> slot{"any", "count", "cache"};
    switch (where) {
    case Watchpoint::Where::Pte: return pte;
    case Watchpoint::Where::Xa: return xa;
    case Watchpoint::Where::Folio: return folio;
    case Watchpoint::Where::Slot: return slot;
    }
    return pte;
}

std::string Watchpoint::text(const Config& cfg) const {
    std::string base;
    switch (where) {
    case Where::Pte: base = (mm >= 0 && size_t(mm) < cfg.mmNames.size() ? cfg.mmNames[mm] : "?") + ".pte"; break;
    case Where::Xa: base = "xa"; break;
    case Where::Folio: base = "folio"; break;
    case Where::Slot: base = "slot"; break;
    }
    return base + "[" + std::to_string(index) + "]" + (field == "any" ? "" : "." + field);
}

std::optional<Watchpoint> parseWatchpoint(const Config& cfg, std::string_view spec, std::string* error) {
    auto fail = [&](const std::string& why) -> std::optional<Watchpoint> {
        if (error) *error = "watchpoint '" + std::string(spec) + "': " + why;
        return std::nullopt;
    };
    const auto open = spec.find('['), close = spec.find(']');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open)
        return fail("expected CELL[INDEX] or CELL[INDEX].FIELD");
    Watchpoint w;
    if (!parseU64(spec.substr(open + 1, close - open - 1), w.index)) return fail("index is not a number");
    const std::string_view name = spec.substr(0, open);
    std::string_view rest = spec.substr(close + 1);
    if (!rest.empty()) {
        if (rest[0] != '.') return fail("expected '.FIELD' after ']'");
        w.field = std::string(rest.substr(1));
    }
    if (name == "xa") w.where = Watchpoint::Where::Xa;
    else if (name == "folio") w.where = Watchpoint::Where::Folio;
    else if (name == "slot") w.where = Watchpoint::Where::Slot;
    else {
        const auto dot = name.find('.');
        if (dot == std::string_view::npos || name.substr(dot + 1) != "pte")
            return fail("expected MM.pte, xa, folio or slot");
        w.where = Watchpoint::Where::Pte;
        w.mm = cfg.mmIndex(std::string(name.substr(0, dot)));
        if (w.mm < 0) return fail("no mm named '" + std::string(name.substr(0, dot)) + "'");
    }
    const auto& fields = watchFields(w.where);
    if (std::find(fields.begin(), fields.end(), std::string_view(w.field)) == fields.end()) {
        std::string list;
        for (auto f : fields) list += (list.empty() ? "" : ", ") + std::string(f);
        return fail("unknown field '" + w.field + "' (one of " + list + ")");
    }
    return w;
}

std::string watchValue(const State& s, const Watchpoint& w) {
    auto b = [](bool v) { return std::string(v ? "1" : "0"); };
    switch (w.where) {
    case Watchpoint::Where::Pte: {
        if (w.mm < 0 || size_t(w.mm) >= s.mms.size()) return "no mm";
        const Mm& m = s.mms[w.mm];
        const Vma* vma = nullptr;
        for (const Vma& v : m.vmas)
            if (v.mapsIndex(w.index)) {
                vma = &v;
                break;
            }
        if (!vma) return "unmapped";
        const Pte& p = m.pt.get(vma->vpnOf(w.index));
        const std::string& f = w.field;
        if (f == "any") return p.describe();
        if (f == "uffd_wp") return b(p.protectedWp());
        if (f == "wp_bit") return b((p.isPresent() || p.isSwap()) && p.uffd_wp);
        if (f == "present") return b(p.isPresent());
        if (f == "write") return b(p.isPresent() && p.write);
        if (f == "dirty") return b(p.isPresent() && p.dirty);
        if (f == "young") return b(p.isPresent() && p.young);
        if (f == "kind") return pteCellText(p).substr(0, 1);
        if (f == "pfn") return std::to_string(p.isPresent() ? p.pfn : 0);
        return "?";
    }
    case Watchpoint::Where::Xa: {
        if (w.index >= s.inode.sizePages) return "beyond EOF";
        const XaEntry& e = s.inode.xa.get(w.index);
        if (w.field == "kind") return e.isEmpty() ? "hole" : e.isSwap() ? "swap" : "folio";
        return e.describe();
    }
    case Watchpoint::Where::Folio: {
        if (w.index >= s.inode.sizePages) return "beyond EOF";
        const XaEntry& e = s.inode.xa.get(w.index);
        if (!e.isFolio()) return "no folio";
        const Folio& fo = s.folio(e.value);
        const std::string& f = w.field;
        if (f == "locked") return b(fo.has(PG_locked));
        if (f == "uptodate") return b(fo.has(PG_uptodate));
        if (f == "dirty") return b(fo.has(PG_dirty));
        if (f == "writeback") return b(fo.has(PG_writeback));
        if (f == "refcount") return std::to_string(fo.refcount);
        if (f == "mapcount") return std::to_string(fo.mapcount);
        if (f == "pfn") return std::to_string(e.value);
        if (f == "data") return fo.data.str();
        return "p" + std::to_string(e.value) + " " + folioFlagsText(fo.flags) + " ref " + std::to_string(fo.refcount) +
               " map " + std::to_string(fo.mapcount) + " " + fo.data.str();
    }
    case Watchpoint::Where::Slot: {
        if (w.index >= s.swap.nslots) return "no slot";
        const SwapSlot& sl = s.swap.slots.get(w.index);
        if (w.field == "count") return std::to_string(sl.count);
        if (w.field == "cache") return b(sl.hasCache);
        return sl.free() ? "free"
                         : "count=" + std::to_string(sl.count) + (sl.hasCache ? ",cache" : "") + " " + sl.data.str();
    }
    }
    return "?";
}

std::string_view stopReasonName(StopReason r) {
    switch (r) {
    case StopReason::None: return "none";
    case StopReason::Step: return "step";
    case StopReason::Breakpoint: return "breakpoint";
    case StopReason::Watchpoint: return "watchpoint";
    case StopReason::Finding: return "finding";
    case StopReason::End: return "end";
    case StopReason::Blocked: return "blocked";
    case StopReason::Start: return "start";
    case StopReason::Limit: return "limit";
    case StopReason::Cancelled: return "cancelled";
    }
    return "?";
}

// ---- loading ------------------------------------------------------------------------

namespace {
// Runs a hand-made task sequence from `init`; an entry whose task cannot run
// is replaced by the default policy's choice (the first such is noted).
// `keepGoing(done, total)` is asked every step; false cancels (nullopt).
template <class KeepGoing>
std::optional<Timeline> reexecuteSchedule(State init, const std::vector<uint8_t>& sched, const Session& s,
                                          const std::string& variant, std::string* note, KeepGoing keepGoing) {
    Timeline tl(std::move(init), false);
    tl.setQuiet(true);  // only the newest chunk's texts are read; narrated at the end
    for (size_t i = 0; i < sched.size(); ++i) {
        if (i > 0 && !keepGoing(i, sched.size())) return std::nullopt;
        uint8_t t = sched[i];
        if (t >= tl.current().tasks.size() || !isRunnable(tl.current(), t)) {
            const auto d = tl.defaultTask();
            if (!d) {
                if (note->empty()) *note = "the schedule ends at step " + std::to_string(i) + ": no task can run";
                break;
            }
            if (note->empty())
                *note = "step " + std::to_string(i + 1) + ": " +
                        (t < s.config.tasks.size() ? s.config.tasks[t].name : "#" + std::to_string(t)) +
                        " cannot run under " + variant +
                        (t < tl.current().tasks.size()
                             ? " (" + std::string(taskStateName(tl.current().tasks[t].state)) + ")"
                             : "") +
                        "; the default policy chose " + s.config.tasks[*d].name + " there and after every such entry";
            t = *d;
        }
        tl.stepTask(t);
    }
    tl.setQuiet(false);
    return tl;
}
}  // namespace

std::string Debugger::load(const Session& s, const std::string& variant, const Overrides& overrides,
                           uint64_t position) {
    const bool replay = s.recording.has_value() && variant.empty() && overrides.empty();
    std::string v = variant.empty() ? (replay ? s.recording->variant : s.variant) : variant;
    Overrides ov = overrides.empty() && replay ? s.recording->toggles : overrides;
    std::optional<Timeline> tl;
    uint64_t diverged = 0;
    std::string note;
    if (replay) {
        auto all = s.toggles;
        all.insert(all.end(), ov.begin(), ov.end());
        ToggleResult tr = resolveToggles(v, all);
        if (!tr.error.empty()) return tr.error;
        InitialState init = buildInitialState(s, tr.toggles, true, setupProgress_);
        if (!init.error.empty()) return init.error;
        tl.emplace(std::move(init.state), false);
        tl->setQuiet(true);  // only the newest chunk's texts are read; narrated below
        const Recording& rec = *s.recording;
        for (size_t i = 0; i < rec.schedule.size(); ++i) {
            if (i > 0 && !keepGoing(i, rec.schedule.size())) return "cancelled";
            const uint8_t t = rec.schedule[i];
            if (t >= tl->current().tasks.size() || !isRunnable(tl->current(), t)) {
                diverged = i + 1;
                note = "replay diverged at step " + std::to_string(i + 1) + ": task " +
                       (t < tl->current().tasks.size() ? s.config.tasks[t].name : "#" + std::to_string(t)) +
                       " cannot run";
                break;
            }
            const StepRecord& r = tl->stepTask(t);
            if (i < rec.hashes.size() && r.hashAfter != rec.hashes[i]) {
                diverged = i + 1;
                note =
                    "replay diverged at step " + std::to_string(i + 1) + ": the state hash differs from the recording";
                break;
            }
        }
        tl->setQuiet(false);
        if (!diverged)
            note =
                "replayed the recording: " + std::to_string(rec.schedule.size()) + " steps, every state hash matched";
    } else {
        RunOptions o;
        o.variant = v;
        o.toggles = ov;
        o.keepRecords = false;
        o.results = false;
        if (progress_) o.progress = [this](uint64_t n) { return progress_(n, 0); };
        o.setupProgress = setupProgress_;
        RunResult r = runSession(s, o);
        if (!r.error.empty()) return r.error;
        if (r.end == RunEnd::Cancelled) return "cancelled";
        tl = std::move(r.timeline);
        note = "ran the session's schedule: " + std::to_string(tl->length()) + " steps, " +
               std::string(runEndName(r.end)) + (r.endText.empty() ? "" : " (" + r.endText + ")");
    }
    session_ = s;
    variant_ = v;
    overrides_ = ov;
    timeline_ = std::move(tl);
    timeline_->seek(std::min(position, timeline_->length()));
    manual_ = replay;
    planned_ = replay ? 0 : timeline_->length();
    replayDivergedAt_ = diverged;
    loadNote_ = note;
    scheduleNote_.clear();
    chosen_.reset();
    dirtyFrom_ = 0;
    // Breakpoints survive; watchpoints naming an mm that no longer exists do not.
    std::erase_if(watchpoints_, [&](const Watchpoint& w) {
        return w.where == Watchpoint::Where::Pte && size_t(w.mm) >= s.config.mmNames.size();
    });
    return "";
}

std::string Debugger::loadWholeSchedule(const Session& s, uint64_t position) {
    if (std::string e = load(s, "", {}, position); !e.empty()) return e;
    if (!replayDivergedAt_) return "";
    // The recorded hashes no longer match (another engine version, a damaged
    // record): keep every recorded step, re-executed under this engine.
    auto all = s.toggles;
    all.insert(all.end(), overrides_.begin(), overrides_.end());
    ToggleResult tr = resolveToggles(variant_, all);
    if (!tr.error.empty()) return tr.error;
    InitialState init = buildInitialState(s, tr.toggles, true, setupProgress_);
    if (!init.error.empty()) return init.error;
    std::string note;
    auto tl = reexecuteSchedule(std::move(init.state), s.recording->schedule, s, variant_, &note,
                                [this](uint64_t done, uint64_t total) { return keepGoing(done, total); });
    if (!tl) return "cancelled";
    timeline_ = std::move(tl);
    timeline_->seek(std::min(position, timeline_->length()));
    manual_ = true;
    planned_ = 0;
    loadNote_ += "; the whole recorded schedule (" + std::to_string(s.recording->schedule.size()) +
                 " steps) was re-executed under this engine as a hand-made run" +
                 (note.empty() ? "" : " (" + note + ")");
    dirtyFrom_ = 0;
    return "";
}

uint64_t Debugger::takeDirtyFrom() {
    const uint64_t d = dirtyFrom_;
    dirtyFrom_ = ~uint64_t{0};
    return d;
}

// ---- next task ----------------------------------------------------------------------

std::optional<uint8_t> Debugger::nextTask() const {
    const State& s = current();
    if (chosen_) return isRunnable(s, *chosen_) ? chosen_ : std::nullopt;
    if (position() < length()) return timeline_->schedule()[position()];
    if (workDone(s)) return std::nullopt;
    return timeline_->defaultTask();
}

std::string Debugger::nextTaskWhy() const {
    const State& s = current();
    auto name = [&](uint8_t t) { return s.config->tasks[t].name; };
    if (chosen_) {
        if (isRunnable(s, *chosen_)) return name(*chosen_) + " (chosen)";
        return name(*chosen_) + " cannot run: " + std::string(taskStateName(s.tasks[*chosen_].state)) + " at " +
               whereIs(s, *chosen_);
    }
    if (position() < length()) return name(timeline_->schedule()[position()]) + " (recorded schedule)";
    if (workDone(s)) return "none: every task finished";
    if (auto t = timeline_->defaultTask()) return name(*t) + " (first runnable)";
    return "none: deadlock — " + timeline_->describeDeadlock();
}

StepRecord Debugger::stepOne(uint8_t task) {
    const uint64_t pos = position();
    if (pos < length() && timeline_->schedule()[pos] == task) return timeline_->stepRecorded();
    if (pos < length()) manual_ = true, planned_ = std::min(planned_, pos);  // the run is cut at pos
    if (pos == length() && !manual_) manual_ = true;
    markDirty(pos);
    return timeline_->stepTask(task);
}

// ---- hits ----------------------------------------------------------------------------

StopReason Debugger::hitAt(const State& before, const State& after, const StepRecord& rec, std::string* why,
                           size_t* which) const {
    const uint8_t t = rec.task;
    const std::string who = after.config->tasks[t].name;
    for (size_t wi = 0; wi < watchpoints_.size(); ++wi) {
        const Watchpoint& w = watchpoints_[wi];
        if (!w.enabled) continue;
        const std::string a = watchValue(before, w), b = watchValue(after, w);
        if (a != b) {
            if (why)
                *why = "watchpoint " + w.text(*after.config) + ": " + a + " → " + b + " at step " +
                       std::to_string(rec.number) + " (" + who + ")";
            if (which) *which = wi;
            return StopReason::Watchpoint;
        }
    }
    if (stopOnFindings && !rec.findings.empty()) {
        if (why)
            *why = std::string(ruleName(rec.findings.front().rule)) + " at step " + std::to_string(rec.number) + ": " +
                   rec.findings.front().text;
        return StopReason::Finding;
    }
    const auto& stA = after.tasks[t].stack;
    const auto& stB = before.tasks[t].stack;
    for (size_t bi = 0; bi < breakpoints_.size(); ++bi) {
        const Breakpoint& bp = breakpoints_[bi];
        if (!bp.enabled) continue;
        bool hit = false;
        if (!bp.inner.empty()) {
            hit = innerHit(bp, rec);
        } else if (bp.pc >= 0) {
            hit = !stA.empty() && stA.back().fn == bp.fn && stA.back().pc == bp.pc;
        } else {
            const bool topIs = !stA.empty() && stA.back().fn == bp.fn;
            const bool wasIn = !stB.empty() && stB.back().fn == bp.fn;
            hit = topIs && (!wasIn || stA.size() > stB.size());
            if (!hit && !wasIn)
                for (const StepPiece& p : rec.pieces)
                    if (p.fn == bp.fn) hit = true;
        }
        if (hit) {
            if (why) *why = "breakpoint " + bp.text() + " (" + who + ", step " + std::to_string(rec.number) + ")";
            if (which) *which = bi;
            return StopReason::Breakpoint;
        }
    }
    return StopReason::None;
}

void Debugger::countHit(StopReason r, size_t which) {
    if (r == StopReason::Breakpoint && which < breakpoints_.size()) ++breakpoints_[which].hits;
    if (r == StopReason::Watchpoint && which < watchpoints_.size()) ++watchpoints_[which].hits;
}

// ---- forward --------------------------------------------------------------------------

template <class Pred>
Stop Debugger::forwardUntil(Pred done, uint64_t limit, bool oneStepIsDone) {
    Stop out;
    for (uint64_t i = 0; i < limit; ++i) {
        if (i > 0 && !keepGoing(i, 0))
            return {StopReason::Cancelled, position(), "cancelled at step " + std::to_string(position())};
        const auto t = nextTask();
        if (!t) {
            out.reason = chosen_ ? StopReason::Blocked : StopReason::End;
            out.position = position();
            out.text = i == 0 ? "cannot step: " + nextTaskWhy() : "stopped: " + nextTaskWhy();
            if (i > 0 && out.reason == StopReason::End) out.text = "end of run: " + nextTaskWhy();
            return out;
        }
        const State before = current();
        const StepRecord rec = stepOne(*t);
        std::string why;
        size_t which = 0;
        if (const StopReason r = hitAt(before, current(), rec, &why, &which); r != StopReason::None) {
            countHit(r, which);
            return {r, position(), why};
        }
        if (oneStepIsDone || done(before, current(), rec)) {
            return {StopReason::Step, position(),
                    "step " + std::to_string(position()) + ": " + current().config->tasks[rec.task].name + " " +
                        std::string(fnName(rec.main().fn)) + " " + std::string(stepId(rec.main().fn, rec.main().pc))};
        }
    }
    return {StopReason::Limit, position(), "stopped after " + std::to_string(limit) + " steps"};
}

Stop Debugger::stepInto() {
    return forwardUntil([](const State&, const State&, const StepRecord&) { return true; }, 1, true);
}

Stop Debugger::stepOver() {
    const auto t0 = nextTask();
    if (!t0) return forwardUntil([](const State&, const State&, const StepRecord&) { return true; }, 1, true);
    const uint8_t t = *t0;
    const size_t d0 = depthOf(current(), t);  // 0 between operations: the whole next one
    return forwardUntil(
        [t, d0](const State&, const State& after, const StepRecord& rec) {
            if (rec.task != t) return false;
            return rec.opDone || after.tasks[t].state == TaskState::Done || depthOf(after, t) <= d0;
        },
        kDefaultLimit, false);
}

Stop Debugger::stepOut() {
    const auto t0 = nextTask();
    if (!t0) return forwardUntil([](const State&, const State&, const StepRecord&) { return true; }, 1, true);
    const uint8_t t = *t0;
    const size_t d0 = depthOf(current(), t);
    return forwardUntil(
        [t, d0](const State&, const State& after, const StepRecord& rec) {
            if (rec.task != t) return false;
            return rec.opDone || after.tasks[t].state == TaskState::Done || depthOf(after, t) < d0;
        },
        kDefaultLimit, false);
}

Stop Debugger::continueRun(uint64_t limit) {
    return forwardUntil([](const State&, const State&, const StepRecord&) { return false; }, limit, false);
}

Stop Debugger::runTo(uint64_t n, uint64_t limit) {
    if (n <= length()) {
        timeline_->seek(n);
        return {StopReason::Step, position(), "at step " + std::to_string(position())};
    }
    timeline_->seek(length());
    const uint64_t from = position();
    for (uint64_t i = 0; position() < n && i < limit; ++i) {
        if (i > 0 && !keepGoing(i, n - from))
            return {StopReason::Cancelled, position(), "cancelled at step " + std::to_string(position())};
        const auto t = nextTask();
        if (!t)
            return {StopReason::End, position(),
                    "end of run at step " + std::to_string(position()) + ": " + nextTaskWhy()};
        stepOne(*t);
    }
    return {StopReason::Step, position(), "at step " + std::to_string(position())};
}

Stop Debugger::restart() {
    timeline_->seek(0);
    return {StopReason::Start, 0, "at the initial state"};
}

// ---- reverse --------------------------------------------------------------------------

struct Debugger::BackInfo {
    uint64_t n;                     // the state after step n
    const State* state;             // s_n
    std::optional<uint8_t> nextBy;  // who took step n+1 (nullopt at the end of the schedule)
    StopReason hit;                 // step n hit something (n >= 1)
    std::string why;
};

namespace {
// Whether a watched value can change in a complete chunk: only through the
// cells it reads (a conservative test on the chunk's changed cells).
bool watchMayChange(const Watchpoint& w, const StepChunk& c) {
    auto has = [&](CellKind k, uint8_t mm, uint64_t key) {
        return std::binary_search(c.changed.begin(), c.changed.end(), CellRef{k, mm, key});
    };
    auto any = [&](CellKind k) {
        return std::any_of(c.changed.begin(), c.changed.end(), [&](const CellRef& r) { return r.kind == k; });
    };
    switch (w.where) {
    case Watchpoint::Where::Pte: {
        if (any(CellKind::Vma)) return true;  // the page may be mapped elsewhere or not at all
        if (w.mm < 0 || size_t(w.mm) >= c.start.mms.size()) return false;
        for (const Vma& v : c.start.mms[w.mm].vmas)
            if (v.mapsIndex(w.index)) return has(CellKind::Pte, uint8_t(w.mm), v.vpnOf(w.index));
        return false;  // unmapped throughout
    }
    case Watchpoint::Where::Xa: return has(CellKind::Inode, 0, 0) || has(CellKind::Xa, 0, w.index);
    case Watchpoint::Where::Folio:
        return has(CellKind::Inode, 0, 0) || has(CellKind::Xa, 0, w.index) || any(CellKind::Folio);
    case Watchpoint::Where::Slot: return has(CellKind::Slot, 0, w.index);
    }
    return true;
}
}  // namespace

bool Debugger::chunkMayHit(const StepChunk& c) const {
    if (!c.complete) return true;
    if (stopOnFindings && !c.findings.empty()) return true;
    for (const Watchpoint& w : watchpoints_)
        if (w.enabled && watchMayChange(w, c)) return true;
    for (const Breakpoint& b : breakpoints_) {
        if (!b.enabled) continue;
        if (!b.inner.empty()) return true;  // reported by a row's helpers: no index of those
        if (c.fns.test(size_t(b.fn))) return true;
    }
    return false;
}

bool Debugger::stepsMayHit(uint64_t from, uint64_t to) const {
    for (uint64_t k = from / Timeline::kCheckpointEvery; k <= to / Timeline::kCheckpointEvery; ++k)
        if (chunkMayHit(timeline_->chunk(k))) return true;
    return false;
}

template <class Pred>
std::optional<std::pair<uint64_t, std::string>> Debugger::scanBack(Pred pred, bool stopOnHits, bool predNever) const {
    const uint64_t pos = position();
    if (pos == 0) return std::nullopt;
    const Timeline& tl = *timeline_;
    const auto& sched = tl.schedule();
    uint64_t hi = pos - 1;  // candidates n in [lo, hi]
    for (uint64_t chunk = 0;; ++chunk) {
        const uint64_t lo = (hi / Timeline::kCheckpointEvery) * Timeline::kCheckpointEvery;
        if (chunk > 0 && progress_ && chunk % (kProgressEvery / Timeline::kCheckpointEvery) == 0 &&
            !progress_(pos - hi - 1, pos))
            return std::make_pair(kScanCancelled, std::string());
        // States s_{lo-1} (when lo > 0, for the hit test of step lo) .. s_{hi+1}.
        const uint64_t first = lo > 0 ? lo - 1 : 0;
        // Nothing to find here (a reverse-continue over chunks whose steps
        // hit no breakpoint, watchpoint or finding): skip without executing.
        // Steps tested: n in (first, hi], i.e. 0-based indices [first, hi - 1].
        if (useChunkIndex && predNever && stopOnHits && hi >= 1 && !stepsMayHit(first, hi - 1)) {
            if (lo == 0) return std::nullopt;
            hi = lo - 1;
            continue;
        }
        std::vector<State> states;
        std::vector<StepRecord> recs;  // recs[i]: the record of step first + i + 1
        states.reserve(hi + 2 - first + 1);
        recs.reserve(hi + 2 - first);
        states.push_back(tl.stateAt(first));
        for (uint64_t n = first; n < hi + 1; ++n) {
            State s = states.back();
            recs.push_back(step(s, sched[n], false, Narrate::No));  // hitAt reads no text
            states.push_back(std::move(s));
        }
        for (uint64_t n = hi + 1; n-- > lo;) {
            const State& sn = states[n - first];
            BackInfo info{
                n, &sn, n < sched.size() ? std::optional<uint8_t>(sched[n]) : std::nullopt, StopReason::None, {}};
            if (stopOnHits && n >= 1 && n > first) {
                info.hit = hitAt(states[n - 1 - first], sn, recs[n - 1 - first], &info.why);
                if (info.hit != StopReason::None) return std::make_pair(n, info.why);
            }
            if (pred(info)) return std::make_pair(n, std::string());
        }
        if (lo == 0) return std::nullopt;
        hi = lo - 1;
    }
}

Stop Debugger::cancelledBack() const {
    return {StopReason::Cancelled, position(), "cancelled: still at step " + std::to_string(position())};
}

Stop Debugger::reverseStep() {
    if (position() == 0) return {StopReason::None, 0, "already at the initial state"};
    timeline_->seek(position() - 1);
    return {StopReason::Step, position(), "back to step " + std::to_string(position())};
}

Stop Debugger::reverseStepOver() {
    const uint64_t pos = position();
    if (pos == 0) return {StopReason::None, 0, "already at the initial state"};
    const uint8_t t = timeline_->schedule()[pos - 1];  // the task that took the last step
    const size_t d0 = depthOf(current(), t);           // 0 between operations: the whole next one
    auto r = scanBack([&](const BackInfo& i) { return i.nextBy == t && depthOf(*i.state, t) <= d0; }, true, false);
    if (!r) return restart();
    if (r->first == kScanCancelled) return cancelledBack();
    timeline_->seek(r->first);
    return {r->second.empty() ? StopReason::Step : StopReason::Breakpoint, position(),
            r->second.empty() ? "back to step " + std::to_string(position()) : r->second};
}

Stop Debugger::reverseStepOut() {
    const uint64_t pos = position();
    if (pos == 0) return {StopReason::None, 0, "already at the initial state"};
    const uint8_t t = timeline_->schedule()[pos - 1];
    const size_t d0 = depthOf(current(), t);
    auto r = scanBack([&](const BackInfo& i) { return depthOf(*i.state, t) < d0 && i.nextBy == t; }, true, false);
    if (!r) return restart();
    if (r->first == kScanCancelled) return cancelledBack();
    timeline_->seek(r->first);
    return {r->second.empty() ? StopReason::Step : StopReason::Breakpoint, position(),
            r->second.empty() ? "back to step " + std::to_string(position()) : r->second};
}

Stop Debugger::reverseContinue() {
    if (position() == 0) return {StopReason::None, 0, "already at the initial state"};
    std::string why;
    auto r = scanBack([](const BackInfo&) { return false; }, true, true);
    if (!r) {
        restart();
        return {StopReason::Start, 0, "back at the initial state"};
    }
    if (r->first == kScanCancelled) return cancelledBack();
    timeline_->seek(r->first);
    // Report the hit's own kind.
    State before = timeline_->stateAt(r->first - 1);
    size_t which = 0;
    const StopReason kind = hitAt(before, current(), *record(r->first), &why, &which);
    countHit(kind, which);
    return {kind, position(), why};
}

// ---- breakpoints -----------------------------------------------------------------------

bool Debugger::toggleBreakpoint(const Breakpoint& b) {
    auto it = std::find_if(breakpoints_.begin(), breakpoints_.end(), [&](const Breakpoint& x) { return x.sameAs(b); });
    if (it != breakpoints_.end()) {
        breakpoints_.erase(it);
        return false;
    }
    breakpoints_.push_back(b);
    return true;
}

bool Debugger::hasBreakpoint(Fn fn, int pc) const {
    return std::any_of(breakpoints_.begin(), breakpoints_.end(),
                       [&](const Breakpoint& x) { return x.fn == fn && x.pc == pc && x.inner.empty(); });
}

// ---- variants ---------------------------------------------------------------------------

std::string Debugger::setVariant(const std::string& variant, const Overrides& overrides) {
    const uint64_t pos = position();
    if (!manual_) {
        Session s = session_;
        s.recording.reset();
        const auto keep = chosen_;
        if (std::string e = load(s, variant, overrides, pos); !e.empty()) return e;
        chosen_ = keep;
        return "";
    }
    // Replay the hand-made task sequence under the new variant.
    auto all = session_.toggles;
    all.insert(all.end(), overrides.begin(), overrides.end());
    ToggleResult tr = resolveToggles(variant, all);
    if (!tr.error.empty()) return tr.error;
    InitialState init = buildInitialState(session_, tr.toggles, true, setupProgress_);
    if (!init.error.empty()) return init.error;
    const std::vector<uint8_t> sched = timeline_->schedule();
    std::string note;
    auto tl = reexecuteSchedule(std::move(init.state), sched, session_, variant, &note,
                                [this](uint64_t done, uint64_t total) { return keepGoing(done, total); });
    if (!tl) return "cancelled";  // unchanged
    timeline_ = std::move(tl);
    planned_ = 0;
    timeline_->seek(std::min(pos, timeline_->length()));
    variant_ = variant;
    overrides_ = overrides;
    scheduleNote_ = note;
    dirtyFrom_ = 0;
    return "";
}

Recording Debugger::recording() const {
    Recording r;
    r.variant = variant_;
    r.toggles = overrides_;
    r.schedule = timeline_->schedule();
    r.hashes.reserve(r.schedule.size());
    for (uint64_t n = 1; n <= timeline_->length(); ++n) r.hashes.push_back(timeline_->hashAfter(n));
    return r;
}

// ---- compare ------------------------------------------------------------------------------

namespace {
// A task between operations (empty stack) keeps the retry count and signal of
// its last user access until its next operation resets them: they cannot
// influence the future, so comparing variants ignores them.
bool needsNormalising(const State& a, const State& b) {
    if (!(a.toggles == b.toggles)) return true;
    for (size_t t = 0; t < std::min(a.tasks.size(), b.tasks.size()); ++t)
        if (a.tasks[t].stack.empty() && b.tasks[t].stack.empty() &&
            (a.tasks[t].faultRetries != b.tasks[t].faultRetries || a.tasks[t].lastSignal != b.tasks[t].lastSignal))
            return true;
    return false;
}
}  // namespace

bool sameExceptToggles(const State& a, const State& b) {
    if (!needsNormalising(a, b)) return a == b;
    State c = b;
    c.toggles = a.toggles;
    for (size_t t = 0; t < std::min(a.tasks.size(), c.tasks.size()); ++t)
        if (a.tasks[t].stack.empty() && c.tasks[t].stack.empty()) {
            c.tasks[t].faultRetries = a.tasks[t].faultRetries;
            c.tasks[t].lastSignal = a.tasks[t].lastSignal;
        }
    return a == c;
}

std::vector<std::string> stateDiff(const State& a, const State& b, size_t max) {
    std::vector<std::string> out;
    auto add = [&](std::string s) {
        if (out.size() < max) out.push_back(std::move(s));
    };
    const Config& cfg = *a.config;
    const uint64_t pages = std::max(a.inode.sizePages, b.inode.sizePages);
    for (size_t m = 0; m < std::min(a.mms.size(), b.mms.size()) && out.size() < max; ++m) {
        if (a.mms[m].pt == b.mms[m].pt) continue;
        for (const Vma& v : a.mms[m].vmas) {
            if (!v.file) continue;
            for (uint64_t i = v.pgoff; i < v.pgoff + (v.end - v.start) && i < pages && out.size() < max; ++i) {
                const Pte& pa = a.mms[m].pt.get(v.vpnOf(i));
                const Pte& pb = b.mms[m].pt.get(v.vpnOf(i));
                if (!(pa == pb))
                    add(cfg.mmNames[m] + ".pte[" + std::to_string(i) + "]: " + pa.describe() + " | " + pb.describe());
            }
        }
    }
    if (!(a.inode.xa == b.inode.xa))
        for (uint64_t i = 0; i < pages && out.size() < max; ++i) {
            const XaEntry& xa = a.inode.xa.get(i);
            const XaEntry& xb = b.inode.xa.get(i);
            if (!(xa == xb)) add("xa[" + std::to_string(i) + "]: " + xa.describe() + " | " + xb.describe());
        }
    for (size_t t = 0; t < std::min(a.tasks.size(), b.tasks.size()); ++t)
        if (!(a.tasks[t].stack == b.tasks[t].stack && a.tasks[t].state == b.tasks[t].state &&
              a.tasks[t].opIndex == b.tasks[t].opIndex))
            add("task " + cfg.tasks[t].name + ": " + std::string(taskStateName(a.tasks[t].state)) + " at " +
                whereIs(a, uint8_t(t)) + " | " + std::string(taskStateName(b.tasks[t].state)) + " at " +
                whereIs(b, uint8_t(t)));
    if (!(a.uffd == b.uffd))
        add("uffd: " + std::to_string(a.uffd.pending.size()) + " pending, " +
            std::to_string(a.uffd.readWaiting.size()) + " read | " + std::to_string(b.uffd.pending.size()) +
            " pending, " + std::to_string(b.uffd.readWaiting.size()) + " read");
    if (!(a.folios == b.folios)) add("page frames differ");
    if (!(a.swap == b.swap)) add("swap slots differ");
    if (!(a.locks == b.locks)) add("locks differ");
    return out;
}

Divergence firstDivergence(const Timeline& a, const Timeline& b) {
    Divergence d;
    State sa = a.initial(), sb = b.initial();
    const auto& qa = a.schedule();
    const auto& qb = b.schedule();
    if (!sameExceptToggles(sa, sb)) {
        d.found = true;
        d.step = 0;
        d.detail = "the initial states differ";
        d.cells = stateDiff(sa, sb);
        return d;
    }
    const uint64_t n = std::min(qa.size(), qb.size());
    for (uint64_t i = 0; i < n; ++i) {
        if (qa[i] != qb[i]) {
            d.found = true;
            d.step = i + 1;
            d.detail = "step " + std::to_string(i + 1) + " is taken by " + sa.config->tasks[qa[i]].name +
                       " on the left, " + sb.config->tasks[qb[i]].name + " on the right";
            d.cells = stateDiff(sa, sb);
            return d;
        }
        step(sa, qa[i]);
        step(sb, qb[i]);
        if (!sameExceptToggles(sa, sb)) {
            d.found = true;
            d.step = i + 1;
            const auto ra = *a.record(i + 1);
            d.detail = "states differ after step " + std::to_string(i + 1) + " (" + sa.config->tasks[qa[i]].name + " " +
                       std::string(fnName(ra.main().fn)) + " " + std::string(stepId(ra.main().fn, ra.main().pc)) + ")";
            d.cells = stateDiff(sa, sb);
            return d;
        }
    }
    if (qa.size() != qb.size()) {
        d.found = true;
        d.step = n + 1;
        d.detail = "one run ends after " + std::to_string(n) + " steps, the other goes on";
        return d;
    }
    d.detail = "identical over all " + std::to_string(n) + " steps";
    return d;
}

}  // namespace faultline::debug
