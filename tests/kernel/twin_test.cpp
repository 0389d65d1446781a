// SPDX-License-Identifier: GPL-3.0-or-later
// The kernel twin's plain code, on recorded observations: no root, no
// userfaultfd needed. The .obs files are `faultline-cli kernel SESSION --raw`
// output recorded on Linux 6.18; s10-race.txt is `--race --raw` output.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "session/session_io.h"
#include "twin_plan.h"
#include "twin_run.h"

using namespace faultline;
using namespace faultline::kernel;

namespace {

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

Session load(const std::string& name) {
    LoadResult lr = loadSession(std::string(FAULTLINE_SAMPLE_DIR) + "/" + name);
    EXPECT_TRUE(lr.session) << lr.error.text();
    return *lr.session;
}

std::string recorded(const std::string& name) { return slurp(std::string(FAULTLINE_TEST_DATA) + "/kernel/" + name); }

}  // namespace

TEST(KernelTwinCompare, WildcardsMatchWhatTheKernelCannotShow) {
    EXPECT_TRUE(agrees("P(?,?,1)", "P(0,1,1)"));
    EXPECT_TRUE(agrees("P(?,?,1)", "P(1,1,1)"));
    EXPECT_FALSE(agrees("P(?,?,1)", "P(1,1,0)"));
    EXPECT_FALSE(agrees("P(?,?,0)", "M"));
    EXPECT_TRUE(agrees("M", "M"));
    EXPECT_FALSE(agrees("none", "M"));
    EXPECT_FALSE(comparable("?"));
    EXPECT_TRUE(comparable("F(b0)"));
}

TEST(KernelTwinCompare, ParsesObservationLines) {
    ParsedRun r = parseObservations(
        "# swap: none\nop 1 setup A1: read 8\nresult read=b0\nmsgs MISS(8) WP(8,W)\n"
        "cell A.pte[8] P(?,?,1)\ncell xa[8] F(b0)\n");
    ASSERT_EQ(r.ops.size(), 1u);
    EXPECT_EQ(r.notes, std::vector<std::string>{"swap: none"});
    EXPECT_EQ(r.ops[0].label, "setup A1: read 8");
    EXPECT_EQ(r.ops[0].result, "read=b0");
    EXPECT_EQ(r.ops[0].msgs, "MISS(8) WP(8,W)");
    ASSERT_EQ(r.ops[0].cells.size(), 2u);
    EXPECT_EQ(r.ops[0].cells[0], (std::pair<std::string, std::string>{"A.pte[8]", "P(?,?,1)"}));
}

// The seed race, operation by operation under upstream, as 6.18 showed it.
TEST(KernelTwinCompare, SeedRaceRecordedOn618AgreesEverywhere) {
    Plan plan;
    makePlan(load("s1-seed-race.json"), plan);
    ASSERT_EQ(plan.error, "");
    ParsedRun k = parseObservations(recorded("s1-seed-race.obs"));
    Comparison c = compare(k.ops, plan.sim);
    EXPECT_EQ(c.error, "");
    EXPECT_EQ(c.firstDisagreement, -1);
    EXPECT_EQ(c.agreed, c.total);
    EXPECT_GT(c.total, 5000u);
    // The last three operations: the punch, the read (MISS answered by
    // COPY(WP)), the write (WP, cleared).
    ASSERT_GE(plan.sim.size(), 3u);
    const Observation& read = plan.sim[plan.sim.size() - 2];
    EXPECT_EQ(read.label, "A1: read 8");
    EXPECT_EQ(read.msgs, "MISS(8)");
    EXPECT_EQ(read.result, "read=m1");
    EXPECT_EQ(plan.sim.back().msgs, "WP(8,W)");
}

