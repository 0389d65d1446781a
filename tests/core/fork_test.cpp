// SPDX-License-Identifier: GPL-3.0-or-later
// fork(2) (dup_mmap, dup_userfaultfd, copy_page_range), more than one
// userfaultfd context, ctx->mmap_changing and mremap(2) (move_vma). Expectations are what Linux 6.18 does
// (docs/real-kernel-checks.md, "fork and more than one userfaultfd").
#include <gtest/gtest.h>

#include "engine/accounting.h"
#include "scenario.h"
#include "session/cells.h"
#include "session/session_io.h"

namespace faultline::test {
namespace {

// A (16 pages) registered MISSING|WP, pages 0..7 read, everything
// write-protected (0..7 present+wp, 8..15 markers); A1 forks into C, whose
// task C1 runs `child`.
std::string forkSession(const std::string& features, const std::string& child, const std::string& monitor = "{}",
                        const std::string& variant = "upstream") {
    return R"({"format":"faultline-session","schema_version":1,"file":{"pages":16},
      "mms":[{"name":"A","vmas":[{"name":"file","start":"0x40000000","pages":16}]},
             {"name":"B","vmas":[{"name":"file","start":"0x80000000","pages":16}]},
             {"name":"C","fork_of":"A"}],
      "tasks":[{"name":"M","role":"monitor","program":[{"op":"serve"}]},
               {"name":"A1","mm":"A","program":[{"op":"fork","child":"C"}]},
               {"name":"B1","mm":"B"},
               {"name":"C1","mm":"C","program":)" +
           child + R"(}],
      "monitor":)" +
           monitor + R"(,
      "setup":[{"task":"B1","op":"file_write","page":0,"pages":16,"tag":"b0"},
               {"task":"M","op":"uffdio_api","mm":"A","features":)" +
           features + R"(},
               {"task":"M","op":"uffdio_register","mm":"A","page":0,"pages":16,"mode":["MISSING","WP"]},
               {"task":"A1","op":"read","page":0,"pages":8},
               {"task":"M","op":"uffdio_writeprotect","mm":"A","page":0,"pages":16,"mode":["WP"]}],
      "variant":")" +
           variant + R"("})";
}

Session load(const std::string& json) {
    auto r = parseSession(json, "fork.json");
    if (!r.session) ADD_FAILURE() << r.error.text();
    return r.session ? *r.session : Session{};
}

RunResult runIt(const Session& s, const std::string& variant = "upstream") {
    RunOptions o;
    o.variant = variant;
    return runSession(s, o);
}

const Pte& pteC(const State& st, uint64_t i) { return st.mms[2].pt.get(0x40000 + i); }
constexpr int C1 = 3;

TEST(Fork, WithoutEventForkTheChildIsUnregisteredAndGetsNoShmemPtes) {
    Session s = load(forkSession(R"(["MISSING_SHMEM"])", R"([])"));
    const RunResult r = runIt(s);
    ASSERT_EQ(r.end, RunEnd::Finished) << r.endText;
    const State& st = r.timeline->current();
    ASSERT_EQ(st.mms[2].vmas.size(), 1u);
    EXPECT_FALSE(st.mms[2].vmas[0].uffd);
    EXPECT_EQ(st.mms[2].vmas[0].flags & VM_UFFD_ANY, 0u);
    for (uint64_t i = 0; i < 16; ++i) EXPECT_TRUE(pteC(st, i).isNone()) << i;  // vma_needs_copy: false
    EXPECT_TRUE(pteA(st, 4).isPresent() && pteA(st, 4).uffd_wp);               // the parent keeps its bits
    EXPECT_TRUE(pteA(st, 12).isWpMarker());
    EXPECT_TRUE(r.messages.empty());
    EXPECT_EQ(st.ctxCount(), 1u);
    EXPECT_TRUE(checkAccounting(st).empty());
}

TEST(Fork, WithoutEventForkAChildWriteChangesTheProtectedPageWithoutAMessage) {
    Session s = load(forkSession(R"(["MISSING_SHMEM"])", R"([{"op":"write","page":4,"tag":"c4"}])"));
    const RunResult r = runIt(s);
    ASSERT_EQ(r.end, RunEnd::Finished) << r.endText;
    const State& st = r.timeline->current();
    EXPECT_TRUE(r.messages.empty());
    EXPECT_TRUE(pteC(st, 4).isPresent() && pteC(st, 4).write && !pteC(st, 4).uffd_wp);
    EXPECT_EQ(st.folio(st.inode.xa.get(4).value).data.str(), "c4");
    EXPECT_TRUE(pteA(st, 4).uffd_wp);  // A's pte still says protected
    EXPECT_EQ(count(r, Rule::C1), 0);  // the monitor never protected C
}

TEST(Fork, WithEventForkPtesAndMarkersAreCopiedAndTheMonitorGetsFork) {
    Session s = load(forkSession(R"(["MISSING_SHMEM","EVENT_FORK"])", R"([])"));
    const RunResult r = runIt(s);
    ASSERT_EQ(r.end, RunEnd::Finished) << r.endText;
    const State& st = r.timeline->current();
    EXPECT_EQ(r.messages, (std::vector<std::string>{"FORK(C)"}));
    ASSERT_EQ(st.mms[2].vmas.size(), 1u);
    const Vma& v = st.mms[2].vmas[0];
    EXPECT_TRUE(v.uffd);
    EXPECT_EQ(v.flags & VM_UFFD_ANY, uint32_t(VM_UFFD_MISSING | VM_UFFD_WP));
    ASSERT_EQ(st.ctxCount(), 2u);
    EXPECT_EQ(v.ctx, 1);
    EXPECT_EQ(st.ctx(1).mm, 2);
    EXPECT_TRUE(st.ctx(1).features & UFFD_FEATURE_EVENT_FORK);
    for (uint64_t i = 0; i < 8; ++i) {
        const Pte& p = pteC(st, i);
        EXPECT_TRUE(p.isPresent() && p.uffd_wp && !p.write && !p.dirty && !p.young) << i << " " << p.describe();
        EXPECT_EQ(p.pfn, pteA(st, i).pfn);
    }
    for (uint64_t i = 8; i < 16; ++i) EXPECT_TRUE(pteC(st, i).isWpMarker()) << i;
    EXPECT_EQ(st.folio(pteA(st, 0).pfn).mapcount, 2);
    EXPECT_EQ(st.mms[2].rssShmem, 8);
    EXPECT_TRUE(checkAccounting(st).empty());
}

TEST(Fork, ChildWritesRaiseWpOnTheChildsContextAndTheMonitorServesIt) {
    Session s = load(
        forkSession(R"(["MISSING_SHMEM","EVENT_FORK"])",
                    R"([{"op":"write","page":4,"tag":"c4"},{"op":"write","page":12,"tag":"c12"}])"));
    const RunResult r = runIt(s);
    ASSERT_EQ(r.end, RunEnd::Finished) << r.endText;
    EXPECT_EQ(r.messages, (std::vector<std::string>{"FORK(C)", "WP(4,W)", "WP(12,W)"}));
    const State& st = r.timeline->current();
    EXPECT_EQ(count(r, Rule::C1), 0);
    EXPECT_TRUE(pteC(st, 4).isPresent() && pteC(st, 4).write && !pteC(st, 4).uffd_wp);
    EXPECT_EQ(st.folio(st.inode.xa.get(12).value).data.str(), "c12");
    EXPECT_TRUE(st.ctx(1).pending.empty());
}

