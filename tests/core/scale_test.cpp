// SPDX-License-Identifier: GPL-3.0-or-later
// What keeps the costs of a long run flat, checked against the slow way:
// the trees' tallies against a full scan, a run that keeps only its newest
// records against one that keeps all, a reverse-continue that skips chunks
// against one that executes every step, the journal read in place against
// the journal fed copies.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "debug/debugger.h"
#include "scenario.h"
#include "session/initial_state.h"
#include "session/recording_journal.h"
#include "session/session_io.h"

namespace faultline::test {
namespace {

StateCounts scan(const State& s) {
    StateCounts c;
    for (size_t m = 0; m < s.mms.size(); ++m)
        s.mms[m].pt.forEach(0, s.mms[m].pt.keyLimit(), [&](uint64_t, const Pte& p) {
            if (p.isPresent()) ++c.presentPtes;
            if (m == 0 && p.protectedWp()) ++c.protectedA;
        });
    s.inode.xa.forEach(0, s.inode.xa.keyLimit(), [&](uint64_t, const XaEntry& e) {
        if (e.isFolio()) ++c.cached;
        if (e.isSwap()) ++c.swapped;
    });
    return c;
}

std::string show(const StateCounts& c) {
    return std::to_string(c.protectedA) + "/" + std::to_string(c.presentPtes) + "/" + std::to_string(c.cached) + "/" +
           std::to_string(c.swapped);
}

TEST(Tallies, CountsEqualAFullScanAtEveryStepOfEverySample) {
    int runs = 0;
    for (const auto& e : std::filesystem::directory_iterator(FAULTLINE_SAMPLE_DIR)) {
        if (e.path().extension() != ".json") continue;
        LoadResult lr = loadSession(e.path().string());
        ASSERT_TRUE(lr.session) << lr.error.text();
        for (const char* v : {"baseline-2020", "upstream"}) {
            RunOptions o;
            o.variant = v;
            RunResult r = runSession(*lr.session, o);
            if (!r.error.empty()) continue;
            const Timeline& tl = *r.timeline;
            State s = tl.initial();
            ASSERT_EQ(show(countsOf(s)), show(scan(s))) << e.path() << " " << v << " initial";
            for (uint64_t n = 1; n <= tl.length(); ++n) {
                step(s, tl.schedule()[n - 1]);
                ASSERT_EQ(show(countsOf(s)), show(scan(s))) << e.path() << " " << v << " step " << n;
                ASSERT_EQ(show(tl.countsAt(n)), show(scan(s))) << e.path() << " " << v << " step " << n;
            }
            ++runs;
        }
    }
    EXPECT_GT(runs, 20);
}

// A1 reads and MADV_DONTNEEDs 16 pages: a run of several chunks.
Scenario longRun(int ops = 2000) {
    Scenario sc(16);
    sc.setup(B1, op(OpKind::FileWrite, 0, 16, 0, "b0"));
    std::vector<Op> prog;
    for (int i = 0; i < ops; ++i) prog.push_back(i % 2 ? dontneed(i % 16) : read(i % 16));
    sc.program(A1, prog);
    return sc;
}

void expectSameRecord(const StepRecord& a, const StepRecord& b, uint64_t n) {
    EXPECT_EQ(a.number, b.number) << n;
    EXPECT_EQ(a.task, b.task) << n;
    EXPECT_EQ(a.summary(), b.summary()) << n;
    EXPECT_EQ(a.changed, b.changed) << n;
    EXPECT_EQ(a.findings, b.findings) << n;
    EXPECT_EQ(a.raised, b.raised) << n;
    EXPECT_EQ(a.subSteps, b.subSteps) << n;
    EXPECT_EQ(a.hashAfter, b.hashAfter) << n;
    EXPECT_EQ(a.opDone, b.opDone) << n;
}

void expectSameRun(const Timeline& kept, const Timeline& compact) {
    ASSERT_EQ(kept.length(), compact.length());
    ASSERT_EQ(kept.schedule(), compact.schedule());
    for (uint64_t n = 1; n <= kept.length(); ++n) {
        expectSameRecord(*kept.record(n), *compact.record(n), n);
        EXPECT_EQ(kept.hashAfter(n), compact.record(n)->hashAfter) << n;
        EXPECT_EQ(compact.hashAfter(n), compact.record(n)->hashAfter) << n;
        EXPECT_EQ(compact.brief(n).fn, compact.record(n)->main().fn) << n;
        EXPECT_EQ(compact.brief(n).task, compact.schedule()[n - 1]) << n;
    }
}

TEST(CompactTimeline, RecordsExecutedAgainEqualTheKeptOnes) {
    const Scenario sc = longRun();
    const State init = sc.initial("upstream");
    Timeline kept(init, true), compact(init, false);
    kept.runDefault(100000);
    compact.runDefault(100000);
    ASSERT_GT(kept.length(), 4 * Timeline::kCheckpointEvery);
    expectSameRun(kept, compact);
    // Read backwards too (chunks leave the cache and come back).
    for (uint64_t n = compact.length(); n >= 1; n = n > 97 ? n - 97 : 0)
        expectSameRecord(*kept.record(n), *compact.record(n), n);
    // A branch inside an old chunk, then new steps.
    for (Timeline* t : {&kept, &compact}) {
        t->seek(Timeline::kCheckpointEvery + 5);
        t->stepTask(M);  // the monitor has nothing to serve: a new, different step
        t->runDefault(300);
    }
    expectSameRun(kept, compact);
    // A copy appends to its own chunk: the original is unchanged.
    Timeline copy = compact;
    const uint64_t len = compact.length();
    const std::string last = compact.record(len)->summary();
    copy.seek(len - 3);
    copy.stepTask(M);
    EXPECT_EQ(compact.length(), len);
    EXPECT_EQ(compact.record(len)->summary(), last);
    EXPECT_EQ(copy.length(), len - 2);
}

// A run that keeps no old records (faultline-cli run and check) reports the
// same findings, messages, errors and signals as one that keeps them all,
// from the chunks' findings and the few steps flagged as raising or failing.
TEST(CompactTimeline, RunResultsWithoutKeptRecordsEqualTheKeptOnes) {
    for (const char* f : {"/../tests/data/kernel/new-ops.json", "/../tests/data/kernel/ops-mix.json",
                          "/s10-punch-refault-race.json", "/s20-fork-anon-event-fork.json"}) {
        const auto lr = loadSession(std::string(FAULTLINE_SAMPLE_DIR) + f);
        ASSERT_TRUE(lr.session) << f << ": " << lr.error.text();
        RunOptions keep, compact;
        compact.keepRecords = false;
        const RunResult a = runSession(*lr.session, keep), b = runSession(*lr.session, compact);
        EXPECT_EQ(b.findings, a.findings) << f;
        EXPECT_EQ(b.messages, a.messages) << f;
        EXPECT_EQ(b.opErrors, a.opErrors) << f;
        EXPECT_EQ(b.signalSteps, a.signalSteps) << f;
        EXPECT_FALSE(b.messages.empty() && b.findings.empty()) << f << ": nothing to compare";
    }
    // A long program: no chunk but the newest keeps its records, and its
    // signals (the reads past the end ftruncate made: SIGBUS) are all there.
    const std::string json = R"({"format":"faultline-session","schema_version":1,"file":{"pages":2048},
      "mms":[{"name":"A","vmas":[{"name":"file","start":"0x40000000","pages":2048}]}],
      "tasks":[{"name":"A1","mm":"A","program":[{"op":"ftruncate","size":4194304},{"op":"read","page":0,"pages":2048}]}]})";
    const auto p = parseSession(json, "long.json");
    ASSERT_TRUE(p.session) << p.error.text();
    RunOptions o;
    o.keepRecords = false;
    const RunResult r = runSession(*p.session, o);
    ASSERT_EQ(r.end, RunEnd::Finished) << r.endText;
    EXPECT_EQ(r.signals.size(), 1024u);
    EXPECT_EQ(r.signals.back(), "A1:SIGBUS");
    const Timeline& tl = *r.timeline;
    ASSERT_GT(tl.length(), 4 * Timeline::kCheckpointEvery);
    for (uint64_t k = 0; k + 1 < tl.length() / Timeline::kCheckpointEvery; ++k)
        EXPECT_EQ(tl.chunk(k).records, nullptr) << "chunk " << k;
}