// new-ops.json, recorded on 6.18: events in their canonical text, signals as
// results, file cells past i_size after ftruncate.
TEST(KernelTwinCompare, NewerOperationsRecordedOn618AgreeEverywhere) {
    LoadResult lr = loadSession(std::string(FAULTLINE_TEST_DATA) + "/kernel/new-ops.json");
    ASSERT_TRUE(lr.session) << lr.error.text();
    Plan plan;
    makePlan(*lr.session, plan);
    ASSERT_EQ(plan.error, "");
    ParsedRun k = parseObservations(recorded("new-ops.obs"));
    Comparison c = compare(k.ops, plan.sim);
    EXPECT_EQ(c.error, "");
    EXPECT_EQ(c.firstDisagreement, -1) << c.rows[size_t(std::max(c.firstDisagreement, 0))].label;
    EXPECT_EQ(c.agreed, c.total);
    std::vector<std::string> msgs, results;
    for (const Observation& o : plan.sim) {
        if (o.msgs != "-") msgs.push_back(o.msgs);
        if (o.result == "SIGSEGV" || o.result == "SIGBUS" || o.result == "-EBADF") results.push_back(o.result);
    }
    EXPECT_EQ(msgs, (std::vector<std::string>{"REMOVE(2-4)", "MISS(2)", "WP(4,W)", "UNMAP(0-4)"}));
    EXPECT_EQ(results, (std::vector<std::string>{"SIGSEGV", "SIGBUS", "SIGBUS", "-EBADF"}));
    // The serve that close(uffd) ends is not an operation of the kernel run.
    std::vector<int> kinds;
    for (size_t i = plan.nsetup; i < plan.ops.size(); ++i) kinds.push_back(plan.twOps[i].kind);
    for (int kind : {TW_REMOVE, TW_MPROTECT, TW_POISON, TW_MMAP, TW_FTRUNCATE, TW_UFFD_CLOSE})
        EXPECT_NE(std::find(kinds.begin(), kinds.end(), kind), kinds.end()) << kind;
    for (const PlannedOp& p : plan.ops) EXPECT_NE(p.op.kind, OpKind::Serve);
    const Observation& last = plan.sim.back();
    ASSERT_FALSE(last.cells.empty());
    EXPECT_EQ(last.cells.back(), (std::pair<std::string, std::string>{"data[7]", "beyond-eof"}));
    // The MAP_PRIVATE VMA is mapped private.
    EXPECT_EQ(plan.world.mms[0].vmas[1].shared, 0);
    EXPECT_EQ(plan.world.mms[0].vmas[0].shared, 1);
}

TEST(KernelTwinCompare, NamesTheFirstDisagreementWithItsOperation) {
    Plan plan;
    makePlan(load("s1-seed-race.json"), plan);
    std::string text = recorded("s1-seed-race.obs");
    // Pretend the kernel lost the WP message of the final write.
    const auto at = text.rfind("msgs WP(8,W)");
    ASSERT_NE(at, std::string::npos);
    text.replace(at, 12, "msgs -");
    Comparison c = compare(parseObservations(text).ops, plan.sim);
    ASSERT_GE(c.firstDisagreement, 0);
    const CompareRow& r = c.rows[size_t(c.firstDisagreement)];
    EXPECT_EQ(r.label, "A1: write 8 = a1");
    EXPECT_EQ(r.cell, "msgs");
    EXPECT_EQ(r.kernel, "-");
    EXPECT_EQ(r.sim, "WP(8,W)");
    EXPECT_EQ(c.agreed + 1, c.total);
}

TEST(KernelTwinCompare, MissingOperationsAreAnError) {
    Plan plan;
    makePlan(load("s1-seed-race.json"), plan);
    ParsedRun k = parseObservations(recorded("s1-seed-race.obs"));
    k.ops.pop_back();
    EXPECT_NE(compare(k.ops, plan.sim).error, "");
}

// Anonymous VMA, swap stand-ins: the swapped page's content is not compared.
TEST(KernelTwinCompare, AnonContrastRecordedOn618Agrees) {
    Plan plan;
    makePlan(load("s7-anon-contrast.json"), plan);
    ASSERT_EQ(plan.error, "");
    EXPECT_TRUE(plan.world.need_swap);
    Comparison c = compare(parseObservations(recorded("s7-anon-contrast.obs")).ops, plan.sim);
    EXPECT_EQ(c.error, "");
    EXPECT_EQ(c.agreed, c.total);
}

TEST(KernelTwinPlan, OrderFollowsTheSchedule) {
    Plan plan;
    makePlan(load("s10-punch-refault-race.json"), plan);
    ASSERT_EQ(plan.error, "");
    std::vector<std::string> labels;
    for (size_t k = plan.nsetup; k < plan.ops.size(); ++k) labels.push_back(plan.ops[k].label);
    // A1's read completes before P's punch (A1 ops 1, then P until done).
    EXPECT_EQ(labels,
              (std::vector<std::string>{"A1: read 1", "P: punch_hole offset 4096 len 4096", "A1: write 1 = a1"}));
    const RacePlan& r = plan.race;
    EXPECT_EQ(r.error, "");
    ASSERT_EQ(r.racers.size(), 2u);
    EXPECT_EQ(plan.ops[size_t(r.racers[0])].label, "A1: read 1");
    EXPECT_EQ(plan.ops[size_t(r.racers[1])].label, "P: punch_hole offset 4096 len 4096");
    ASSERT_EQ(r.follow.size(), 1u);
    EXPECT_EQ(plan.ops[size_t(r.follow[0])].label, "A1: write 1 = a1");
    EXPECT_EQ(plan.cells[size_t(r.watch)].name, "A.pte[1]");
    EXPECT_TRUE(r.watchProtected);
    EXPECT_EQ(r.simFindings, "C1,C2");
}

