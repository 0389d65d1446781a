// SPDX-License-Identifier: GPL-3.0-or-later
// The CLI11 application: global flags, the commands, and the mapping of
// CLI11's outcomes to faultline-cli's exit codes (0 fine, 1 failed, 2 bad input).
#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "cli_commands.h"
#include "faultline_version.h"
#include "model/toggles.h"
#include "model/variants.h"

namespace faultline::cli {

namespace {

std::string knownVariants() {
    std::string s;
    for (const Variant& v : variants()) s += (s.empty() ? "" : ", ") + std::string(v.id);
    return s;
}

}  // namespace

CLI::Option* addKernelOption(CLI::App* cmd, std::string& variant) {
    return cmd->add_option("--kernel", variant, "kernel variant to run under (default: the session's); see `variants`")
        ->type_name("ID")
        ->check(CLI::Validator(
            [](std::string& id) -> std::string {
                if (findVariant(id)) return "";
                return "unknown kernel variant '" + id + "' (known: " + knownVariants() + ")";
            },
            "", "variant"));
}

CLI::Option* addSetOption(CLI::App* cmd, ToggleOverrides& toggles) {
    auto* opt = cmd->add_option_function<std::vector<std::string>>(
        "--set",
        [&toggles](const std::vector<std::string>& items) {
            for (const std::string& t : items) {
                const auto eq = t.find('=');
                toggles.emplace_back(t.substr(0, eq), t.substr(eq + 1));
            }
        },
        "set one toggle on top of the variant (repeatable); see `variants`");
    opt->type_name("TOGGLE=VALUE")
        ->allow_extra_args(false)
        ->check(CLI::Validator(
            [](std::string& t) -> std::string {
                const auto eq = t.find('=');
                if (eq == std::string::npos || eq == 0) return "--set takes TOGGLE=VALUE, not '" + t + "'";
                return "";
            },
            "", "toggle"));
    return opt;
}

CLI::Validator wholeNumberIn(uint64_t lo, uint64_t hi) {
    const std::string range = std::to_string(lo) + " to " + std::to_string(hi);
    return CLI::Validator(
        [lo, hi, range](std::string& text) -> std::string {
            const std::string why = "'" + text + "' is not a whole number from " + range;
            if (text.empty() || text.size() > 20 || text.find_first_not_of("0123456789") != std::string::npos)
                return why;
            errno = 0;
            const unsigned long long v = std::strtoull(text.c_str(), nullptr, 10);
            if (errno == ERANGE || v < lo || v > hi) return why;
            return "";
        },
        "", "whole number");
}

CLI::Option* addMaxStepsOption(CLI::App* cmd, uint64_t& limit) {
    return cmd->add_option("--max-steps", limit, "stop a run after N micro-steps")
        ->type_name("N")
        ->check(wholeNumberIn(1, 1'000'000'000))
        ->capture_default_str();
}

int runCli(int argc, char** argv) {
    CLI::App app{
        "faultline-cli: runs Faultline sessions headless (scripts, CI).\n"
        "Exit codes: 0 fine, 1 an expectation, a replay or a check failed, 2 bad input; kernel: 77 not allowed here.",
        "faultline-cli"};
    app.require_subcommand(1);
    app.fallthrough(false);
    app.set_version_flag("--version", std::string("faultline-cli ") + FAULTLINE_VERSION);
    int exitCode = kOk;
    addRunCommand(app, exitCode);
    addCheckCommand(app, exitCode);
    addReplayCommand(app, exitCode);
    addVariantsCommand(app, exitCode);
    addExploreCommand(app, exitCode);
    addKernelCommand(app, exitCode);
    addStopsCommand(app, exitCode);
    // A first word that is neither an option nor a command is a mistyped
    // command: say so (CLI11 alone would only say a command is required).
    if (argc > 1 && argv[1][0] != '-') {
        bool known = false;
        std::string names;
        for (const CLI::App* sub : app.get_subcommands({})) {
            known |= sub->get_name() == argv[1];
            names += (names.empty() ? "" : ", ") + sub->get_name();
        }
        if (!known) {
            std::fprintf(stderr,
                         "faultline-cli: unknown command '%s' (commands: %s)\nRun 'faultline-cli --help' for more "
                         "information.\n",
                         argv[1], names.c_str());
            return kBadInput;
        }
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp&) {
        std::fputs(app.help().c_str(), stdout);
        return kOk;
    } catch (const CLI::CallForAllHelp&) {
        std::fputs(app.help("", CLI::AppFormatMode::All).c_str(), stdout);
        return kOk;
    } catch (const CLI::CallForVersion&) {
        std::fputs((app.version() + "\n").c_str(), stdout);
        return kOk;
    } catch (const CLI::ParseError& e) {
        std::string who = "faultline-cli";
        for (const CLI::App* sub : app.get_subcommands()) who += " " + sub->get_name();
        std::fprintf(stderr, "%s: %s\nRun '%s --help' for more information.\n", who.c_str(), e.what(), who.c_str());
        return kBadInput;
    }
    return exitCode;
}

}  // namespace faultline::cli
