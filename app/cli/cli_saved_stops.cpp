// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli_saved_stops.h"

#include <cstdio>
#include <memory>

#include "debug/debugger.h"
#include "debug/saved_stops.h"
#include "session/session_io.h"

namespace faultline::cli {

namespace {

size_t savedCount(const Session& s) {
    return s.recording ? s.recording->breakpoints.size() + s.recording->watchpoints.size() : 0;
}

std::string plural(size_t n, const char* one) { return std::to_string(n) + " " + one + (n == 1 ? "" : "s"); }

// Loads the session in a debugger and puts the saved stops in place; the
// entries left out are warned about on stderr. Empty on a load error (printed).
std::unique_ptr<debug::Debugger> debuggerWithStops(const Session& s, const std::string& file,
                                                   const std::string& kernel, const ToggleOverrides& toggles,
                                                   std::vector<debug::LeftOutStop>* leftOut = nullptr) {
    auto d = std::make_unique<debug::Debugger>();
    d->stopOnFindings = false;  // the saved stops, nothing else
    if (const std::string e = d->load(s, kernel, toggles, 0); !e.empty()) {
        std::fprintf(stderr, "%s: %s\n", file.c_str(), e.c_str());
        return nullptr;
    }
    for (const std::string& e : debug::restoreStops(*d, *s.recording, file, leftOut))
        std::fprintf(stderr, "warning: %s (left out)\n", e.c_str());
    return d;
}

void printStep(const debug::Debugger& d, uint64_t n) {
    const auto rec = d.record(n);
    if (!rec) return;
    const StepPiece& m = rec->main();
    std::printf("  %6llu  %-3s %-22s %-5s %s\n", (unsigned long long)n, d.session().config.tasks[rec->task].name.c_str(),
                std::string(fnName(m.fn)).c_str(), std::string(stepId(m.fn, m.pc)).c_str(), rec->summary().c_str());
}

}  // namespace

void noteSavedStops(const Session& s, const std::string& file) {
    if (!savedCount(s)) return;
    std::fprintf(stderr,
                 "note: %s keeps %s and %s with its recording; `run --stop-at-saved-breakpoints` stops at them, "
                 "`stops` lists them\n",
                 file.c_str(), plural(s.recording->breakpoints.size(), "breakpoint").c_str(),
                 plural(s.recording->watchpoints.size(), "watchpoint").c_str());
}

int runToSavedStops(const Session& s, const std::string& file, const std::string& kernel,
                    const ToggleOverrides& toggles, uint64_t maxSteps, uint64_t maxStops) {
    if (!savedCount(s)) {
        std::fprintf(stderr,
                     "%s: --stop-at-saved-breakpoints: the file keeps no breakpoints or watchpoints (they are saved "
                     "with a recording, see \"recording\" in docs/session-format.md)\n",
                     file.c_str());
        return kBadInput;
    }
    const auto d = debuggerWithStops(s, file, kernel, toggles);
    if (!d) return kBadInput;
    size_t enabled = 0;
    for (const auto& b : d->breakpoints()) enabled += b.enabled;
    for (const auto& w : d->watchpoints()) enabled += w.enabled;
    std::printf("kernel: %s\n%s\n", d->variant().c_str(), d->loadNote().c_str());
    std::printf("stopping at %s and %s (%zu enabled)\n", plural(d->breakpoints().size(), "breakpoint").c_str(),
                plural(d->watchpoints().size(), "watchpoint").c_str(), enabled);
    if (!enabled) std::fprintf(stderr, "warning: every saved breakpoint and watchpoint is disabled or left out\n");
    uint64_t stops = 0;
    while (stops < maxStops) {
        const debug::Stop st = d->continueRun(maxSteps);
        if (st.reason != debug::StopReason::Breakpoint && st.reason != debug::StopReason::Watchpoint) {
            std::printf("%s: %s\n", stops ? "no further stop" : "no saved breakpoint or watchpoint was hit",
                        st.text.c_str());
            return stops ? kOk : kFailed;
        }
        ++stops;
        std::printf("stop %llu at step %llu: %s\n", (unsigned long long)stops, (unsigned long long)st.position,
                    st.text.c_str());
        printStep(*d, st.position);
    }
    return kOk;
}

void addStopsCommand(CLI::App& app, int& exitCode) {
    auto file = std::make_shared<std::string>();
    CLI::App* cmd =
        app.add_subcommand("stops", "List the breakpoints and watchpoints saved with a session's recording");
    cmd->add_option("SESSION", *file, "session file (docs/session-format.md)")->required();
    cmd->callback([file, &exitCode] {
        const LoadResult lr = loadSession(*file);
        if (!lr.session) {
            std::fprintf(stderr, "%s\n", lr.error.text().c_str());
            exitCode = kBadInput;
            return;
        }
        const Session& s = *lr.session;
        if (!savedCount(s)) {
            std::printf("%s keeps no breakpoints or watchpoints\n", file->c_str());
            exitCode = kOk;
            return;
        }
        std::printf("%s keeps %s and %s with its recording\n", file->c_str(),
                    plural(s.recording->breakpoints.size(), "breakpoint").c_str(),
                    plural(s.recording->watchpoints.size(), "watchpoint").c_str());
        std::vector<debug::LeftOutStop> leftOut;
        const auto d = debuggerWithStops(s, *file, "", {}, &leftOut);
        if (!d) {
            exitCode = kBadInput;
            return;
        }
        for (const auto& b : d->breakpoints())
            std::printf("  breakpoint  %-28s %-8s hits %llu\n", debug::breakpointSpec(b).c_str(),
                        b.enabled ? "enabled" : "disabled", (unsigned long long)b.hits);
        for (const auto& w : d->watchpoints())
            std::printf("  watchpoint  %-28s %-8s hits %llu\n", w.text(*d->current().config).c_str(),
                        w.enabled ? "enabled" : "disabled", (unsigned long long)w.hits);
        // Kept in the file (the window writes them back) but never used.
        for (const auto& l : leftOut)
            std::printf("  %s  %-28s invalid  %s\n", l.watchpoint ? "watchpoint" : "breakpoint",
                        (l.entry.spec.empty() ? l.entry.raw : l.entry.spec).c_str(), l.message.c_str());
        exitCode = kOk;
    });
}

}  // namespace faultline::cli
