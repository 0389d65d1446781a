// SPDX-License-Identifier: GPL-3.0-or-later
// The interleaving explorer: soundness of the reduced search against brute
// force, determinism across thread counts, bounds, and the seed race, S10.
#include <gtest/gtest.h>

#include <bit>
#include <filesystem>
#include <optional>
#include <map>
#include <random>
#include <set>
#include <unordered_map>

#include "engine/engine.h"
#include "explore/explore_output.h"
#include "explore/explorer.h"
#include "explore/future_footprint.h"
#include "explore/future_key.h"
#include "explore/hidden_deadlock.h"
#include "explore/state_store.h"
#include "model/variants.h"
#include "paths/registry.h"
#include "paths/step_pcs.h"
#include "scenario.h"
#include "session/runner.h"
#include "session/session_io.h"

namespace faultline::test {
namespace {

Session sample(const std::string& file) {
    LoadResult lr = loadSession(std::string(FAULTLINE_SAMPLE_DIR) + "/" + file);
    EXPECT_TRUE(lr.session) << lr.error.text();
    Session s = *lr.session;
    s.schedule.clear();
    s.recording.reset();
    return s;
}

// Every schedule, without reduction and without the explorer's key: a
// state equal (State ==, history counters included) to one already
// enumerated has the same futures (the engine is deterministic), so its
// subtree is walked once.
struct Brute {
    std::set<FutureKey> finals;
    std::map<FutureKey, State> finalStates;
    std::set<FindingKey> findings;
    std::unordered_map<uint64_t, std::vector<State>> seen;
    uint64_t schedules = 0;
    void run(const State& x, uint64_t depth, uint64_t maxDepth) {
        auto& bucket = seen[x.hash()];
        for (const State& y : bucket)
            if (y == x) return;
        bucket.push_back(x);
        if (workDone(x) || !anyRunnable(x) || depth == maxDepth) {
            if (workDone(x) || !anyRunnable(x)) finals.insert(futureKey(x)), finalStates.emplace(futureKey(x), x);
            ++schedules;
            return;
        }
        for (uint8_t t = 0; t < x.tasks.size(); ++t) {
            if (!isRunnable(x, t)) continue;
            State y = x;
            const StepRecord rec = step(y, t);
            bool err = false;
            for (const Finding& f : rec.findings) {
                findings.insert({int(f.rule), int(f.task), f.mm, f.index});
                err |= f.rule == Rule::Engine;
            }
            if (!err) run(y, depth + 1, maxDepth);
        }
    }
};

Brute brute(const Session& s, const std::string& variant, uint64_t maxDepth = 1000) {
    ToggleResult tr = resolveToggles(variant, s.toggles);
    EXPECT_TRUE(tr.error.empty());
    InitialState init = buildInitialState(s, tr.toggles);
    EXPECT_TRUE(init.error.empty()) << init.error;
    Brute b;
    b.run(init.state, 0, maxDepth);
    return b;
}

ExploreOptions all(const std::string& variant, bool reduction, bool persistent = true) {
    ExploreOptions o;
    o.variant = variant;
    o.reduction = reduction;
    o.persistentSets = persistent;
    o.collectFinals = true;
    o.goals.rules = {Rule::C1, Rule::C2, Rule::C3, Rule::C4, Rule::Engine};
    o.goals.deadlock = true;
    return o;
}

// Small systems that brute force can enumerate: a write racing a punch, a
// read-then-write racing a punch (the seed race on a 2-page file), two pages.
std::vector<Session> smallSystems() {
    std::vector<Session> out;
    {
        Scenario sc(2);
        sc.s0();
        sc.program(A1, {write(1, "a1")}).program(P, {punch(1)});
        out.push_back(sc.s);
    }
    {
        Scenario sc(2);
        sc.s0();
        sc.program(A1, {read(1), write(1, "a1")}).program(P, {punch(1)});
        sc.s.config.policy.copyTag = "m1";
        out.push_back(sc.s);
    }
    {
        Scenario sc(2);
        sc.s0();
        sc.program(A1, {read(0)}).program(B1, {write(1, "b1")}).program(P, {punch(1)});
        out.push_back(sc.s);
    }
    {
        // Two readers of one mm (mmap_lock shared) and a writer of the other page.
        Scenario sc(2);
        sc.s0();
        sc.program(A1, {read(0)});
        sc.s.config.tasks.push_back({"A2", 0, {read(1), write(1, "a2")}});
        out.push_back(sc.s);
    }
    for (Session& s : out) s.schedule.clear();
    return out;
}

// Systems for the footprint parts (util/access_log.h Part) and the
// take-and-drop lock rule; the soundness test runs them besides smallSystems().
std::vector<Session> footprintSystems() {
    std::vector<Session> out;
    {
        // Two read faults on two holes of a MISSING-registered file: two
        // messages queued in either order, answered by the monitor in queue
        // order, each UFFDIO_COPY allocating a frame (the allocator and the
        // queues are footprint parts).
        Scenario sc(2);
        sc.s0(UFFDIO_REGISTER_MODE_MISSING, 0);
        sc.program(A1, {read(0)});
        sc.s.config.tasks.push_back({"A2", 0, {read(1)}});
        sc.s.config.policy.copyTag = "m1";
        out.push_back(sc.s);
    }
    {
        // A read fault into a hole being punched (shmem_fault sleeps on the
        // falloc waitqueue, the punch wakes it) beside a writer of the other
        // page: i_private and the waiter mask as footprint parts, and a lock
        // taken and dropped in one step (i_lock in SF.2, PH.3) as a read.
        Scenario sc(2);
        sc.s0();
        sc.program(A1, {read(0)}).program(P, {punch(0)}).program(B1, {write(1, "b1")});
        out.push_back(sc.s);
    }
    {
        // Steps that change what every step is assumed to read (footprint.h),
        // in other tasks than the faulting one: B1's munmap of B's VMA while
        // A1 faults, and a reclaim whose writeback the IO task completes.
        Scenario sc(2);
        sc.s0();
        sc.program(A1, {read(0), write(0, "a1")}).program(B1, {write(1, "b1"), op(OpKind::Munmap)});
        sc.program(P, {reclaim(1)});
        out.push_back(sc.s);
    }
    {
        // Message ids as a symmetry (future_key.cpp): two WP faults on two
        // pages whose messages are numbered in either order, answered in
        // queue order, beside the monitor's loop going back to MON_POLL with
        // the last message's locals.
        Scenario sc(2);
        sc.s0(UFFDIO_REGISTER_MODE_WP);
        sc.program(A1, {write(0, "a1")});
        sc.s.config.tasks.push_back({"A2", 0, {write(1, "a2")}});
        out.push_back(sc.s);
    }
    {
        // An event in mmap_changing: MADV_REMOVE with EVENT_REMOVE sleeps on
        // its event's id until the monitor reads it and completes it when it
        // runs again (waitArg after the wake-up), racing a MISSING fault on
        // the other page whose message takes the next id, or the one before.
        Scenario sc(2);
        sc.s0(UFFDIO_REGISTER_MODE_MISSING, 1);
        sc.s.setup[1].op.features |= UFFD_FEATURE_EVENT_REMOVE;
        sc.program(A1, {read(1)});
        sc.s.config.tasks.push_back({"A2", 0, {op(OpKind::MadviseRemove, 0, 1)}});
        sc.s.config.policy.copyTag = "m1";
        out.push_back(sc.s);
    }
    for (Session& s : out) s.schedule.clear();
    return out;
}

// Towards the larger benchmark's shape on a 4-page file: a reader-writer of
// one page and a punch of it and of another page.
Session twoPagesSmall() {
    Scenario sc(4);
    sc.s0();
    sc.program(A1, {read(1), write(1, "a1")}).program(P, {punch(1)});
    sc.s.config.tasks.push_back({"P2", -1, {punch(2)}});
    sc.s.config.policy.copyTag = "m1";
    sc.s.schedule.clear();
    return sc.s;
}

TEST(Explore, ReducedSearchFindsWhatBruteForceFinds) {
    int systems = 0;
    std::vector<Session> systemsToCheck = smallSystems();
    for (Session& s : footprintSystems()) systemsToCheck.push_back(std::move(s));
    for (const Session& s : systemsToCheck) {
        for (const std::string v : {"baseline-2020", "upstream", "no-preunmap"}) {
            const Brute b = brute(s, v);
            ASSERT_GT(b.schedules, 0u);
            // No reduction, sleep sets alone, sleep and persistent sets.
            for (int mode : {0, 1, 2}) {
                const ExploreResult r = explore(s, all(v, mode > 0, mode > 1));
                ASSERT_TRUE(r.error.empty()) << r.error;
                EXPECT_EQ(r.stop, StopReason::Exhausted);
                const std::set<FutureKey> finals(r.finals.begin(), r.finals.end());
                const std::set<FindingKey> seen(r.findingsSeen.begin(), r.findingsSeen.end());
                EXPECT_EQ(finals, b.finals) << v << " mode " << mode << " system " << systems;
                for (auto& [k, st] : b.finalStates) if (!finals.count(k)) {
                    printf("MISSING done=%d any=%d:", int(workDone(st)), int(anyRunnable(st)));
                    for (size_t t = 0; t < st.tasks.size(); ++t) { printf(" T%zu st%d", t, int(st.tasks[t].state)); for (auto& f : st.tasks[t].stack) printf(" %s@%d", std::string(fnName(f.fn)).c_str(), int(f.pc)); }
                    printf("\n");
                }
                EXPECT_EQ(seen, b.findings) << v << " mode " << mode << " system " << systems;
            }
        }
        ++systems;
    }
}

// Two punches and a fault racing on two pages: more interleavings, sleep sets met
// again at states reached by several paths (the intersection rule).
TEST(Explore, ReducedSearchFindsWhatBruteForceFindsOnTwoPages) {
    const Session s = twoPagesSmall();
    for (const std::string v : {"baseline-2020", "upstream"}) {
        const Brute b = brute(s, v);
        ASSERT_GT(b.schedules, 100u);
        for (int mode : {0, 1, 2}) {
            const ExploreResult r = explore(s, all(v, mode > 0, mode > 1));
            ASSERT_TRUE(r.error.empty()) << r.error;
            EXPECT_EQ(r.stop, StopReason::Exhausted);
            EXPECT_EQ(std::set<FutureKey>(r.finals.begin(), r.finals.end()), b.finals) << v << " " << mode;
            EXPECT_EQ(std::set<FindingKey>(r.findingsSeen.begin(), r.findingsSeen.end()), b.findings)
                << v << " " << mode;
        }
    }
}

// The frontier keeps states as rows of interned components: a row rebuilds
// exactly (==) the state it was made from, also when made relative to its
// parent, equal states get equal rows, and a row's key (from its components'
// stored keys) is the state's futureKey(). S17's fork creates a second
// userfaultfd context (State::moreUffds), which a row must carry too.
TEST(Explore, StateStoreRowsRebuildTheirStates) {
    for (const std::string file : {"s1-seed-race.json", "s17-fork-event-fork.json"}) {
        Session s = sample(file);
        ToggleResult tr = resolveToggles(file == "s1-seed-race.json" ? "baseline-2020" : "upstream", {});
        State st = buildInitialState(s, tr.toggles).state;
        StateStore store(st);
        const unsigned w = store.width();
        std::vector<uint32_t> prev(w), row(w), again(w);
        store.put(st, prev.data());
        State back;
        int checked = 0;
        bool moreUffds = false;
        for (int n = 0; n < 200 && anyRunnable(st) && !workDone(st); ++n) {
            uint8_t t = uint8_t(n % st.tasks.size());
            while (!isRunnable(st, t)) t = uint8_t((t + 1) % st.tasks.size());
            const State before = st;
            step(st, t);
            moreUffds |= !(before.moreUffds == st.moreUffds);
            store.put(st, row.data(), &before, prev.data());
            store.get(row.data(), back);
            ASSERT_TRUE(back == st) << file << " step " << n;
            EXPECT_EQ(back.hash(), st.hash());
            EXPECT_EQ(store.key(row.data()), futureKey(st)) << file << " step " << n;  // from the components' keys
            store.put(back, again.data());  // no parent: every component looked up
            EXPECT_EQ(again, row);
            prev = row;
            ++checked;
        }
        EXPECT_GT(checked, 10) << file;
        if (file != "s1-seed-race.json") {
            EXPECT_TRUE(moreUffds) << file << ": the fork should create a context";
        }
    }
}

// Exploring a fork with EVENT_FORK (S17): the child's userfaultfd context
// lives in State::moreUffds. A frontier row that lost it rebuilt states with
// no second context, and the monitor's next step failed with an engine error
// five steps in; the whole space has none, and brute force agrees.
TEST(Explore, ForkWithEventForkKeepsTheChildContext) {
    const Session s = sample("s17-fork-event-fork.json");
    ExploreOptions o = all("upstream", true);
    const ExploreResult r = explore(s, o);
    ASSERT_TRUE(r.error.empty()) << r.error;
    EXPECT_EQ(r.stop, StopReason::Exhausted);
    for (const GoalResult& g : r.goals) {
        if (g.goal == "engine") {
            EXPECT_FALSE(g.found) << g.detail;
        }
    }
    const Brute b = brute(s, "upstream");
    EXPECT_EQ(std::set<FindingKey>(r.findingsSeen.begin(), r.findingsSeen.end()), b.findings);
    EXPECT_EQ(std::set<FutureKey>(r.finals.begin(), r.finals.end()), b.finals);
}

TEST(Explore, ReductionSkipsTransitionsButNotShortestLengths) {
    for (const Session& s : smallSystems()) {
        const ExploreResult full = explore(s, all("baseline-2020", false));
        const ExploreResult red = explore(s, all("baseline-2020", true));
        EXPECT_LE(red.transitions, full.transitions);
        ASSERT_EQ(full.goals.size(), red.goals.size());
        for (size_t g = 0; g < full.goals.size(); ++g) {
            EXPECT_EQ(full.goals[g].found, red.goals[g].found) << full.goals[g].goal;
            EXPECT_EQ(full.goals[g].schedule.size(), red.goals[g].schedule.size()) << full.goals[g].goal;
        }
    }
}

// The shortest C1 schedule of the seed race runs the pre-unmap (C2: the
// uffd-wp bit dropped by the punch's unmap) before A1's fault-around maps
// page 8 again, as S1 does.
TEST(Explore, SeedRaceBaselineFindsC1AfterPreunmapAndFaultAround) {
    Session s = sample("s1-seed-race.json");
    ExploreOptions o;
    o.variant = "baseline-2020";
    o.goals.rules = {Rule::C1};
    const ExploreResult r = explore(s, o);
    ASSERT_TRUE(r.error.empty()) << r.error;
    ASSERT_TRUE(r.goals.at(0).found);
    ToggleResult tr = resolveToggles("baseline-2020", {});
    State st = buildInitialState(s, tr.toggles).state;
    int64_t preunmap = -1, faultAround = -1, c1 = -1;
    for (size_t i = 0; i < r.goals[0].schedule.size(); ++i) {
        const StepRecord rec = step(st, r.goals[0].schedule[i]);
        for (const Finding& f : rec.findings) {
            if (f.rule == Rule::C2 && f.index == 8 && preunmap < 0) preunmap = int64_t(i);
            if (f.rule == Rule::C1) c1 = int64_t(i);
        }
        for (const StepPiece& p : rec.pieces)
            if (p.fn == Fn::filemap_map_pages && p.text.find("A[8] ←") != std::string::npos && faultAround < 0)
                faultAround = int64_t(i);
    }
    EXPECT_GE(preunmap, 0);
    EXPECT_GT(faultAround, preunmap);
    EXPECT_EQ(c1, int64_t(r.goals[0].schedule.size()) - 1);
    RecordProperty("seed_race_c1_length", int(r.goals[0].schedule.size()));
}

TEST(Explore, SeedRaceUpstreamHasNoC1InTheWholeSpace) {
    Session s = sample("s1-seed-race.json");
    ExploreOptions o;
    o.variant = "upstream";
    o.goals.rules = {Rule::C1};
    const ExploreResult r = explore(s, o);
    ASSERT_TRUE(r.error.empty()) << r.error;
    EXPECT_EQ(r.stop, StopReason::Exhausted);
    EXPECT_FALSE(r.goals.at(0).found);
}

TEST(Explore, S10UpstreamFindsC1) {
    Session s = sample("s10-punch-refault-race.json");
    ExploreOptions o;
    o.variant = "upstream";
    o.goals.rules = {Rule::C1};
    o.stopWhenAllFound = true;
    const ExploreResult r = explore(s, o);
    ASSERT_TRUE(r.error.empty()) << r.error;
    EXPECT_TRUE(r.goals.at(0).found);
}

// A search run with toggles on top of the variant (--set) writes them into
// the counterexample's recording, which then replays under them.
TEST(Explore, ACounterexampleCarriesTheTogglesItWasFoundWith) {
    Session s = sample("s10-punch-refault-race.json");
    ExploreOptions o;
    o.variant = "upstream";
    o.toggles = {{"FAULT_AROUND_BYTES", "4096"}};
    o.goals.rules = {Rule::C1};
    o.stopWhenAllFound = true;
    const ExploreResult r = explore(s, o);
    ASSERT_TRUE(r.error.empty()) << r.error;
    ASSERT_TRUE(r.goals.at(0).found);
    const Session cx = counterexampleSession(s, r, r.goals.at(0));
    ASSERT_TRUE(cx.recording);
    const std::vector<std::pair<std::string, std::string>> want = {{"FAULT_AROUND_BYTES", "4096"}};
    EXPECT_EQ(cx.recording->toggles, want);
    const ReplayResult rr = replayRecording(cx);
    EXPECT_TRUE(rr.error.empty()) << rr.error;
    EXPECT_EQ(rr.divergedAt, 0u) << rr.detail;
}

TEST(Explore, SameResultWhateverTheThreadCount) {
    Session s = sample("s1-seed-race.json");
    for (bool reduction : {true, false}) {
        ExploreOptions o;
        o.variant = "baseline-2020";
        o.reduction = reduction;
        o.goals.rules = {Rule::C1, Rule::C2, Rule::C3};
        o.threads = 1;
        const ExploreResult a = explore(s, o);
        o.threads = 2;
        const ExploreResult b = explore(s, o);
        o.threads = 3;
        const ExploreResult c = explore(s, o);
        for (const ExploreResult* x : {&b, &c}) {
            EXPECT_EQ(a.states, x->states);
            EXPECT_EQ(a.transitions, x->transitions);
            EXPECT_EQ(a.slept, x->slept);
            ASSERT_EQ(a.goals.size(), x->goals.size());
            for (size_t g = 0; g < a.goals.size(); ++g) {
                EXPECT_EQ(a.goals[g].schedule, x->goals[g].schedule);
                EXPECT_EQ(a.goals[g].preemptions, x->goals[g].preemptions);
            }
        }
    }
}

TEST(Explore, StepBoundCutsLongerSchedules) {
    Session s = sample("s1-seed-race.json");
    ExploreOptions o;
    o.variant = "baseline-2020";
    o.goals.rules = {Rule::C1};
    o.maxSteps = 20;
    const ExploreResult r = explore(s, o);
    EXPECT_EQ(r.stop, StopReason::StepBound);
    EXPECT_LE(r.maxDepth, 20u);
    EXPECT_FALSE(r.goals[0].found);  // the shortest C1 schedule is longer
}

TEST(Explore, StateLimitStops) {
    Session s = sample("s1-seed-race.json");
    ExploreOptions o;
    o.variant = "baseline-2020";
    o.maxStates = 500;
    const ExploreResult r = explore(s, o);
    EXPECT_EQ(r.stop, StopReason::StateLimit);
    EXPECT_LE(r.states, 500u);
    EXPECT_EQ(stopReasonText(r.stop), "stopped at the state limit");
}

TEST(Explore, PreemptionBoundHonoured) {
    Session s = sample("s1-seed-race.json");
    for (int k : {0, 1, 2}) {
        ExploreOptions o;
        o.variant = "baseline-2020";
        o.goals.rules = {Rule::C1, Rule::C2};
        o.maxPreemptions = k;
        const ExploreResult r = explore(s, o);
        ASSERT_TRUE(r.error.empty()) << r.error;
        for (const GoalResult& g : r.goals)
            if (g.found) { EXPECT_LE(g.preemptions, uint64_t(k)) << g.goal; }
        // Counting them again from the schedule agrees.
        for (const GoalResult& g : r.goals) {
            if (!g.found) continue;
            ToggleResult tr = resolveToggles("baseline-2020", {});
            State st = buildInitialState(s, tr.toggles).state;
            int last = -1;
            uint64_t pre = 0;
            for (uint8_t t : g.schedule) {
                if (last >= 0 && last != t && isRunnable(st, uint8_t(last))) ++pre;
                step(st, t);
                last = t;
            }
            EXPECT_EQ(pre, g.preemptions);
        }
    }
}

TEST(Explore, TimeLimitAndCancelStop) {
    Session s = sample("s1-seed-race.json");
    ExploreOptions o;
    o.variant = "baseline-2020";
    o.reduction = false;
    o.timeLimit = 1e-6;
    EXPECT_EQ(explore(s, o).stop, StopReason::TimeLimit);
    std::atomic<bool> cancel{true};
    ExploreOptions c;
    c.cancel = &cancel;
    EXPECT_EQ(explore(s, c).stop, StopReason::Cancelled);
    ExploreOptions m;
    m.memoryLimit = 1;
    EXPECT_EQ(explore(s, m).stop, StopReason::MemoryLimit);
}

TEST(Explore, BadBoundsRefused) {
    ExploreOptions o;
    o.maxSteps = 0;
    EXPECT_NE(validateOptions(o), "");
    o = {};
    o.threads = 0;
    EXPECT_NE(validateOptions(o), "");
    o = {};
    o.shardCount = 2, o.shardIndex = 2;
    EXPECT_NE(validateOptions(o), "");
    o = {};
    o.maxPreemptions = -2;
    EXPECT_NE(validateOptions(o), "");
    GoalSpec g;
    EXPECT_NE(GoalSpec::parse("C1,nope", g), "");
    EXPECT_NE(GoalSpec::parse("final", g), "");
    EXPECT_EQ(GoalSpec::parse("C1,deadlock", g), "");
    EXPECT_EQ(g.names(), (std::vector<std::string>{"C1", "deadlock"}));
}

TEST(Explore, FinalStatePredicate) {
    Session s = sample("s1-seed-race.json");
    ExploreOptions o;
    o.variant = "upstream";
    o.goals.rules.clear();
    o.goals.finalCells = {{"A.pte[8]", "P(1,1,0)"}};
    const ExploreResult r = explore(s, o);
    ASSERT_TRUE(r.error.empty()) << r.error;
    EXPECT_TRUE(r.goals.at(0).found);
    o.goals.finalCells = {{"A.pte[8]", "nonsense"}};
    EXPECT_FALSE(explore(s, o).goals.at(0).found);
    o.goals.finalCells = {{"Q.pte[8", "none"}};
    EXPECT_NE(explore(s, o).error, "");
}

TEST(Explore, ShardsTogetherFindWhatOneSearchFinds) {
    Session s = sample("s1-seed-race.json");
    ExploreOptions o;
    o.variant = "baseline-2020";
    o.goals.rules = {Rule::C1, Rule::C2};
    const ExploreResult whole = explore(s, o);
    for (size_t g = 0; g < whole.goals.size(); ++g) {
        size_t best = SIZE_MAX;
        for (unsigned i = 0; i < 3; ++i) {
            o.shardIndex = i, o.shardCount = 3;
            const ExploreResult r = explore(s, o);
            EXPECT_EQ(r.stop, StopReason::Exhausted);
            if (r.goals[g].found) best = std::min(best, r.goals[g].schedule.size());
        }
        EXPECT_EQ(best, whole.goals[g].schedule.size()) << whole.goals[g].goal;
    }
}

TEST(Explore, MergeOfShardResultsKeepsTheShortest) {
    Session s = sample("s1-seed-race.json");
    ExploreOptions o;
    o.variant = "baseline-2020";
    o.goals.rules = {Rule::C1, Rule::C3};
    std::vector<json::Value> parts;
    uint64_t states = 0;
    for (unsigned i = 0; i < 3; ++i) {
        o.shardIndex = i, o.shardCount = 3;
        const ExploreResult r = explore(s, o);
        states += r.states;
        parts.push_back(exploreResultJson(r, o));
    }
    json::Value m;
    ASSERT_EQ(mergeResultsJson(parts, m), "");
    const auto& goals = m.find("goals")->asArray();
    ASSERT_EQ(goals.size(), 2u);
    EXPECT_TRUE(goals[0].find("found")->asBool());
    EXPECT_EQ(goals[0].find("length")->asInt(), 55);
    EXPECT_FALSE(goals[1].find("found")->asBool());
    EXPECT_EQ(m.find("counts")->find("states")->asInt(), int64_t(states));
    EXPECT_EQ(m.find("stop")->asString(), "exhausted");
    // Results of another variant do not merge.
    o.variant = "upstream";
    parts.push_back(exploreResultJson(explore(s, o), o));
    EXPECT_NE(mergeResultsJson(parts, m), "");
}

// A counterexample session replays: its recording's hashes are the run's.
TEST(Explore, CounterexampleSessionReplays) {
    Session s = sample("s1-seed-race.json");
    ExploreOptions o;
    o.variant = "baseline-2020";
    o.goals.rules = {Rule::C1};
    o.stopWhenAllFound = true;
    const ExploreResult r = explore(s, o);
    ASSERT_TRUE(r.goals[0].found);
    const Session cx = counterexampleSession(s, r, r.goals[0]);
    const LoadResult back = parseSession(writeSession(cx), "cx.json");
    ASSERT_TRUE(back.session) << back.error.text();
    const ReplayResult rr = replayRecording(*back.session);
    EXPECT_EQ(rr.error, "");
    EXPECT_EQ(rr.divergedAt, 0u) << rr.detail;
    EXPECT_EQ(rr.steps, 55u);
    const RunResult run = runSession(*back.session);
    EXPECT_EQ(count(run, Rule::C1), 1);
}

// The key leaves out fault retries, a caller's stale ret, the monitor's
// dead locals and the message ids' values: states that differ only there
// take the same steps with the same findings and reach states with equal
// keys. A state whose every message id (and the id counter) is shifted by 7
// is the same state up to renaming; so is one whose monitor, back at
// MON_POLL, remembers another message.
TEST(Explore, FutureKeyExclusionsDoNotMergeDifferentBehaviour) {
    for (const char* file : {"s1-seed-race.json", "s13-missing-wp-refill.json", "s15-remove-event.json"}) {
        Session s = sample(file);
        ToggleResult tr = resolveToggles("baseline-2020", {});
        State st = buildInitialState(s, tr.toggles).state;
        int checked = 0, renamed = 0, monitorAtPoll = 0;
        for (int n = 0; n < 60 && anyRunnable(st) && !workDone(st); ++n) {
            State a = st, b = st;
            for (Task& t : b.tasks) {
                t.faultRetries += 3;
                for (size_t i = 0; i + 1 < t.stack.size(); ++i) t.stack[i].ret += 5;  // a caller's stale ret
                for (StackFrame& f : t.stack)
                    if (f.fn == Fn::uffd_monitor && f.pc == paths::MON_POLL) {
                        f.va += 3, f.mm ^= 1, f.aux += 9, f.flags ^= 2, ++monitorAtPoll;
                    }
            }
            // Every message id shifted by 7: where the state holds them, and the counter.
            auto shift = [](uint32_t id) { return id ? id + 7 : 0; };
            for (size_t c = 0; c < b.ctxCount(); ++c) {
                UffdCtx& u = b.ctx(c);
                u.nextMsgId += 7;
                for (UffdMsg& m : u.pending) m.id = shift(m.id), ++renamed;
                for (UffdMsg& m : u.readWaiting) m.id = shift(m.id), ++renamed;
                for (uint32_t& id : u.changing) id = shift(id);
            }
            for (Task& t : b.tasks) {
                if (t.state != TaskState::SleepWriteback) t.waitArg = shift(uint32_t(t.waitArg));
                for (StackFrame& f : t.stack)
                    if (f.fn == Fn::handle_userfault || f.fn == Fn::uffd_monitor) f.aux = shift(uint32_t(f.aux));
            }
            EXPECT_EQ(futureKey(a), futureKey(b));
            EXPECT_NE(a.hash(), b.hash());
            // Run the default order (first runnable task) from both.
            for (int k = 0; k < 80 && anyRunnable(a) && !workDone(a); ++k) {
                uint8_t t = 0;
                while (!isRunnable(a, t)) ++t;
                ASSERT_TRUE(isRunnable(b, t));
                const StepRecord ra = step(a, t), rb = step(b, t);
                ASSERT_EQ(ra.findings.size(), rb.findings.size());
                for (size_t i = 0; i < ra.findings.size(); ++i) EXPECT_EQ(ra.findings[i].rule, rb.findings[i].rule);
                ASSERT_EQ(ra.pieces.size(), rb.pieces.size());
                for (size_t i = 0; i < ra.pieces.size(); ++i) EXPECT_EQ(ra.pieces[i].pc, rb.pieces[i].pc);
                ASSERT_EQ(futureKey(a), futureKey(b)) << file << " step " << k;
            }
            ++checked;
            // Advance the base state along another interleaving: round robin over the runnable tasks.
            std::vector<uint8_t> runnable;
            for (uint8_t t = 0; t < st.tasks.size(); ++t)
                if (isRunnable(st, t)) runnable.push_back(t);
            step(st, runnable[size_t(n) % runnable.size()]);
        }
        EXPECT_GT(checked, 5) << file;
        EXPECT_GT(renamed, 0) << file << " (no message queued at a checked state)";
        EXPECT_GT(monitorAtPoll, 0) << file;
    }
}

// What the key keeps: a live message id's identity (which task a message
// wakes), the monitor's locals while it resolves a message, and a pfn a task
// sleeps on.
TEST(Explore, FutureKeyKeepsLiveIdsAndLocals) {
    Session s = sample("s1-seed-race.json");
    State st = buildInitialState(s, resolveToggles("baseline-2020", {}).toggles).state;
    int pairs = 0, resolving = 0;
    for (int n = 0; n < 200 && anyRunnable(st) && !workDone(st); ++n) {
        for (size_t c = 0; c < st.ctxCount(); ++c) {
            const UffdCtx& u = st.ctx(c);
            if (u.pending.empty() && u.readWaiting.empty()) continue;
            // A queued message now names another id than its sleeper waits for.
            State b = st;
            UffdMsg& m = b.ctx(c).pending.empty() ? b.ctx(c).readWaiting.front() : b.ctx(c).pending.front();
            m.id = b.uffd.nextMsgId + 1;
            EXPECT_NE(futureKey(st), futureKey(b));
            ++pairs;
        }
        for (size_t i = 0; i < st.tasks.size(); ++i)
            for (size_t k = 0; k < st.tasks[i].stack.size(); ++k) {
                const StackFrame& f = st.tasks[i].stack[k];
                if (f.fn != Fn::uffd_monitor || f.pc != paths::MON_RESOLVE) continue;
                State b = st;
                b.tasks[i].stack[k].va += 1;
                EXPECT_NE(futureKey(st), futureKey(b));
                ++resolving;
            }
        uint8_t t = 0;
        while (!isRunnable(st, t)) ++t;
        step(st, t);
    }
    EXPECT_GT(pairs, 0);
    EXPECT_GT(resolving, 0);
    State w = st;
    w.tasks[1].state = TaskState::SleepWriteback, w.tasks[1].waitArg = 5;
    State w2 = w;
    w2.tasks[1].waitArg = 6;
    EXPECT_NE(futureKey(w), futureKey(w2));
}

}  // namespace
}  // namespace faultline::test