TEST(Fork, TheChildRunsOnlyAfterTheForkReturnsAndTheForkWaitsForTheMonitor) {
    Session s = load(forkSession(R"(["MISSING_SHMEM","EVENT_FORK"])", R"([{"op":"read","page":1}])"));
    const State init = buildInitialState(s, resolveToggles("upstream", {}).toggles).state;
    EXPECT_EQ(init.tasks[C1].state, TaskState::Unforked);
    EXPECT_FALSE(isRunnable(init, C1));
    Directive d;
    d.kind = Directive::Kind::UntilBlocked, d.task = 1;  // A1 forks and waits for FORK to be read
    s.schedule = {d};
    s.scheduleThenDefault = false;
    const RunResult r = runIt(s);
    const State& st = r.timeline->current();
    EXPECT_EQ(st.tasks[1].state, TaskState::SleepUffd);
    EXPECT_EQ(st.tasks[C1].state, TaskState::Unforked);
    EXPECT_EQ(r.messages, (std::vector<std::string>{"FORK(C)"}));
}

TEST(Fork, AMonitorThatClosesTheChildsUffdUnregistersTheChild) {
    Session s = load(forkSession(R"(["MISSING_SHMEM","EVENT_FORK"])", R"([{"op":"write","page":4,"tag":"c4"}])",
                                 R"({"on_fork":"close"})"));
    const RunResult r = runIt(s);
    ASSERT_EQ(r.end, RunEnd::Finished) << r.endText;
    EXPECT_EQ(r.messages, (std::vector<std::string>{"FORK(C)"}));
    const State& st = r.timeline->current();
    EXPECT_TRUE(st.ctx(1).released);
    EXPECT_FALSE(st.mms[2].vmas[0].uffd);
    EXPECT_TRUE(pteC(st, 4).isPresent() && !pteC(st, 4).uffd_wp);  // reset by userfaultfd_release
    EXPECT_FALSE(st.ctx(0).released);
}

TEST(Fork, BeforeV519TheChildGetsNoPtesAndItsWriteIsASilentWrite) {
    // copy_page_range skipped shared VMAs without anon_vma before v5.19: the
    // child keeps the registration (EVENT_FORK) but none of the uffd-wp bits.
    Session s = load(forkSession(R"(["MISSING_SHMEM","EVENT_FORK"])", R"([{"op":"write","page":4,"tag":"c4"}])", "{}",
                                 "baseline-2020"));
    const RunResult r = runIt(s, "baseline-2020");
    ASSERT_EQ(r.end, RunEnd::Finished) << r.endText;
    EXPECT_EQ(r.messages, (std::vector<std::string>{"FORK(C)"}));
    const State& st = r.timeline->current();
    EXPECT_TRUE(st.mms[2].vmas[0].uffd);
    EXPECT_TRUE(pteC(st, 12).isNone());
    EXPECT_EQ(count(r, Rule::C1), 1);  // the monitor protected page 4 of C (inherited) and never heard of the write
    const RunResult u = runIt(s, "upstream");
    EXPECT_EQ(count(u, Rule::C1), 0);
}

// An anonymous 4-page VMA of A: pages 0-2 written "a", page 2 swapped out
// (reclaim, writeback, reclaim again), page 3 never touched. With `features`
// (null: no userfaultfd) the VMA is registered WP and write-protected (page 3
// gets a marker with WP_UNPOPULATED). A1 forks into C (withParentOps adds
// what it does next); C1 runs `child`. tools/kernel-checks/fork_anon.c does the same on Linux.
std::string anonForkSession(const std::string& features, const std::string& child,
                            const std::string& variant = "upstream") {
    const bool uffd = features != "null";
    std::string setup = R"([{"task":"A1","op":"write","page":0,"pages":3,"tag":"a"},
               {"task":"A1","op":"reclaim","mm":"A","vma":"anon","page":2},
               {"task":"A1","op":"writeback_end","mm":"A","vma":"anon","page":2},
               {"task":"A1","op":"reclaim","mm":"A","vma":"anon","page":2})";
    if (uffd)
        setup += R"(,{"task":"M","op":"uffdio_api","mm":"A","features":)" + features + R"(},
               {"task":"M","op":"uffdio_register","mm":"A","page":0,"pages":4,"mode":["WP"]},
               {"task":"M","op":"uffdio_writeprotect","mm":"A","page":0,"pages":4,"mode":["WP"]})";
    setup += "]";
    return R"({"format":"faultline-session","schema_version":1,"file":{"pages":4},
      "mms":[{"name":"A","vmas":[{"name":"anon","kind":"anon","start":"0x40000000","pages":4}]},
             {"name":"C","fork_of":"A"}],
      "tasks":[{"name":"M","role":"monitor","program":[{"op":"serve"}]},
               {"name":"A1","mm":"A","program":[{"op":"fork","child":"C"}]},
               {"name":"C1","mm":"C","program":)" +
           child + R"(}],
      "setup":)" + setup + R"(,
      "variant":")" + variant + R"("})";
}

// A fork session whose parent task runs `parent` after the fork (appended to A1's program).
std::string withParentOps(std::string json, const std::string& ops) {
    const std::string fork = R"({"op":"fork","child":"C"})";
    json.replace(json.find(fork), fork.size(), fork + "," + ops);
    return json;
}

std::string cell(const State& st, const std::string& name) {
    std::string err;
    const auto v = cellValue(st, name, &err);
    return v ? *v : "error: " + err;
}

// The child C is mm 1 in anonForkSession.
const Pte& pteK(const State& st, uint64_t i) { return st.mms[1].pt.get(0x40000 + i); }

TEST(ForkAnon, TheChildSharesEveryAnonymousFolioWriteProtectedInBothAndSwapEntriesAreDuplicated) {
    const RunResult r = runIt(load(anonForkSession("null", "[]")));
    ASSERT_EQ(r.end, RunEnd::Finished) << r.endText;
    const State& st = r.timeline->current();
    for (uint64_t i = 0; i < 2; ++i) {
        const Pte& a = pteA(st, i);
        const Pte& c = pteK(st, i);
        EXPECT_TRUE(a.isPresent() && !a.write) << i << " " << a.describe();  // __copy_present_ptes: wrprotect both
        EXPECT_TRUE(c.isPresent() && !c.write && c.dirty && !c.young) << i << " " << c.describe();
        EXPECT_EQ(a.pfn, c.pfn);
        EXPECT_EQ(st.folio(a.pfn).mapcount, 2);
        EXPECT_EQ(st.folio(a.pfn).refcount, 2);
    }
    ASSERT_TRUE(pteA(st, 2).isSwap());
    ASSERT_TRUE(pteK(st, 2).isSwap());
    EXPECT_EQ(pteA(st, 2).slot, pteK(st, 2).slot);
    EXPECT_EQ(st.swap.slots.get(pteA(st, 2).slot).count, 2);  // swap_dup_entry_direct
    EXPECT_TRUE(pteK(st, 3).isNone());
    EXPECT_EQ(st.mms[1].rssAnon, 2);
    EXPECT_EQ(st.mms[1].rssSwapents, 1);
    EXPECT_TRUE(checkAccounting(st).empty());
}

