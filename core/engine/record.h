// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What one micro-step did: the pieces of kernel code it ran (function, step id,
// "what happened and why"), the state cells it changed, the checker's findings
// and the uffd messages it raised. The trace of a run is a vector of these.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace faultline {

enum class Fn : uint8_t;

struct StepPiece {
    Fn fn{};
    uint8_t pc = 0;
    std::string text;
};

// A cell of the state, as the views and C2 name it.
enum class CellKind : uint8_t { Pte, Xa, Folio, Slot, Inode, Uffd, Task, Lock, Vma };
struct CellRef {
    CellKind kind = CellKind::Pte;
    uint8_t mm = 0;    // Pte, Vma
    uint64_t key = 0;  // Pte: vpn; Xa: index; Folio: pfn; Slot: slot; Task: task index
    friend bool operator==(const CellRef&, const CellRef&) = default;
    friend auto operator<=>(const CellRef&, const CellRef&) = default;
};

enum class Rule : uint8_t { C1, C2, C3, C4, Engine };
std::string_view ruleName(Rule r);   // "C1" ...
std::string_view ruleTitle(Rule r);  // "silent write" ...

struct Finding {
    Rule rule = Rule::C1;
    uint64_t step = 0;  // 1-based step number
    uint8_t task = 0;
    int64_t index = -1;  // file page index (or VMA page for anon), -1 if none
    int mm = -1;
    std::string text;  // "A1 wrote A[8] (tag a1) while protected; no WP message since UFFDIO_WRITEPROTECT"
    friend bool operator==(const Finding&, const Finding&) = default;
};

struct StepRecord {
    uint64_t number = 0;  // 1-based
    uint8_t task = 0;
    std::vector<StepPiece> pieces;
    std::vector<CellRef> changed;  // sorted, unique
    // Finer kernel steps that ran inside this micro-step's rows (StepContext::
    // substep: "ZP.3" in zap_pte_range), in order, unique; static strings.
    // Breakpoints on them stop on this step.
    std::vector<std::string_view> subSteps;
    std::vector<Finding> findings;
    struct RaisedMsg {
        uint32_t id = 0;
        std::string text;  // "MISS(8)", "WP(8,W)", "MINOR(3)"
        friend bool operator==(const RaisedMsg&, const RaisedMsg&) = default;
    };
    std::vector<RaisedMsg> raised;  // uffd messages queued by this step
    uint64_t hashAfter = 0;
    bool opDone = false;   // the task finished a program operation in this step
    int32_t opResult = 0;  // its return value (negative errno for a failed ioctl)
    uint8_t opSignal = 0;  // SIGBUS / SIGSEGV the finished access raised, else 0

    // The piece that names the step: the first one, the code the step
    // started in (where the task stands afterwards is its stack's top).
    const StepPiece& main() const { return pieces.front(); }
    std::string summary() const;  // all pieces' texts joined with "; "
};

}  // namespace faultline
