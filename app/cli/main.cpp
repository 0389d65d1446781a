// SPDX-License-Identifier: GPL-3.0-or-later
// faultline-cli: runs sessions headless (scripts, CI). Links the engine only.
// `faultline-cli --help` and `faultline-cli COMMAND --help` list the commands
// and their options. Exit codes: 0 fine, 1 an expectation or replay failed,
// 2 bad input.
#include "cli_commands.h"

int main(int argc, char** argv) { return faultline::cli::runCli(argc, argv); }