TEST(ForkAnon, AChildWriteCopiesTheFolioAndTheParentKeepsItsPage) {
    const RunResult r = runIt(load(anonForkSession(
        "null", R"([{"op":"read","page":2},{"op":"write","page":0,"tag":"c"},{"op":"write","page":2,"tag":"c2"}])")));
    ASSERT_EQ(r.end, RunEnd::Finished) << r.endText;
    const State& st = r.timeline->current();
    EXPECT_NE(pteK(st, 0).pfn, pteA(st, 0).pfn);  // wp_page_copy
    EXPECT_TRUE(pteK(st, 0).write);
    EXPECT_EQ(cell(st, "C.data[0]"), "c");
    EXPECT_EQ(cell(st, "A.data[0]"), "a");
    EXPECT_EQ(st.folio(pteA(st, 0).pfn).mapcount, 1);
    EXPECT_EQ(pteK(st, 1).pfn, pteA(st, 1).pfn);  // untouched: still shared
    // Page 2: the child swapped it in (the parent's swap pte still refers to
    // the slot, so it is mapped read-only) and its write copied it.
    EXPECT_TRUE(pteA(st, 2).isSwap());
    EXPECT_TRUE(pteK(st, 2).isPresent() && pteK(st, 2).write);
    EXPECT_EQ(cell(st, "C.data[2]"), "c2");
    EXPECT_EQ(cell(st, "A.data[2]"), "a");
    EXPECT_TRUE(r.messages.empty());
    EXPECT_TRUE(checkAccounting(st).empty());
}

TEST(ForkAnon, OnceTheChildCopiedTheParentsWriteReusesItsFolioAndBeforeItCopies) {
    // The child writes page 0 first: the parent's folio is exclusive again
    // (wp_can_reuse_anon_folio) and its write reuses it in place. Page 1 is
    // still shared when the parent writes it: copied.
    std::string json = withParentOps(anonForkSession("null", R"([{"op":"write","page":0,"tag":"c"}])"),
                                     R"({"op":"write","page":0,"tag":"p"},{"op":"write","page":1,"tag":"p1"})");
    // A1 forks, C1 writes, then A1 writes (the default order would run A1 on).
    json.insert(json.rfind("\"variant\""), R"("schedule":[{"task":"A1","ops":1},{"task":"C1","until":"done"}],)");
    const Session s = load(json);
    const State init = buildInitialState(s, resolveToggles("upstream", {}).toggles).state;
    const uint32_t p0 = init.mms[0].pt.get(0x40000).pfn, p1 = init.mms[0].pt.get(0x40001).pfn;
    const RunResult r = runIt(s);
    ASSERT_EQ(r.end, RunEnd::Finished) << r.endText;
    const State& st = r.timeline->current();
    EXPECT_EQ(pteA(st, 0).pfn, p0) << "reused";
    EXPECT_EQ(cell(st, "A.data[0]"), "p");
    EXPECT_EQ(cell(st, "C.data[0]"), "c");
    EXPECT_NE(pteA(st, 1).pfn, p1) << "copied";
    EXPECT_EQ(pteK(st, 1).pfn, p1);
    EXPECT_EQ(cell(st, "A.data[1]"), "p1");
    EXPECT_EQ(cell(st, "C.data[1]"), "a");
    EXPECT_TRUE(checkAccounting(st).empty());
}

TEST(ForkAnon, WithoutEventForkTheChildLosesUffdWpAndMarkersAndWritesSilently) {
    const RunResult r = runIt(load(anonForkSession(R"(["WP_UNPOPULATED"])", R"([{"op":"write","page":0,"tag":"c"}])")));
    ASSERT_EQ(r.end, RunEnd::Finished) << r.endText;
    const State& st = r.timeline->current();
    EXPECT_TRUE(pteA(st, 1).isPresent() && pteA(st, 1).uffd_wp);
    EXPECT_TRUE(pteK(st, 1).isPresent() && !pteK(st, 1).uffd_wp);  // pte_clear_uffd_wp
    EXPECT_TRUE(pteA(st, 2).isSwap() && pteA(st, 2).uffd_wp);
    EXPECT_TRUE(pteK(st, 2).isSwap() && !pteK(st, 2).uffd_wp);  // pte_swp_clear_uffd_wp
    EXPECT_TRUE(pteA(st, 3).isWpMarker());
    EXPECT_TRUE(pteK(st, 3).isNone());  // copy_pte_marker: uffd-wp dropped, nothing left
    EXPECT_TRUE(r.messages.empty());
    EXPECT_EQ(cell(st, "C.data[0]"), "c");
    EXPECT_EQ(cell(st, "A.data[0]"), "a");
    EXPECT_TRUE(pteA(st, 0).uffd_wp && !pteA(st, 0).write);
    EXPECT_EQ(count(r, Rule::C1), 0);  // the monitor never protected C
    EXPECT_TRUE(checkAccounting(st).empty());
}

TEST(ForkAnon, WithEventForkTheChildKeepsUffdWpAndItsWriteRaisesWpThenCopies) {
    const RunResult r = runIt(load(anonForkSession(R"(["WP_UNPOPULATED","EVENT_FORK"])",
                                                   R"([{"op":"read","page":2},{"op":"write","page":0,"tag":"c"}])")));
    ASSERT_EQ(r.end, RunEnd::Finished) << r.endText;
    const State& st = r.timeline->current();
    EXPECT_EQ(r.messages, (std::vector<std::string>{"FORK(C)", "WP(0,W)"}));
    EXPECT_TRUE(pteK(st, 1).isPresent() && pteK(st, 1).uffd_wp);
    EXPECT_TRUE(pteK(st, 2).isPresent() && pteK(st, 2).uffd_wp);  // swapped in with its swap pte's uffd-wp
    EXPECT_TRUE(pteK(st, 3).isWpMarker());
    EXPECT_TRUE(pteK(st, 0).isPresent() && pteK(st, 0).write && !pteK(st, 0).uffd_wp);
    EXPECT_NE(pteK(st, 0).pfn, pteA(st, 0).pfn);
    EXPECT_EQ(cell(st, "C.data[0]"), "c");
    EXPECT_EQ(cell(st, "A.data[0]"), "a");
    EXPECT_TRUE(pteA(st, 0).uffd_wp && pteA(st, 2).isSwap() && pteA(st, 2).uffd_wp && pteA(st, 3).isWpMarker());
    EXPECT_EQ(count(r, Rule::C1), 0);
    EXPECT_TRUE(checkAccounting(st).empty());
}

