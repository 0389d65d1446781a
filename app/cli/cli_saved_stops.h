// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What faultline-cli does with the breakpoints and watchpoints a session
// file keeps with its recording (docs/session-format.md): `run` names them
// (on stderr, so the verdict stays as it was), `run
// --stop-at-saved-breakpoints` stops at them as the window's Continue does,
// and `stops` lists them. An entry that cannot be used is a warning with its
// file:line:column, never a failure of the rest.
#include <cstdint>
#include <string>

#include "cli_commands.h"
#include "session/session.h"

namespace faultline::cli {

// One line on stderr when the file keeps breakpoints or watchpoints (nothing otherwise).
void noteSavedStops(const Session& s, const std::string& file);
// Runs the session in the debugger (its recording, or the schedule under
// another --kernel / --set) with the saved breakpoints and watchpoints and
// stops at the first `maxStops` hits. 0: stopped; 1: the run ended without a
// stop; 2: the file keeps none, or the run could not start.
int runToSavedStops(const Session& s, const std::string& file, const std::string& kernel,
                    const ToggleOverrides& toggles, uint64_t maxSteps, uint64_t maxStops);

}  // namespace faultline::cli