TEST(CompactTimeline, StatesAtEveryChunkBoundaryAreExact) {
    const Scenario sc = longRun();
    Timeline tl(sc.initial("upstream"), false);
    tl.runDefault(100000);
    State s = tl.initial();
    for (uint64_t n = 1; n <= tl.length(); ++n) {
        step(s, tl.schedule()[n - 1]);
        if (n % Timeline::kCheckpointEvery <= 1 || n == tl.length()) {
            EXPECT_TRUE(tl.stateAt(n) == s) << n;
            tl.seek(n);
            EXPECT_TRUE(tl.current() == s) << n;
        }
    }
}

// Reverse-continue with the chunk index against the same command executing
// every step back: the same stops, the same texts.
TEST(ReverseContinue, SkippingChunksStopsWhereAFullScanStops) {
    Scenario sc = longRun(3000);
    // A punch of page 3 late in the run, and a write: a watchpoint on page 3
    // and one on page 12's pte change in few chunks.
    sc.program(P, {punch(3)});
    sc.s.schedule.clear();
    Directive d;
    d.kind = Directive::Kind::Steps;
    d.task = A1;
    d.count = 2500;
    sc.s.schedule.push_back(d);
    d.task = P;
    d.kind = Directive::Kind::UntilDone;
    sc.s.schedule.push_back(d);
    const std::vector<std::vector<std::string>> setups = {
        {},                                                 // nothing: back to the start
        {"w:xa[3]"},                                        // the punch only
        {"w:A.pte[12].present"},                            // every 16th operation
        {"w:folio[5].refcount"},                            // any folio change
        {"b:shmem_fallocate"},                              // the punch's function
        {"b:do_read_fault"},                                // often
        {"w:slot[1].count", "b:shmem_undo_range"},          // never, and the punch
        {"b:ZP.3"},                                         // an inner breakpoint (no index)
    };
    for (const auto& spec : setups) {
        std::vector<std::pair<uint64_t, std::string>> stops[2];
        for (int useIndex = 0; useIndex < 2; ++useIndex) {
            debug::Debugger dbg;
            ASSERT_EQ(dbg.load(sc.s), "");
            dbg.useChunkIndex = useIndex == 1;
            dbg.stopOnFindings = false;
            for (const std::string& x : spec) {
                std::string err;
                if (x[0] == 'w') {
                    auto w = debug::parseWatchpoint(*dbg.current().config, x.substr(2), &err);
                    ASSERT_TRUE(w) << err;
                    dbg.watchpoints().push_back(*w);
                } else {
                    auto b = debug::parseBreakpoint(x.substr(2), &err);
                    ASSERT_TRUE(b) << err;
                    dbg.breakpoints().push_back(*b);
                }
            }
            dbg.runTo(dbg.length());
            ASSERT_GT(dbg.length(), 4 * Timeline::kCheckpointEvery);
            for (int i = 0; i < 40 && dbg.position() > 0; ++i) {
                const debug::Stop st = dbg.reverseContinue();
                stops[useIndex].emplace_back(st.position, st.text);
            }
        }
        EXPECT_EQ(stops[0], stops[1]) << (spec.empty() ? "nothing" : spec.front());
        ASSERT_FALSE(stops[1].empty());
        // Each setup but the empty one and the slot that never changes stops somewhere before the start.
        if (!spec.empty() && spec.front() != "w:slot[1].count") {
            EXPECT_GT(stops[1].front().first, 0u) << spec.front() << ": " << stops[1].front().second;
        }
    }
}