TEST(ForkAnon, EveryVariantSharesAnonymousPagesAlike) {
    // Without WP_UNPOPULATED (upstream only) the session runs everywhere; the
    // anonymous copy (anon_vma) predates the 2020 baseline.
    for (const char* v : {"baseline-2020", "skip-faultaround", "no-preunmap", "no-map-pages", "upstream-5.19",
                          "upstream-6.2", "upstream"}) {
        const RunResult r = runIt(
            load(anonForkSession(R"(["EVENT_FORK"])", R"([{"op":"write","page":0,"tag":"c"}])", v)), v);
        ASSERT_EQ(r.end, RunEnd::Finished) << v << ": " << r.endText;
        const State& st = r.timeline->current();
        EXPECT_EQ(r.messages, (std::vector<std::string>{"FORK(C)", "WP(0,W)"})) << v;
        EXPECT_TRUE(pteK(st, 1).uffd_wp && pteK(st, 2).isSwap() && pteK(st, 2).uffd_wp) << v;
        EXPECT_EQ(cell(st, "A.data[0]"), "a") << v;
        EXPECT_EQ(cell(st, "C.data[0]"), "c") << v;
        EXPECT_TRUE(checkAccounting(st).empty()) << v;
    }
}

TEST(ForkAnon, ReclaimOfASharedFolioUnmapsItFromBothMmsIntoOneSlot) {
    const RunResult r = runIt(load(withParentOps(anonForkSession("null", "[]"),
                                                 R"({"op":"reclaim","mm":"A","vma":"anon","page":1})")));
    ASSERT_EQ(r.end, RunEnd::Finished) << r.endText;
    const State& st = r.timeline->current();
    ASSERT_TRUE(pteA(st, 1).isSwap() && pteK(st, 1).isSwap());
    EXPECT_EQ(pteA(st, 1).slot, pteK(st, 1).slot);
    EXPECT_EQ(st.swap.slots.get(pteA(st, 1).slot).count, 2);
    EXPECT_TRUE(checkAccounting(st).empty());
}

TEST(ForkAnon, MremapOfASharedAnonymousPageIsRefusedWithAClearEngineError) {
    const RunResult r = runIt(load(withParentOps(
        anonForkSession("null", "[]"), R"({"op":"mremap","vma":"anon","page":0,"to":"0x50000000"})")));
    ASSERT_FALSE(r.findings.empty());
    EXPECT_EQ(r.findings.back().rule, Rule::Engine);
    EXPECT_NE(r.findings.back().text.find("not modelled"), std::string::npos) << r.findings.back().text;
}

TEST(Cells, MmDataIsWhatThatMmsPteGivesThePage) {
    const RunResult r = runIt(load(anonForkSession("null", R"([{"op":"write","page":0,"tag":"c"}])")));
    const State& st = r.timeline->current();
    EXPECT_EQ(cell(st, "A.data[2]"), "a");  // through the swap slot
    EXPECT_EQ(cell(st, "A.data[3]"), "none");
    EXPECT_NE(cell(st, "A.data[9]").find("maps no page 9"), std::string::npos);
    EXPECT_NE(cell(st, "A.dat[0]").find("MM.data"), std::string::npos);
}

TEST(Fork, SessionFilesNameTheChildAndBadOnesAreRefusedWithTheirPlace) {
    Session s = load(forkSession(R"(["EVENT_FORK"])", R"([])", R"({"on_fork":"close"})"));
    const auto again = parseSession(writeSession(s), "again.json");
    ASSERT_TRUE(again.session) << again.error.text();
    EXPECT_EQ(again.session->mms[2].forkOf, 0);
    EXPECT_TRUE(again.session->config.policy.closeForked);
    EXPECT_EQ(again.session->config.tasks[1].program[0].kind, OpKind::Fork);
    EXPECT_EQ(again.session->config.tasks[1].program[0].child, 2);
    EXPECT_EQ(again.session->setup[1].op.features, uint64_t(UFFD_FEATURE_EVENT_FORK));
    auto refused = [](const std::string& json, const std::string& why) {
        const auto r = parseSession(json, "bad.json");
        ASSERT_FALSE(r.session) << why;
        EXPECT_NE(r.error.message.find(why), std::string::npos) << r.error.text();
        EXPECT_GT(r.error.line, 0);
    };
    const std::string head = R"({"format":"faultline-session","schema_version":1,"file":{"pages":4},
      "mms":[{"name":"A","vmas":[{"name":"file","start":"0x40000000","pages":4}]},)";
    refused(head + R"({"name":"C","fork_of":"A","vmas":[]}],"tasks":[{"name":"A1","mm":"A"}]})", "give it no 'vmas'");
    refused(head + R"({"name":"C","fork_of":"A"}],"tasks":[{"name":"A1","mm":"A"}]})", "no 'fork' creates it");
    refused(head + R"({"name":"C","vmas":[]}],"tasks":[{"name":"A1","mm":"A","program":[{"op":"fork","child":"C"}]}]})",
            "not declared as a fork child");
    refused(head + R"({"name":"C","fork_of":"A"}],"tasks":[{"name":"A1","mm":"A","program":[{"op":"fork","child":"C"},{"op":"fork","child":"C"}]}]})",
            "created by another 'fork'");
    refused(head + R"({"name":"C","fork_of":"A"}],"tasks":[{"name":"A1","mm":"A","program":[{"op":"fork","child":"C"},{"op":"uffdio_api","uffd":8}]}]})",
            "'uffd' must be from 0 to 7");
    refused(head + R"({"name":"C","fork_of":"A"}],"tasks":[{"name":"A1","mm":"A","program":[{"op":"fork","child":"C"},{"op":"read","page":0,"uffd":1}]}]})",
            "take 'uffd'");
    refused(head + R"({"name":"C","fork_of":"A"}],"monitor":{"on_fork":"ignore"},"tasks":[{"name":"A1","mm":"A","program":[{"op":"fork","child":"C"}]}]})",
            "'on_fork' must be");
}

// Two contexts in one mm on different ranges (as on Linux 6.18: REGISTER of a
// range another context holds is -EBUSY, UNREGISTER through the other is
// -EINVAL, the filling ioctls work through either).
std::string twoContexts(const std::string& program) {
    return R"({"format":"faultline-session","schema_version":1,"file":{"pages":8},
      "mms":[{"name":"A","vmas":[{"name":"file","start":"0x40000000","pages":8}]}],
      "tasks":[{"name":"M","role":"monitor","program":[{"op":"serve"}]},
               {"name":"A1","mm":"A","program":)" +
           program + R"(},
               {"name":"P","program":[]}],
      "monitor":{"copy_mode_wp":false},
      "setup":[{"task":"M","op":"uffdio_api","mm":"A","features":["MISSING_SHMEM"]},
               {"task":"M","op":"uffdio_api","mm":"A","uffd":1,"features":["MISSING_SHMEM"]},
               {"task":"M","op":"uffdio_register","mm":"A","page":0,"pages":4,"mode":["MISSING"]},
               {"task":"M","op":"uffdio_register","mm":"A","uffd":1,"page":4,"pages":4,"mode":["MISSING"]}]})";
}

