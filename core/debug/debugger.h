// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The step debugger's logic, without any UI: which task takes the next step,
// step / step over / step out / continue and their reverse versions,
// breakpoints on kernel functions and lines (step ids), watchpoints on a cell
// bit, variant switches that keep the schedule and the step, and comparing two
// variants on one schedule. The Qt window, the CLI and the tests all drive a
// Debugger; nothing here knows about widgets.
//
// Positions are step numbers: position n means "the state after step n"
// (0 = the initial state). The run is a faultline::Timeline, so reverse is
// exact (checkpoints + deterministic re-execution).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/record.h"
#include "model/state.h"
#include "paths/registry.h"
#include "session/session.h"
#include "session/step_chunk.h"
#include "session/timeline.h"

namespace faultline::debug {

using Overrides = std::vector<std::pair<std::string, std::string>>;

// ---- breakpoints ------------------------------------------------------------
// A line breakpoint (pc >= 0) stops when the task that just moved now stands
// on that line (its next step executes it). A function breakpoint (pc < 0)
// stops when a step enters the function. An inner breakpoint (`inner` set)
// names a step id or kernel helper that runs inside one row of a function's
// table (a fused micro-step: "ZP.3", "zap_pte_range" inside
// unmap_mapping_range's ZP.1); fn/pc is that row, and it stops on the step
// that ran it: for an id the paths report (substepIds()) when the step
// reported it, otherwise when the step executed the row.
struct Breakpoint {
    Fn fn{};
    int pc = -1;
    bool enabled = true;
    std::string inner;
    uint64_t hits = 0;  // times the debugger stopped on it (not part of its identity)
    std::string text()
        const;  // "filemap_map_pages MP.7" / "filemap_map_pages:3" / "do_fault_around" / "ZP.3 (in unmap_mapping_range ZP.1)"
    bool sameAs(const Breakpoint& o) const { return fn == o.fn && pc == o.pc && inner == o.inner; }
    friend bool operator==(const Breakpoint& a, const Breakpoint& b) { return a.sameAs(b) && a.enabled == b.enabled; }
};
// "do_fault_around", "MP.7" (a step id: the line that has it), "filemap_map_pages:3" (pc),
// and any step id or function named in a row's code ("ZP.3", "zap_pte_range").
std::optional<Breakpoint> parseBreakpoint(std::string_view spec, std::string* error);

// ---- watchpoints --------------------------------------------------------------
// A watched cell bit, addressed by file page index like the memory map:
//   "A.pte[8].uffd_wp"   protection in any form (present bit, swap bit, marker)
//   "A.pte[8].wp_bit"    the raw uffd-wp bit of a present / swap pte
//   "A.pte[8].present" / write / dirty / young / kind / pfn / any
//   "xa[8]" / "xa[8].kind"
//   "folio[8].locked"    the folio in the cache at index 8: locked / uptodate /
//                        dirty / writeback / refcount / mapcount / pfn / data / any
//   "slot[3].count"      swap slot 3: count / cache / any
// Stops on the step that changes the value, forward or backward.
struct Watchpoint {
    enum class Where : uint8_t { Pte, Xa, Folio, Slot };
    Where where = Where::Pte;
    int mm = 0;
    uint64_t index = 0;
    std::string field = "any";
    bool enabled = true;
    uint64_t hits = 0;  // times the debugger stopped on it (not part of its identity)
    std::string text(const Config& cfg) const;
    friend bool operator==(const Watchpoint& a, const Watchpoint& b) {
        return a.where == b.where && a.mm == b.mm && a.index == b.index && a.field == b.field && a.enabled == b.enabled;
    }
};
std::optional<Watchpoint> parseWatchpoint(const Config& cfg, std::string_view spec, std::string* error);
// Fields a watchpoint on `where` accepts.
const std::vector<std::string_view>& watchFields(Watchpoint::Where where);
// The watched value in a state, as text ("1", "0", "P(w=1,...)", "unmapped").
std::string watchValue(const State& s, const Watchpoint& w);

// ---- stops ----------------------------------------------------------------------
enum class StopReason : uint8_t {
    None,  // nothing moved (already at the start / end)
    Step,  // the command completed normally
    Breakpoint,
    Watchpoint,
    Finding,
    End,      // no task can take a step (finished or deadlock)
    Blocked,  // the chosen task cannot run
    Start,    // reverse reached step 0
    Limit,    // step limit
    Cancelled,  // the progress callback asked to stop (see Debugger::setProgress)
};
std::string_view stopReasonName(StopReason r);

struct Stop {
    StopReason reason = StopReason::None;
    uint64_t position = 0;
    std::string text;  // "breakpoint filemap_map_pages MP.7 (A1)", "A.pte[8].uffd_wp 1 → 0 at step 3"
};

// ---- the debugger -------------------------------------------------------------------
class Debugger {
public:
    static constexpr uint64_t kDefaultLimit = 1'000'000;

