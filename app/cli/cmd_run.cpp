// SPDX-License-Identifier: GPL-3.0-or-later
// faultline-cli run: one session, one variant; trace and verdict.
#include <cstdio>
#include <memory>

#include "cli_commands.h"
#include "cli_output.h"
#include "cli_saved_stops.h"
#include "session/runner.h"
#include "session/session_io.h"

namespace faultline::cli {

namespace {

struct RunArgs {
    std::string session;
    std::string kernel;
    ToggleOverrides toggles;
    uint64_t maxSteps = RunOptions{}.stepLimit;
    bool trace = false;
    bool json = false;
    std::string record;
    bool stopAtSaved = false;
    uint64_t maxStops = 1;
};

int run(const RunArgs& a) {
    const LoadResult lr = loadSession(a.session);
    if (!lr.session) {
        std::fprintf(stderr, "%s\n", lr.error.text().c_str());
        return kBadInput;
    }
    if (a.stopAtSaved) return runToSavedStops(*lr.session, a.session, a.kernel, a.toggles, a.maxSteps, a.maxStops);
    noteSavedStops(*lr.session, a.session);
    RunOptions opt;
    opt.variant = a.kernel;
    opt.toggles = a.toggles;
    opt.stepLimit = a.maxSteps;
    // Whole records only for a trace (printed from them); the verdict needs
    // only the chunks' findings and the few steps that raised or failed.
    opt.keepRecords = a.trace;
    const RunResult r = runSession(*lr.session, opt);
    if (!r.error.empty()) {
        std::fprintf(stderr, "%s: %s\n", a.session.c_str(), r.error.c_str());
        return kBadInput;
    }
    if (a.json) {
        std::fputs(runJson(*lr.session, a.session, r, a.trace).c_str(), stdout);
    } else {
        if (a.trace) printTrace(r);
        printVerdict(*lr.session, r);
    }
    if (!a.record.empty()) {
        Session withRec = *lr.session;
        withRec.recording = makeRecording(r);
        withRec.recording->toggles = opt.toggles;
        if (std::string e = saveSession(withRec, a.record); !e.empty()) {
            std::fprintf(stderr, "faultline-cli run: %s\n", e.c_str());
            return kBadInput;
        }
        if (!a.json) std::printf("recording of %zu steps written to %s\n", r.timeline->length(), a.record.c_str());
    }
    return r.end == RunEnd::EngineError || r.end == RunEnd::ScheduleError ? kFailed : kOk;
}

}  // namespace

void addRunCommand(CLI::App& app, int& exitCode) {
    auto a = std::make_shared<RunArgs>();
    CLI::App* cmd = app.add_subcommand("run", "Run a session under one kernel variant and print its verdict");
    cmd->add_option("SESSION", a->session, "session file (docs/session-format.md)")->required();
    addKernelOption(cmd, a->kernel);
    addSetOption(cmd, a->toggles);
    addMaxStepsOption(cmd, a->maxSteps);
    cmd->add_flag("--trace", a->trace, "print one line per micro-step");
    cmd->add_flag("--json", a->json, "print the run as JSON (format faultline-run)");
    cmd->add_option("--record", a->record,
                    "write the session with a recording of this run (schedule and state hashes) to OUT")
        ->type_name("OUT");
    CLI::Option* saved = cmd->add_flag(
        "--stop-at-saved-breakpoints", a->stopAtSaved,
        "run the recording (the run its breakpoints were set on) in the debugger and stop at the first enabled "
        "breakpoint or watchpoint saved with it; print where and why (exit 1 if none is hit)");
    cmd->add_option("--max-stops", a->maxStops, "with --stop-at-saved-breakpoints: go on after a stop until N stops")
        ->type_name("N")
        ->check(wholeNumberIn(1, 1'000'000))
        ->capture_default_str()
        ->needs(saved);
    saved->excludes("--trace")->excludes("--json")->excludes("--record");
    cmd->callback([a, &exitCode] { exitCode = run(*a); });
}

}  // namespace faultline::cli