TEST(UffdContexts, FaultsGoToTheContextTheirVmaIsRegisteredWithAndTheMonitorServesBoth) {
    Session s = load(twoContexts(R"([{"op":"read","page":1},{"op":"read","page":5}])"));
    const State init = buildInitialState(s, resolveToggles("upstream", {}).toggles).state;
    ASSERT_EQ(init.mms[0].vmas.size(), 2u);
    EXPECT_EQ(init.mms[0].vmas[0].ctx, 0);
    EXPECT_EQ(init.mms[0].vmas[1].ctx, 1);
    const RunResult r = runIt(s);
    ASSERT_EQ(r.end, RunEnd::Finished) << r.endText;
    EXPECT_EQ(r.messages, (std::vector<std::string>{"MISS(1)", "MISS(5)"}));
    bool readOne = false;
    for (const StepRecord& rec : r.timeline->records()) readOne |= rec.summary().find("read(uffd 1)") != std::string::npos;
    EXPECT_TRUE(readOne);
    EXPECT_TRUE(pteA(r.timeline->current(), 5).isPresent());
}

TEST(UffdContexts, RegisterOverAnotherContextsRangeIsEbusyAndUnregisterThroughItIsEinval) {
    Session s = load(twoContexts("[]"));
    Op reg;
    reg.kind = OpKind::UffdRegister, reg.mm = 0, reg.page = 3, reg.count = 2, reg.mode = UFFDIO_REGISTER_MODE_MISSING,
    reg.uffd = 1;
    Op unreg;
    unreg.kind = OpKind::UffdUnregister, unreg.mm = 0, unreg.page = 0, unreg.count = 1, unreg.uffd = 1;
    Op copy;
    copy.kind = OpKind::UffdCopy, copy.mm = 0, copy.page = 0, copy.tag = Tag("z"), copy.uffd = 1;
    s.config.tasks[2].program = {reg, unreg, copy};
    const RunResult r = runIt(s);
    ASSERT_EQ(r.end, RunEnd::Finished) << r.endText;
    ASSERT_EQ(r.opErrors.size(), 2u);
    EXPECT_NE(r.opErrors[0].find("-EBUSY"), std::string::npos) << r.opErrors[0];
    EXPECT_NE(r.opErrors[1].find("-EINVAL"), std::string::npos) << r.opErrors[1];
    const State& st = r.timeline->current();
    EXPECT_TRUE(pteA(st, 0).isPresent());  // UFFDIO_COPY through the other context of the mm works
    EXPECT_TRUE(st.mms[0].vmas[0].uffd);
}

TEST(UffdContexts, ClosingOneContextLeavesTheOthersRegistrations) {
    Session s = load(twoContexts("[]"));
    Op close;
    close.kind = OpKind::UffdClose, close.uffd = 1;
    s.config.tasks[2].program = {close};
    const RunResult r = runIt(s);
    ASSERT_EQ(r.end, RunEnd::Finished) << r.endText;
    const State& st = r.timeline->current();
    EXPECT_TRUE(st.ctx(1).released);
    EXPECT_FALSE(st.ctx(0).released);
    ASSERT_EQ(st.mms[0].vmas.size(), 2u);
    EXPECT_TRUE(st.mms[0].vmas[0].uffd);
    EXPECT_FALSE(st.mms[0].vmas[1].uffd);
}

TEST(UffdContexts, AStateWithASecondContextHashesDifferentlyAndOlderStatesHashAsBefore) {
    State a = buildInitialState(load(twoContexts("[]")), resolveToggles("upstream", {}).toggles).state;
    State b = a;
    b.moreUffds[0].features ^= UFFD_FEATURE_EVENT_REMOVE;
    EXPECT_NE(a.hash(), b.hash());
    EXPECT_FALSE(a == b);
    State c = a;
    c.mms[0].vmas[1].ctx = 0;
    EXPECT_NE(a.hash(), c.hash());
}

// ctx->mmap_changing (Linux 6.18, tools/kernel-checks/mmap_changing.c): while
// REMOVE is queued and its sender has not resumed, UFFDIO_COPY through that
// context is -EAGAIN; the monitor retries once the sender ran again.
TEST(MmapChanging, IoctlsGetEagainWhileAnEventIsNotCompleteAndTheMonitorRetries) {
    const std::string json = R"({"format":"faultline-session","schema_version":1,"file":{"pages":8},
      "mms":[{"name":"A","vmas":[{"name":"file","start":"0x40000000","pages":8}]}],
      "tasks":[{"name":"M","role":"monitor","program":[{"op":"serve"}]},
               {"name":"A1","mm":"A","program":[{"op":"madvise_dontneed","page":1}]},
               {"name":"A2","mm":"A","program":[{"op":"read","page":6}]},
               {"name":"P","program":[{"op":"uffdio_copy","mm":"A","page":5,"tag":"z"}]}],
      "monitor":{"copy_mode_wp":false},
      "setup":[{"task":"A1","op":"file_write","page":0,"pages":5,"tag":"b0"},
               {"task":"M","op":"uffdio_api","mm":"A","features":["MISSING_SHMEM","EVENT_REMOVE"]},
               {"task":"M","op":"uffdio_register","mm":"A","page":0,"pages":8,"mode":["MISSING"]}],
      "schedule":[{"task":"A1","until":"blocked"},{"task":"A2","until":"blocked"},{"task":"P","until":"done"},
                  {"task":"M","until":"blocked"}]})";
    const RunResult r = runIt(load(json));
    ASSERT_EQ(r.end, RunEnd::Finished) << r.endText;
    EXPECT_EQ(r.messages, (std::vector<std::string>{"REMOVE(1-2)", "MISS(6)"}));
    ASSERT_EQ(r.opErrors.size(), 1u);
    EXPECT_NE(r.opErrors[0].find("-EAGAIN"), std::string::npos) << r.opErrors[0];
    bool retried = false;
    for (const StepRecord& rec : r.timeline->records())
        retried |= rec.summary().find("-EAGAIN (mmap_changing)") != std::string::npos;
    EXPECT_TRUE(retried);  // the monitor's COPY for MISS(6) came before A1 resumed
    const State& st = r.timeline->current();
    EXPECT_TRUE(pteA(st, 6).isPresent());
    EXPECT_TRUE(pteA(st, 5).isNone());
    EXPECT_TRUE(st.uffd.changing.empty());
}

TEST(MmapChanging, WithoutEventsNothingChangesAndStatesHashAsBefore) {
    Session s = load(twoContexts("[]"));
    const State a = buildInitialState(s, resolveToggles("upstream", {}).toggles).state;
    State b = a;
    b.uffd.changing.push_back(7);
    EXPECT_NE(a.hash(), b.hash());
    EXPECT_FALSE(a == b);
}