    // Loads a session under its variant (or `variant` / `overrides` when
    // given): runs its schedule (or replays its recording) to produce the
    // planned future, then goes to `position` (clamped). Returns an error text
    // (bad variant, failed setup); on error the debugger is unchanged.
    std::string load(const Session& s, const std::string& variant = "", const Overrides& overrides = {},
                     uint64_t position = 0);
    bool loaded() const { return timeline_.has_value(); }
    // Like load(s) for a recording that must not be cut short (a recovered
    // autosave): if its replay diverges (the engine changed since it was
    // recorded), the whole recorded task sequence is re-executed as a
    // hand-made run instead of stopping at the divergence; loadNote() and
    // replayDivergedAt() say where and why it diverged.
    std::string loadWholeSchedule(const Session& s, uint64_t position = ~uint64_t{0});

    const Session& session() const { return session_; }
    const Timeline& timeline() const { return *timeline_; }
    const State& current() const { return timeline_->current(); }
    uint64_t position() const { return timeline_->position(); }
    uint64_t length() const { return timeline_->length(); }
    std::shared_ptr<const StepRecord> record(uint64_t n) const { return timeline_->record(n); }

    const std::string& variant() const { return variant_; }
    const Overrides& overrides() const { return overrides_; }
    // The recording replayed at load diverged at this step (0 = it did not / no recording).
    uint64_t replayDivergedAt() const { return replayDivergedAt_; }
    const std::string& loadNote() const { return loadNote_; }
    // Whether the user branched from the session's planned schedule.
    bool manual() const { return manual_; }
    // How many leading steps of the run are the session's own planned run
    // under variant() and overrides() (runSession's): what the autosave
    // journal writes as one record. 0 after a replayed or re-executed recording.
    uint64_t plannedSteps() const { return planned_; }

    // ---- who takes the next step
    void chooseTask(std::optional<uint8_t> task) { chosen_ = task; }  // nullopt: automatic
    std::optional<uint8_t> chosenTask() const { return chosen_; }
    // Automatic: the planned (recorded) future, then the default policy.
    std::optional<uint8_t> nextTask() const;
    std::string nextTaskWhy() const;  // "A1 (planned)", "P (first runnable)", "A1 is sleep-uffd"

    // ---- forward
    Stop stepInto();
    Stop stepOver();
    Stop stepOut();
    Stop continueRun(uint64_t limit = kDefaultLimit);
    // Goes to step n: within the recorded run it seeks; beyond it, runs forward
    // (stopping only at the end or the limit).
    Stop runTo(uint64_t n, uint64_t limit = kDefaultLimit);
    Stop restart();
    // ---- reverse
    Stop reverseStep();
    Stop reverseStepOver();
    Stop reverseStepOut();
    Stop reverseContinue();

    // ---- breakpoints and watchpoints
    std::vector<Breakpoint>& breakpoints() { return breakpoints_; }
    const std::vector<Breakpoint>& breakpoints() const { return breakpoints_; }
    // Adds, or removes if present; returns whether it is now set.
    bool toggleBreakpoint(const Breakpoint& b);
    bool hasBreakpoint(Fn fn, int pc) const;
    std::vector<Watchpoint>& watchpoints() { return watchpoints_; }
    const std::vector<Watchpoint>& watchpoints() const { return watchpoints_; }
    bool stopOnFindings = true;
    // Reverse-continue skips whole chunks whose summaries (functions run,
    // cells changed, findings) rule out every hit; off, it executes every
    // step back (tests compare the two).
    bool useChunkIndex = true;

    // ---- variants
    // Re-runs the same schedule under another variant / overrides and keeps
    // the current step. If the user made the schedule by hand, the recorded
    // task sequence is replayed; an entry whose task cannot run under the new
    // variant is replaced by the default policy's choice (noted in the text).
    std::string setVariant(const std::string& variant, const Overrides& overrides);
    const std::string& scheduleNote() const { return scheduleNote_; }

