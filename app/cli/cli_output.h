// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// How the CLI prints runs, checks, replays and variants: text for people,
// JSON (docs/session-format.md, "CLI JSON output") for scripts.
#include <string>
#include <vector>

#include "session/runner.h"
#include "session/session.h"

namespace faultline::cli {

struct CheckReport {
    std::string file;
    std::string error;  // load error
    std::vector<CheckLine> lines;
};

void printTrace(const RunResult& r);
void printVerdict(const Session& s, const RunResult& r);
void printCheck(const std::vector<CheckReport>& reports);
void printVariants();

std::string runJson(const Session& s, const std::string& file, const RunResult& r, bool trace);
std::string checkJson(const std::vector<CheckReport>& reports);
std::string replayJson(const std::string& file, const ReplayResult& r);
std::string variantsJson();

}  // namespace faultline::cli
