#include <cstdio>

#include "cli_commands.h"
#include "faultline_version.h"

namespace faultline::cli {

namespace {
const char* kUsage =
    "usage: faultline-cli COMMAND ...\n"
    "  run SESSION [--kernel ID] [--set TOGGLE=VALUE]... [--trace] [--json] [--record OUT]\n"
    "      run a session; --trace prints one line per micro-step; --record writes the\n"
    "      session with a recording of this run (schedule and state hashes) to OUT\n"
    "  check SESSION... [--json]\n"
    "      run each session under every variant its expectations name and compare\n"
    "  replay SESSION [--json]\n"
    "      re-run a session's recording and verify every state hash\n"
    "  variants [--json]\n"
    "      list the kernel variants and their toggles\n"
    "  --version\n"
    "      print the version\n"
    "exit codes: 0 fine, 1 an expectation or replay failed, 2 bad input\n";
// `--version` prints this (with CLI11: app.set_version_flag("--version", kVersionLine)).
const char* kVersionLine = "faultline-cli " FAULTLINE_VERSION;
}

int dispatch(const std::vector<std::string>& args) {
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        std::fputs(kUsage, args.empty() ? stderr : stdout);
        return args.empty() ? kBadInput : kOk;
    }
    if (args[0] == "--version") {
        std::puts(kVersionLine);
        return kOk;
    }
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (args[0] == "run") return cmdRun(rest);
    if (args[0] == "check") return cmdCheck(rest);
    if (args[0] == "replay") return cmdReplay(rest);
    if (args[0] == "variants") return cmdVariants(rest);
    std::fprintf(stderr, "faultline-cli: unknown command '%s'\n%s", args[0].c_str(), kUsage);
    return kBadInput;
}

}  // namespace faultline::cli
