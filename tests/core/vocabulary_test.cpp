// SPDX-License-Identifier: GPL-3.0-or-later
// Operations beyond the seed scenarios: ftruncate, MADV_REMOVE, the UNMAP
// event and access to an unmapped address. Expectations are what Linux 6.18
// does (tools/kernel-checks/model_agreement.c).
#include <gtest/gtest.h>

#include <csignal>

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
Op ftruncate(uint64_t bytes) { return op(OpKind::Ftruncate, bytes); }
Op api(uint64_t features) {
    Op o = onA(op(OpKind::UffdApi));
    o.features = features;
    return o;
}

// 8 pages, 0..5 written, A registered WP, 0..3 mapped, all write-protected:
// 0..3 present+wp, 4..7 markers.
Scenario truncScenario() {
    Scenario sc(8);
    sc.setup(B1, op(OpKind::FileWrite, 0, 6, 0, "b0"))
        .setup(M, api(UFFD_FEATURE_MISSING_SHMEM | UFFD_FEATURE_WP_HUGETLBFS_SHMEM));
    sc.setup(M, onA(op(OpKind::UffdRegister, 0, 8, UFFDIO_REGISTER_MODE_WP)));
    for (int i = 0; i < 4; ++i) sc.setup(A1, read(uint64_t(i)));
    sc.setup(M, onA(op(OpKind::UffdWriteprotect, 0, 8, UFFDIO_WRITEPROTECT_MODE_WP)));
    return sc;
}

TEST(Vocabulary, FtruncateShrinkZapsPtesPastTheEndKeepingMarkersAndReadsThereGetSigbus) {
    Scenario sc = truncScenario();
    sc.program(A1, {ftruncate(2 * 4096), read(3)});
    const RunResult r = sc.run("upstream");
    ASSERT_EQ(r.end, RunEnd::Finished) << r.endText;
    const State& st = r.timeline->current();
    EXPECT_EQ(st.inode.sizePages, 2u);
    EXPECT_TRUE(pteA(st, 0).isPresent() && pteA(st, 0).uffd_wp);
    EXPECT_TRUE(pteA(st, 1).isPresent() && pteA(st, 1).uffd_wp);
    for (uint64_t i = 2; i < 8; ++i) EXPECT_TRUE(pteA(st, i).isWpMarker()) << i;  // as pagemap shows on 6.18
    for (uint64_t i = 2; i < 8; ++i) EXPECT_TRUE(st.inode.xa.get(i).isEmpty()) << i;
    EXPECT_EQ(st.tasks[A1].lastSignal, SIGBUS);
    EXPECT_TRUE(ranStep(r, "→ SIGBUS"));
    EXPECT_TRUE(checkAccounting(st).empty());
}

TEST(Vocabulary, FtruncateGrowingBackLeavesHolesAndTheKeptMarkersStillProtect) {
    Scenario sc = truncScenario();
    sc.program(A1, {ftruncate(2 * 4096), ftruncate(8 * 4096), read(3), write(3, "a1"), write(1, "a2")});
    const RunResult r = sc.run("upstream");
    ASSERT_EQ(r.end, RunEnd::Finished) << r.endText;
    EXPECT_EQ(r.messages, (std::vector<std::string>{"WP(3,W)", "WP(1,W)"}));
    const State& st = r.timeline->current();
    EXPECT_EQ(st.tasks[A1].lastSignal, 0);
    EXPECT_EQ(st.folio(st.inode.xa.get(3).value).data.str(), "a1");
    EXPECT_EQ(count(r, Rule::C1), 0);
}

TEST(Vocabulary, FtruncateToTheMiddleOfAPageZeroesItsTailAndKeepsItMapped) {
    Scenario sc = truncScenario();
    sc.program(A1, {ftruncate(4096 + 100)});
    const RunResult r = sc.run("upstream");
    const State& st = r.timeline->current();
    EXPECT_EQ(st.inode.sizePages, 2u);
    EXPECT_TRUE(pteA(st, 1).isPresent());
    EXPECT_EQ(st.folio(st.inode.xa.get(1).value).data.str(), "~b0");
}

