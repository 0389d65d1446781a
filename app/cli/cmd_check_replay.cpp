// faultline-cli check / replay / variants.
#include <cstdio>

#include "cli_args.h"
#include "cli_commands.h"
#include "cli_output.h"
#include "model/variants.h"
#include "session/runner.h"
#include "session/session_io.h"

namespace faultline::cli {

int cmdCheck(const std::vector<std::string>& in) {
    const Args a = Args::parse(in, {}, {"--json"});
    if (!a.error.empty() || a.positional.empty()) {
        std::fprintf(stderr, "faultline-cli check: %s\nusage: faultline-cli check SESSION... [--json]\n",
                     a.error.empty() ? "expected session files" : a.error.c_str());
        return kBadInput;
    }
    std::vector<CheckReport> reports;
    bool bad = false, failed = false;
    for (const std::string& path : a.positional) {
        CheckReport rep;
        rep.file = path;
        const LoadResult lr = loadSession(path);
        if (!lr.session) {
            rep.error = lr.error.text();
            bad = true;
        } else {
            rep.lines = checkSession(*lr.session);
            if (rep.lines.empty()) rep.error = path + ": the session names no expectations";
            for (const CheckLine& l : rep.lines) failed |= !l.pass;
            failed |= rep.lines.empty();
        }
        reports.push_back(rep);
    }
    if (a.has("--json")) std::fputs(checkJson(reports).c_str(), stdout);
    else printCheck(reports);
    return bad ? kBadInput : failed ? kFailed : kOk;
}

int cmdReplay(const std::vector<std::string>& in) {
    const Args a = Args::parse(in, {}, {"--json"});
    if (!a.error.empty() || a.positional.size() != 1) {
        std::fprintf(stderr, "faultline-cli replay: %s\nusage: faultline-cli replay SESSION [--json]\n",
                     a.error.empty() ? "expected one session file" : a.error.c_str());
        return kBadInput;
    }
    const LoadResult lr = loadSession(a.positional[0]);
    if (!lr.session) {
        std::fprintf(stderr, "%s\n", lr.error.text().c_str());
        return kBadInput;
    }
    const ReplayResult r = replayRecording(*lr.session);
    if (a.has("--json")) std::fputs(replayJson(a.positional[0], r).c_str(), stdout);
    else if (!r.error.empty()) std::fprintf(stderr, "%s: %s\n", a.positional[0].c_str(), r.error.c_str());
    else if (r.divergedAt) std::printf("%s: replay DIVERGED at %s\n", a.positional[0].c_str(), r.detail.c_str());
    else std::printf("%s: replay reproduced all %llu steps (every state hash matched)\n", a.positional[0].c_str(), (unsigned long long)r.steps);
    if (!r.error.empty()) return kBadInput;
    return r.divergedAt ? kFailed : kOk;
}

int cmdVariants(const std::vector<std::string>& in) {
    const Args a = Args::parse(in, {}, {"--json"});
    if (!a.error.empty() || !a.positional.empty()) {
        std::fprintf(stderr, "faultline-cli variants: %s\n", a.error.empty() ? "takes no arguments" : a.error.c_str());
        return kBadInput;
    }
    if (a.has("--json")) std::fputs(variantsJson().c_str(), stdout);
    else printVariants();
    return kOk;
}

}  // namespace faultline::cli
