// SPDX-License-Identifier: GPL-3.0-or-later
#include "session/runner.h"

#include <algorithm>
#include <csignal>
#include <map>

#include "engine/engine.h"
#include "engine/fault_codes.h"
#include "session/cells.h"
#include "session/initial_state.h"

namespace faultline {
namespace {

// The run's findings, messages, errors and signals: the findings from the
// chunks, the rest from the records of the few steps that have any (executed
// again where the timeline did not keep them), so a long run needs neither
// its records nor a second execution.
void collect(RunResult& r) {
    const Timeline& tl = *r.timeline;
    const State& st = tl.current();
    tl.forEachFinding([&](const Finding& f) { r.findings.push_back(f); });
    tl.forEachRecordFlagged(StepBrief::HasRaised | StepBrief::OpError | StepBrief::OpSignal, [&](const StepRecord& rec) {
        if (rec.opDone && rec.opResult < 0)
            r.opErrors.push_back("step " + std::to_string(rec.number) + ": " + st.config->tasks[rec.task].name + ": " +
                                 errnoName(rec.opResult));
        for (const auto& m : rec.raised) r.messages.push_back(m.text);
        if (!rec.opDone || !rec.opSignal) return;
        const std::string sig = rec.opSignal == SIGSEGV  ? "SIGSEGV"
                                : rec.opSignal == SIGBUS ? "SIGBUS"
                                                         : std::to_string(rec.opSignal);
        const std::string& who = st.config->tasks[rec.task].name;
        r.signals.push_back(who + ":" + sig);
        r.signalSteps.push_back("step " + std::to_string(rec.number) + ": " + who + ": " + sig);
    });
}

}  // namespace

RunResult runSession(const Session& s, const RunOptions& opt) {
    RunResult r;
    SessionStart start = startSession(s, opt.variant, opt.toggles, opt.setupProgress);
    r.variant = start.variant;
    r.toggles = start.toggles;
    if (!start.error.empty()) {
        r.error = start.error;
        return r;
    }
    r.timeline.emplace(std::move(start.state), opt.keepRecords);
    Timeline& tl = *r.timeline;
    // Only the newest chunk's records are kept: the run goes quiet, and
    // narrates that chunk again (setQuiet(false)) before it returns.
    tl.setQuiet(true);
    for (const Directive& d : s.schedule) {
        if (opt.progress && !opt.progress(tl.length())) {
            r.end = RunEnd::Cancelled;
            tl.setQuiet(false);
            return r;
        }
        std::string e = tl.runDirective(d, opt.stepLimit, opt.progress);
        if (e == Timeline::kCancelled) {
            r.end = RunEnd::Cancelled;
            tl.setQuiet(false);
            return r;
        }
        if (!e.empty()) {
            const std::string who = s.config.tasks[d.task].name;
            r.end = RunEnd::ScheduleError;
            r.endText = e;
            if (auto p = r.endText.find("task #" + std::to_string(d.task)); p != std::string::npos)
                r.endText.replace(p, 6 + std::to_string(d.task).size(), who);
            tl.setQuiet(false);
            if (opt.results) collect(r);
            return r;
        }
    }
    // The limit is on the whole run: the directives' steps count.
    const uint64_t budget = opt.stepLimit > tl.length() ? opt.stepLimit - tl.length() : 0;
    if (!s.scheduleThenDefault) {
        r.end = RunEnd::Finished;
    } else if (!opt.progress) {
        r.end = tl.runDefault(budget);
    } else {
        // In slices, so the caller sees progress and can cancel; the same run as one call.
        constexpr uint64_t kSlice = 4096;
        for (uint64_t done = 0;;) {
            const uint64_t slice = std::min(kSlice, budget - done);
            const uint64_t before = tl.length();
            r.end = tl.runDefault(slice);
            done += tl.length() - before;
            if (r.end != RunEnd::StepLimit || done >= budget) break;
            if (!opt.progress(tl.length())) {
                r.end = RunEnd::Cancelled;
                tl.setQuiet(false);
                return r;
            }
        }
    }
    if (r.end == RunEnd::Deadlock) r.endText = tl.describeDeadlock();
    if (r.end == RunEnd::StepLimit) r.endText = "stopped after " + std::to_string(opt.stepLimit) + " steps";
    tl.setQuiet(false);
    if (opt.results) collect(r);
    if (r.end == RunEnd::EngineError)
        for (const Finding& f : r.findings)
            if (f.rule == Rule::Engine) r.endText = f.text;
    return r;
}

std::vector<std::string> compareExpectation(const RunResult& r, const Expectation& e) {
    std::vector<std::string> diffs;
    if (!r.error.empty()) return {r.error};
    const State& st = r.timeline->current();
    const std::string end(runEndName(r.end));
    if (e.end ? *e.end != end : r.end != RunEnd::Finished)
        diffs.push_back("run ended " + end + (r.endText.empty() ? "" : " (" + r.endText + ")") + ", expected " +
                        e.end.value_or("finished"));
    if (e.findings) {
        // Multiset of (rule, page): compare counts.
        std::map<std::pair<int, int64_t>, int64_t> want, got;
        for (const ExpectedFinding& f : *e.findings) want[{int(f.rule), f.index}] += f.count;
        for (const Finding& f : r.findings) {
            auto key = std::make_pair(int(f.rule), f.index);
            if (!want.count(key) && want.count({int(f.rule), -1})) key.second = -1;
            ++got[key];
        }
        auto name = [](const std::pair<int, int64_t>& k) {
            return std::string(ruleName(Rule(k.first))) + (k.second >= 0 ? " on page " + std::to_string(k.second) : "");
        };
        for (const auto& [k, n] : want)
            if (got[k] != n)
                diffs.push_back("expected " + std::to_string(n) + " × " + name(k) + ", got " + std::to_string(got[k]));
        for (const auto& [k, n] : got)
            if (!want.count(k) && n) {
                std::string example;
                for (const Finding& f : r.findings)
                    if (int(f.rule) == k.first && f.index == k.second) {
                        example = " (step " + std::to_string(f.step) + ": " + f.text + ")";
                        break;
                    }
                diffs.push_back("unexpected " + std::to_string(n) + " × " + name(k) + example);
            }
    }
    if (e.messages && *e.messages != r.messages) {
        auto join = [](const std::vector<std::string>& v) {
            std::string s;
            for (const auto& x : v) s += (s.empty() ? "" : " ") + x;
            return "[" + s + "]";
        };
        diffs.push_back("messages " + join(r.messages) + ", expected " + join(*e.messages));
    }
    if (e.signals && *e.signals != r.signals) {
        std::string got, want;
        for (const auto& x : r.signals) got += (got.empty() ? "" : " ") + x;
        for (const auto& x : *e.signals) want += (want.empty() ? "" : " ") + x;
        diffs.push_back("signals [" + got + "], expected [" + want + "]");
    }
    for (const auto& [cell, want] : e.cells) {
        std::string err;
        const auto got = cellValue(st, cell, &err);
        if (!got) diffs.push_back(err);
        else if (*got != want) diffs.push_back(cell + " is " + *got + ", expected " + want);
    }
    return diffs;
}

std::vector<CheckLine> checkSession(const Session& s) {
    std::vector<CheckLine> out;
    for (const Expectation& e : s.expectations) {
        RunOptions o;
        o.variant = e.variant;
        o.toggles = e.toggles;
        o.keepRecords = false;  // expectations are on the results and the final state
        const RunResult r = runSession(s, o);
        const auto diffs = compareExpectation(r, e);
        CheckLine l;
        l.variant = e.variant;
        for (const auto& [k, v] : e.toggles) l.variant += " " + k + "=" + v;
        l.pass = diffs.empty();
        if (!diffs.empty())
            l.detail = diffs.front() + (diffs.size() > 1 ? " (+" + std::to_string(diffs.size() - 1) + " more)" : "");
        out.push_back(l);
    }
    return out;
}

Recording makeRecording(const RunResult& r) {
    Recording rec;
    rec.variant = r.variant;
    const Timeline& tl = *r.timeline;
    rec.schedule = tl.schedule();
    for (uint64_t n = 1; n <= tl.length(); ++n) rec.hashes.push_back(tl.hashAfter(n));
    return rec;
}

ReplayResult replayRecording(const Session& s) {
    ReplayResult out;
    if (!s.recording) {
        out.error = "the session has no recording";
        return out;
    }
    const Recording& rec = *s.recording;
    SessionStart start = startSession(s, rec.variant, rec.toggles);
    if (!start.error.empty()) {
        out.error = start.error;
        return out;
    }
    State st = std::move(start.state);
    for (size_t i = 0; i < rec.schedule.size(); ++i) {
        const uint8_t t = rec.schedule[i];
        if (t >= st.tasks.size() || !isRunnable(st, t)) {
            out.divergedAt = i + 1;
            out.detail = "step " + std::to_string(i + 1) + ": task " +
                         (t < st.tasks.size() ? st.config->tasks[t].name : "#" + std::to_string(t)) + " cannot run";
            return out;
        }
        const StepRecord r = step(st, t);
        ++out.steps;
        if (i < rec.hashes.size() && r.hashAfter != rec.hashes[i]) {
            out.divergedAt = i + 1;
            out.detail = "step " + std::to_string(i + 1) + " (" + st.config->tasks[t].name + ": " + r.summary() +
                         "): state hash differs from the recording";
            return out;
        }
    }
    if (rec.hashes.size() != rec.schedule.size())
        out.detail = "recording has " + std::to_string(rec.hashes.size()) + " hashes for " +
                     std::to_string(rec.schedule.size()) + " steps";
    return out;
}

}  // namespace faultline
