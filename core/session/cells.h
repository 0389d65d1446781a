// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Canonical text of state cells, as session expectations, the CLI and the
// views spell them (spec §8.1 legend):
//   "A.pte[8]"  → "none" | "M" (uffd-wp marker) | "P(w,d,wp)" e.g. "P(1,1,0)" | "swap(wp)" / "swap"
//   "xa[8]"     → "hole" | "F(tag)" e.g. "F(a1)" | "S"
//   "data[8]"   → the content tag of the file page (through the cache or swap), "hole" if none
//   "slot[3]"   → "free" | "count=1,cache" ...
#include <optional>
#include <string>

#include "engine/record.h"
#include "model/state.h"

namespace faultline {

std::string pteCellText(const Pte& p);
std::string xaCellText(const State& s, uint64_t index);
// Names a changed cell the way the trace prints it: "A.pte[8]", "xa[8]",
// "p12", "slot[3]", "task A1", "uffd", "inode", "locks", "vmas A".
std::string cellRefName(const State& s, const CellRef& c);
// Evaluates a cell name; nullopt with `error` set if the name is malformed.
std::optional<std::string> cellValue(const State& s, const std::string& cell, std::string* error);

}  // namespace faultline
