// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Checks a session's `explore` expectation: under every kernel variant, the
// explorer (goal C1, the expectation's bounds) reaches C1 exactly under the
// variants it lists, and the search of every other variant is exhausted.
#include <vector>

#include "session/runner.h"
#include "session/session.h"

namespace faultline {

// One line per variant ("explore baseline-2020"); empty if the session has no expectation.
std::vector<CheckLine> checkExploreExpectation(const Session& s, unsigned threads = 1);

}  // namespace faultline
