// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Maps a user-level operation to the kernel entry frame that carries it out.
#include "model/config.h"
#include "model/state.h"

namespace faultline {
// Throws EngineError for an operation that cannot start (e.g. an address the
// task's mm does not map); the session loader rejects most such ops earlier.
StackFrame entryFrame(const State& s, uint8_t task, const Op& op);
}  // namespace faultline
