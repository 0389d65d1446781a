// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A session: what to simulate (geometry, actors and their programs, setup),
// under which kernel variant, how to schedule it, what to expect per variant,
// and optionally a recording of an exact run. Loaded from and saved to the
// JSON format of docs/session-format.md by session_io.h.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/record.h"
#include "model/config.h"

namespace faultline {

struct VmaSpec {
    std::string name = "file";
    uint64_t start = 0;  // virtual page number
    uint64_t pgoff = 0;  // file VMA: first file page
    uint64_t pages = 0;
    bool file = true;
    bool write = true;
    bool shared = true;
};

struct MmSpec {
    std::string name;
    std::vector<VmaSpec> vmas;  // a fork child: its parent's (where its VMAs will be), none mapped at the start
    int forkOf = -1;            // "fork_of": the mm a `fork` operation copies into this one, or -1
};

struct SetupStep {
    int task = 0;
    Op op;
};

// One entry of a schedule: which task runs, and for how long.
struct Directive {
    enum class Kind { Steps, UntilStep, UntilBlocked, UntilDone, Ops };
    Kind kind = Kind::Steps;
    int task = 0;
    uint64_t count = 1;  // Steps, Ops
    std::string stepId;  // UntilStep: run until the task's next step is this id
    std::string text() const;
};

struct ExpectedFinding {
    Rule rule = Rule::C1;
    int64_t index = -1;  // -1: any page
    int count = 1;
};

struct Expectation {
    std::string variant;
    std::vector<std::pair<std::string, std::string>> toggles;  // applied on top of the variant
    std::optional<std::vector<ExpectedFinding>> findings;      // exact multiset, when given
    std::optional<std::vector<std::string>> messages;          // uffd messages raised, in order
    std::optional<std::vector<std::string>> signals;         // "A1:SIGSEGV" per access that ended in a signal, in order
    std::vector<std::pair<std::string, std::string>> cells;  // "A.pte[8]" -> "P(1,1,0)"
    std::optional<std::string> end;                          // "finished", "deadlock", ...
};

// What the interleaving explorer must find for the session's tasks (its
// schedule ignored): the variants that reach C1 within the bound, and no other.
struct ExploreExpectation {
    int preemptions = -1;  // -1: unbounded
    uint64_t maxSteps = 400;
    std::vector<std::string> c1Variants;
};

// A breakpoint or watchpoint kept with a recording, as the text the debugger
// parses ("filemap_map_pages MP.7", "A.pte[8].uffd_wp"; core/debug checks it
// when it is restored). An entry that could not be read keeps the reason in
// `error` and its place, so the rest of the file still loads.
struct SavedStop {
    std::string spec;
    bool enabled = true;
    uint64_t hits = 0;
    int line = 0, column = 0;  // where it was read (0: not read from a file)
    std::string error;         // why the entry could not be read ("" = fine)
    // An entry that could not be read: its JSON as written (one line), so it
    // is written back as it was rather than lost on the next save.
    std::string raw;
    friend bool operator==(const SavedStop& a, const SavedStop& b) {
        return a.spec == b.spec && a.enabled == b.enabled && a.hits == b.hits && a.error == b.error && a.raw == b.raw;
    }
};

struct Recording {
    std::string variant;
    std::vector<std::pair<std::string, std::string>> toggles;
    std::vector<uint8_t> schedule;  // task index of every step
    std::vector<uint64_t> hashes;   // state hash after every step
    std::vector<SavedStop> breakpoints, watchpoints;  // the debugger's, when the run was saved
};

struct Session {
    std::string name;
    std::string description;
    uint64_t filePages = 32;
    uint32_t swapSlots = 64;
    std::vector<MmSpec> mms;
    Config config;  // tasks, programs, monitor policy (mm and VMA names filled from mms)
    std::vector<SetupStep> setup;
    std::string variant = "upstream";
    std::vector<std::pair<std::string, std::string>> toggles;
    std::vector<Directive> schedule;
    bool scheduleThenDefault = true;  // after the directives, the default policy runs to the end
    std::vector<Expectation> expectations;
    std::optional<ExploreExpectation> exploreExpect;
    std::optional<Recording> recording;
};

}  // namespace faultline
