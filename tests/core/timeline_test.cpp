// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>

#include "scenario.h"

namespace faultline::test {
namespace {

TEST(Timeline, ReverseThenForwardGivesIdenticalStates) {
    Scenario sc;
    sc.s0()
        .program(A1, {read(8), write(8, "a1")})
        .program(P, {punch(8)})
        .until(P, "PH.5")
        .untilBlocked(A1)
        .untilDone(P);
    RunResult r = sc.run("baseline-2020");
    Timeline& tl = *r.timeline;
    const uint64_t n = tl.length();
    ASSERT_GT(n, 40u);
    std::vector<uint64_t> hashes{tl.initial().hash()};
    for (const StepRecord& rec : tl.records()) hashes.push_back(rec.hashAfter);
    for (uint64_t k : {n, n / 2, uint64_t(1), uint64_t(0), n - 1, n / 3, n}) {
        tl.seek(k);
        EXPECT_EQ(tl.position(), k);
        EXPECT_EQ(tl.current().hash(), hashes[k]) << "at step " << k;
    }
    EXPECT_EQ(tl.length(), n);  // seeking does not lose the recorded future
}

TEST(Timeline, SteppingFromThePastStartsANewBranch) {
    Scenario sc;
    sc.s0().program(A1, {read(8), write(8, "a1")}).program(P, {punch(8)});
    RunResult r = sc.run("upstream");
    Timeline& tl = *r.timeline;
    const uint64_t n = tl.length();
    tl.seek(2);
    tl.stepTask(*tl.defaultTask());
    EXPECT_EQ(tl.length(), 3u);
    EXPECT_LT(tl.length(), n);
}

TEST(Timeline, CheckpointsMakeLongRunsSeekable) {
    // 300 reads of 16 pages by A1 (default policy), well past one checkpoint.
    Scenario sc(16);
    sc.setup(B1, op(OpKind::FileWrite, 0, 16, 0, "b0"));
    std::vector<Op> ops;
    for (int i = 0; i < 600; ++i) ops.push_back(i % 2 ? dontneed(i % 16) : read(i % 16));
    sc.program(A1, ops);
    RunResult r = sc.run("upstream");
    Timeline& tl = *r.timeline;
    ASSERT_GT(tl.length(), 2 * Timeline::kCheckpointEvery);
    const uint64_t h = tl.records()[Timeline::kCheckpointEvery + 7].hashAfter;
    tl.seek(Timeline::kCheckpointEvery + 8);
    EXPECT_EQ(tl.current().hash(), h);
}

}  // namespace
}  // namespace faultline::test
