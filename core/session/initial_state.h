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
InitialState buildInitialState(const Session& s, const Toggles& toggles);

}  // namespace faultline
