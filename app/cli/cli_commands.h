// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// faultline-cli's commands. Each one registers a CLI11 subcommand on the
// application (its options typed and range-checked by CLI11) and, when it is
// the command given, runs from the subcommand's callback and stores its exit
// code. Options several commands share (--kernel, --set, --max-steps) are
// added by the helpers below so they read and fail the same way everywhere.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

namespace faultline::cli {

enum Exit { kOk = 0, kFailed = 1, kBadInput = 2 };

// Parses argv, runs the chosen command and returns the process's exit code:
// the command's, 0 for --help/--version, 2 for any parse error (the message
// names the option and the value).
int runCli(int argc, char** argv);

void addRunCommand(CLI::App& app, int& exitCode);
void addCheckCommand(CLI::App& app, int& exitCode);
void addReplayCommand(CLI::App& app, int& exitCode);
void addVariantsCommand(CLI::App& app, int& exitCode);
void addExploreCommand(CLI::App& app, int& exitCode);
void addKernelCommand(CLI::App& app, int& exitCode);  // cmd_kernel.cpp: the kernel twin
void addStopsCommand(CLI::App& app, int& exitCode);   // cli_saved_stops.cpp: the saved breakpoints

using ToggleOverrides = std::vector<std::pair<std::string, std::string>>;

// --kernel ID: a known variant id (an empty or unknown id is a parse error).
CLI::Option* addKernelOption(CLI::App* cmd, std::string& variant);
// --set TOGGLE=VALUE, repeatable; the toggle name and value are checked when
// the run resolves them (the message then lists what is known).
CLI::Option* addSetOption(CLI::App* cmd, ToggleOverrides& toggles);
// A whole decimal number in [lo, hi]: refuses "abc", "", "-5", "1e3", "10abc"
// and out-of-range values with a message that names the value and the range.
CLI::Validator wholeNumberIn(uint64_t lo, uint64_t hi);
// --max-steps N: a positive step limit.
CLI::Option* addMaxStepsOption(CLI::App* cmd, uint64_t& limit);

}  // namespace faultline::cli