// mremap of A's whole registered VMA (8 pages: 0..3 present+wp, 4..7 markers)
// to 0x50000000, then a write to page 1 (Linux 6.18: tools/kernel-checks/mremap_uffd.c).
std::string mremapSession(const std::string& features) {
    return R"({"format":"faultline-session","schema_version":1,"file":{"pages":8},
      "mms":[{"name":"A","vmas":[{"name":"file","start":"0x40000000","pages":8}]}],
      "tasks":[{"name":"M","role":"monitor","program":[{"op":"serve"}]},
               {"name":"A1","mm":"A","program":[{"op":"mremap","page":0,"to":"0x50000000"},
                                                 {"op":"write","page":1,"tag":"a1"}]}],
      "setup":[{"task":"A1","op":"file_write","page":0,"pages":8,"tag":"b0"},
               {"task":"M","op":"uffdio_api","mm":"A","features":)" +
           features + R"(},
               {"task":"M","op":"uffdio_register","mm":"A","page":0,"pages":8,"mode":["MISSING","WP"]},
               {"task":"A1","op":"read","page":0},{"task":"A1","op":"read","page":1},
               {"task":"A1","op":"read","page":2},{"task":"A1","op":"read","page":3},
               {"task":"M","op":"uffdio_writeprotect","mm":"A","page":0,"pages":8,"mode":["WP"]}],
      "toggles":{"FAULT_AROUND_BYTES":4096}})";
}

TEST(Mremap, WithoutEventRemapTheMovedVmaIsUnregisteredAndLosesUffdWp) {
    const RunResult r = runIt(load(mremapSession(R"(["MISSING_SHMEM"])")));
    ASSERT_EQ(r.end, RunEnd::Finished) << r.endText;
    EXPECT_TRUE(r.messages.empty());
    const State& st = r.timeline->current();
    ASSERT_EQ(st.mms[0].vmas.size(), 1u);
    EXPECT_EQ(st.mms[0].vmas[0].start, 0x50000u);
    EXPECT_FALSE(st.mms[0].vmas[0].uffd);
    EXPECT_TRUE(st.mms[0].pt.get(0x50000).isPresent() && !st.mms[0].pt.get(0x50000).uffd_wp);
    EXPECT_TRUE(st.mms[0].pt.get(0x50004).isNone());  // the marker is gone
    EXPECT_TRUE(st.mms[0].pt.get(0x40000).isNone());
    EXPECT_EQ(count(r, Rule::C2), 8);  // every protected pte and marker dropped while the monitor wanted them
    EXPECT_EQ(count(r, Rule::C1), 0);  // the monitor never protected the new addresses
    EXPECT_EQ(st.folio(st.inode.xa.get(1).value).data.str(), "a1");
    EXPECT_TRUE(checkAccounting(st).empty());
}

TEST(Mremap, WithEventRemapPtesKeepUffdWpAndTheMonitorGetsRemap) {
    const RunResult r = runIt(load(mremapSession(R"(["MISSING_SHMEM","EVENT_REMAP"])")));
    ASSERT_EQ(r.end, RunEnd::Finished) << r.endText;
    EXPECT_EQ(r.messages, (std::vector<std::string>{"REMAP(0x40000000,0x50000000,8)", "WP(1,W)"}));
    const State& st = r.timeline->current();
    EXPECT_TRUE(st.mms[0].vmas[0].uffd);
    EXPECT_TRUE(st.mms[0].pt.get(0x50000).uffd_wp);
    EXPECT_TRUE(st.mms[0].pt.get(0x50004).isWpMarker());
    EXPECT_EQ(count(r, Rule::C2), 0);
    EXPECT_TRUE(checkAccounting(st).empty());
}

TEST(Mremap, AnAnonymousVmaMovesWithItsPagesAndTheRmapFollows) {
    const std::string json = R"({"format":"faultline-session","schema_version":1,"file":{"pages":4},
      "mms":[{"name":"A","vmas":[{"name":"anon","kind":"anon","start":"0x40000000","pages":4}]}],
      "tasks":[{"name":"A1","mm":"A","program":[{"op":"write","page":2,"tag":"x"},
               {"op":"mremap","page":0,"to":"0x60000000"},{"op":"read","page":2}]}]})";
    const RunResult r = runIt(load(json));
    ASSERT_EQ(r.end, RunEnd::Finished) << r.endText;
    const State& st = r.timeline->current();
    const Pte& p = st.mms[0].pt.get(0x60002);
    ASSERT_TRUE(p.isPresent());
    EXPECT_EQ(st.folio(p.pfn).index, 0x60002u);
    EXPECT_EQ(st.folio(p.pfn).data.str(), "x");
    EXPECT_TRUE(checkAccounting(st).empty());
}

TEST(Mremap, SessionFilesNeedATargetAndRoundTrip) {
    Session s = load(mremapSession(R"(["EVENT_REMAP"])"));
    const auto again = parseSession(writeSession(s), "again.json");
    ASSERT_TRUE(again.session) << again.error.text();
    EXPECT_EQ(again.session->config.tasks[1].program[0].kind, OpKind::Mremap);
    EXPECT_EQ(again.session->config.tasks[1].program[0].to, 0x50000u);
    EXPECT_EQ(again.session->setup[1].op.features, uint64_t(UFFD_FEATURE_EVENT_REMAP));
    const auto bad = parseSession(R"({"format":"faultline-session","schema_version":1,"file":{"pages":4},
      "mms":[{"name":"A","vmas":[{"name":"file","start":"0x40000000","pages":4}]}],
      "tasks":[{"name":"A1","mm":"A","program":[{"op":"mremap","page":0}]}]})",
                                  "bad.json");
    ASSERT_FALSE(bad.session);
    EXPECT_NE(bad.error.message.find("needs a 'to'"), std::string::npos) << bad.error.text();
    EXPECT_EQ(bad.error.line, 3);
}

// UFFDIO_MOVE (Linux 6.18: tools/kernel-checks/uffdio_move.c).
std::string moveSession(const std::string& program) {
    return R"({"format":"faultline-session","schema_version":1,"file":{"pages":4},
      "mms":[{"name":"A","vmas":[{"name":"src","kind":"anon","start":"0x40000000","pages":4},
                                 {"name":"dst","kind":"anon","start":"0x50000000","pages":4}]}],
      "tasks":[{"name":"A1","mm":"A","program":[{"op":"write","page":0,"vma":"src","tag":"x"}]},
               {"name":"P","program":)" +
           program + R"(}],
      "setup":[{"task":"A1","op":"uffdio_api","mm":"A","features":["MOVE"]},
               {"task":"A1","op":"uffdio_register","mm":"A","vma":"dst","page":0,"pages":4,"mode":["MISSING"]}],
      "schedule":[{"task":"A1","until":"done"}]})";
}

