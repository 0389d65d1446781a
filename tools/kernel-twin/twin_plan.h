// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The kernel twin's plain-code half (no syscalls): turns a session into the
// operations the kernel runs (setup, then every program operation in the order
// the simulation completes them under the session's schedule), simulates the
// same operations one after another under `upstream` to get the simulated
// observation after each, and compares kernel and simulated observations cell
// by cell in the cells' canonical text (core/session/cells.h).
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "session/session.h"
#include "twin_rt.h"

namespace faultline::kernel {

// What one side shows after one operation.
struct Observation {
    std::string label;                                       // "A1: read A[8]"
    std::string result;                                      // "ok", "-EEXIST", "read=b0", "SIGBUS", "blocked"
    std::string msgs;                                        // "MISS(8) WP(8,W)" or "-"
    std::vector<std::pair<std::string, std::string>> cells;  // name -> value, in table order
};

struct PlannedOp {
    int task = -1;
    bool setup = false;
    Op op;
    std::string label;
    bool standIn = false;  // the kernel runs something else in its place (reclaim); see note
    std::string note;
};

struct CellSpec {
    std::string name;  // "A.pte[8]", "xa[8]", "data[8]"
    int kind = TW_CELL_PTE;
    int mm = -1, vma = -1;
    uint64_t page = 0;
};

// The race: which operations start together, which follow, how to re-arm.
struct RacePlan {
    std::string error;        // why the session has no race to run
    std::vector<int> racers;  // indexes into Plan::ops
    std::vector<int> follow;
    std::vector<int> rearm;
    int watch = -1;               // index into Plan::cells
    bool watchProtected = false;  // the monitor's intent on the watched page after setup
    std::string simFindings;      // findings of the simulated schedule under upstream: "C1,C2" or ""
};

struct Plan {
    std::string error;  // bad input: nothing to run
    std::string name, description;
    std::vector<PlannedOp> ops;
    size_t nsetup = 0;
    std::vector<CellSpec> cells;
    std::vector<Observation> sim;  // after every op
    std::vector<std::string> notes;
    RacePlan race;

    // twin_rt tables (point into the storage below; built by makePlan).
    tw_world world{};
    std::vector<tw_op> twOps;
    std::vector<tw_cell> twCells;
    std::deque<std::string> strings;
    Plan() = default;
    Plan(const Plan&) = delete;
    Plan& operator=(const Plan&) = delete;
};

// Builds the plan; plan.error says why the session cannot be run on the kernel.
void makePlan(const Session& s, Plan& plan);

// The lines twin_rt prints, read back.
struct ParsedRun {
    std::vector<Observation> ops;
    std::vector<std::string> notes;  // "# ..." lines
};
ParsedRun parseObservations(const std::string& text);

// Whether a kernel value agrees with a simulated one: equal, or equal where
// the kernel shows '?' (a bit it cannot see). A value that is all '?' is not
// an observation.
bool comparable(const std::string& kernelValue);
bool agrees(const std::string& kernelValue, const std::string& simValue);

struct CompareRow {
    size_t op = 0;  // 1-based
    std::string label, cell, kernel, sim;
    bool agree = true;
    bool changed = false;  // either side changed since the previous op
};
struct Comparison {
    std::vector<CompareRow> rows;  // compared observations only
    size_t agreed = 0;
    size_t total = 0;
    int firstDisagreement = -1;  // index into rows
    std::string error;           // the runs do not line up
};
Comparison compare(const std::vector<Observation>& kernel, const std::vector<Observation>& sim);

// What the twin cannot compare, said once per run.
const std::vector<std::string>& notComparable();

// The race loop's result, read back from twin_rt's lines.
struct RaceOutcome {
    std::string cls;  // "C1+C2", "C1", "C2", "clean"
    long count = 0;
    std::string key;
    std::vector<long> histogram;
};
struct RaceResult {
    long iterations = 0;
    double seconds = 0;
    int windowUs = 0;                          // 0: calibrated
    long long offsetLoNs = 0, offsetHiNs = 0;  // the swept offsets of racer 1; the histogram's bins divide them
    long long durationNs[2] = {0, 0};          // the first two racers alone, measured on this kernel
    long late = 0;                             // iterations where a racer began > 2 us after its start time
    std::string sampling;                      // "adaptive" or "uniform"
    long rearmFailed = 0, stuck = 0;
    bool interrupted = false;
    std::vector<RaceOutcome> outcomes;
    long withRule(const std::string& rule) const;  // iterations whose class contains rule
};
RaceResult parseRace(const std::string& text);

}  // namespace faultline::kernel
