// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The interleaving explorer: a breadth-first search over every schedule of a
// session's tasks (the monitor and IO included) within user bounds, over
// whole-state values, with a visited set of 128-bit future keys and parent
// links (no stored states) and partial-order reduction by sleep sets and
// persistent sets (core/explore/persistent_set.h). It returns,
// for each goal reached, the shortest schedule that reaches it. See
// docs/explore.md.
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/record.h"
#include "explore/future_key.h"
#include "model/toggles.h"
#include "session/session.h"

namespace faultline {

struct GoalSpec {
    std::vector<Rule> rules{Rule::C1, Rule::C3};  // a finding of any of these (Rule::Engine: an engine error)
    bool deadlock = false;
    // A predicate on a finished run's final state: every cell has its value
    // (the spelling of a session's expect.cells). Empty: no such goal.
    std::vector<std::pair<std::string, std::string>> finalCells;
    // Parses "C1,C3,deadlock,engine,final"; "" on success, else why not.
    static std::string parse(const std::string& list, GoalSpec& out);
    std::vector<std::string> names() const;  // "C1", "C3", "deadlock", "engine", "final"
};

struct ExploreOptions {
    std::string variant;                                       // empty: the session's
    std::vector<std::pair<std::string, std::string>> toggles;  // on top of the session's
    uint64_t maxSteps = 400;                                   // schedule length bound
    int maxPreemptions = -1;                                   // -1: unbounded
    uint64_t maxStates = 20'000'000;
    double timeLimit = 0;      // seconds, 0: none
    uint64_t memoryLimit = 0;  // bytes, 0: none
    unsigned threads = 1;
    bool reduction = true;  // sleep sets (used only when preemptions are unbounded)
    // With `reduction` and without `stopWhenAllFound`: persistent sets too
    // (core/explore/persistent_set.h), then a second search without them for
    // the shortest schedules.
    bool persistentSets = true;
    bool stopWhenAllFound = false;
    GoalSpec goals;
    unsigned shardIndex = 0, shardCount = 1;
    const std::atomic<bool>* cancel = nullptr;
    // Resident memory of the process, if the caller can tell (the core makes no syscalls).
    std::function<uint64_t()> memoryUsage;
    struct Progress {
        uint64_t states = 0, transitions = 0, depth = 0, bytes = 0;
        double seconds = 0;
    };
    std::function<void(const Progress&)> progress;  // called from the calling thread
    bool collectFinals = false;                     // tests: keep the key of every finished / deadlocked state
};

enum class StopReason { Exhausted, StepBound, StateLimit, TimeLimit, MemoryLimit, Cancelled, AllGoalsFound };
std::string_view stopReasonName(StopReason r);  // "exhausted", "step-bound", "state-limit", ...
std::string stopReasonText(StopReason r);       // "exhausted within bound", "stopped at the state limit", ...

struct GoalResult {
    std::string goal;  // "C1", "deadlock", ...
    bool found = false;
    std::vector<uint8_t> schedule;  // task index of every step
    uint64_t preemptions = 0;
    std::string detail;  // the finding's text, the deadlock, ...
    uint8_t task = 0;    // the task whose step reached it
};

// A finding as the soundness tests compare them.
struct FindingKey {
    int rule = 0, task = 0, mm = -1;
    int64_t index = -1;
    friend auto operator<=>(const FindingKey&, const FindingKey&) = default;
};

struct ExploreResult {
    std::string error;  // bad variant / toggle / setup: nothing explored
    std::string variant;
    Toggles toggles;
    std::vector<GoalResult> goals;  // one per goal, in GoalSpec::names() order
    StopReason stop = StopReason::Exhausted;
    bool preemptionCut = false;  // some schedule was cut by the preemption bound
    uint64_t states = 0;         // nodes stored
    uint64_t distinct = 0;       // distinct state keys among them (the rest: states expanded again for a smaller sleep set)
    uint64_t transitions = 0;    // steps executed
    uint64_t slept = 0;          // steps the sleep sets skipped
    uint64_t pruned = 0;         // steps left out by the persistent sets
    // The second search (persistent sets off, up to the longest schedule
    // found) that made each found schedule a shortest one; 0 if none ran.
    uint64_t shortestStates = 0;
    double shortestSeconds = 0;
    uint64_t maxDepth = 0;
    double seconds = 0;
    uint64_t peakBytes = 0;   // measured (memoryUsage) or the explorer's own estimate
    uint64_t storeBytes = 0;  // visited table + parent links
    unsigned shardIndex = 0, shardCount = 1;
    // collectFinals only:
    std::vector<FutureKey> finals;         // sorted
    std::vector<FindingKey> findingsSeen;  // sorted, unique (every rule)
    double reductionRatio() const { return transitions ? double(transitions + slept + pruned) / double(transitions) : 1.0; }
    bool anyFound() const;
};

ExploreResult explore(const Session& s, const ExploreOptions& opt);

// Checks a bound/option set; "" if fine, else the message (the CLI exits 2).
std::string validateOptions(const ExploreOptions& opt);

}  // namespace faultline