TEST(KernelTwinPlan, SessionWithoutInterleavingHasNoRace) {
    Plan plan;
    makePlan(load("s8-madv-dontneed.json"), plan);
    ASSERT_EQ(plan.error, "");
    EXPECT_NE(plan.race.error, "");
}

TEST(KernelTwinRace, ClassifiesAsTheChecker) {
    char b[16];
    // Marker dropped, the write silent: protection dropped and a silent write.
    EXPECT_STREQ(tw_classify(1, "none", "-", 1, b, sizeof b), "C1+C2");
    // The loss ending as a present pte without uffd-wp.
    EXPECT_STREQ(tw_classify(1, "P(?,?,0)", "-", 1, b, sizeof b), "C1+C2");
    EXPECT_STREQ(tw_classify(1, "P(?,?,0)", "-", 0, b, sizeof b), "C2");
    EXPECT_STREQ(tw_classify(1, "M", "WP(1,W)", 1, b, sizeof b), "clean");
    EXPECT_STREQ(tw_classify(1, "P(?,?,1)", "WP(1,W)", 1, b, sizeof b), "clean");
    EXPECT_STREQ(tw_classify(1, "none", "MISS(1,W) WP(1,W)", 1, b, sizeof b), "C2");
    EXPECT_STREQ(tw_classify(0, "none", "-", 1, b, sizeof b), "clean");
}

TEST(KernelTwinRace, ParsesTheRaceLoopsLines) {
    RaceResult r = parseRace(recorded("s10-race.txt"));
    EXPECT_EQ(r.iterations, 306);
    EXPECT_EQ(r.windowUs, 5);
    ASSERT_EQ(r.outcomes.size(), 3u);
    EXPECT_EQ(r.outcomes[2].cls, "C1+C2");
    EXPECT_EQ(r.outcomes[2].key, "none after the race, race msgs -, then msgs -, ends P(?,?,0)");
    EXPECT_EQ(r.outcomes[2].histogram.size(), 20u);
    EXPECT_EQ(r.withRule("C1"), 2);
    EXPECT_EQ(r.withRule("C2"), 2);
}

TEST(KernelTwinRace, ParsesTheCalibratedRaceLine) {
    // Recorded on Linux 6.18: durations measured, offsets over the overlap range, aimed at hits.
    RaceResult r = parseRace(recorded("s10-race-calibrated.txt"));
    EXPECT_EQ(r.iterations, 917);
    EXPECT_EQ(r.windowUs, 0);
    EXPECT_EQ(r.offsetLoNs, -4383);
    EXPECT_EQ(r.offsetHiNs, 11186);
    EXPECT_EQ(r.durationNs[0], 7124);
    EXPECT_EQ(r.durationNs[1], 2589);
    EXPECT_EQ(r.late, 65);
    EXPECT_EQ(r.sampling, "adaptive");
    EXPECT_EQ(r.rearmFailed, 0);
    ASSERT_EQ(r.outcomes.size(), 3u);
    EXPECT_EQ(r.withRule("C1"), 361);
    EXPECT_EQ(r.outcomes[1].histogram.size(), 20u);
    EXPECT_EQ(parseObservations(recorded("s10-race-calibrated.txt")).notes.size(), 1u);
}

TEST(KernelTwinEmit, ReproducerCarriesTheSessionAndTheBuildCommand) {
    Plan plan;
    makePlan(load("s10-punch-refault-race.json"), plan);
    const std::string c = emitC(plan, "s10.json", false, 0, 10, 5);
    EXPECT_NE(c.find("Faultline kernel twin reproducer: S10"), std::string::npos);
    EXPECT_NE(c.find("cc -O2 -Wall -Werror -pthread"), std::string::npos);
    EXPECT_NE(c.find("int tw_run("), std::string::npos);
    EXPECT_EQ(c.find("#include \"twin_rt.h\""), std::string::npos);
    EXPECT_NE(c.find("\"cell A.pte[1] P(1,1,0)\""), std::string::npos);
}