TEST(UffdioMove, MovesAnAnonymousPageAndRefusesWhatTheKernelRefuses) {
    const std::string mv = R"({"op":"uffdio_move","mm":"A","vma":"dst","page":%D,"src_vma":"src","src_page":%S%M})";
    auto one = [&](int d, int s, const std::string& mode = "") {
        std::string x = mv;
        x.replace(x.find("%D"), 2, std::to_string(d));
        x.replace(x.find("%S"), 2, std::to_string(s));
        x.replace(x.find("%M"), 2, mode.empty() ? "" : R"(,"mode":[")" + mode + R"("])");
        return x;
    };
    const Session s = load(moveSession("[" + one(0, 0) + "," + one(0, 1) + "," + one(2, 2) + "," +
                                       one(2, 2, "ALLOW_SRC_HOLES") + "]"));
    const RunResult r = runIt(s);
    ASSERT_EQ(r.end, RunEnd::Finished) << r.endText;
    ASSERT_EQ(r.opErrors.size(), 2u);
    EXPECT_NE(r.opErrors[0].find("-EEXIST"), std::string::npos) << r.opErrors[0];
    EXPECT_NE(r.opErrors[1].find("-ENOENT"), std::string::npos) << r.opErrors[1];
    const State& st = r.timeline->current();
    const Pte& d = st.mms[0].pt.get(0x50000);
    ASSERT_TRUE(d.isPresent());
    EXPECT_TRUE(d.write && d.dirty && !d.uffd_wp);
    EXPECT_EQ(st.folio(d.pfn).data.str(), "x");
    EXPECT_EQ(st.folio(d.pfn).index, 0x50000u);
    EXPECT_TRUE(st.mms[0].pt.get(0x40000).isNone());
    EXPECT_TRUE(checkAccounting(st).empty());
    // Kernels before v6.8 have no UFFDIO_MOVE (nor the MOVE feature).
    Session old = load(moveSession("[" + one(0, 0) + "]"));
    old.setup[0].op.features = 0;
    const RunResult o = runIt(old, "upstream-6.2");
    ASSERT_EQ(o.opErrors.size(), 1u);
    EXPECT_NE(o.opErrors[0].find("-EINVAL"), std::string::npos) << o.opErrors[0];
    EXPECT_TRUE(o.timeline->current().mms[0].pt.get(0x40000).isPresent());
}

TEST(UffdioMove, TheDestinationMustBeRegisteredAndAnonymous) {
    const Session s = load(moveSession(
        R"([{"op":"uffdio_move","mm":"A","vma":"src","page":1,"src_vma":"src","src_page":0}])"));
    const RunResult r = runIt(s);
    ASSERT_EQ(r.opErrors.size(), 1u);
    EXPECT_NE(r.opErrors[0].find("-EINVAL"), std::string::npos) << r.opErrors[0];
    const auto again = parseSession(writeSession(load(moveSession(
                                        R"([{"op":"uffdio_move","mm":"A","vma":"dst","page":1,"src_vma":"src","src_page":2,"mode":["ALLOW_SRC_HOLES"]}])"))),
                                    "again.json");
    ASSERT_TRUE(again.session) << again.error.text();
    const Op& op = again.session->config.tasks[1].program[0];
    EXPECT_EQ(op.kind, OpKind::UffdMove);
    EXPECT_EQ(op.srcPage, 2u);
    EXPECT_EQ(op.mode, 2u);
    const auto bad = parseSession(R"({"format":"faultline-session","schema_version":1,"file":{"pages":4},
      "mms":[{"name":"A","vmas":[{"name":"src","kind":"anon","start":"0x40000000","pages":4}]}],
      "tasks":[{"name":"A1","mm":"A","program":[{"op":"uffdio_move","page":0,"src_page":9}]}]})",
                                  "bad.json");
    ASSERT_FALSE(bad.session);
    EXPECT_NE(bad.error.message.find("outside VMA"), std::string::npos) << bad.error.text();
}

TEST(UffdioMove, AFolioOrSwapEntryAForkSharesIsEbusy) {
    // !PageAnonExclusive / !pte_swp_exclusive after a fork: move_pages_pte refuses.
    const Session s = load(R"({"format":"faultline-session","schema_version":1,"file":{"pages":4},
      "mms":[{"name":"A","vmas":[{"name":"src","kind":"anon","start":"0x40000000","pages":4},
                                 {"name":"dst","kind":"anon","start":"0x50000000","pages":4}]},
             {"name":"C","fork_of":"A"}],
      "tasks":[{"name":"A1","mm":"A","program":[{"op":"fork","child":"C"},
                 {"op":"uffdio_move","vma":"dst","page":0,"src_vma":"src","src_page":0},
                 {"op":"uffdio_move","vma":"dst","page":1,"src_vma":"src","src_page":1}]}],
      "setup":[{"task":"A1","op":"write","vma":"src","page":0,"pages":2,"tag":"x"},
               {"task":"A1","op":"reclaim","mm":"A","vma":"src","page":1},
               {"task":"A1","op":"writeback_end","mm":"A","vma":"src","page":1},
               {"task":"A1","op":"reclaim","mm":"A","vma":"src","page":1},
               {"task":"A1","op":"uffdio_api","mm":"A","features":["MOVE"]},
               {"task":"A1","op":"uffdio_register","mm":"A","vma":"dst","page":0,"pages":4,"mode":["MISSING"]}]})");
    const RunResult r = runIt(s);
    ASSERT_EQ(r.end, RunEnd::Finished) << r.endText;
    ASSERT_EQ(r.opErrors.size(), 2u);
    EXPECT_NE(r.opErrors[0].find("-EBUSY"), std::string::npos) << r.opErrors[0];
    EXPECT_NE(r.opErrors[1].find("-EBUSY"), std::string::npos) << r.opErrors[1];
    const State& st = r.timeline->current();
    EXPECT_TRUE(st.mms[0].pt.get(0x40001).isSwap());
    EXPECT_TRUE(st.mms[0].pt.get(0x50001).isNone());  // the swap entry did not move
    EXPECT_TRUE(st.mms[0].pt.get(0x40000).isPresent() && st.mms[0].pt.get(0x50000).isNone());
    EXPECT_TRUE(checkAccounting(st).empty());
}