    // The run as a session recording (variant, overrides, schedule, hashes).
    Recording recording() const;

    // ---- long operations off the GUI thread
    // Called every kProgressEvery steps by load(), loadWholeSchedule(),
    // setVariant(), continueRun(), runTo(), stepOver()/stepOut() and the
    // reverse scans with (steps done, steps expected or 0 when unknown);
    // returning false cancels the operation: a forward command stops at the
    // step it reached (StopReason::Cancelled), a reverse one, load() and
    // setVariant() (which return "cancelled") leave the debugger as it was.
    // Empty: never called.
    using Progress = std::function<bool(uint64_t done, uint64_t total)>;
    static constexpr uint64_t kProgressEvery = 4096;
    void setProgress(Progress p) { progress_ = std::move(p); }
    // Called while load(), loadWholeSchedule() and setVariant() build the
    // session's initial state (see SetupProgress in session/initial_state.h:
    // pages written and setup operations); false cancels as progress does.
    void setSetupProgress(Progress p) { setupProgress_ = std::move(p); }

    // Lowest record index (0-based) that changed since the last call; the
    // views resynchronise their copies of the trace from there. ~0 = none.
    uint64_t takeDirtyFrom();
    // The same without taking it (~0: no record changed since the last take).
    uint64_t dirtyFrom() const { return dirtyFrom_; }

private:
    StepRecord stepOne(uint8_t task);  // follows the plan when it can, else branches; the step's record
    // Whether step n (already executed, s_n == after) hit a breakpoint /
    // watchpoint / finding; fills `why`.
    // `which` (if given) gets the index of the watchpoint / breakpoint hit.
    StopReason hitAt(const State& before, const State& after, const StepRecord& rec, std::string* why,
                     size_t* which = nullptr) const;
    void countHit(StopReason r, size_t which);
    template <class Pred>
    Stop forwardUntil(Pred done, uint64_t limit, bool oneStepIsDone);
    struct BackInfo;
    // Largest n < position() such that pred(info about n) is true (or a hit,
    // when stopOnHits). Returns nullopt if none, kScanCancelled as n if the
    // progress callback cancelled.
    // predNever: pred is false everywhere (a reverse-continue), so chunks
    // whose summaries rule out every hit are skipped without executing them.
    static constexpr uint64_t kScanCancelled = ~uint64_t{0};
    Stop cancelledBack() const;
    template <class Pred>
    std::optional<std::pair<uint64_t, std::string>> scanBack(Pred pred, bool stopOnHits, bool predNever) const;
    bool chunkMayHit(const StepChunk& c) const;
    bool stepsMayHit(uint64_t from, uint64_t to) const;  // 0-based step indices, inclusive
    void markDirty(uint64_t from) { dirtyFrom_ = std::min(dirtyFrom_, from); }
    // False when the progress callback cancels (checked every kProgressEvery of `done`).
    bool keepGoing(uint64_t done, uint64_t total) const {
        return !progress_ || done % kProgressEvery != 0 || progress_(done, total);
    }
    Progress progress_;
    Progress setupProgress_;

    Session session_;
    std::string variant_;
    Overrides overrides_;
    std::optional<Timeline> timeline_;
    std::optional<uint8_t> chosen_;
    bool manual_ = false;
    uint64_t planned_ = 0;  // see plannedSteps()
    uint64_t replayDivergedAt_ = 0;
    std::string loadNote_, scheduleNote_;
    std::vector<Breakpoint> breakpoints_;
    std::vector<Watchpoint> watchpoints_;
    uint64_t dirtyFrom_ = 0;
};

// Depth of a task's kernel call stack (0: between operations).
inline size_t depthOf(const State& s, uint8_t task) { return s.tasks[task].stack.size(); }

// ---- compare ---------------------------------------------------------------------
// States compared as the user sees them: everything but the toggles.
bool sameExceptToggles(const State& a, const State& b);
// Up to `max` human-readable differences ("A.pte[8]: none | M").
std::vector<std::string> stateDiff(const State& a, const State& b, size_t max = 12);

struct Divergence {
    bool found = false;
    uint64_t step = 0;  // first n whose state (after step n) differs, or whose task differs
    std::string detail;
    std::vector<std::string> cells;  // differences at that step
};
// Walks both timelines from their initial states over their common length.
Divergence firstDivergence(const Timeline& a, const Timeline& b);

}  // namespace faultline::debug