// The setup's write(2) of holes in one go leaves exactly the state its
// micro-steps leave: every sample, a large file, writes that are not all holes.
TEST(BulkSetup, EqualsTheStepByStepSetup) {
    std::vector<Session> sessions;
    for (const auto& e : std::filesystem::directory_iterator(FAULTLINE_SAMPLE_DIR)) {
        if (e.path().extension() != ".json") continue;
        LoadResult lr = loadSession(e.path().string());
        ASSERT_TRUE(lr.session) << lr.error.text();
        sessions.push_back(*lr.session);
    }
    Scenario big(4096);
    big.s0();
    sessions.push_back(big.s);
    Scenario twice(64);  // a second write over cached pages, one over a partly cached range, one past EOF
    twice.setup(B1, op(OpKind::FileWrite, 0, 16, 0, "b0"))
        .setup(B1, op(OpKind::FileWrite, 0, 16, 0, "b1"))
        .setup(B1, op(OpKind::FileWrite, 8, 32, 0, "b2"))
        .setup(B1, op(OpKind::FileWrite, 48, 16, 0, "b3"));
    sessions.push_back(twice.s);
    int bulk = 0;
    for (const Session& s : sessions) {
        for (const char* v : {"baseline-2020", "upstream"}) {
            ToggleResult tr = resolveToggles(v, s.toggles);
            ASSERT_EQ(tr.error, "");
            InitialState a = buildInitialState(s, tr.toggles, true), b = buildInitialState(s, tr.toggles, false);
            ASSERT_EQ(a.error, b.error) << s.name;
            EXPECT_TRUE(a.state == b.state) << s.name << " " << v;
            EXPECT_EQ(a.state.hash(), b.state.hash()) << s.name << " " << v;
            EXPECT_EQ(a.state.nextPfn, b.state.nextPfn) << s.name << " " << v;
            for (const SetupStep& x : s.setup) bulk += x.op.kind == OpKind::FileWrite;
        }
    }
    EXPECT_GT(bulk, 10);
    // A session whose setup write cannot complete fails the same way.
    Scenario eof(8);
    eof.setup(B1, op(OpKind::FileWrite, 4, 8, 0, "b0"));
    ToggleResult tr = resolveToggles("upstream", {});
    EXPECT_EQ(buildInitialState(eof.s, tr.toggles, true).error, buildInitialState(eof.s, tr.toggles, false).error);
}

