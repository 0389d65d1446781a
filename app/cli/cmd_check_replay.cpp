// SPDX-License-Identifier: GPL-3.0-or-later
// faultline-cli check / replay / variants.
#include <cstdio>
#include <memory>

#include "cli_commands.h"
#include "cli_output.h"
#include "explore/explore_check.h"
#include "model/variants.h"
#include "session/runner.h"
#include "session/session_io.h"

namespace faultline::cli {

namespace {

int check(const std::vector<std::string>& files, bool json) {
    std::vector<CheckReport> reports;
    bool bad = false, failed = false;
    for (const std::string& path : files) {
        CheckReport rep;
        rep.file = path;
        const LoadResult lr = loadSession(path);
        if (!lr.session) {
            rep.error = lr.error.text();
            bad = true;
        } else {
            rep.lines = checkSession(*lr.session);
            for (CheckLine& l : checkExploreExpectation(*lr.session)) rep.lines.push_back(std::move(l));
            if (rep.lines.empty()) rep.error = path + ": the session names no expectations";
            for (const CheckLine& l : rep.lines) failed |= !l.pass;
            failed |= rep.lines.empty();
        }
        reports.push_back(rep);
    }
    if (json) std::fputs(checkJson(reports).c_str(), stdout);
    else printCheck(reports);
    return bad ? kBadInput : failed ? kFailed : kOk;
}

int replay(const std::string& file, bool json) {
    const LoadResult lr = loadSession(file);
    if (!lr.session) {
        std::fprintf(stderr, "%s\n", lr.error.text().c_str());
        return kBadInput;
    }
    const ReplayResult r = replayRecording(*lr.session);
    if (json) std::fputs(replayJson(file, r).c_str(), stdout);
    else if (!r.error.empty()) std::fprintf(stderr, "%s: %s\n", file.c_str(), r.error.c_str());
    else if (r.divergedAt) std::printf("%s: replay DIVERGED at %s\n", file.c_str(), r.detail.c_str());
    else
        std::printf("%s: replay reproduced all %llu steps (every state hash matched)\n", file.c_str(),
                    (unsigned long long)r.steps);
    if (!r.error.empty()) return kBadInput;
    return r.divergedAt ? kFailed : kOk;
}

}  // namespace

void addCheckCommand(CLI::App& app, int& exitCode) {
    struct Args {
        std::vector<std::string> files;
        bool json = false;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = app.add_subcommand(
        "check", "Run each session under every variant its expectations name and compare (exit 1 on a difference)");
    cmd->add_option("SESSION", a->files, "session files")->required();
    cmd->add_flag("--json", a->json, "print the results as JSON (format faultline-check)");
    cmd->callback([a, &exitCode] { exitCode = check(a->files, a->json); });
}

void addReplayCommand(CLI::App& app, int& exitCode) {
    struct Args {
        std::string file;
        bool json = false;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = app.add_subcommand("replay", "Re-run a session's recording and verify every state hash");
    cmd->add_option("SESSION", a->file, "session file with a recording")->required();
    cmd->add_flag("--json", a->json, "print the result as JSON (format faultline-replay)");
    cmd->callback([a, &exitCode] { exitCode = replay(a->file, a->json); });
}

void addVariantsCommand(CLI::App& app, int& exitCode) {
    auto json = std::make_shared<bool>(false);
    CLI::App* cmd = app.add_subcommand("variants", "List the kernel variants and their toggles");
    cmd->add_flag("--json", *json, "print them as JSON (format faultline-variants)");
    cmd->callback([json, &exitCode] {
        if (*json) std::fputs(variantsJson().c_str(), stdout);
        else printVariants();
        exitCode = kOk;
    });
}

}  // namespace faultline::cli
