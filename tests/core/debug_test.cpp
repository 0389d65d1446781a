// SPDX-License-Identifier: GPL-3.0-or-later
// The debugger logic (core/debug): stepping, reverse, breakpoints,
// watchpoints, variant switches and compare, on the seed race.
#include "debug/debugger.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>

#include "engine/engine.h"
#include "paths/registry.h"
#include "scenario.h"
#include "session/cells.h"

namespace faultline::test {
namespace {

using debug::Debugger;
using debug::StopReason;

Session seedRace() {
    Scenario sc;
    sc.s0()
        .program(A1, {read(8), write(8, "a1")})
        .program(P, {punch(8)})
        .until(P, "PH.5")
        .untilBlocked(A1)
        .untilDone(P);
    sc.s.variant = "baseline-2020";
    return sc.s;
}

std::string cell(const State& s, const std::string& name) {
    std::string err;
    auto v = cellValue(s, name, &err);
    return v ? *v : "ERR " + err;
}

TEST(Debugger, LoadRunsThePlanAndStartsAtZero) {
    Debugger d;
    ASSERT_EQ(d.load(seedRace()), "");
    EXPECT_EQ(d.position(), 0u);
    EXPECT_GT(d.length(), 50u);
    EXPECT_EQ(cell(d.current(), "A.pte[8]"), "P(0,0,1)");
    ASSERT_TRUE(d.nextTask());
    EXPECT_EQ(*d.nextTask(), P);  // the plan starts with P until PH.5
}

TEST(Debugger, StepIntoFollowsThePlanToTheC1Finding) {
    Debugger d;
    d.stopOnFindings = false;
    ASSERT_EQ(d.load(seedRace()), "");
    uint64_t c1 = 0;
    for (int i = 0; i < 200 && !c1; ++i) {
        const auto st = d.stepInto();
        ASSERT_EQ(st.reason, StopReason::Step) << st.text;
        for (const Finding& f : d.record(d.position())->findings)
            if (f.rule == Rule::C1) c1 = d.position();
    }
    ASSERT_NE(c1, 0u);
    EXPECT_FALSE(d.manual());
    EXPECT_EQ(d.record(c1)->task, A1);
}

TEST(Debugger, ContinueStopsOnFindingsThenEnd) {
    Debugger d;
    ASSERT_EQ(d.load(seedRace()), "");
    auto st = d.continueRun();
    ASSERT_EQ(st.reason, StopReason::Finding) << st.text;
    EXPECT_NE(st.text.find("C2"), std::string::npos) << st.text;  // the pre-unmap drops uffd-wp first
    st = d.continueRun();
    ASSERT_EQ(st.reason, StopReason::Finding) << st.text;
    EXPECT_NE(st.text.find("C1"), std::string::npos) << st.text;
    const uint64_t c1 = d.position();
    st = d.continueRun();
    EXPECT_EQ(st.reason, StopReason::End) << st.text;
    EXPECT_GT(d.position(), c1);
    // Reverse continue comes back to the C1 step.
    st = d.reverseContinue();
    EXPECT_EQ(st.reason, StopReason::Finding) << st.text;
    EXPECT_EQ(d.position(), c1);
}

TEST(Debugger, ReverseThenForwardIsExact) {
    Debugger d;
    ASSERT_EQ(d.load(seedRace()), "");
    std::vector<uint64_t> hashes{d.current().hash()};
    for (int i = 0; i < 40; ++i) {
        d.stepInto();
        hashes.push_back(d.current().hash());
    }
    for (int i = 40; i > 0; --i) {
        d.reverseStep();
        ASSERT_EQ(d.current().hash(), hashes[i - 1]) << "back at " << i - 1;
    }
    for (int i = 1; i <= 40; ++i) {
        d.stepInto();
        ASSERT_EQ(d.current().hash(), hashes[i]) << "forward at " << i;
    }
}

TEST(Debugger, WatchpointStopsWhereThePreUnmapClearsUffdWpForwardAndBackward) {
    Debugger d;
    d.stopOnFindings = false;
    ASSERT_EQ(d.load(seedRace()), "");
    std::string err;
    auto w = debug::parseWatchpoint(d.current().config ? *d.current().config : Config{}, "A.pte[8].uffd_wp", &err);
    ASSERT_TRUE(w) << err;
    d.watchpoints().push_back(*w);
    auto st = d.continueRun();
    ASSERT_EQ(st.reason, StopReason::Watchpoint) << st.text;
    const uint64_t cleared = d.position();
    EXPECT_EQ(cell(d.current(), "A.pte[8]"), "none");
    EXPECT_EQ(d.record(cleared)->task, P);
    EXPECT_EQ(debug::watchValue(d.current(), *w), "0");
    // Run to the end, then back: the reverse stop is the step that cleared it
    // (the fault-around re-map does not set uffd-wp, so no other change).
    d.watchpoints().clear();
    d.continueRun();
    d.watchpoints().push_back(*w);
    st = d.reverseContinue();
    ASSERT_EQ(st.reason, StopReason::Watchpoint) << st.text;
    EXPECT_EQ(d.position(), cleared);
}

TEST(Debugger, WatchpointUnderUpstreamSeesTheMarker) {
    Debugger d;
    d.stopOnFindings = false;
    ASSERT_EQ(d.load(seedRace(), "upstream"), "");
    auto w = debug::parseWatchpoint(*d.current().config, "A.pte[8].present", nullptr);
    ASSERT_TRUE(w);
    d.watchpoints().push_back(*w);
    ASSERT_EQ(d.continueRun().reason, StopReason::Watchpoint);
    EXPECT_EQ(cell(d.current(), "A.pte[8]"), "M");
    auto wp = debug::parseWatchpoint(*d.current().config, "A.pte[8].uffd_wp", nullptr);
    EXPECT_EQ(debug::watchValue(d.current(), *wp), "1");  // the marker keeps the protection
}

TEST(Debugger, LineBreakpointStopsOnTheFaultAroundRemap) {
    Debugger d;
    d.stopOnFindings = false;
    ASSERT_EQ(d.load(seedRace()), "");
    std::string err;
    auto bp = debug::parseBreakpoint("do_fault_around", &err);
    ASSERT_TRUE(bp) << err;
    EXPECT_EQ(bp->pc, -1);
    auto mp = debug::parseBreakpoint("MP.7", &err);
    ASSERT_TRUE(mp) << err;
    EXPECT_EQ(mp->fn, Fn::filemap_map_pages);
    d.toggleBreakpoint(*mp);
    EXPECT_TRUE(d.hasBreakpoint(Fn::filemap_map_pages, mp->pc));
    auto st = d.continueRun();
    ASSERT_EQ(st.reason, StopReason::Breakpoint) << st.text;
    const State& s = d.current();
    EXPECT_EQ(s.tasks[A1].stack.back().fn, Fn::filemap_map_pages);
    EXPECT_EQ(nextStepId(s, A1), "MP.7");
    // Toggling again removes it.
    EXPECT_FALSE(d.toggleBreakpoint(*mp));
    EXPECT_FALSE(debug::parseBreakpoint("no_such_fn", &err));
}

TEST(Debugger, BreakpointsOnStepsInsideAFusedMicroStepStopWhereTheBitIsLost) {
    // C2 says "dropped by ZP.3 in zap_pte_range": both names must be accepted
    // and stop on the step that zapped A's pte of page 8.
    for (const char* spec : {"ZP.3", "zap_pte_range"}) {
        Debugger d;
        d.stopOnFindings = false;
        ASSERT_EQ(d.load(seedRace()), "");
        std::string err;
        auto bp = debug::parseBreakpoint(spec, &err);
        ASSERT_TRUE(bp) << err;
        EXPECT_EQ(bp->fn, Fn::unmap_mapping_range);
        EXPECT_EQ(stepId(bp->fn, uint8_t(bp->pc)), "ZP.1");
        d.toggleBreakpoint(*bp);
        auto st = d.continueRun();
        ASSERT_EQ(st.reason, StopReason::Breakpoint) << spec << ": " << st.text;
        EXPECT_EQ(cell(d.current(), "A.pte[8]"), "none") << spec;
        EXPECT_EQ(cell(d.timeline().stateAt(d.position() - 1), "A.pte[8]"), "P(0,0,1)") << spec;
        bool c2 = false;
        for (const Finding& f : d.record(d.position())->findings) c2 |= f.rule == Rule::C2;
        EXPECT_TRUE(c2) << spec;
        EXPECT_EQ(d.breakpoints().front().hits, 1u);
    }
}

TEST(Debugger, EveryStepIdAndFunctionTheCodeTraceAndFindingsNameIsABreakpoint) {
    auto idsIn = [](std::string_view text, std::vector<std::string>& out) {
        for (size_t i = 0; i + 3 < text.size(); ++i) {
            size_t j = i;
            while (j < text.size() && j - i < 3 && std::isupper(static_cast<unsigned char>(text[j]))) ++j;
            if (j - i < 2 || j >= text.size() || text[j] != '.' ||
                (i > 0 && std::isalnum(static_cast<unsigned char>(text[i - 1]))))
                continue;
            size_t k = j + 1;
            while (k < text.size() && std::isdigit(static_cast<unsigned char>(text[k]))) ++k;
            if (k > j + 1) out.emplace_back(text.substr(i, k - i)), i = k;
        }
    };
    std::vector<std::string> names;
    for (size_t f = 0; f < size_t(Fn::kCount); ++f)
        for (const CodeLine& l : fnInfo(Fn(f)).lines) idsIn(l.code, names);
    Debugger d;
    d.stopOnFindings = false;
    ASSERT_EQ(d.load(seedRace()), "");
    for (const StepRecord& r : d.timeline().records()) {
        for (const StepPiece& p : r.pieces) idsIn(p.text, names);
        for (std::string_view sub : r.subSteps) {
            const auto& known = substepIds();
            EXPECT_NE(std::find(known.begin(), known.end(), sub), known.end())
                << sub << " is reported but not in substepIds()";
        }
        for (const Finding& f : r.findings) {
            idsIn(f.text, names);
            if (auto at = f.text.find(" in "); at != std::string::npos) {
                std::string fn = f.text.substr(at + 4);
                fn = fn.substr(0, fn.find(' '));
                names.push_back(fn);
            }
        }
    }
    ASSERT_GT(names.size(), 20u);
    for (const std::string& n : names) {
        std::string err;
        EXPECT_TRUE(debug::parseBreakpoint(n, &err)) << err;
    }
}

TEST(Debugger, StepOverAtUserLevelRunsTheWholeOperation) {
    // gdb's "next" on a line that calls: the call runs to its end.
    Debugger d;
    d.stopOnFindings = false;
    ASSERT_EQ(d.load(seedRace()), "");
    for (int i = 0; i < 3; ++i) d.stepInto();  // P's pre-unmap: A's pte of page 8 is gone, A1's read faults
    d.chooseTask(A1);
    ASSERT_EQ(debug::depthOf(d.current(), A1), 0u);
    auto st = d.stepOver();
    EXPECT_EQ(st.reason, StopReason::Step) << st.text;
    EXPECT_EQ(debug::depthOf(d.current(), A1), 0u) << st.text;
    EXPECT_TRUE(d.record(d.position())->opDone);
    EXPECT_GT(d.position(), 5u);  // the read fault took several micro-steps
}

TEST(Debugger, StepOverFinishesCalleesAndStepOutReturns) {
    Debugger d;
    d.stopOnFindings = false;
    ASSERT_EQ(d.load(seedRace()), "");
    // P pre-unmaps page 8 (3 steps), then A1 takes its steps by hand: its
    // read faults and fault-around maps the window.
    d.chooseTask(P);
    for (int i = 0; i < 3; ++i) d.stepInto();
    d.chooseTask(A1);
    d.stepInto();
    ASSERT_GE(debug::depthOf(d.current(), A1), 1u);
    // Step into until A1 is inside filemap_map_pages (deeper than its entry frame).
    for (int i = 0; i < 10 && d.current().tasks[A1].stack.back().fn != Fn::filemap_map_pages; ++i) d.stepInto();
    ASSERT_EQ(d.current().tasks[A1].stack.back().fn, Fn::filemap_map_pages);
    const size_t depth = debug::depthOf(d.current(), A1);
    ASSERT_GE(depth, 2u);
    // Step over stays at this depth or above.
    auto st = d.stepOver();
    EXPECT_EQ(st.reason, StopReason::Step) << st.text;
    EXPECT_LE(debug::depthOf(d.current(), A1), depth);
    // Step out leaves filemap_map_pages.
    st = d.stepOut();
    EXPECT_EQ(st.reason, StopReason::Step) << st.text;
    const auto& stack = d.current().tasks[A1].stack;
    EXPECT_TRUE(stack.size() < depth);
    // Reverse step out comes back to a state where A1 is above that depth, about to step.
    const uint64_t here = d.position();
    d.reverseStepOut();
    EXPECT_LT(d.position(), here);
}

TEST(Debugger, ChoosingADifferentTaskBranchesAndIsRecorded) {
    Debugger d;
    ASSERT_EQ(d.load(seedRace()), "");
    const uint64_t planned = d.length();
    d.chooseTask(A1);  // the plan says P first; A1 reads before the punch
    d.stepInto();
    EXPECT_TRUE(d.manual());
    EXPECT_EQ(d.length(), 1u);
    EXPECT_NE(d.length(), planned);
    d.chooseTask(std::nullopt);
    auto st = d.continueRun();
    const Recording rec = d.recording();
    EXPECT_EQ(rec.schedule.size(), d.length());
    EXPECT_EQ(rec.schedule.front(), A1);
    EXPECT_EQ(rec.hashes.back(), d.current().hash());
    (void)st;
}

// A recording whose hashes no longer match (an engine upgrade between a crash
// and the restart) keeps every recorded step when loaded whole; a plain load
// stops at the divergence.
TEST(Debugger, AWholeScheduleLoadKeepsEveryStepOfADivergedRecording) {
    Debugger d;
    ASSERT_EQ(d.load(seedRace()), "");
    d.stopOnFindings = false;
    d.chooseTask(A1);
    d.stepInto();
    d.chooseTask(std::nullopt);
    d.continueRun();
    Session s = seedRace();
    s.recording = d.recording();
    const size_t n = s.recording->schedule.size();
    ASSERT_GT(n, 20u);
    const uint64_t endHash = d.current().hash();
    s.recording->hashes[0] ^= 1;  // one bit of step 1's hash
    Debugger cut;
    ASSERT_EQ(cut.load(s, "", {}, ~uint64_t{0}), "");
    EXPECT_EQ(cut.length(), 1u);  // what the plain replay keeps
    Debugger whole;
    ASSERT_EQ(whole.loadWholeSchedule(s), "");
    EXPECT_EQ(whole.length(), n);
    EXPECT_EQ(whole.position(), n);
    EXPECT_EQ(whole.current().hash(), endHash);
    EXPECT_EQ(whole.replayDivergedAt(), 1u);
    EXPECT_TRUE(whole.manual());
    EXPECT_NE(whole.loadNote().find("diverged at step 1"), std::string::npos) << whole.loadNote();
    EXPECT_NE(whole.loadNote().find("re-executed"), std::string::npos) << whole.loadNote();
    EXPECT_EQ(whole.recording().schedule, s.recording->schedule);
    // An intact recording loads as before.
    s.recording->hashes[0] ^= 1;
    ASSERT_EQ(whole.loadWholeSchedule(s, 5), "");
    EXPECT_EQ(whole.replayDivergedAt(), 0u);
    EXPECT_EQ(whole.position(), 5u);
}

TEST(Debugger, VariantSwitchKeepsTheStepAndReRunsTheSchedule) {
    Debugger d;
    d.stopOnFindings = false;
    ASSERT_EQ(d.load(seedRace()), "");
    d.runTo(3);
    EXPECT_EQ(cell(d.current(), "A.pte[8]"), "none");
    ASSERT_EQ(d.setVariant("upstream", {}), "");
    EXPECT_EQ(d.position(), 3u);
    EXPECT_EQ(d.variant(), "upstream");
    EXPECT_EQ(cell(d.current(), "A.pte[8]"), "M");
    EXPECT_FALSE(d.setVariant("no-such-variant", {}).empty());
    EXPECT_EQ(d.variant(), "upstream");
    // Toggle override on top of a variant.
    ASSERT_EQ(d.setVariant("upstream", {{"PTE_MARKERS", "off"}}), "");
    EXPECT_EQ(cell(d.current(), "A.pte[8]"), "none");
}

TEST(Debugger, VariantSwitchOfAHandMadeScheduleAdaptsIt) {
    Debugger d;
    d.stopOnFindings = false;
    ASSERT_EQ(d.load(seedRace()), "");
    d.chooseTask(P);
    for (int i = 0; i < 3; ++i) d.stepInto();
    d.chooseTask(A1);
    while (d.stepInto().reason == StopReason::Step) {}
    ASSERT_TRUE(d.manual());
    const uint64_t pos = d.position();
    const auto sched = d.timeline().schedule();
    ASSERT_EQ(d.setVariant("upstream", {}), "");
    // Under upstream A1 sleeps in handle_userfault: the schedule had to adapt
    // (and the run is shorter: no fault-around).
    EXPECT_FALSE(d.scheduleNote().empty());
    EXPECT_NE(d.scheduleNote().find("A1"), std::string::npos) << d.scheduleNote();
    EXPECT_EQ(d.position(), std::min(pos, d.length()));
    EXPECT_EQ(cell(d.timeline().stateAt(3), "A.pte[8]"), "M");
    // Back to baseline: the adapted schedule replays, the step is kept.
    const uint64_t pos2 = d.position();
    ASSERT_EQ(d.setVariant("baseline-2020", {}), "");
    EXPECT_EQ(d.position(), pos2);
    (void)sched;
}

TEST(Debugger, CompareFindsTheFirstDivergentStep) {
    Debugger a, b;
    ASSERT_EQ(a.load(seedRace(), "baseline-2020"), "");
    ASSERT_EQ(b.load(seedRace(), "upstream"), "");
    const auto div = debug::firstDivergence(a.timeline(), b.timeline());
    ASSERT_TRUE(div.found);
    EXPECT_EQ(div.step, 3u);  // PH.4's zap: none vs marker
    ASSERT_FALSE(div.cells.empty());
    EXPECT_NE(div.cells.front().find("A.pte[8]"), std::string::npos) << div.cells.front();
    // A timeline compared with itself does not diverge.
    EXPECT_FALSE(debug::firstDivergence(a.timeline(), a.timeline()).found);
}

TEST(Debugger, RecordingReplaysAndDetectsDivergence) {
    Debugger d;
    ASSERT_EQ(d.load(seedRace()), "");
    d.chooseTask(A1);
    d.stepInto();
    d.chooseTask(std::nullopt);
    d.continueRun();
    d.continueRun();
    d.continueRun();
    Session s = d.session();
    s.recording = d.recording();
    const uint64_t n = d.length();
    Debugger r;
    ASSERT_EQ(r.load(s, "", {}, ~uint64_t{0}), "");
    EXPECT_EQ(r.replayDivergedAt(), 0u) << r.loadNote();
    EXPECT_EQ(r.position(), n);
    EXPECT_EQ(r.current().hash(), d.current().hash());
    s.recording->hashes[5] ^= 1;
    Debugger bad;
    ASSERT_EQ(bad.load(s), "");
    EXPECT_EQ(bad.replayDivergedAt(), 6u);
}

TEST(Debugger, WatchpointParsing) {
    Scenario sc;
    std::string err;
    EXPECT_TRUE(debug::parseWatchpoint(sc.s.config, "B.pte[3].write", &err));
    EXPECT_TRUE(debug::parseWatchpoint(sc.s.config, "xa[8]", &err));
    EXPECT_TRUE(debug::parseWatchpoint(sc.s.config, "folio[8].locked", &err));
    EXPECT_TRUE(debug::parseWatchpoint(sc.s.config, "slot[2].count", &err));
    EXPECT_FALSE(debug::parseWatchpoint(sc.s.config, "C.pte[3]", &err));
    EXPECT_FALSE(debug::parseWatchpoint(sc.s.config, "A.pte[3].bogus", &err));
    EXPECT_NE(err.find("bogus"), std::string::npos);
    EXPECT_EQ(debug::parseWatchpoint(sc.s.config, "A.pte[8].uffd_wp", &err)->text(sc.s.config), "A.pte[8].uffd_wp");
}

}  // namespace
}  // namespace faultline::test
