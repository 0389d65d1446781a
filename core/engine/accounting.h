// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// C4: the engine's self-check of reference, map and swap accounting
// (spec §1.5, §1.6). Violations are engine bugs.
#include <string>
#include <vector>

#include "engine/record.h"
#include "model/state.h"

namespace faultline {
// Checks the folios and swap slots a step touched (and the folios its touched
// ptes point to). Cost grows with the step, not with the file.
std::vector<std::string> checkTouched(const State& s, const std::vector<CellRef>& changed);
// Checks everything, including rss counters.
std::vector<std::string> checkAccounting(const State& s);
}  // namespace faultline
