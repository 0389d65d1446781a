// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What the explorer hands back as files: a counterexample as a session with
// a recording (faultline-cli replay verifies it, the window opens it), and the
// results of one or more searches as JSON (format faultline-explore), which
// `explore merge` reads back to combine shards.
#include <string>
#include <vector>

#include "explore/explorer.h"
#include "json/json.h"
#include "session/session.h"

namespace faultline {

// The session with no schedule or expectations, the variant set, and a
// recording of `schedule` (state hashes re-computed by running it).
Session counterexampleSession(const Session& s, const ExploreResult& r, const GoalResult& g);

json::Value exploreResultJson(const ExploreResult& r, const ExploreOptions& o);
// Combines shard results (same session and bounds): per goal the shortest
// (then fewest preemptions, then the lowest shard); counts summed; the stop
// reason is the first non-exhausted one. "" or an error text.
std::string mergeResultsJson(const std::vector<json::Value>& shards, json::Value& out);

}  // namespace faultline
