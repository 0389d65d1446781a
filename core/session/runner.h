// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Running a session headless: setup, the session's schedule, then the default
// policy to the end; checking its expectations; replaying its recording.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "session/session.h"
#include "session/timeline.h"

namespace faultline {

struct RunOptions {
    std::string variant;                                       // empty: the session's
    std::vector<std::pair<std::string, std::string>> toggles;  // on top of the session's
    uint64_t stepLimit = 5'000'000;
    // false: the timeline keeps only its newest records (a long run, a
    // debugger's): the others are executed again from their chunk when read.
    bool keepRecords = true;
    // false: findings / messages / opErrors / signals below are left empty
    // (the debugger reads the timeline itself).
    bool results = true;
    // Called between directives and every 4096 steps (inside a directive and
    // of the default policy) with the steps run so far; false stops the run
    // (RunEnd::Cancelled). Empty: never.
    std::function<bool(uint64_t steps)> progress;
    // Called while the setup runs (see SetupProgress); false stops it (RunResult::error "cancelled").
    std::function<bool(uint64_t done, uint64_t total)> setupProgress;
};

struct RunResult {
    std::string error;  // bad variant/toggle or a setup that could not complete: nothing ran
    std::string variant;
    Toggles toggles;
    std::optional<Timeline> timeline;
    RunEnd end = RunEnd::Running;
    std::string endText;                   // deadlock description, schedule error, engine error
    std::vector<Finding> findings;         // all, in step order
    std::vector<std::string> messages;     // uffd messages raised, in order ("MISS(8)", "WP(8,W)")
    std::vector<std::string> opErrors;     // "step 12: M uffdio_copy 8: -EEXIST"
    std::vector<std::string> signals;      // "A1:SIGSEGV", in order: accesses that ended in a signal
    std::vector<std::string> signalSteps;  // the same with where: "step 9: A1: read 3: SIGSEGV"
};

RunResult runSession(const Session& s, const RunOptions& opt = {});

// One line per difference between a run and an expectation; empty = pass.
std::vector<std::string> compareExpectation(const RunResult& r, const Expectation& e);
// Runs every expectation of the session under its variant.
struct CheckLine {
    std::string variant;
    bool pass = false;
    std::string detail;  // first difference, or the run's error
};
std::vector<CheckLine> checkSession(const Session& s);

// Records a run into the session's recording format.
Recording makeRecording(const RunResult& r);
// Replays the session's recording; returns the first divergent step (1-based)
// or 0 if every state hash matched, with a description.
struct ReplayResult {
    std::string error;        // could not replay at all
    uint64_t divergedAt = 0;  // 0 = reproduced
    std::string detail;
    uint64_t steps = 0;
};
ReplayResult replayRecording(const Session& s);

}  // namespace faultline
