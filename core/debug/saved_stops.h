// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The debugger's breakpoints and watchpoints as a recording keeps them
// (session files and the autosave journal: Recording::breakpoints /
// watchpoints), and back: every entry is checked as if the user had typed
// it, and one that does not parse is reported with its file:line:column and
// left out of the debugger, never failing the rest; the caller keeps it as it
// was read (LeftOutStop) to show it and write it back unchanged.
#include <string>
#include <vector>

#include "debug/debugger.h"
#include "session/session.h"

namespace faultline::debug {

// A breakpoint's spec that parseBreakpoint() reads back as the same breakpoint
// ("filemap_map_pages MP.7" → "MP.7", a line without an id → "fn:pc").
std::string breakpointSpec(const Breakpoint& b);

std::vector<SavedStop> savedBreakpoints(const std::vector<Breakpoint>& bps);
std::vector<SavedStop> savedWatchpoints(const std::vector<Watchpoint>& wps, const Config& cfg);

// A saved entry the debugger cannot use (an unknown function, a cell the
// session lacks, an entry of the wrong shape), as it was read.
struct LeftOutStop {
    bool watchpoint = false;
    SavedStop entry;      // written back as it was (SavedStop::raw when it could not be read at all)
    std::string message;  // "FILE:LINE:COLUMN: breakpoint 'x': why"
};

// Replaces `d`'s breakpoints and watchpoints with the recording's (its enable
// state and hit counts too). Returns one message per entry left out,
// "FILE:LINE:COLUMN: breakpoint 'x': why"; `leftOut` (if given) gets those entries.
std::vector<std::string> restoreStops(Debugger& d, const Recording& r, const std::string& file,
                                      std::vector<LeftOutStop>* leftOut = nullptr);
// The entries to save: the debugger's, then the left-out ones of that kind unchanged.
std::vector<SavedStop> savedBreakpoints(const std::vector<Breakpoint>& bps, const std::vector<LeftOutStop>& leftOut);
std::vector<SavedStop> savedWatchpoints(const std::vector<Watchpoint>& wps, const Config& cfg,
                                        const std::vector<LeftOutStop>& leftOut);

}  // namespace faultline::debug
