// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Builds the state a session starts from: the geometry, then the setup
// operations, each run to completion by its task alone.
#include <memory>
#include <string>
#include <vector>

#include "model/state.h"
#include "model/variants.h"
#include "session/session.h"

namespace faultline {

// Resolves a variant id plus toggle overrides; error text on failure.
struct ToggleResult {
    Toggles toggles;
    std::string error;
};
ToggleResult resolveToggles(const std::string& variant,
                            const std::vector<std::pair<std::string, std::string>>& overrides);

struct InitialState {
    State state;
    std::string error;  // non-empty: the setup could not be completed (which op, why)
};
// bulkWrites: a write(2) of holes is applied in one go (the same state as its
// micro-steps, see initial_state.cpp); false runs every micro-step (tests).
InitialState buildInitialState(const Session& s, const Toggles& toggles, bool bulkWrites = true);

// Where a run of `s` starts: the toggles of `variant` (empty: the session's)
// with the session's own overrides and then `extra` on top, and the state after
// the setup. What run, replay and the explorer share.
struct SessionStart {
    std::string variant;
    Toggles toggles;
    State state;
    std::string error;  // a bad variant or toggle, or a setup that could not complete
};
SessionStart startSession(const Session& s, const std::string& variant,
                          const std::vector<std::pair<std::string, std::string>>& extra);

}  // namespace faultline