// More than one userfaultfd context: each is opened in the process of the mm
// its uffdio_api names, and every uffd op goes to its context's fd there.
TEST(KernelTwinPlan, EachContextLivesInTheProcessOfItsMm) {
    LoadResult lr = loadSession(std::string(FAULTLINE_TEST_DATA) + "/kernel/two-contexts.json");
    ASSERT_TRUE(lr.session) << lr.error.text();
    Plan plan;
    makePlan(*lr.session, plan);
    ASSERT_EQ(plan.error, "");
    std::vector<std::pair<int, int>> apis;  // (uffd, mm) of each uffdio_api
    bool closeInA = false, copyThroughB = false;
    for (size_t k = 0; k < plan.ops.size(); ++k) {
        const tw_op& t = plan.twOps[k];
        if (t.kind == TW_API) apis.emplace_back(t.uffd, t.mm);
        if (t.kind == TW_UFFD_CLOSE) closeInA = t.uffd == 1 && t.mm == 0;
        if (t.kind == TW_COPY && t.uffd == 2) copyThroughB = t.mm == 1;
    }
    EXPECT_EQ(apis, (std::vector<std::pair<int, int>>{{0, 0}, {1, 0}, {2, 1}, {1, 0}}));
    EXPECT_TRUE(closeInA);
    EXPECT_TRUE(copyThroughB);
    EXPECT_EQ(plan.ops[4].label, "setup M: uffdio_register 4 +4 (uffd 1)");
    // Recorded on Linux 6.18: every observation agrees.
    ParsedRun k = parseObservations(recorded("two-contexts.obs"));
    Comparison c = compare(k.ops, plan.sim);
    EXPECT_EQ(c.error, "");
    EXPECT_EQ(c.firstDisagreement, -1) << c.rows[size_t(std::max(c.firstDisagreement, 0))].label;
    EXPECT_EQ(c.agreed, c.total);
}

TEST(KernelTwinPlan, AContextNoUffdioApiOpensOrAnotherMmsIsRefusedWithWhy) {
    const std::string head = R"({"format":"faultline-session","schema_version":1,"file":{"pages":8},
      "mms":[{"name":"A","vmas":[{"name":"file","start":"0x40000000","pages":4}]},
             {"name":"B","vmas":[{"name":"file","start":"0x80000000","pages":4}]}],
      "setup":[{"task":"M","op":"uffdio_api","mm":"A","features":["MISSING_SHMEM"]}],
      "tasks":[{"name":"M","role":"monitor","program":[{"op":"serve"}]},{"name":"A1","mm":"A","program":[)";
    auto planOf = [&](const std::string& last) {
        LoadResult pr = parseSession(head + last + "]}]}", "t.json");
        EXPECT_TRUE(pr.session) << pr.error.text();
        auto plan = std::make_unique<Plan>();
        if (pr.session) makePlan(*pr.session, *plan);
        return plan;
    };
    auto p1 = planOf(R"({"op":"uffdio_register","mm":"A","uffd":3,"page":0,"pages":4,"mode":["MISSING"]})");
    EXPECT_NE(p1->error.find("no uffdio_api opens userfaultfd context 3"), std::string::npos) << p1->error;
    auto p2 = planOf(R"({"op":"uffdio_register","mm":"B","page":0,"pages":4,"mode":["MISSING"]})");
    EXPECT_NE(p2->error.find("context 0 is A's"), std::string::npos) << p2->error;
}

// UFFDIO_MOVE (sample S22): the plan counts an anonymous page from the start
// of the VMA it was mapped as, though REGISTER split it into pieces.
TEST(KernelTwinPlan, MovePagesAreCountedAcrossTheVmasPieces) {
    Plan plan;
    makePlan(load("s22-uffdio-move.json"), plan);
    ASSERT_EQ(plan.error, "");
    ASSERT_EQ(plan.world.mms[0].nvmas, 2);
    bool sawSwapMove = false;
    for (size_t k = 0; k < plan.ops.size(); ++k) {
        const tw_op& t = plan.twOps[k];
        if (t.kind != TW_MOVE || plan.ops[k].op.srcPage != 6 || plan.ops[k].op.page != 1) continue;
        sawSwapMove = true;
        EXPECT_EQ(t.vma, 0);
        EXPECT_EQ(t.page, 1u);
        EXPECT_EQ(t.src_vma, 1);
        EXPECT_EQ(t.src_page, 2u);  // page 6 of the VMA is page 2 of its second piece
    }
    EXPECT_TRUE(sawSwapMove);
    EXPECT_EQ(plan.world.policy.move_src_offset, 4);  // the monitor thread answers MISSING by moves
    ParsedRun k = parseObservations(recorded("s22-uffdio-move.obs"));
    Comparison c = compare(k.ops, plan.sim);
    EXPECT_EQ(c.error, "");
    EXPECT_EQ(c.firstDisagreement, -1) << c.rows[size_t(std::max(c.firstDisagreement, 0))].label;
    EXPECT_EQ(c.agreed, c.total);
}
