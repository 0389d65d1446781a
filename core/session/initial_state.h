// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Builds the state a session starts from: the geometry, then the setup
// operations, each run to completion by its task alone.
#include <cstdint>
#include <functional>
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
// Called while the setup runs with (units done, units in all), a unit being a
// page of a setup write(2) and one for any other setup operation, at least
// once per operation and every kSetupProgressEvery pages of a long write;
// returning false stops the setup (InitialState::error is kSetupCancelled).
// A 262,144-page file takes a while to fill: this is what a progress bar shows then.
using SetupProgress = std::function<bool(uint64_t done, uint64_t total)>;
inline constexpr uint64_t kSetupProgressEvery = 4096;
inline constexpr const char* kSetupCancelled = "cancelled";
// The units the setup of `s` reports in all (see SetupProgress).
uint64_t setupUnits(const Session& s);

// bulkWrites: a write(2) of holes is applied in one go (the same state as its
// micro-steps, see initial_state.cpp); false runs every micro-step (tests).
InitialState buildInitialState(const Session& s, const Toggles& toggles, bool bulkWrites = true,
                               const SetupProgress& progress = {});

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
                          const std::vector<std::pair<std::string, std::string>>& extra,
                          const SetupProgress& progress = {});

}  // namespace faultline