// A swapped-out source page moves as the swap entry it is, its uffd-wp bit
// with it (move_swap_pte; Linux 6.18: a swap(wp) source is swap(wp) at the
// destination, and the swap-in there maps it protected); a present one gets a
// new pte without uffd-wp (move_present_ptes). Cells of the pieces REGISTER
// split the VMA into are named by their offset in the whole VMA.
TEST(UffdioMove, ASwapEntryKeepsItsUffdWpBitAndAPresentPageLosesIt) {
    const Session s = load(R"({"format":"faultline-session","schema_version":1,"file":{"pages":4},"swap":{"slots":8},
      "mms":[{"name":"A","vmas":[{"name":"anon","kind":"anon","start":"0x40000000","pages":8}]}],
      "tasks":[{"name":"R","mm":"A","program":[{"op":"reclaim","mm":"A","vma":"anon","page":5},
                                      {"op":"writeback_end","mm":"A","vma":"anon","page":5},
                                      {"op":"reclaim","mm":"A","vma":"anon","page":5},
                                      {"op":"uffdio_move","mm":"A","page":0,"src_page":4},
                                      {"op":"uffdio_move","mm":"A","page":1,"src_page":5}]}],
      "setup":[{"task":"R","op":"write","page":4,"tag":"s4"},
               {"task":"R","op":"write","page":5,"tag":"s5"},
               {"task":"R","op":"uffdio_api","mm":"A","features":["MOVE"]},
               {"task":"R","op":"uffdio_register","mm":"A","page":0,"pages":4,"mode":["MISSING","WP"]},
               {"task":"R","op":"uffdio_register","mm":"A","page":4,"pages":4,"mode":["WP"]},
               {"task":"R","op":"uffdio_writeprotect","mm":"A","page":4,"pages":2,"mode":["WP"]}]})");
    const RunResult r = runIt(s);
    ASSERT_EQ(r.end, RunEnd::Finished) << r.endText;
    EXPECT_TRUE(r.opErrors.empty()) << r.opErrors[0];
    const State& st = r.timeline->current();
    ASSERT_EQ(st.mms[0].vmas.size(), 2u);
    std::string err;
    EXPECT_EQ(cellValue(st, "A.pte[0]", &err).value_or(err), "P(1,1,0)");
    EXPECT_EQ(cellValue(st, "A.pte[1]", &err).value_or(err), "swap(wp)");
    EXPECT_EQ(cellValue(st, "A.pte[4]", &err).value_or(err), "none");  // the second piece, page 0 of it
    EXPECT_EQ(cellValue(st, "A.pte[5]", &err).value_or(err), "none");
    EXPECT_TRUE(checkAccounting(st).empty());
    // A variant before v6.8 has no MOVE feature: the setup's UFFDIO_API says which bits it lacks, in hex.
    const RunResult old = runIt(s, "upstream-6.2");
    EXPECT_NE(old.error.find("features 0x10000 not supported by this kernel variant"), std::string::npos) << old.error;
}

// A monitor answers a MISSING fault by moving a page in (Linux 6.18,
// tools/kernel-checks/uffdio_move.c): with DONTWAKE the faulting task sleeps
// on until UFFDIO_WAKE, without it the move wakes it; it reads the moved page.
TEST(UffdioMove, AMoveAnswersAFaultAndWakesItUnlessDontwake) {
    auto session = [](bool dontwake, const std::string& then) {
        return load(std::string(R"({"format":"faultline-session","schema_version":1,"file":{"pages":4},
      "mms":[{"name":"A","vmas":[{"name":"src","kind":"anon","start":"0x40000000","pages":4},
                                 {"name":"dst","kind":"anon","start":"0x50000000","pages":4}]}],
      "tasks":[{"name":"A1","mm":"A","program":[{"op":"read","vma":"dst","page":1}]},
               {"name":"P","mm":"A","program":[{"op":"uffdio_move","vma":"dst","page":1,"src_vma":"src","src_page":0)") +
                    (dontwake ? R"(,"mode":["DONTWAKE"]},{"op":"uffdio_wake","vma":"dst","page":1})" : "}") +
                    R"(]}],
      "setup":[{"task":"A1","op":"write","vma":"src","page":0,"tag":"p"},
               {"task":"P","op":"uffdio_api","features":["MOVE"]},
               {"task":"P","op":"uffdio_register","vma":"dst","page":0,"pages":4,"mode":["MISSING"]}],
      "schedule":[{"task":"A1","until":"blocked"},{"task":"P","ops":1}],"then":")" + then + R"("})");
    };
    for (bool dontwake : {true, false}) {
        const RunResult stopped = runIt(session(dontwake, "stop"));
        const State& st = stopped.timeline->current();
        EXPECT_TRUE(st.mms[0].pt.get(0x50001).isPresent()) << dontwake;
        EXPECT_EQ(st.tasks[0].state == TaskState::SleepUffd, dontwake) << taskStateName(st.tasks[0].state);
        const RunResult done = runIt(session(dontwake, "default"));
        ASSERT_EQ(done.end, RunEnd::Finished) << done.endText;
        EXPECT_EQ(done.messages, std::vector<std::string>{"MISS(1)"});
        const Pte& d = done.timeline->current().mms[0].pt.get(0x50001);
        ASSERT_TRUE(d.isPresent());
        EXPECT_EQ(done.timeline->current().folio(d.pfn).data.str(), "p");
    }
}

// The monitor policy move_src_offset (sample S20): MISSING at heap page i is
// answered by moving staging page i + 4 in; a marker there (-EFAULT) makes the
// monitor answer as without it (UFFDIO_COPY with MODE_WP). The policy is
// written back and refused with its place when out of range.
TEST(UffdioMove, APolicyAnswersMissingByMovingTheStagingPageAndFallsBackToCopy) {
    const auto lr = loadSession(std::string(FAULTLINE_SAMPLE_DIR) + "/s22-uffdio-move.json");
    ASSERT_TRUE(lr.session) << lr.error.text();
    EXPECT_EQ(lr.session->config.policy.moveSrcOffset, 4);
    const RunResult r = runIt(*lr.session);
    ASSERT_EQ(r.end, RunEnd::Finished) << r.endText;
    EXPECT_EQ(r.messages, (std::vector<std::string>{"MISS(1)", "MISS(2)", "WP(2,W)", "MISS(3)"}));
    const State& st = r.timeline->current();
    std::string err;
    EXPECT_EQ(cellValue(st, "A.pte[5]", &err).value_or(err), "none");  // moved to heap 1 by the monitor
    EXPECT_EQ(cellValue(st, "A.pte[6]", &err).value_or(err), "none");  // moved to heap 2 as swap(wp)
    EXPECT_EQ(cellValue(st, "A.pte[7]", &err).value_or(err), "M");     // a marker does not move
    EXPECT_EQ(cellValue(st, "A.pte[3]", &err).value_or(err), "P(0,1,1)");
    const Pte& h1 = st.mms[0].pt.get(0x40001);
    ASSERT_TRUE(h1.isPresent());
    EXPECT_EQ(st.folio(h1.pfn).data.str(), "s5");
    bool fellBack = false, named = false;  // staging page 7 is A[7], though it lies in the VMA's second piece
    for (const StepRecord& rec : r.timeline->records()) {
        fellBack |= rec.summary().find("UFFDIO_MOVE returned -EFAULT") != std::string::npos;
        named |= rec.summary().find("UFFDIO_MOVE(A[3] ← A[7])") != std::string::npos;
    }
    EXPECT_TRUE(fellBack);
    EXPECT_TRUE(named);
    EXPECT_TRUE(r.findings.empty()) << r.findings[0].text;  // the monitor's own move drops no wanted protection
    const auto again = parseSession(writeSession(*lr.session), "again.json");
    ASSERT_TRUE(again.session) << again.error.text();
    EXPECT_EQ(again.session->config.policy.moveSrcOffset, 4);
    const auto bad = parseSession(R"({"format":"faultline-session","schema_version":1,
      "mms":[{"name":"A","vmas":[{"name":"anon","kind":"anon","start":"0x40000000","pages":8}]}],
      "monitor":{"move_src_offset":0},"tasks":[{"name":"A1","mm":"A"}]})",
                                  "bad.json");
    ASSERT_FALSE(bad.session);
    EXPECT_NE(bad.error.message.find("'move_src_offset' must be a non-zero integer"), std::string::npos)
        << bad.error.text();
    EXPECT_EQ(bad.error.line, 3);
}

}  // namespace
}  // namespace faultline::test