TEST(Vocabulary, FtruncateIsReadAndWrittenBySessionFiles) {
    const std::string json = R"({"format":"faultline-session","schema_version":1,"file":{"pages":8},
      "mms":[{"name":"A","vmas":[{"name":"file","start":"0x40000","pages":8}]}],
      "tasks":[{"name":"A1","mm":"A","program":[{"op":"ftruncate","size":8192},{"op":"madvise_remove","page":1,"pages":2}]}]})";
    const auto r = parseSession(json, "t.json");
    ASSERT_TRUE(r.session) << r.error.text();
    const auto& prog = r.session->config.tasks[0].program;
    ASSERT_EQ(prog.size(), 2u);
    EXPECT_EQ(prog[0].kind, OpKind::Ftruncate);
    EXPECT_EQ(prog[0].page, 8192u);
    EXPECT_EQ(prog[1].kind, OpKind::MadviseRemove);
    const auto again = parseSession(writeSession(*r.session), "again.json");
    ASSERT_TRUE(again.session) << again.error.text();
    EXPECT_EQ(again.session->config.tasks[0].program[0].page, 8192u);
    const auto big = parseSession(
        R"({"format":"faultline-session","schema_version":1,"file":{"pages":8},"mms":[{"name":"A","vmas":[{"name":"file","start":"0x40000","pages":8}]}],"tasks":[{"name":"P","program":[{"op":"ftruncate","size":40000}]}]})",
        "big.json");
    ASSERT_FALSE(big.session);
    EXPECT_NE(big.error.message.find("beyond the file's largest size"), std::string::npos) << big.error.text();
}

TEST(Vocabulary, MadviseRemoveSendsRemoveThenPunches) {
    Scenario sc;
    sc.s0(UFFDIO_REGISTER_MODE_MISSING, UINT64_MAX, false);
    sc.s.setup[1].op.features |= UFFD_FEATURE_EVENT_REMOVE;
    sc.program(A1, {op(OpKind::MadviseRemove, 1)});
    const RunResult r = sc.run("upstream");
    ASSERT_EQ(r.end, RunEnd::Finished) << r.endText;
    EXPECT_EQ(r.messages, (std::vector<std::string>{"REMOVE(1-2)"}));
    const State& st = r.timeline->current();
    EXPECT_TRUE(st.inode.xa.get(1).isEmpty());
    EXPECT_TRUE(pteA(st, 1).isNone());
    EXPECT_TRUE(checkAccounting(st).empty());
    // Without EVENT_REMOVE: the punch alone.
    Scenario quiet;
    quiet.s0(UFFDIO_REGISTER_MODE_MISSING, UINT64_MAX, false);
    quiet.program(A1, {op(OpKind::MadviseRemove, 1)});
    const RunResult q = quiet.run("baseline-2020");
    EXPECT_TRUE(q.messages.empty());
    EXPECT_TRUE(q.timeline->current().inode.xa.get(1).isEmpty());
}

TEST(Vocabulary, MunmapWithEventUnmapSendsUnmap) {
    Scenario sc;
    sc.s0(UFFDIO_REGISTER_MODE_MISSING, 0, false);
    sc.s.setup[0].op.features |= UFFD_FEATURE_EVENT_UNMAP;
    sc.program(A1, {op(OpKind::Munmap, 0)});
    const RunResult r = sc.run("upstream");
    ASSERT_EQ(r.end, RunEnd::Finished) << r.endText;
    EXPECT_EQ(r.messages, (std::vector<std::string>{"UNMAP(0-32)"}));
}

