// SPDX-License-Identifier: GPL-3.0-or-later
#include "explore/explore_check.h"

#include <algorithm>

#include "explore/explorer.h"
#include "model/variants.h"

namespace faultline {

std::vector<CheckLine> checkExploreExpectation(const Session& s, unsigned threads) {
    std::vector<CheckLine> out;
    if (!s.exploreExpect) return out;
    const ExploreExpectation& e = *s.exploreExpect;
    for (const Variant& v : variants()) {
        ExploreOptions o;
        o.variant = std::string(v.id);
        o.maxPreemptions = e.preemptions;
        o.maxSteps = e.maxSteps;
        o.goals.rules = {Rule::C1};
        o.stopWhenAllFound = true;
        o.threads = threads;
        const ExploreResult r = explore(s, o);
        CheckLine l;
        l.variant = "explore " + o.variant;
        const bool want = std::find(e.c1Variants.begin(), e.c1Variants.end(), o.variant) != e.c1Variants.end();
        const bool got = r.error.empty() && r.goals.at(0).found;
        const bool complete = r.stop == StopReason::Exhausted || r.stop == StopReason::StepBound;
        // A variant that refuses the session's setup (it predates an operation
        // or feature the setup uses) reaches nothing: right unless C1 was wanted.
        const bool refusedSetup = !r.error.empty() && r.error.find("setup step") != std::string::npos;
        if (refusedSetup && !want) l.detail = "";
        else if (!r.error.empty()) l.detail = r.error;
        else if (want && !got) l.detail = "no C1 within the bound (" + stopReasonText(r.stop) + ")";
        else if (!want && got)
            l.detail = "C1 in " + std::to_string(r.goals[0].schedule.size()) + " steps: " + r.goals[0].detail;
        else if (!want && !complete) l.detail = "search not finished: " + stopReasonText(r.stop);
        l.pass = l.detail.empty();
        out.push_back(l);
    }
    return out;
}

}  // namespace faultline
