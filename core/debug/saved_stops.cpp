// SPDX-License-Identifier: GPL-3.0-or-later
#include "debug/saved_stops.h"

#include <algorithm>

namespace faultline::debug {

std::string breakpointSpec(const Breakpoint& b) {
    if (!b.inner.empty()) return b.inner;
    if (b.pc < 0) return std::string(fnName(b.fn));
    // The step id when it names this line, else function:line.
    const auto id = stepId(b.fn, uint8_t(b.pc));
    if (!id.empty()) {
        auto back = parseBreakpoint(id, nullptr);
        if (back && back->sameAs(b)) return std::string(id);
    }
    return std::string(fnName(b.fn)) + ":" + std::to_string(b.pc);
}

namespace {
// A stop as the session stores it: where it was read and its raw text are
// for entries read from a file.
SavedStop savedStop(std::string spec, bool enabled, uint64_t hits) {
    SavedStop s;
    s.spec = std::move(spec), s.enabled = enabled, s.hits = hits;
    return s;
}

void appendLeftOut(std::vector<SavedStop>& out, const std::vector<LeftOutStop>& leftOut, bool watchpoints) {
    for (const LeftOutStop& l : leftOut)
        if (l.watchpoint == watchpoints) out.push_back(l.entry);
}
}  // namespace

std::vector<SavedStop> savedBreakpoints(const std::vector<Breakpoint>& bps) {
    std::vector<SavedStop> out;
    for (const Breakpoint& b : bps) out.push_back(savedStop(breakpointSpec(b), b.enabled, b.hits));
    return out;
}

std::vector<SavedStop> savedWatchpoints(const std::vector<Watchpoint>& wps, const Config& cfg) {
    std::vector<SavedStop> out;
    for (const Watchpoint& w : wps) out.push_back(savedStop(w.text(cfg), w.enabled, w.hits));
    return out;
}

std::vector<SavedStop> savedBreakpoints(const std::vector<Breakpoint>& bps, const std::vector<LeftOutStop>& leftOut) {
    std::vector<SavedStop> out = savedBreakpoints(bps);
    appendLeftOut(out, leftOut, false);
    return out;
}

std::vector<SavedStop> savedWatchpoints(const std::vector<Watchpoint>& wps, const Config& cfg,
                                        const std::vector<LeftOutStop>& leftOut) {
    std::vector<SavedStop> out = savedWatchpoints(wps, cfg);
    appendLeftOut(out, leftOut, true);
    return out;
}

std::vector<std::string> restoreStops(Debugger& d, const Recording& r, const std::string& file,
                                      std::vector<LeftOutStop>* leftOut) {
    std::vector<std::string> errors;
    if (leftOut) leftOut->clear();
    auto leave = [&](const SavedStop& st, bool watch, std::string message) {
        if (leftOut) leftOut->push_back({watch, st, message});
        errors.push_back(std::move(message));
    };
    auto where = [&](const SavedStop& st) {
        return file + (st.line > 0 ? ":" + std::to_string(st.line) + ":" + std::to_string(st.column) : "") + ": ";
    };
    std::vector<Breakpoint> bps;
    for (const SavedStop& st : r.breakpoints) {
        std::string why = st.error;
        std::optional<Breakpoint> b;
        if (why.empty()) b = parseBreakpoint(st.spec, &why);
        if (!b) {
            leave(st, false, where(st) + why);
            continue;
        }
        b->enabled = st.enabled;
        b->hits = st.hits;
        if (std::none_of(bps.begin(), bps.end(), [&](const Breakpoint& x) { return x.sameAs(*b); })) bps.push_back(*b);
    }
    std::vector<Watchpoint> wps;
    const Config& cfg = *d.current().config;
    const Session& s = d.session();
    for (const SavedStop& st : r.watchpoints) {
        std::string why = st.error;
        std::optional<Watchpoint> w;
        if (why.empty()) w = parseWatchpoint(cfg, st.spec, &why);
        // Only cells the session has (as the window's Add refuses them).
        if (w) {
            const bool slot = w->where == Watchpoint::Where::Slot;
            const uint64_t limit = slot ? s.swapSlots : s.filePages;
            if (w->index >= limit) {
                why = "watchpoint '" + st.spec + "': index " + std::to_string(w->index) + " is beyond the session's " +
                      std::to_string(limit) + (slot ? " swap slots" : " file pages");
                w.reset();
            }
        }
        if (!w) {
            leave(st, true, where(st) + why);
            continue;
        }
        w->enabled = st.enabled;
        w->hits = st.hits;
        Watchpoint probe = *w;
        if (std::none_of(wps.begin(), wps.end(), [&](Watchpoint x) {
                x.enabled = probe.enabled;
                return x == probe;
            }))
            wps.push_back(*w);
    }
    d.breakpoints() = std::move(bps);
    d.watchpoints() = std::move(wps);
    return errors;
}

}  // namespace faultline::debug
