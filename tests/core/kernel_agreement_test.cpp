// SPDX-License-Identifier: GPL-3.0-or-later
// Where the engine must do what today's kernel does (checked on Linux 6.18,
// see docs/real-kernel-checks.md "Model agreement checks"): one test per
// behaviour, each able to fail on the engine before its fix.
#include <gtest/gtest.h>

#include "engine/accounting.h"
#include "scenario.h"
#include "session/session_io.h"

namespace faultline::test {
namespace {

bool ranStep(const RunResult& r, const std::string& needle) {
    for (const StepRecord& rec : r.timeline->records())
        if (rec.summary().find(needle) != std::string::npos) return true;
    return false;
}

bool engineFinding(const RunResult& r) {
    for (const Finding& f : r.findings)
        if (f.rule == Rule::Engine) return true;
    return false;
}

// A hole punch over a swap entry whose folio is still under writeback: the
// kernel's free_swap_and_cache() never drops a swap-cache folio under
// writeback (folio_swapcache_freeable()), so I/O completes on a live folio.
TEST(KernelAgreement, PunchNeverFreesASwapCacheFolioUnderWriteback) {
    Scenario sc;
    sc.s0().program(R, {reclaim(20)}).program(P, {punch(20)}).untilDone(R).untilDone(P);
    Directive io;  // then the I/O completes
    io.kind = Directive::Kind::Steps, io.task = R + 1, io.count = 1;
    sc.s.schedule.push_back(io);
    for (const char* v : {"baseline-2020", "upstream"}) {
        SCOPED_TRACE(v);
        const RunResult r = sc.run(v);
        ASSERT_EQ(r.end, RunEnd::Finished) << r.endText;
        EXPECT_FALSE(engineFinding(r));
        EXPECT_TRUE(ranStep(r, "under writeback, stays until reclaimed"));
        EXPECT_TRUE(ranStep(r, "WB.6 I/O done"));
        const State& st = r.timeline->current();
        EXPECT_TRUE(st.writeback.empty());
        EXPECT_TRUE(st.inode.xa.get(20).isEmpty());
        EXPECT_TRUE(checkAccounting(st).empty()) << checkAccounting(st).front();
    }
}

// A task waiting for that writeback (swap-in of the page before the punch)
// is woken when the I/O completes.
TEST(KernelAgreement, ATaskWaitingForWritebackRacingAPunchIsWoken) {
    Scenario sc;
    sc.s0().program(R, {reclaim(20)}).program(A1, {read(20)}).program(P, {punch(20)});
    sc.untilDone(R).untilBlocked(A1).untilDone(P);
    const RunResult r = sc.run("upstream");
    ASSERT_EQ(r.end, RunEnd::Finished) << r.endText << " " << r.timeline->describeDeadlock();
    EXPECT_FALSE(engineFinding(r));
    EXPECT_TRUE(ranStep(r, "(punched meanwhile) → -EEXIST"));
    const auto acct = checkAccounting(r.timeline->current());
    EXPECT_TRUE(acct.empty()) << acct.front();
}

// A program longer than 65,535 operations runs to its end (Task::opIndex was
// 16 bits and wrapped).
TEST(KernelAgreement, AProgramOfMoreThan65535OperationsFinishes) {
    Scenario sc(1);
    sc.s.mms = {{"A", {{"file", 0x40000, 0, 1, true, true, true}}}, {"B", {{"file", 0x80000, 0, 1, true, true, true}}}};
    sc.setup(B1, op(OpKind::FileWrite, 0, 1, 0, "b0")).setup(A1, read(0));
    sc.program(A1, std::vector<Op>(70000, read(0)));
    RunOptions o;
    o.variant = "upstream";
    o.stepLimit = 200000;
    const RunResult r = runSession(sc.s, o);
    ASSERT_EQ(r.end, RunEnd::Finished) << r.endText;
    EXPECT_EQ(r.timeline->current().tasks[A1].opIndex, 70000u);
}

TEST(KernelAgreement, AProgramBeyondTheLimitIsRefusedWithAClearError) {
    const std::string json = R"({"format":"faultline-session","schema_version":1,"file":{"pages":262144},
      "mms":[{"name":"A","vmas":[{"name":"file","start":"0x40000","pages":262144}]}],
      "tasks":[{"name":"A1","mm":"A","program":[)" +
                             [] {
                                 std::string s;
                                 for (int i = 0; i < 5; ++i)
                                     s += std::string(i ? "," : "") + R"({"op":"read","page":0,"pages":262144})";
                                 return s;
                             }() +
                             "]}]}";
    const auto r = parseSession(json, "big.json");
    ASSERT_FALSE(r.session);
    EXPECT_NE(r.error.message.find("more than 1048576 operations"), std::string::npos) << r.error.text();
}

// A scenario whose mm A also has an anonymous VMA "anon" of 8 pages.
Scenario withAnon() {
    Scenario sc;
    sc.s.mms[0].vmas.push_back({"anon", 0x50000, 0, 8, false, true, false});
    sc.s.config.vmaNames = {"file", "anon"};
    return sc;
}
Op anonOp(Op o) {
    o.vma = 1;
    return o;
}
Op api(uint64_t features) {
    Op o = onA(op(OpKind::UffdApi));
    o.features = features;
    return o;
}
const Pte& pteAnon(const State& st, uint64_t i) { return st.mms[0].pt.get(0x50000 + i); }

// Item 1: change_pte_range() with userfaultfd_wp_use_markers(): WRITEPROTECT
// on an anonymous VMA with WP_UNPOPULATED puts markers on none ptes; a read
// maps the page protected and a write raises WP.
TEST(KernelAgreement, WpUnpopulatedMarksNeverTouchedAnonymousPages) {
    Scenario sc = withAnon();
    sc.setup(M, api(UFFD_FEATURE_WP_UNPOPULATED));
    sc.setup(M, anonOp(onA(op(OpKind::UffdRegister, 0, 8, UFFDIO_REGISTER_MODE_WP))));
    sc.setup(M, anonOp(onA(op(OpKind::UffdWriteprotect, 0, 8, UFFDIO_WRITEPROTECT_MODE_WP))));
    EXPECT_TRUE(pteAnon(sc.initial("upstream"), 0).isWpMarker());
    sc.program(A1, {anonOp(read(0)), anonOp(write(0, "a1"))});
    const RunResult r = sc.run("upstream");
    ASSERT_EQ(r.end, RunEnd::Finished) << r.endText;
    ASSERT_EQ(r.messages.size(), 1u);
    EXPECT_EQ(r.messages[0].substr(0, 3), "WP(");
    EXPECT_TRUE(ranStep(r, "with uffd-wp (the marker's protection kept)"));
    EXPECT_EQ(count(r, Rule::C1), 0);
}

TEST(KernelAgreement, WithoutWpUnpopulatedNeverTouchedAnonymousPagesStayNone) {
    Scenario sc = withAnon();
    sc.setup(M, api(0));
    sc.setup(M, anonOp(onA(op(OpKind::UffdRegister, 0, 8, UFFDIO_REGISTER_MODE_WP))));
    sc.setup(M, anonOp(onA(op(OpKind::UffdWriteprotect, 0, 8, UFFDIO_WRITEPROTECT_MODE_WP))));
    EXPECT_TRUE(pteAnon(sc.initial("upstream"), 0).isNone());
}

// Item 2: vma_can_userfault() does not look at the context's features.
TEST(KernelAgreement, MinorRegistersOnShmemWithoutTheMinorShmemFeature) {
    Scenario sc;
    sc.setup(B1, op(OpKind::FileWrite, 0, 32, 0, "b0")).setup(M, api(UFFD_FEATURE_MISSING_SHMEM));
    sc.program(P, {onA(op(OpKind::UffdRegister, 0, 32, UFFDIO_REGISTER_MODE_MINOR))})
        .program(A1, {read(3)})
        .untilDone(P);
    const RunResult r = sc.run("upstream");
    ASSERT_EQ(r.end, RunEnd::Finished) << r.endText;
    EXPECT_TRUE(r.opErrors.empty()) << r.opErrors.front();
    EXPECT_EQ(r.messages, (std::vector<std::string>{"MINOR(3)"}));
}

// Item 3: mfill_atomic() refuses CONTINUE only outside shmem.
TEST(KernelAgreement, ContinueFillsAShmemVmaRegisteredMissingOnly) {
    Scenario sc;
    sc.setup(B1, op(OpKind::FileWrite, 0, 32, 0, "b0")).setup(M, api(UFFD_FEATURE_MISSING_SHMEM));
    sc.setup(M, onA(op(OpKind::UffdRegister, 0, 32, UFFDIO_REGISTER_MODE_MISSING)));
    sc.program(P, {onA(op(OpKind::UffdContinue, 3, 1))});
    const RunResult r = sc.run("upstream");
    ASSERT_EQ(r.end, RunEnd::Finished) << r.endText;
    EXPECT_TRUE(r.opErrors.empty()) << r.opErrors.front();
    EXPECT_TRUE(pteA(r.timeline->current(), 3).isPresent());
    // A hole has nothing to continue from: -EFAULT, as on the kernel.
    Scenario hole;
    hole.setup(M, api(UFFD_FEATURE_MISSING_SHMEM))
        .setup(M, onA(op(OpKind::UffdRegister, 0, 32, UFFDIO_REGISTER_MODE_MISSING)));
    hole.program(P, {onA(op(OpKind::UffdContinue, 3, 1))});
    const RunResult h = hole.run("upstream");
    ASSERT_EQ(h.opErrors.size(), 1u);
    EXPECT_NE(h.opErrors[0].find("-EFAULT"), std::string::npos) << h.opErrors[0];
}

// Item 4: mwriteprotect_range() changes VMA by VMA and stops at the first
// VMA that is not VM_UFFD_WP.
TEST(KernelAgreement, WriteprotectOverAPartlyRegisteredRangeProtectsTheRegisteredPart) {
    Scenario sc(16);
    sc.setup(B1, op(OpKind::FileWrite, 0, 16, 0, "b0")).setup(M, api(UFFD_FEATURE_MISSING_SHMEM));
    sc.setup(M, onA(op(OpKind::UffdRegister, 0, 8, UFFDIO_REGISTER_MODE_WP)));
    for (int i = 0; i < 16; ++i) sc.setup(A1, read(uint64_t(i)));
    sc.program(P, {onA(op(OpKind::UffdWriteprotect, 0, 16, UFFDIO_WRITEPROTECT_MODE_WP))});
    const RunResult r = sc.run("upstream");
    ASSERT_EQ(r.opErrors.size(), 1u);
    EXPECT_NE(r.opErrors[0].find("-ENOENT"), std::string::npos) << r.opErrors[0];
    const State& st = r.timeline->current();
    for (int i = 0; i < 8; ++i) EXPECT_TRUE(pteA(st, uint64_t(i)).uffd_wp) << i;
    for (int i = 8; i < 16; ++i) EXPECT_FALSE(pteA(st, uint64_t(i)).uffd_wp) << i;
    // The unregistered VMA first: nothing changes.
    Scenario first(16);
    first.setup(B1, op(OpKind::FileWrite, 0, 16, 0, "b0")).setup(M, api(UFFD_FEATURE_MISSING_SHMEM));
    first.setup(M, onA(op(OpKind::UffdRegister, 8, 8, UFFDIO_REGISTER_MODE_WP)));
    for (int i = 0; i < 16; ++i) first.setup(A1, read(uint64_t(i)));
    first.program(P, {onA(op(OpKind::UffdWriteprotect, 0, 16, UFFDIO_WRITEPROTECT_MODE_WP))});
    const RunResult f = first.run("upstream");
    for (int i = 0; i < 16; ++i) EXPECT_FALSE(pteA(f.timeline->current(), uint64_t(i)).uffd_wp) << i;
}

// Item 5: userfaultfd_clear_vma() → vma_modify_flags_uffd() merges.
TEST(KernelAgreement, UnregisteringTheRestMergesTheVmasBackIntoOne) {
    Scenario sc;
    sc.setup(M, api(UFFD_FEATURE_MISSING_SHMEM))
        .setup(M, onA(op(OpKind::UffdRegister, 0, 16, UFFDIO_REGISTER_MODE_MISSING)));
    EXPECT_EQ(sc.initial("upstream").mms[0].vmas.size(), 2u);
    sc.setup(M, onA(op(OpKind::UffdUnregister, 8, 8)));
    EXPECT_EQ(sc.initial("upstream").mms[0].vmas.size(), 2u);
    sc.setup(M, onA(op(OpKind::UffdUnregister, 0, 8)));
    const State st = sc.initial("upstream");
    ASSERT_EQ(st.mms[0].vmas.size(), 1u);
    EXPECT_EQ(st.mms[0].vmas[0].end - st.mms[0].vmas[0].start, 32u);
    // munmap of "the VMA holding page 0" now covers all 32 pages.
    sc.setup(A1, read(20)).program(A1, {op(OpKind::Munmap, 0)});
    const RunResult r = sc.run("upstream");
    ASSERT_EQ(r.end, RunEnd::Finished) << r.endText;
    EXPECT_TRUE(r.timeline->current().mms[0].vmas.empty());
    EXPECT_TRUE(pteA(r.timeline->current(), 20).isNone());
}

// Item 7: userfaultfd_register_range(): a VMA registered with every requested
// mode is left as is; otherwise the new modes replace the old.
TEST(KernelAgreement, RegisterReplacesModesUnlessTheyAreASubset) {
    Scenario sc;
    sc.setup(M, api(UFFD_FEATURE_MISSING_SHMEM));
    sc.setup(M, onA(op(OpKind::UffdRegister, 0, 32, UFFDIO_REGISTER_MODE_MISSING | UFFDIO_REGISTER_MODE_WP)));
    sc.setup(M, onA(op(OpKind::UffdRegister, 0, 32, UFFDIO_REGISTER_MODE_MISSING)));
    EXPECT_EQ(sc.initial("upstream").mms[0].vmas[0].flags & VM_UFFD_ANY, VM_UFFD_MISSING | VM_UFFD_WP);
    Scenario b;
    b.setup(M, api(UFFD_FEATURE_MISSING_SHMEM));
    b.setup(M, onA(op(OpKind::UffdRegister, 0, 32, UFFDIO_REGISTER_MODE_MISSING)));
    b.setup(M, onA(op(OpKind::UffdRegister, 0, 32, UFFDIO_REGISTER_MODE_WP)));
    EXPECT_EQ(b.initial("upstream").mms[0].vmas[0].flags & VM_UFFD_ANY, uint32_t(VM_UFFD_WP));
    // A read of a hole is no longer a MISSING fault.
    b.program(A1, {read(2)});
    EXPECT_TRUE(b.run("upstream").messages.empty());
}

// Item 9: access_error() before any fault handling.
TEST(KernelAgreement, AWriteToAReadOnlyVmaIsSigsegvAndTheFileIsUnchanged) {
    Scenario sc;
    sc.s.mms[0].vmas[0].write = false;
    sc.setup(B1, op(OpKind::FileWrite, 0, 32, 0, "b0"));
    sc.program(A1, {read(3), write(3, "a1"), write(4, "a1")});
    const RunResult r = sc.run("upstream");
    ASSERT_EQ(r.end, RunEnd::Finished) << r.endText;
    EXPECT_TRUE(ranStep(r, "access_error: write to a VMA without VM_WRITE → SIGSEGV"));
    const State& st = r.timeline->current();
    EXPECT_EQ(st.folio(st.inode.xa.get(3).value).data.str(), "b0");
    EXPECT_EQ(st.folio(st.inode.xa.get(4).value).data.str(), "b0");
    EXPECT_FALSE(pteA(st, 4).write);  // mapped read-only by fault-around at most
}

// Item 6: madvise_dontneed_free() → userfaultfd_remove(): with EVENT_REMOVE
// the monitor is told, and MADV_DONTNEED waits until it has read the event.
TEST(KernelAgreement, DontneedWithEventRemoveSendsRemoveAndWaitsForTheRead) {
    Scenario sc;
    sc.s0(UFFDIO_REGISTER_MODE_MISSING | UFFDIO_REGISTER_MODE_WP, UINT64_MAX, false);
    sc.s.setup[1].op.features |= UFFD_FEATURE_EVENT_REMOVE;
    sc.program(A1, {dontneed(1, 2)});
    const RunResult r = sc.run("upstream");
    ASSERT_EQ(r.end, RunEnd::Finished) << r.endText;
    EXPECT_EQ(r.messages, (std::vector<std::string>{"REMOVE(1-3)"}));
    EXPECT_TRUE(ranStep(r, "event complete"));
    EXPECT_TRUE(pteA(r.timeline->current(), 1).isNone());
    // Without the feature: no event.
    Scenario quiet;
    quiet.s0(UFFDIO_REGISTER_MODE_MISSING | UFFDIO_REGISTER_MODE_WP, UINT64_MAX, false);
    quiet.program(A1, {dontneed(1, 2)});
    EXPECT_TRUE(quiet.run("upstream").messages.empty());
}

// Item 8: MAP_PRIVATE file mappings copy on write (do_cow_fault,
// wp_page_copy); UFFDIO_COPY fills a private page; the file never sees it.
TEST(KernelAgreement, PrivateFileMappingsCopyOnWriteAndTheFileNeverSeesTheWrites) {
    Scenario sc;
    sc.s.mms[0].vmas[0].shared = false;
    sc.setup(B1, op(OpKind::FileWrite, 0, 32, 0, "b0"));
    sc.program(A1, {read(0), write(0, "a1"), write(20, "a2"), read(0)});
    sc.program(B1, {op(OpKind::FileWrite, 0, 1, 0, "c")}).untilDone(A1);
    const RunResult r = sc.run("upstream");
    ASSERT_EQ(r.end, RunEnd::Finished) << r.endText;
    EXPECT_TRUE(ranStep(r, "wp_page_copy"));
    EXPECT_TRUE(ranStep(r, "copy_mc_user_highpage"));
    const State& st = r.timeline->current();
    EXPECT_EQ(st.folio(st.inode.xa.get(0).value).data.str(), "c");    // B's write(2) lands in the file
    EXPECT_EQ(st.folio(st.inode.xa.get(20).value).data.str(), "b0");  // A's write never does
    EXPECT_EQ(st.folio(pteA(st, 0).pfn).data.str(), "a1");
    EXPECT_TRUE(st.folio(pteA(st, 0).pfn).anon);
    EXPECT_EQ(st.folio(pteA(st, 20).pfn).data.str(), "a2");
    EXPECT_TRUE(checkAccounting(st).empty()) << checkAccounting(st).front();
}

TEST(KernelAgreement, UffdioCopyIntoAPrivateFileMappingFillsAPrivatePageAndAPunchKeepsIt) {
    Scenario sc;
    sc.s.mms[0].vmas[0].shared = false;
    sc.setup(B1, op(OpKind::FileWrite, 0, 2, 0, "b0")).setup(M, api(UFFD_FEATURE_MISSING_SHMEM));
    sc.setup(M, onA(op(OpKind::UffdRegister, 0, 32, UFFDIO_REGISTER_MODE_MISSING)));
    sc.setup(A1, write(0, "a1"));
    sc.program(A1, {read(2)}).program(P, {punch(0)});
    sc.s.config.policy.copyModeWp = false;
    const RunResult r = sc.run("upstream");
    ASSERT_EQ(r.end, RunEnd::Finished) << r.endText;
    EXPECT_EQ(r.messages, (std::vector<std::string>{"MISS(2)"}));
    const State& st = r.timeline->current();
    EXPECT_TRUE(st.inode.xa.get(2).isEmpty());  // the file has no page 2
    EXPECT_EQ(st.folio(pteA(st, 2).pfn).data.str(), "m2");
    EXPECT_TRUE(st.inode.xa.get(0).isEmpty());              // punched
    EXPECT_EQ(st.folio(pteA(st, 0).pfn).data.str(), "a1");  // the private copy stays
    EXPECT_TRUE(ranStep(r, "private anonymous copy: kept"));
    EXPECT_TRUE(checkAccounting(st).empty()) << checkAccounting(st).front();
}

}  // namespace
}  // namespace faultline::test
