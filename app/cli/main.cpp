// faultline-cli: runs sessions headless (scripts, CI). Links the engine only.
//   faultline-cli run SESSION [--kernel ID] [--set T=V]... [--trace] [--json] [--record OUT]
//   faultline-cli check SESSION... [--json]
//   faultline-cli replay SESSION [--json]
//   faultline-cli variants [--json]
// Exit codes: 0 fine, 1 an expectation or replay failed, 2 bad input.
#include <cstdio>
#include <string>
#include <vector>

#include "cli_commands.h"

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    return faultline::cli::dispatch(args);
}