namespace faultline::test {
namespace {

// A fault-around over pages of which only one is contended: A1 drops page 0
// and reads it again (do_fault_around() walks pages 0..3, each entry a few
// micro-steps) while P punches page 3 and B1 writes page 1 through B.
Session faultAroundSystem() {
    Scenario sc(4);
    sc.s0();
    sc.program(A1, {dontneed(0), read(0)}).program(P, {punch(3)}).program(B1, {write(1, "b1")});
    sc.s.config.policy.copyTag = "m1";
    sc.s.schedule.clear();
    return sc.s;
}

TEST(Explore, PersistentSetsFindWhatBruteForceFindsWithFaultAround) {
    const Session s = faultAroundSystem();
    for (const std::string v : {"baseline-2020", "upstream", "no-map-pages"}) {
        const Brute b = brute(s, v);
        ASSERT_GT(b.schedules, 0u);
        const ExploreResult sleepOnly = explore(s, all(v, true, false));
        const ExploreResult r = explore(s, all(v, true, true));
        ASSERT_TRUE(r.error.empty()) << r.error;
        EXPECT_EQ(r.stop, StopReason::Exhausted);
        EXPECT_EQ(std::set<FutureKey>(r.finals.begin(), r.finals.end()), b.finals) << v;
        EXPECT_EQ(std::set<FindingKey>(r.findingsSeen.begin(), r.findingsSeen.end()), b.findings) << v;
        if (v == "baseline-2020") {
            // The walk over pages 0..2 touches nothing the others ever will:
            // the persistent sets leave their interleavings out.
            EXPECT_GT(r.pruned, 0u);
            EXPECT_LT(r.states, sleepOnly.states);
        }
    }
}

// Persistent sets postpone other tasks' steps, so their first schedule to a
// goal can be longer than the shortest; the second search makes it the
// shortest again (same length and preemptions as without them).
TEST(Explore, PersistentSetsKeepTheShortestSchedules) {
    std::vector<Session> systems = smallSystems();
    systems.push_back(faultAroundSystem());
    systems.push_back(sample("s1-seed-race.json"));
    for (const Session& s : systems) {
        ExploreOptions with = all("baseline-2020", true, true), without = all("baseline-2020", true, false);
        with.collectFinals = without.collectFinals = false;
        const ExploreResult a = explore(s, with), b = explore(s, without);
        ASSERT_EQ(a.goals.size(), b.goals.size());
        for (size_t g = 0; g < a.goals.size(); ++g) {
            EXPECT_EQ(a.goals[g].found, b.goals[g].found) << a.goals[g].goal;
            EXPECT_EQ(a.goals[g].schedule.size(), b.goals[g].schedule.size()) << a.goals[g].goal;
            EXPECT_EQ(a.goals[g].preemptions, b.goals[g].preemptions) << a.goals[g].goal;
        }
        if (a.anyFound()) { EXPECT_GT(a.shortestStates, 0u); }
        // --first is the breadth-first search itself: no persistent sets.
        with.stopWhenAllFound = true;
        EXPECT_EQ(explore(s, with).pruned, 0u);
    }
}

// A step bound cuts the reduced graph elsewhere than the full one: with
// persistent sets on, a search cut by the step bound is run again without
// them, so a bounded answer means what it says.
TEST(Explore, PersistentSetsAndAStepBound) {
    const Session s = sample("s1-seed-race.json");
    ExploreOptions o = all("baseline-2020", true, true), p = all("baseline-2020", true, false);
    o.collectFinals = p.collectFinals = false;
    o.maxSteps = p.maxSteps = 56;
    const ExploreResult a = explore(s, o), b = explore(s, p);
    EXPECT_EQ(a.stop, StopReason::StepBound);
    EXPECT_EQ(a.states, b.states);
    ASSERT_TRUE(a.goals[0].found);
    EXPECT_EQ(a.goals[0].schedule.size(), 55u);
}

// What a task may still touch (future_footprint.h): a read's fault-around
// window, a punch's range, the monitor's pages (its queue and every fault
// still to come), and `top` for an operation that changes VMAs.
TEST(Explore, FutureFootprintsOfTasks) {
    Scenario sc(16);
    sc.s0();
    sc.program(A1, {read(8), write(8, "a1")}).program(P, {punch(3)}).program(B1, {op(OpKind::Munmap)});
    sc.s.config.policy.copyTag = "m1";
    ToggleResult tr = resolveToggles("baseline-2020", sc.s.toggles);
    InitialState init = buildInitialState(sc.s, tr.toggles);
    ASSERT_TRUE(init.error.empty()) << init.error;
    const State& x = init.state;
    const FutureFootprint a = futureFootprint(x, A1), p = futureFootprint(x, P), m = futureFootprint(x, M),
                          b = futureFootprint(x, B1), r = futureFootprint(x, R);
    EXPECT_FALSE(a.none || a.top);
    EXPECT_TRUE(a.hasPage(0, 1) && a.hasPage(15, 16));  // fault_around_bytes 64K: pages 0..15
    EXPECT_TRUE(p.hasPage(3, 4));
    EXPECT_FALSE(p.hasPage(0, 3) || p.hasPage(4, 16));
    EXPECT_TRUE(b.top);
    EXPECT_TRUE(r.none);  // R has no program
    EXPECT_TRUE(m.top);   // B1's munmap may queue an UNMAP event, or change what the faults reach

    // Without the munmap the monitor is asked about page 8 only.
    sc.program(B1, {});
    init = buildInitialState(sc.s, tr.toggles);
    const FutureFootprint m2 = futureFootprint(init.state, M);
    EXPECT_FALSE(m2.top);
    EXPECT_TRUE(m2.hasPage(8, 9));
    EXPECT_FALSE(m2.hasPage(0, 8) || m2.hasPage(9, 16));
    // The monitor's ioctls take no inode lock and never look at i_private or
    // the punch's waiters (those are shmem_fault()'s); a punch takes no
    // mmap_lock (unmap_mapping_range() walks i_mmap).
    EXPECT_EQ(m2.inodeLocks, 0u);
    EXPECT_FALSE(m2.parts & (1u << unsigned(Part::IPrivate) | 1u << unsigned(Part::FallocWaiters)));
    EXPECT_TRUE(m2.parts & 1u << unsigned(Part::UffdPending));
    EXPECT_EQ(p.mmapLocks, 0u);
    EXPECT_NE(p.ptls, 0u);
    EXPECT_NE(a.mmapLocks, 0u);

    // Under skip-faultaround the read reaches page 8 alone.
    ToggleResult tf = resolveToggles("skip-faultaround", sc.s.toggles);
    init = buildInitialState(sc.s, tf.toggles);
    const FutureFootprint a2 = futureFootprint(init.state, A1);
    EXPECT_TRUE(a2.hasPage(8, 9));
    EXPECT_FALSE(a2.hasPage(0, 8) || a2.hasPage(9, 16));
}

// A step on page 5's slot and folio conflicts with a future that reaches
// page 5, not with one that reaches page 8 only; a step on a lock or a queue
// conflicts with every future that reaches that class.
TEST(Explore, MayConflictByPageAndClass) {
    Scenario sc(16);
    sc.s0();
    ToggleResult tr = resolveToggles("baseline-2020", sc.s.toggles);
    InitialState init = buildInitialState(sc.s, tr.toggles);
    ASSERT_TRUE(init.error.empty()) << init.error;
    const State& x = init.state;
    FutureFootprint eight;
    eight.none = false;
    eight.pages = {{8, 9}};
    FutureFootprint five = eight;
    five.pages = {{5, 6}};
    Footprint onFive;
    onFive.task = A1;
    onFive.reads.push_back({0xF000, 5, 6});  // xa[5]
    EXPECT_FALSE(mayConflict(onFive, eight, P, x));
    EXPECT_TRUE(mayConflict(onFive, five, P, x));
    Footprint pte = onFive;
    pte.reads = {{0, 0x40005, 0x40006}};  // A's pte of page 5
    EXPECT_FALSE(mayConflict(pte, eight, P, x));
    EXPECT_TRUE(mayConflict(pte, five, P, x));
    Footprint queue = onFive;
    queue.reads.clear();
    queue.partReads = 1u << unsigned(Part::UffdPending);
    EXPECT_FALSE(mayConflict(queue, eight, P, x));
    eight.parts = queue.partReads;
    EXPECT_TRUE(mayConflict(queue, eight, P, x));
    Footprint wake = onFive;
    wake.otherTasksWritten = uint64_t{1} << P;
    EXPECT_TRUE(mayConflict(wake, five, P, x));
    FutureFootprint done;
    EXPECT_FALSE(mayConflict(queue, done, P, x));

    // mmap_lock: a reader's arrival or departure commutes with every future
    // that is not `top` (those take it for read only); a failed attempt
    // (a read of its holders) does not.
    FutureFootprint faults = five;
    faults.mmapLocks = 1;  // mm A
    Footprint reader = onFive;
    reader.reads.clear();
    reader.lockShared = {packLockId(uint8_t(LockKind::ML), 0, 0)};
    EXPECT_FALSE(mayConflict(reader, faults, P, x));
    Footprint waiter = reader;
    waiter.lockShared.clear();
    waiter.lockReads = reader.lockShared;
    EXPECT_TRUE(mayConflict(waiter, faults, P, x));
    FutureFootprint top = faults;
    top.top = true;
    EXPECT_TRUE(mayConflict(reader, top, P, x));
}

// One step of a random run that mostly keeps to the last task: bursts make
// a walk that holds the PTL meet a second fault more often than fair turns
// do. False when no task can run.
bool burstyStep(State& st, std::mt19937_64& rng, uint8_t& last) {
    std::vector<uint8_t> runnable;
    for (size_t t = 0; t < st.tasks.size(); ++t)
        if (isRunnable(st, uint8_t(t))) runnable.push_back(uint8_t(t));
    if (runnable.empty()) return false;
    if (!isRunnable(st, last) || rng() % 4 == 0) last = runnable[rng() % runnable.size()];
    step(st, last);
    return true;
}

// The key merges a task blocked on a lock with the runnable task it was
// (core/explore/future_key.cpp). That holds when a task blocks with its
// frame at the row that retries the attempt, having changed nothing the
// retry would change again: from the twin state in which it is runnable,
// its step must fail the same attempt and give back exactly the blocked
// state. Checked at every state of random runs of every sample session's
// and benchmark system's tasks under every variant (two fault-arounds of
// one mm wait for each other's PTL in the benchmark systems).
TEST(Explore, ABlockedTaskIsTheRunnableTaskItWas) {
    std::vector<std::string> files;
    for (const auto& e : std::filesystem::directory_iterator(FAULTLINE_SAMPLE_DIR))
        if (e.path().extension() == ".json") files.push_back(e.path().string());
    for (const auto& e : std::filesystem::directory_iterator(FAULTLINE_BENCH_SESSIONS))
        if (e.path().extension() == ".json") files.push_back(e.path().string());
    std::sort(files.begin(), files.end());
    std::map<LockKind, int> checked;
    std::map<std::string, int> fns;
    for (const std::string& file : files) {
        LoadResult lr = loadSession(file);
        ASSERT_TRUE(lr.session) << lr.error.text();
        for (const Variant& v : variants()) {
            ToggleResult tr = resolveToggles(std::string(v.id), lr.session->toggles);
            const InitialState init = buildInitialState(*lr.session, tr.toggles);
            if (!tr.error.empty() || !init.error.empty()) continue;  // e.g. a MINOR session where MINOR_MODE is off
            const bool bench = file.find("/bench/") != std::string::npos;
            for (uint64_t seed = 1; seed <= (bench ? 200u : 8u); ++seed) {
                std::mt19937_64 rng(seed * 104729 + v.id.size());
                State st = init.state;
                uint8_t last = 0;
                for (int i = 0; i < 3000 && !workDone(st); ++i) {
                    for (size_t t = 0; t < st.tasks.size(); ++t) {
                        if (st.tasks[t].state != TaskState::Blocked) continue;
                        State twin = st;
                        twin.tasks[t].state = TaskState::Runnable;
                        twin.tasks[t].waitLock = {};
                        step(twin, uint8_t(t));
                        twin.stepCount = st.stepCount;
                        ASSERT_TRUE(twin == st) << file << " under " << v.id << ": task " << t << " blocked on "
                                                << lockName(st.tasks[t].waitLock, *st.config)
                                                << " is not the runnable task it was";
                        ASSERT_EQ(futureKey(twin), futureKey(st));
                        ++checked[st.tasks[t].waitLock.kind];
                        ++fns[std::string(fnName(st.tasks[t].stack.back().fn))];
                    }
                    if (!burstyStep(st, rng, last)) break;
                }
            }
        }
    }
    EXPECT_GT(fns["filemap_map_pages"], 50);  // a fault-around waiting for another's PTL
    EXPECT_GT(checked[LockKind::PTL], 100);
    EXPECT_GT(checked[LockKind::FL], 100);  // folio locks
    EXPECT_GT(checked[LockKind::IL], 100);  // the inode lock
}

// A found schedule's preemptions are counted on the schedule itself (a
// switch away from a task that could still run), whether or not a bound
// made them part of the search's key.
TEST(Explore, ReportedPreemptionsAreTheSchedulesOwn) {
    std::vector<Session> systems = smallSystems();
    systems.push_back(sample("s1-seed-race.json"));
    LoadResult lr = loadSession(std::string(FAULTLINE_BENCH_SESSIONS) + "/two-pages-16.json");
    ASSERT_TRUE(lr.session) << lr.error.text();
    systems.push_back(*lr.session);
    int checked = 0;
    for (size_t i = 0; i < systems.size(); ++i)
        for (int bound : {-1, 2}) {
            const Session& s = systems[i];
            if (bound >= 0 && i + 1 == systems.size()) continue;  // the two-page system within 2 preemptions: slow
            ExploreOptions o = all("baseline-2020", true, true);
            o.collectFinals = false;
            o.maxPreemptions = bound;
            o.stopWhenAllFound = true;
            if (i + 1 == systems.size()) o.goals.rules = {Rule::C1}, o.goals.deadlock = false;  // the others: none there
            const ExploreResult r = explore(s, o);
            ASSERT_TRUE(r.error.empty()) << r.error;
            ToggleResult tr = resolveToggles("baseline-2020", s.toggles);
            for (const GoalResult& g : r.goals) {
                if (!g.found) continue;
                State st = buildInitialState(s, tr.toggles).state;
                uint64_t pre = 0;
                int last = -1;
                for (uint8_t t : g.schedule) {
                    ASSERT_TRUE(isRunnable(st, t));
                    if (last >= 0 && last != t && isRunnable(st, uint8_t(last))) ++pre;
                    step(st, t);
                    last = t;
                }
                EXPECT_EQ(g.preemptions, pre) << g.goal << " bound " << bound;
                if (bound >= 0) { EXPECT_LE(pre, uint64_t(bound)); }
                ++checked;
            }
        }
    EXPECT_GE(checked, 6);
}

// The two-page benchmark system under skip-faultaround (two readers of one
// mm, two punches, the monitor): the persistent sets keep every final state
// and every finding the sleep sets alone reach.
TEST(Explore, PersistentSetsKeepTheTwoPageSystemsFinals) {
    LoadResult lr = loadSession(std::string(FAULTLINE_BENCH_SESSIONS) + "/two-pages-16.json");
    ASSERT_TRUE(lr.session) << lr.error.text();
    const Session s = *lr.session;
    const ExploreResult sleepOnly = explore(s, all("skip-faultaround", true, false));
    const ExploreResult r = explore(s, all("skip-faultaround", true, true));
    ASSERT_TRUE(r.error.empty()) << r.error;
    ASSERT_EQ(sleepOnly.stop, StopReason::Exhausted);
    ASSERT_EQ(r.stop, StopReason::Exhausted);
    EXPECT_EQ(std::set<FutureKey>(r.finals.begin(), r.finals.end()),
              std::set<FutureKey>(sleepOnly.finals.begin(), sleepOnly.finals.end()));
    EXPECT_EQ(std::set<FindingKey>(r.findingsSeen.begin(), r.findingsSeen.end()),
              std::set<FindingKey>(sleepOnly.findingsSeen.begin(), sleepOnly.findingsSeen.end()));
    EXPECT_LT(r.states, sleepOnly.states * 3 / 4);
}

// A deadlock the key hides: two fault-arounds of one mm, the first walking
// with the PTL, the second holding a folio lock and about to wait for the
// PTL; made a cycle by hand (the first waits for that folio lock), with
// everyone else unable to run. The second's step only blocks it, and after
// it no task can run: hiddenDeadlock() names that step. A monitor that can
// still run, or a task whose step does more than block, is no deadlock.
TEST(Explore, HiddenDeadlockBehindABlockedTasksKey) {
    LoadResult lr = loadSession(std::string(FAULTLINE_BENCH_SESSIONS) + "/two-pages-16.json");
    ASSERT_TRUE(lr.session) << lr.error.text();
    ToggleResult tr = resolveToggles("baseline-2020", lr.session->toggles);
    const State init = buildInitialState(*lr.session, tr.toggles).state;
    std::optional<State> found;
    uint8_t walker = 0, waiter = 0;
    uint64_t folioLock = 0;
    for (uint64_t seed = 1; seed <= 400 && !found; ++seed) {
        std::mt19937_64 rng(seed);
        State st = init;
        uint8_t last = 0;
        for (int i = 0; i < 2000 && !workDone(st) && !found; ++i) {
            for (const LockHold& h : st.locks) {
                if (h.id.kind != LockKind::PTL || !h.write) continue;
                const uint8_t a = uint8_t(std::countr_zero(h.holders));
                if (st.tasks[a].stack.empty() || st.tasks[a].stack.back().fn != Fn::filemap_map_pages) continue;
                for (uint8_t b = 0; b < st.tasks.size() && !found; ++b) {
                    if (b == a || !isRunnable(st, b) || st.tasks[b].stack.empty() ||
                        st.tasks[b].stack.back().fn != Fn::filemap_map_pages)
                        continue;
                    const LockHold* fl = nullptr;
                    for (const LockHold& g : st.locks)
                        if (g.id.kind == LockKind::FL && (g.holders >> b & 1)) fl = &g;
                    State y = st;
                    step(y, b);
                    if (!fl || !onlyBlocked(st, y, b)) continue;
                    found = st, walker = a, waiter = b, folioLock = fl->id.arg;
                }
            }
            if (!burstyStep(st, rng, last)) break;
        }
    }
    ASSERT_TRUE(found) << "no state with a fault-around waiting for another's PTL";
    State x = *found;
    x.tasks[walker].state = TaskState::Blocked;
    x.tasks[walker].waitLock = {LockKind::FL, 0, folioLock};
    const int monitor = x.config->uffdTask;
    for (size_t t = 0; t < x.tasks.size(); ++t) {
        if (t == walker || t == waiter) continue;
        if (int(t) == monitor) x.tasks[t].state = TaskState::Idle;
        else if (int(t) != x.config->ioTask) x.tasks[t].state = TaskState::Done, x.tasks[t].stack.clear();
    }
    ASSERT_FALSE(workDone(x));
    const std::optional<HiddenDeadlock> d = hiddenDeadlock(x, walker);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->steps, std::vector<uint8_t>{waiter});
    EXPECT_FALSE(anyRunnable(d->state));
    EXPECT_EQ(d->state.tasks[waiter].state, TaskState::Blocked);
    EXPECT_EQ(futureKey(d->state), futureKey(x));  // why the search alone never makes it

    State awake = x;
    awake.tasks[size_t(monitor)].state = TaskState::Runnable;
    EXPECT_FALSE(hiddenDeadlock(awake, walker));  // the monitor's step does more than block
    State walking = x;
    walking.tasks[walker].state = TaskState::Runnable;
    EXPECT_FALSE(hiddenDeadlock(walking, walker));  // the walk goes on: its step does more than block
}

}  // namespace
}  // namespace faultline::test
