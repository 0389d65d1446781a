// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/record.h"

namespace faultline {

std::string_view ruleName(Rule r) {
    switch (r) {
    case Rule::C1: return "C1";
    case Rule::C2: return "C2";
    case Rule::C3: return "C3";
    case Rule::C4: return "C4";
    case Rule::Engine: return "engine";
    }
    return "?";
}

std::string_view ruleTitle(Rule r) {
    switch (r) {
    case Rule::C1: return "silent write";
    case Rule::C2: return "uffd-wp dropped";
    case Rule::C3: return "minor fault bypassed";
    case Rule::C4: return "accounting";
    case Rule::Engine: return "engine error";
    }
    return "?";
}

std::string StepRecord::summary() const {
    std::string s;
    for (const StepPiece& p : pieces) {
        if (p.text.empty()) continue;
        if (!s.empty()) s += "; ";
        s += p.text;
    }
    return s;
}

}  // namespace faultline
