// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// What both fuzz targets check once they hold a session: it runs under a step
// limit, its run saved as a recording loads again, saves identically and
// replays with every hash matching.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "debug/debugger.h"
#include "session/runner.h"
#include "session/session_io.h"

namespace faultline::fuzz {

[[noreturn]] inline void broken(const std::string& what, const std::string& detail) {
    std::fprintf(stderr, "fuzz: %s\n%s\n", what.c_str(), detail.substr(0, 4000).c_str());
    std::abort();
}

// Inputs that are valid but only slow (big files, long programs) are skipped:
// their cost is bounded by the format's limits, not a fuzzer's concern.
inline bool cheap(const Session& s) {
    if (s.filePages > 4096 || s.setup.size() > 2000) return false;
    for (const auto& t : s.config.tasks)
        if (t.program.size() > 2000) return false;
    return true;
}

inline void roundTrip(const Session& loaded, uint64_t stepLimit) {
    RunOptions o;
    o.stepLimit = stepLimit;
    const RunResult r = runSession(loaded, o);
    if (!r.error.empty() || !r.timeline) return;  // refused with a message: fine
    if (r.timeline->length() > stepLimit) broken("the run passed its step limit", std::to_string(r.timeline->length()));
    Session s = loaded;
    Recording rec;
    rec.variant = r.variant;
    rec.schedule = r.timeline->schedule();
    for (const StepRecord& x : r.timeline->records()) rec.hashes.push_back(x.hashAfter);
    s.recording = rec;
    const std::string once = writeSession(s);
    const LoadResult back = parseSession(once, "saved");
    if (!back.session) broken("a saved session does not load: " + back.error.text(), once);
    const std::string twice = writeSession(*back.session);
    if (twice != once) broken("save -> load -> save differs", once + "\n----\n" + twice);
    debug::Debugger d;
    if (const std::string e = d.load(*back.session, "", {}, ~uint64_t{0}); !e.empty())
        broken("a saved recording does not replay: " + e, once);
    if (d.replayDivergedAt() != 0) broken("a saved recording diverges: " + d.loadNote(), once);
    if (d.length() != rec.schedule.size()) broken("the replay has another length", d.loadNote());
}

}  // namespace faultline::fuzz
