// SPDX-License-Identifier: GPL-3.0-or-later
#include "explore/explore_output.h"

#include "engine/engine.h"
#include "session/initial_state.h"

namespace faultline {

Session counterexampleSession(const Session& s, const ExploreResult& r, const GoalResult& g) {
    Session out = s;
    out.name = s.name + " — shortest " + g.goal + " under " + r.variant;
    out.description = "Found by faultline-cli explore: " + std::to_string(g.schedule.size()) + " steps, " +
                      std::to_string(g.preemptions) + " preemption(s). " + g.detail;
    out.variant = r.variant;
    out.expectations.clear();
    out.exploreExpect.reset();
    out.schedule.clear();
    // The schedule as directives too, so `run` replays it without the recording.
    for (size_t i = 0; i < g.schedule.size();) {
        size_t j = i;
        while (j < g.schedule.size() && g.schedule[j] == g.schedule[i]) ++j;
        Directive d;
        d.kind = Directive::Kind::Steps;
        d.task = g.schedule[i];
        d.count = j - i;
        out.schedule.push_back(d);
        i = j;
    }
    out.scheduleThenDefault = false;
    Recording rec;
    rec.variant = r.variant;
    rec.schedule = g.schedule;
    // The toggles the search ran with beyond the session's own (--set): the
    // recording names them, so replay and the window start where it did.
    const ToggleResult base = resolveToggles(r.variant, s.toggles);
    for (const ToggleInfo& t : toggleInfos()) {
        const std::string name(t.name);
        if (toggleValue(r.toggles, name) != toggleValue(base.toggles, name))
            rec.toggles.emplace_back(name, toggleValue(r.toggles, name));
    }
    State st = buildInitialState(s, r.toggles).state;
    for (uint8_t t : g.schedule) rec.hashes.push_back(step(st, t).hashAfter);
    out.recording = rec;
    return out;
}

json::Value exploreResultJson(const ExploreResult& r, const ExploreOptions& o) {
    using json::Value;
    Value v = Value::object();
    v.set("format", "faultline-explore");
    v.set("variant", r.variant);
    v.set("stop", std::string(stopReasonName(r.stop)));
    v.set("verdict", stopReasonText(r.stop));
    v.set("preemption_cut", r.preemptionCut);
    Value b = Value::object();
    b.set("max_steps", int64_t(o.maxSteps));
    b.set("preemptions", int64_t(o.maxPreemptions));
    b.set("max_states", int64_t(o.maxStates));
    b.set("reduction", o.reduction && o.maxPreemptions < 0);
    v.set("bounds", b);
    v.set("shard", std::to_string(r.shardIndex) + "/" + std::to_string(r.shardCount));
    Value goals = Value::array();
    for (const GoalResult& g : r.goals) {
        Value x = Value::object();
        x.set("goal", g.goal);
        x.set("found", g.found);
        if (g.found) {
            x.set("length", int64_t(g.schedule.size()));
            x.set("preemptions", int64_t(g.preemptions));
            Value sch = Value::array();
            for (uint8_t t : g.schedule) sch.push_back(int64_t(t));
            x.set("schedule", sch);
            x.set("detail", g.detail);
        }
        goals.push_back(x);
    }
    v.set("goals", goals);
    Value c = Value::object();
    c.set("states", int64_t(r.states));
    c.set("transitions", int64_t(r.transitions));
    c.set("slept", int64_t(r.slept));
    c.set("pruned", int64_t(r.pruned));
    c.set("shortest_states", int64_t(r.shortestStates));
    c.set("reduction_ratio", r.reductionRatio());
    c.set("depth", int64_t(r.maxDepth));
    c.set("seconds", r.seconds);
    c.set("peak_bytes", int64_t(r.peakBytes));
    c.set("store_bytes", int64_t(r.storeBytes));
    v.set("counts", c);
    return v;
}

namespace {
const json::Value* get(const json::Value& v, std::string_view k) { return v.isObject() ? v.find(k) : nullptr; }
}  // namespace

std::string mergeResultsJson(const std::vector<json::Value>& shards, json::Value& out) {
    using json::Value;
    if (shards.empty()) return "no results to merge";
    for (const Value& s : shards) {
        const Value* f = get(s, "format");
        if (!f || !f->isString() || f->asString() != "faultline-explore")
            return "not an explore result (format faultline-explore)";
        if (!(*get(s, "variant") == *get(shards[0], "variant")) || !(*get(s, "bounds") == *get(shards[0], "bounds")))
            return "the results are of different variants or bounds";
    }
    out = shards[0];
    Value goals = Value::array();
    const Value* g0 = get(shards[0], "goals");
    if (!g0 || !g0->isArray()) return "result without goals";
    for (size_t gi = 0; gi < g0->asArray().size(); ++gi) {
        const Value* best = nullptr;
        for (const Value& s : shards) {
            const Value* gs = get(s, "goals");
            if (!gs || !gs->isArray() || gs->asArray().size() != g0->asArray().size())
                return "results name different goals";
            const Value& g = gs->asArray()[gi];
            if (!get(g, "found") || !get(g, "found")->asBool()) continue;
            auto key = [](const Value& x) {
                return std::make_pair(get(x, "length")->asInt(), get(x, "preemptions")->asInt());
            };
            if (!best || key(g) < key(*best)) best = &g;
        }
        goals.push_back(best ? *best : g0->asArray()[gi]);
    }
    out.set("goals", goals);
    Value c = Value::object();
    for (const char* k : {"states", "transitions", "slept", "pruned", "shortest_states", "store_bytes"}) {
        int64_t sum = 0;
        for (const Value& s : shards)
            if (const Value* x = get(*get(s, "counts"), k)) sum += x->asInt();  // older results lack pruned
        c.set(k, sum);
    }
    int64_t depth = 0, peak = 0;
    double secs = 0;
    for (const Value& s : shards) {
        depth = std::max(depth, get(*get(s, "counts"), "depth")->asInt());
        peak = std::max(peak, get(*get(s, "counts"), "peak_bytes")->asInt());
        secs += get(*get(s, "counts"), "seconds")->asDouble();
    }
    const double tr = double(get(c, "transitions")->asInt());
    c.set("reduction_ratio",
          tr > 0 ? (tr + double(get(c, "slept")->asInt()) + double(get(c, "pruned")->asInt())) / tr : 1.0);
    c.set("depth", depth);
    c.set("seconds", secs);
    c.set("peak_bytes", peak);
    out.set("counts", c);
    for (const Value& s : shards)
        if (get(s, "stop")->asString() != "exhausted") {
            out.set("stop", *get(s, "stop"));
            out.set("verdict", *get(s, "verdict"));
            break;
        }
    out.set("shard", "merged " + std::to_string(shards.size()));
    return "";
}

}  // namespace faultline
