// faultline-cli run: one session, one variant; trace and verdict.
#include <cstdio>

#include "cli_args.h"
#include "cli_commands.h"
#include "cli_output.h"
#include "session/runner.h"
#include "session/session_io.h"

namespace faultline::cli {

int cmdRun(const std::vector<std::string>& in) {
    const Args a = Args::parse(in, {"--kernel", "--set", "--record", "--max-steps"}, {"--trace", "--json"});
    if (!a.error.empty() || a.positional.size() != 1) {
        std::fprintf(stderr, "faultline-cli run: %s\nusage: faultline-cli run SESSION [--kernel ID] [--set T=V]... [--trace] [--json] [--record OUT]\n",
                     a.error.empty() ? "expected one session file" : a.error.c_str());
        return kBadInput;
    }
    const LoadResult lr = loadSession(a.positional[0]);
    if (!lr.session) {
        std::fprintf(stderr, "%s\n", lr.error.text().c_str());
        return kBadInput;
    }
    RunOptions opt;
    opt.variant = a.get("--kernel").value_or("");
    for (const std::string& t : a.all("--set")) {
        const auto eq = t.find('=');
        if (eq == std::string::npos) {
            std::fprintf(stderr, "faultline-cli run: --set takes TOGGLE=VALUE, not '%s'\n", t.c_str());
            return kBadInput;
        }
        opt.toggles.emplace_back(t.substr(0, eq), t.substr(eq + 1));
    }
    if (auto m = a.get("--max-steps")) opt.stepLimit = std::strtoull(m->c_str(), nullptr, 10);
    const RunResult r = runSession(*lr.session, opt);
    if (!r.error.empty()) {
        std::fprintf(stderr, "%s: %s\n", a.positional[0].c_str(), r.error.c_str());
        return kBadInput;
    }
    if (a.has("--json")) {
        std::fputs(runJson(*lr.session, a.positional[0], r, a.has("--trace")).c_str(), stdout);
    } else {
        if (a.has("--trace")) printTrace(r);
        printVerdict(*lr.session, r);
    }
    if (auto out = a.get("--record")) {
        Session withRec = *lr.session;
        withRec.recording = makeRecording(r);
        withRec.recording->toggles = opt.toggles;
        if (std::string e = saveSession(withRec, *out); !e.empty()) {
            std::fprintf(stderr, "faultline-cli run: %s\n", e.c_str());
            return kBadInput;
        }
        if (!a.has("--json")) std::printf("recording of %zu steps written to %s\n", r.timeline->length(), out->c_str());
    }
    return r.end == RunEnd::EngineError || r.end == RunEnd::ScheduleError ? kFailed : kOk;
}

}  // namespace faultline::cli
