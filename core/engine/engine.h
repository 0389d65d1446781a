// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The engine: executes one micro-step of one task on a State. Stateless
// itself; everything lives in the State value, so a caller can copy a state,
// step both copies and compare them.
#include <cstdint>
#include <string>

#include "engine/record.h"
#include "model/state.h"

namespace faultline {

// A task can take a step: it is runnable and has a frame or an operation left.
bool isRunnable(const State& s, uint8_t task);
bool anyRunnable(const State& s);
// Every task other than the monitor has finished its program.
bool workDone(const State& s);
// Executes one micro-step of `task` (must be runnable) and returns its record.
// Engine bugs (broken invariants) come back as a Rule::Engine finding.
// withHash false leaves rec.hashAfter 0 (the explorer keys states itself).
// Narrate::No gives the same record with empty piece texts, at a fraction
// of the cost (step_context.h FL_AT): for re-executions whose texts nobody
// reads. Findings and raised messages keep their texts either way.
enum class Narrate : bool { No, Yes };
StepRecord step(State& s, uint8_t task, bool withHash = true, Narrate narrate = Narrate::Yes);
// Pushes an operation's entry frame on an idle task (used to run setup ops that
// are not part of the task's program).
void startOp(State& s, uint8_t task, const Op& op);
// Where a task stands: "do_fault_around FA.2" / "idle" / "done".
std::string whereIs(const State& s, uint8_t task);
// The step id the task will execute next ("" if none).
std::string nextStepId(const State& s, uint8_t task);

// C4: full accounting check of the whole state (O(state)); the per-step check
// covers only touched cells. Returns one message per violation.
std::vector<std::string> checkAccounting(const State& s);

}  // namespace faultline
