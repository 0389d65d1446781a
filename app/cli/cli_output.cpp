// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli_output.h"

#include <cstdio>

#include "json/json.h"
#include "model/variants.h"
#include "paths/registry.h"
#include "session/cells.h"

namespace faultline::cli {

namespace {

using json::Value;

std::string taskName(const RunResult& r, uint8_t t) { return r.timeline->initial().config->tasks[t].name; }

std::string changedText(const State& s, const StepRecord& rec) {
    std::string out;
    for (const CellRef& c : rec.changed) {
        if (c.kind == CellKind::Task || c.kind == CellKind::Lock) continue;  // noise in a one-line trace
        out += (out.empty() ? "" : " ") + cellRefName(s, c);
    }
    return out;
}

const char* severity(Rule r) {
    switch (r) {
    case Rule::C1:
    case Rule::C3: return "violation";
    case Rule::C2: return "note";
    default: return "engine bug";
    }
}

Value findingJson(const RunResult& r, const Finding& f) {
    Value o = Value::object();
    o.set("rule", Value(std::string(ruleName(f.rule))));
    o.set("title", Value(std::string(ruleTitle(f.rule))));
    o.set("severity", Value(std::string(severity(f.rule))));
    o.set("step", Value(int64_t(f.step)));
    o.set("task", Value(taskName(r, f.task)));
    o.set("page", f.index >= 0 ? Value(int64_t(f.index)) : Value());
    o.set("text", Value(f.text));
    return o;
}

Value stringArray(const std::vector<std::string>& v) {
    Value a = Value::array();
    for (const std::string& s : v) a.push_back(Value(s));
    return a;
}

Value togglesJson(const Toggles& t) {
    Value o = Value::object();
    for (const ToggleInfo& ti : toggleInfos()) o.set(std::string(ti.name), Value(toggleValue(t, ti.name)));
    return o;
}

}  // namespace

void printTrace(const RunResult& r) {
    // The state after the run names cells; VMAs do not move in a run except
    // by munmap, so this is accurate for the views the trace needs.
    const State& s = r.timeline->current();
    r.timeline->forEachRecord([&](const StepRecord& rec) {  // a chunk at a time, not a copy of all
        const StepPiece& m = rec.main();
        std::printf("%6llu  %-3s %-22s %-5s %s", (unsigned long long)rec.number, taskName(r, rec.task).c_str(),
                    std::string(fnName(m.fn)).c_str(), std::string(stepId(m.fn, m.pc)).c_str(), rec.summary().c_str());
        const std::string ch = changedText(s, rec);
        if (!ch.empty()) std::printf("  [changed: %s]", ch.c_str());
        std::printf("\n");
        for (const Finding& f : rec.findings)
            std::printf("        >>> %s %s: %s\n", std::string(ruleName(f.rule)).c_str(),
                        std::string(ruleTitle(f.rule)).c_str(), f.text.c_str());
    });
}

void printVerdict(const Session& s, const RunResult& r) {
    std::printf("session: %s\nkernel: %s\nsteps: %llu\nend: %s%s\n", s.name.c_str(), r.variant.c_str(),
                (unsigned long long)r.timeline->length(), std::string(runEndName(r.end)).c_str(),
                r.endText.empty() ? "" : (" — " + r.endText).c_str());
    std::string msgs;
    for (const std::string& m : r.messages) msgs += (msgs.empty() ? "" : " ") + m;
    std::printf("uffd messages: %s\n", msgs.empty() ? "(none)" : msgs.c_str());
    for (const std::string& e : r.opErrors) std::printf("operation error: %s\n", e.c_str());
    for (const std::string& e : r.signalSteps) std::printf("signal: %s\n", e.c_str());
    int violations = 0;
    for (const Finding& f : r.findings) violations += f.rule == Rule::C1 || f.rule == Rule::C3;
    if (r.findings.empty()) {
        std::printf("verdict: clean — no findings\n");
        return;
    }
    std::printf("verdict: %d violation(s), %zu finding(s)\n", violations, r.findings.size());
    for (const Finding& f : r.findings)
        std::printf("  %s %-16s step %llu, %s%s: %s\n", std::string(ruleName(f.rule)).c_str(),
                    std::string(ruleTitle(f.rule)).c_str(), (unsigned long long)f.step, taskName(r, f.task).c_str(),
                    f.index >= 0 ? (", page " + std::to_string(f.index)).c_str() : "", f.text.c_str());
}

void printCheck(const std::vector<CheckReport>& reports) {
    int pass = 0, fail = 0;
    for (const CheckReport& rep : reports) {
        if (!rep.error.empty()) {
            std::printf("ERROR %s\n", rep.error.c_str());
            ++fail;
            continue;
        }
        for (const CheckLine& l : rep.lines) {
            std::printf("%s %s [%s]%s%s\n", l.pass ? "pass" : "FAIL", rep.file.c_str(), l.variant.c_str(),
                        l.pass ? "" : ": ", l.detail.c_str());
            (l.pass ? pass : fail)++;
        }
    }
    std::printf("%d passed, %d failed\n", pass, fail);
}

void printVariants() {
    for (const Variant& v : variants()) {
        std::printf("%-17s (%s)%s  %s\n", std::string(v.id).c_str(), std::string(v.letter).c_str(),
                    v.id == kDefaultVariant ? " [default]" : "", std::string(v.summary).c_str());
        for (const ToggleInfo& t : toggleInfos())
            std::printf("    %-21s %s\n", std::string(t.name).c_str(), toggleValue(v.toggles, t.name).c_str());
    }
    std::printf("\ntoggles (set one with --set NAME=VALUE):\n");
    for (const ToggleInfo& t : toggleInfos())
        std::printf("  %-21s %s\n", std::string(t.name).c_str(), std::string(t.description).c_str());
}

std::string runJson(const Session& s, const std::string& file, const RunResult& r, bool trace) {
    Value o = Value::object();
    o.set("format", Value(std::string("faultline-run")));
    o.set("session", Value(s.name));
    o.set("file", Value(file));
    o.set("variant", Value(r.variant));
    o.set("toggles", togglesJson(r.toggles));
    o.set("steps", Value(int64_t(r.timeline->length())));
    o.set("end", Value(std::string(runEndName(r.end))));
    o.set("end_detail", Value(r.endText));
    o.set("messages", stringArray(r.messages));
    o.set("operation_errors", stringArray(r.opErrors));
    o.set("signals", stringArray(r.signalSteps));
    Value fs = Value::array();
    for (const Finding& f : r.findings) fs.push_back(findingJson(r, f));
    o.set("findings", fs);
    if (trace) {
        const State& st = r.timeline->current();
        Value steps = Value::array();
        r.timeline->forEachRecord([&](const StepRecord& rec) {
            Value j = Value::object();
            j.set("step", Value(int64_t(rec.number)));
            j.set("task", Value(taskName(r, rec.task)));
            j.set("function", Value(std::string(fnName(rec.main().fn))));
            j.set("step_id", Value(std::string(stepId(rec.main().fn, rec.main().pc))));
            Value pieces = Value::array();
            for (const StepPiece& p : rec.pieces) {
                Value pj = Value::object();
                pj.set("function", Value(std::string(fnName(p.fn))));
                pj.set("step_id", Value(std::string(stepId(p.fn, p.pc))));
                pj.set("text", Value(p.text));
                pieces.push_back(pj);
            }
            j.set("pieces", pieces);
            Value changed = Value::array();
            for (const CellRef& c : rec.changed) changed.push_back(Value(cellRefName(st, c)));
            j.set("changed", changed);
            Value msgs = Value::array();
            for (const auto& m : rec.raised) msgs.push_back(Value(m.text));
            j.set("messages", msgs);
            j.set("state_hash", Value(hexHash(rec.hashAfter)));
            steps.push_back(j);
        });
        o.set("trace", steps);
    }
    return json::write(o);
}

std::string checkJson(const std::vector<CheckReport>& reports) {
    Value o = Value::object();
    o.set("format", Value(std::string("faultline-check")));
    Value results = Value::array();
    int64_t pass = 0, fail = 0;
    for (const CheckReport& rep : reports) {
        if (!rep.error.empty()) {
            Value e = Value::object();
            e.set("session", Value(rep.file));
            e.set("error", Value(rep.error));
            results.push_back(e);
            ++fail;
            continue;
        }
        for (const CheckLine& l : rep.lines) {
            Value e = Value::object();
            e.set("session", Value(rep.file));
            e.set("variant", Value(l.variant));
            e.set("pass", Value(l.pass));
            e.set("detail", Value(l.detail));
            results.push_back(e);
            (l.pass ? pass : fail)++;
        }
    }
    o.set("results", results);
    o.set("passed", Value(pass));
    o.set("failed", Value(fail));
    return json::write(o);
}

std::string replayJson(const std::string& file, const ReplayResult& r) {
    Value o = Value::object();
    o.set("format", Value(std::string("faultline-replay")));
    o.set("session", Value(file));
    o.set("error", Value(r.error));
    o.set("steps", Value(int64_t(r.steps)));
    o.set("reproduced", Value(r.error.empty() && r.divergedAt == 0));
    o.set("diverged_at", Value(int64_t(r.divergedAt)));
    o.set("detail", Value(r.detail));
    return json::write(o);
}

std::string variantsJson() {
    Value o = Value::object();
    o.set("format", Value(std::string("faultline-variants")));
    Value vs = Value::array();
    for (const Variant& v : variants()) {
        Value j = Value::object();
        j.set("id", Value(std::string(v.id)));
        j.set("letter", Value(std::string(v.letter)));
        j.set("summary", Value(std::string(v.summary)));
        j.set("default", Value(v.id == kDefaultVariant));
        j.set("toggles", togglesJson(v.toggles));
        vs.push_back(j);
    }
    o.set("variants", vs);
    Value ts = Value::array();
    for (const ToggleInfo& t : toggleInfos()) {
        Value j = Value::object();
        j.set("name", Value(std::string(t.name)));
        j.set("description", Value(std::string(t.description)));
        Value vals = Value::array();
        for (auto v : t.values) vals.push_back(Value(std::string(v)));
        j.set("values", vals);
        ts.push_back(j);
    }
    o.set("toggles", ts);
    return json::write(o);
}

}  // namespace faultline::cli