// The setup reports its progress (pages written, operations run) within a
// long write as well as between operations, ends at its total, and stops
// when told; the state it builds is the one built without a progress hook.
TEST(SetupProgress, ReportsWithinALongWriteAndCanBeCancelled) {
    Scenario big(65536);
    big.s0();
    const uint64_t total = setupUnits(big.s);
    EXPECT_EQ(total, 65536u + 1 + 1 + 65536 + 1) << "the write's pages, then one per other operation";
    ToggleResult tr = resolveToggles("upstream", {});
    ASSERT_EQ(tr.error, "");
    std::vector<std::pair<uint64_t, uint64_t>> calls;
    InitialState a = buildInitialState(big.s, tr.toggles, true, [&](uint64_t done, uint64_t t) {
        calls.emplace_back(done, t);
        return true;
    });
    ASSERT_EQ(a.error, "");
    ASSERT_FALSE(calls.empty());
    for (size_t i = 1; i < calls.size(); ++i) ASSERT_LE(calls[i - 1].first, calls[i].first) << i;
    for (const auto& c : calls) ASSERT_EQ(c.second, total);
    EXPECT_EQ(calls.back().first, total);
    // Within the first write (one bulk operation of 65,536 pages): every 4096 pages.
    const auto inWrite = std::count_if(calls.begin(), calls.end(), [](const auto& c) { return c.first > 0 && c.first < 65536; });
    EXPECT_GE(inWrite, 65536 / int(kSetupProgressEvery) - 1);
    EXPECT_TRUE(a.state == buildInitialState(big.s, tr.toggles, true).state);
    // Cancelled inside the write, and inside the reads after it.
    for (uint64_t stopAt : {uint64_t{8192}, uint64_t{70000}}) {
        uint64_t last = 0;
        InitialState c = buildInitialState(big.s, tr.toggles, true, [&](uint64_t done, uint64_t) {
            last = done;
            return done < stopAt;
        });
        EXPECT_EQ(c.error, kSetupCancelled) << stopAt;
        EXPECT_GE(last, stopAt);
        EXPECT_LT(last, stopAt + kSetupProgressEvery) << "stopped at the first report past it";
    }
    // The debugger's load passes it on; a cancelled setup cancels the load.
    debug::Debugger d;
    uint64_t seen = 0;
    d.setSetupProgress([&](uint64_t done, uint64_t) {
        seen = std::max(seen, done);
        return true;
    });
    ASSERT_EQ(d.load(big.s, "upstream", {}, 0), "");
    EXPECT_EQ(seen, total);
    d.setSetupProgress([](uint64_t done, uint64_t) { return done < 1000; });
    EXPECT_EQ(d.load(big.s, "upstream", {}, 0), "cancelled");
}

TEST(JournalInPlace, WritesWhatTheCopyingSyncWrites) {
    const auto dir = std::filesystem::temp_directory_path() / ("faultline-scale-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    LoadResult lr = loadSession(std::string(FAULTLINE_SAMPLE_DIR) + "/s1-seed-race.json");
    ASSERT_TRUE(lr.session);
    RecordingJournal a, b;
    ASSERT_EQ(a.start((dir / "a").string(), *lr.session, "s1.json"), "");
    ASSERT_EQ(b.start((dir / "b").string(), *lr.session, "s1.json"), "");
    Recording r;
    r.variant = "upstream";
    uint64_t same = 0;  // what b's caller knows: steps before it did not change
    auto both = [&](uint64_t pos) {
        ASSERT_EQ(a.sync(r, pos), "");
        ASSERT_EQ(b.sync({r.variant, r.toggles, r.schedule.data(), r.schedule.size(),
                          [&](uint64_t i) { return r.hashes[i]; }},
                         pos, same),
                  "");
        same = r.schedule.size();
    };
    for (int i = 0; i < 300; ++i) {
        r.schedule.push_back(uint8_t(i % 3));
        r.hashes.push_back(0x1000 + uint64_t(i) * 7);
        both(r.schedule.size());
    }
    // Cut back to 120 and a different future; then only the position moves.
    r.schedule.resize(120);
    r.hashes.resize(120);
    same = 120;
    for (int i = 0; i < 5; ++i) r.schedule.push_back(2), r.hashes.push_back(0x9000 + uint64_t(i));
    both(100);
    both(60);
    // A hint of 0 (nothing known) and a new variant.
    same = 0;
    r.schedule.push_back(1), r.hashes.push_back(0x77);
    both(126);
    r.variant = "baseline-2020";
    both(126);
    a.close();
    b.close();
    auto text = [](const std::filesystem::path& p) {
        std::ifstream in(p);
        return std::string(std::istreambuf_iterator<char>(in), {});
    };
    EXPECT_EQ(text(dir / "a"), text(dir / "b"));
    EXPECT_NE(text(dir / "a").find("t 120\n"), std::string::npos);
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace faultline::test