TEST(Vocabulary, AnAccessAfterMunmapIsSigsegvNotAnEngineError) {
    Scenario sc;
    sc.setup(B1, op(OpKind::FileWrite, 0, 32, 0, "b0")).setup(A1, read(3));
    sc.program(A1, {op(OpKind::Munmap, 0), read(3), write(4, "a1")});
    const RunResult r = sc.run("upstream");
    ASSERT_EQ(r.end, RunEnd::Finished) << r.endText;
    for (const Finding& f : r.findings) EXPECT_NE(f.rule, Rule::Engine) << f.text;
    EXPECT_EQ(r.signals, (std::vector<std::string>{"A1:SIGSEGV", "A1:SIGSEGV"}));
    EXPECT_TRUE(ranStep(r, "no VMA → SIGSEGV"));
    EXPECT_EQ(r.timeline->current().folio(r.timeline->current().inode.xa.get(4).value).data.str(), "b0");
}

TEST(Vocabulary, SignalsAreAnExpectation) {
    Scenario sc;
    sc.program(A1, {op(OpKind::Munmap, 0), read(3)});
    const RunResult r = sc.run("upstream");
    Expectation e;
    e.variant = "upstream";
    e.signals = std::vector<std::string>{"A1:SIGSEGV"};
    EXPECT_TRUE(compareExpectation(r, e).empty());
    e.signals = std::vector<std::string>{};
    ASSERT_EQ(compareExpectation(r, e).size(), 1u);
    EXPECT_EQ(compareExpectation(r, e)[0], "signals [A1:SIGSEGV], expected []");
    const auto bad = parseSession(
        R"({"format":"faultline-session","schema_version":1,"mms":[{"name":"A","vmas":[{"name":"file","start":"0x40000","pages":8}]}],
            "tasks":[{"name":"A1","mm":"A"}],"expect":[{"variant":"upstream","signals":["Z9:SIGSEGV"]}]})",
        "bad.json");
    ASSERT_FALSE(bad.session);
    EXPECT_NE(bad.error.message.find("a task of this session"), std::string::npos) << bad.error.text();
}

Op mprotect(uint64_t page, uint64_t pages, uint32_t prot) { return op(OpKind::Mprotect, page, pages, prot); }

TEST(Vocabulary, MprotectReadOnlyMakesWritesSigsegvAndReadWriteLetsThemThroughAgain) {
    Scenario sc;
    sc.setup(B1, op(OpKind::FileWrite, 0, 32, 0, "b0")).setup(A1, write(3, "a0"));
    sc.program(A1, {mprotect(0, 32, 1), write(3, "a1"), read(3), mprotect(0, 32, 3), write(3, "a2"), mprotect(0, 32, 0),
                    read(3)});
    const RunResult r = sc.run("upstream");
    ASSERT_EQ(r.end, RunEnd::Finished) << r.endText;
    EXPECT_EQ(r.signals, (std::vector<std::string>{"A1:SIGSEGV", "A1:SIGSEGV"}));
    EXPECT_TRUE(ranStep(r, "1 ptes write-protected"));
    EXPECT_TRUE(ranStep(r, "access_error: PROT_NONE VMA"));
    const State& st = r.timeline->current();
    EXPECT_EQ(st.folio(st.inode.xa.get(3).value).data.str(), "a2");
    EXPECT_EQ(st.mms[0].vmas.size(), 1u);  // split and merged back
}

TEST(Vocabulary, MprotectOfPartOfAVmaSplitsIt) {
    Scenario sc;
    sc.program(A1, {mprotect(8, 8, 1)});
    const RunResult r = sc.run("upstream");
    EXPECT_EQ(r.timeline->current().mms[0].vmas.size(), 3u);
}

TEST(Vocabulary, MmapAfterMunmapMapsTheVmaAgainWithoutItsRegistration) {
    Scenario sc;
    sc.setup(B1, op(OpKind::FileWrite, 0, 32, 0, "b0")).setup(M, api(UFFD_FEATURE_MISSING_SHMEM));
    sc.setup(M, onA(op(OpKind::UffdRegister, 0, 32, UFFDIO_REGISTER_MODE_MISSING)));
    sc.program(A1, {op(OpKind::Munmap, 0), op(OpKind::Mmap), read(3), op(OpKind::Mmap)});
    const RunResult r = sc.run("upstream");
    ASSERT_EQ(r.end, RunEnd::Finished) << r.endText;
    EXPECT_TRUE(r.signals.empty());
    const State& st = r.timeline->current();
    ASSERT_EQ(st.mms[0].vmas.size(), 1u);
    EXPECT_FALSE(st.mms[0].vmas[0].uffd);
    EXPECT_TRUE(pteA(st, 3).isPresent());
    ASSERT_EQ(r.opErrors.size(), 1u);  // the second mmap: the range is mapped
    EXPECT_NE(r.opErrors[0].find("-EEXIST"), std::string::npos);
}

