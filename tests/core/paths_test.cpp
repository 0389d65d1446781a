// SPDX-License-Identifier: GPL-3.0-or-later
// Targeted tests of single paths and their races, beyond the spec's scenarios.
#include <gtest/gtest.h>

#include "engine/accounting.h"
#include "scenario.h"

namespace faultline::test {
namespace {

bool ranStep(const RunResult& r, const std::string& needle) {
    for (const StepRecord& rec : r.timeline->records())
        if (rec.summary().find(needle) != std::string::npos) return true;
    return false;
}

TEST(Paths, SwapInWaitsForWritebackAndTheIoTaskWakesIt) {
    // S2r: A1 writes page 20 while it is still under writeback (after WB.5,
    // before WB.6): SI.1 finds it in the swap cache, SI.4 sleeps, the implicit
    // IO task completes the write, SI.5 puts the page back into the file.
    Scenario sc;
    sc.s0().program(R, {reclaim(20)}).program(A1, {write(20, "a2")}).untilDone(R);
    for (const char* v : {"baseline-2020", "upstream"}) {
        SCOPED_TRACE(v);
        const RunResult r = sc.run(v);
        ASSERT_EQ(r.end, RunEnd::Finished) << r.endText;
        EXPECT_TRUE(ranStep(r, "folio_wait_writeback"));
        EXPECT_TRUE(ranStep(r, "WB.6 I/O done"));
        const State& st = r.timeline->current();
        EXPECT_EQ(st.folio(st.inode.xa.get(20).value).data.str(), "a2");
        EXPECT_TRUE(st.writeback.empty());
        EXPECT_TRUE(checkAccounting(st).empty());
    }
    EXPECT_EQ(count(sc.run("baseline-2020"), Rule::C1), 1);
    EXPECT_EQ(sc.run("upstream").messages, (std::vector<std::string>{"WP(20,W)"}));
}

TEST(Paths, MadvPageoutSkipsPagesMappedByTwoMms) {
    Scenario sc;
    sc.setup(B1, op(OpKind::FileWrite, 0, 32, 0, "b0")).setup(A1, read(3)).setup(B1, read(3)).setup(A1, read(20));
    sc.program(A1, {op(OpKind::MadvisePageout, 0, 32)});
    const RunResult r = sc.run("upstream");
    const State& st = r.timeline->current();
    EXPECT_TRUE(ranStep(r, "may be mapped by another mm"));
    EXPECT_TRUE(st.inode.xa.get(3).isFolio());  // shared with B: skipped
    EXPECT_TRUE(st.inode.xa.get(20).isSwap());  // A only: swapped out
}

TEST(Paths, PartialPunchZeroesInPlaceAndKeepsPtes) {
    Scenario sc;
    sc.s0();
    Op p = op(OpKind::Punch, 8 * 4096 + 100, 4096);  // the tail of page 8 and the head of page 9
    sc.program(P, {p});
    const RunResult r = sc.run("upstream");
    const State& st = r.timeline->current();
    EXPECT_EQ(st.folio(st.inode.xa.get(8).value).data.str(), "~b0");
    EXPECT_EQ(st.folio(st.inode.xa.get(9).value).data.str(), "~b0");
    EXPECT_TRUE(pteA(st, 8).uffd_wp);  // no whole page: nothing unmapped
    EXPECT_TRUE(r.findings.empty());
}

TEST(Paths, AnUnansweredFaultIsReportedAsADeadlock) {
    Scenario sc;
    sc.s0().program(A1, {write(3, "x")});
    sc.s.config.policy.clearOnWp = false;
    const RunResult r = sc.run("upstream");
    EXPECT_EQ(r.end, RunEnd::Deadlock);
    EXPECT_NE(r.endText.find("A1 sleeping (userfault) at handle_userfault"), std::string::npos) << r.endText;
}

TEST(Paths, FaultAroundHoldingAFolioLockMakesTruncationWaitInPassTwo) {
    // Spec §5.6: if fault-around holds FL(p) at UR.1, pass 1 skips p and
    // pass 2 sleeps on the lock. P runs its pre-unmap first; A1's
    // fault-around then walks pages 0..8 and stops holding page 8's folio
    // lock (each MP.7/MP.1 pair advances one page); P then runs until it
    // blocks, and the default policy finishes.
    Scenario sc;
    sc.setup(B1, op(OpKind::FileWrite, 0, 32, 0, "b0"));
    sc.program(A1, {read(8)}).program(P, {punch(8)});
    sc.until(P, "PH.5");
    for (int i = 0; i < 8; ++i) sc.until(A1, "MP.7").until(A1, "MP.1");
    sc.until(A1, "MP.7").untilBlocked(P);
    const RunResult r = sc.run("baseline-2020");
    ASSERT_EQ(r.end, RunEnd::Finished) << r.endText;
    EXPECT_TRUE(ranStep(r, "is locked → skipped (pass 2 will wait for it)"));
    EXPECT_TRUE(ranStep(r, "blocks on folio_lock"));
    const State& st = r.timeline->current();
    EXPECT_TRUE(st.inode.xa.get(8).isEmpty());
    EXPECT_TRUE(pteA(st, 8).isNone());  // TR.2 zapped what fault-around mapped
    EXPECT_TRUE(checkAccounting(st).empty());
}

TEST(Paths, AGibibyteFileMappedWholeByBothProcessesWorks) {
    Scenario sc(262144);
    sc.setup(B1, op(OpKind::FileWrite, 262100, 32, 0, "b0"));
    Op api = onA(op(OpKind::UffdApi));
    sc.setup(M, api).setup(
        M, onA(op(OpKind::UffdRegister, 0, 262144, UFFDIO_REGISTER_MODE_MISSING | UFFDIO_REGISTER_MODE_WP)));
    sc.setup(A1, read(262108));
    sc.setup(M, onA(op(OpKind::UffdWriteprotect, 262096, 32, UFFDIO_WRITEPROTECT_MODE_WP)));
    sc.program(A1, {read(262108), write(262108, "a1")}).program(P, {punch(262108)});
    sc.until(P, "PH.5").untilBlocked(A1).untilDone(P);
    const RunResult a = sc.run("baseline-2020");
    ASSERT_TRUE(a.error.empty()) << a.error;
    EXPECT_EQ(count(a, Rule::C1), 1);
    const RunResult e = sc.run("upstream");
    EXPECT_EQ(count(e, Rule::C1), 0);
    EXPECT_EQ(e.messages, (std::vector<std::string>{"MISS(262108)", "WP(262108,W)"}));
}

}  // namespace
}  // namespace faultline::test