TEST(Vocabulary, MprotectAndMmapAreReadAndWrittenBySessionFiles) {
    const std::string json = R"({"format":"faultline-session","schema_version":1,"file":{"pages":8},
      "mms":[{"name":"A","vmas":[{"name":"file","start":"0x40000","pages":8}]}],
      "tasks":[{"name":"A1","mm":"A","program":[{"op":"mprotect","page":0,"pages":8,"prot":"read"},{"op":"munmap","page":0},{"op":"mmap","vma":"file"}]}]})";
    const auto r = parseSession(json, "t.json");
    ASSERT_TRUE(r.session) << r.error.text();
    const auto& prog = r.session->config.tasks[0].program;
    EXPECT_EQ(prog[0].kind, OpKind::Mprotect);
    EXPECT_EQ(prog[0].mode, 1u);
    EXPECT_EQ(prog[2].kind, OpKind::Mmap);
    const auto again = parseSession(writeSession(*r.session), "again.json");
    ASSERT_TRUE(again.session) << again.error.text();
    EXPECT_EQ(again.session->config.tasks[0].program[0].mode, 1u);
    EXPECT_EQ(again.session->config.tasks[0].program[2].kind, OpKind::Mmap);
    const auto bad = parseSession(
        R"({"format":"faultline-session","schema_version":1,"mms":[{"name":"A","vmas":[{"name":"file","start":"0x40000","pages":8}]}],
            "tasks":[{"name":"A1","mm":"A","program":[{"op":"mprotect","page":0,"prot":"rwx"}]}]})",
        "bad.json");
    ASSERT_FALSE(bad.session);
    EXPECT_NE(bad.error.message.find("'prot' must be"), std::string::npos) << bad.error.text();
}

TEST(Vocabulary, SessionsMayHaveMoreThanSixteenTasks) {
    Scenario sc;
    sc.setup(B1, op(OpKind::FileWrite, 0, 32, 0, "b0"));
    for (int i = 0; i < 40; ++i)
        sc.s.config.tasks.push_back(
            {"X" + std::to_string(i), 0, {write(uint64_t(i % 32), "x" + std::to_string(i)), read(uint64_t(i % 32))}});
    Timeline tl(sc.initial("upstream"));
    // Round robin, so that tasks with indices past 31 hold locks at the same time as others.
    for (int n = 0; n < 100000 && !workDone(tl.current()); ++n) {
        const auto& st = tl.current();
        for (size_t t = 0; t < st.tasks.size(); ++t)
            if (isRunnable(tl.current(), uint8_t(t))) tl.stepTask(uint8_t(t));
    }
    ASSERT_TRUE(workDone(tl.current()));
    for (const StepRecord& rec : tl.records())
        for (const Finding& f : rec.findings) ASSERT_NE(f.rule, Rule::Engine) << f.text;
    EXPECT_TRUE(checkAccounting(tl.current()).empty());
    std::string json =
        R"({"format":"faultline-session","schema_version":1,"mms":[{"name":"A","vmas":[{"name":"file","start":"0x40000","pages":8}]}],"tasks":[)";
    for (int i = 0; i < 64; ++i)
        json += std::string(i ? "," : "") + R"({"name":"T)" + std::to_string(i) + R"(","mm":"A"})";
    const auto tooMany = parseSession(json + "]}", "many.json");
    ASSERT_FALSE(tooMany.session);
    EXPECT_NE(tooMany.error.message.find("at most 63 tasks"), std::string::npos) << tooMany.error.text();
}

TEST(Vocabulary, WpAsyncResolvesWriteProtectFaultsInTheKernelWithoutAMessage) {
    Scenario sc;
    sc.s0(UFFDIO_REGISTER_MODE_WP);
    sc.s.setup[1].op.features |= UFFD_FEATURE_WP_ASYNC;
    sc.program(A1, {write(3, "a3")});
    const RunResult r = sc.run("upstream");
    ASSERT_EQ(r.end, RunEnd::Finished) << r.endText;
    EXPECT_TRUE(r.messages.empty());
    EXPECT_TRUE(ranStep(r, "userfaultfd_wp_async"));
    const State& st = r.timeline->current();
    EXPECT_FALSE(pteA(st, 3).uffd_wp);
    EXPECT_TRUE(pteA(st, 3).write);
    EXPECT_EQ(count(r, Rule::C1), 0);                             // asynchronous tracking is what the monitor asked for
    EXPECT_TRUE(st.uffd.features & UFFD_FEATURE_WP_UNPOPULATED);  // WP_ASYNC turns it on
    // The variants before v6.4 refuse the feature.
    const RunResult old = sc.run("upstream-6.2");
    EXPECT_NE(old.error.find("not supported by this kernel variant"), std::string::npos) << old.error;
}

TEST(Vocabulary, UffdioPoisonMakesAccessesSigbusAndRefusesAPopulatedPte) {
    Scenario sc;
    sc.setup(M, api(UFFD_FEATURE_MISSING_SHMEM | UFFD_FEATURE_POISON))
        .setup(M, onA(op(OpKind::UffdRegister, 0, 32, UFFDIO_REGISTER_MODE_MISSING)));
    sc.program(P, {onA(op(OpKind::UffdPoison, 1, 1)), onA(op(OpKind::UffdPoison, 1, 1))})
        .program(A1, {read(1)})
        .untilDone(P);
    const RunResult r = sc.run("upstream");
    ASSERT_EQ(r.end, RunEnd::Finished) << r.endText;
    EXPECT_EQ(r.signals, (std::vector<std::string>{"A1:SIGBUS"}));
    ASSERT_EQ(r.opErrors.size(), 1u);
    EXPECT_NE(r.opErrors[0].find("-EEXIST"), std::string::npos);
    EXPECT_TRUE(r.messages.empty());
    Scenario old;
    old.setup(M, api(UFFD_FEATURE_MISSING_SHMEM))
        .setup(M, onA(op(OpKind::UffdRegister, 0, 32, UFFDIO_REGISTER_MODE_MISSING)));
    old.program(P, {onA(op(OpKind::UffdPoison, 1, 1))});
    const RunResult o = old.run("baseline-2020");
    ASSERT_EQ(o.opErrors.size(), 1u);
    EXPECT_NE(o.opErrors[0].find("-EINVAL"), std::string::npos);
}

TEST(Vocabulary, ClosingTheUserfaultfdDropsRegistrationsAndWakesTheWaiters) {
    Scenario sc;
    sc.setup(M, api(UFFD_FEATURE_MISSING_SHMEM))
        .setup(M, onA(op(OpKind::UffdRegister, 8, 8, UFFDIO_REGISTER_MODE_MISSING)));
    sc.s.config.policy.copyModeWp = false;
    // No monitor answers: A1 waits in handle_userfault until P closes the fd.
    sc.s.config.tasks[M].program = {};
    sc.program(A1, {read(10)}).program(P, {op(OpKind::UffdClose)}).untilBlocked(A1);
    const RunResult r = sc.run("upstream");
    ASSERT_EQ(r.end, RunEnd::Finished) << r.endText << r.timeline->describeDeadlock();
    EXPECT_EQ(r.messages, (std::vector<std::string>{"MISS(10)"}));
    const State& st = r.timeline->current();
    EXPECT_TRUE(pteA(st, 10).isPresent());  // the retried fault ran as if nothing were registered
    ASSERT_EQ(st.mms[0].vmas.size(), 1u);   // merged back
    EXPECT_FALSE(st.mms[0].vmas[0].uffd);
    EXPECT_TRUE(r.signals.empty());
}

}  // namespace
}  // namespace faultline::test
