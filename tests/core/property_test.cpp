// SPDX-License-Identifier: GPL-3.0-or-later
// Property tests (issue: random programs and random schedules under every
// variant): accounting holds, upstream never loses a protected write,
// replays reproduce hashes, and a state copied mid-path runs on identically.
#include <gtest/gtest.h>

#include <random>

#include "engine/accounting.h"
#include "model/variants.h"
#include "scenario.h"

namespace faultline::test {
namespace {

constexpr uint64_t kPages = 16;

// `missingAlways`: register MISSING|WP (the seed's setup) rather than a
// random choice between that and WP only.
Scenario randomScenario(std::mt19937_64& rng, bool missingAlways = false) {
    Scenario sc(kPages);
    const bool missing = missingAlways || rng() % 2;
    sc.s0(UFFDIO_REGISTER_MODE_WP | (missing ? uint32_t(UFFDIO_REGISTER_MODE_MISSING) : 0u), kPages - rng() % 4);
    auto page = [&] { return rng() % kPages; };
    std::vector<Op> a, b, p, r;
    for (int i = 0; i < 6; ++i) {
        switch (rng() % 4) {
        case 0: a.push_back(read(page())); break;
        case 1: a.push_back(write(page(), "a" + std::to_string(i))); break;
        case 2: a.push_back(dontneed(page())); break;
        default:
            a.push_back(read(page()));
            a.push_back(write(a.back().page, "w" + std::to_string(i)));
            break;
        }
        b.push_back(rng() % 2 ? read(page()) : write(page(), "b" + std::to_string(i)));
    }
    for (int i = 0; i < 2; ++i) {
        // Sequenced by hand: the order of a call's arguments is unspecified
        // (GCC takes the last first, clang the first), and both must draw
        // the same scenario from one seed. This is GCC's order.
        const uint64_t len = 1 + rng() % 2 > kPages ? 1 : 1 + rng() % 2;
        const uint64_t pg = page();
        p.push_back(punch(pg, len));
    }
    for (int i = 0; i < 2; ++i) {
        const uint64_t pg = page();
        r.push_back(reclaim(pg));
        r.push_back(writebackEnd(pg));
        r.push_back(reclaim(pg));
    }
    for (Op& o : p)
        if (o.page + o.count > kPages * 4096) o.count = 4096;
    sc.program(A1, a).program(B1, b).program(P, p).program(R, r);
    return sc;
}

struct RandomRun {
    Timeline tl;
    RunEnd end;
};

RandomRun runRandomly(const Scenario& sc, const std::string& variant, std::mt19937_64& rng) {
    const State init = sc.initial(variant);
    Timeline tl(init);
    for (int i = 0; i < 20000; ++i) {
        if (workDone(tl.current())) return {std::move(tl), RunEnd::Finished};
        std::vector<uint8_t> runnable;
        for (size_t t = 0; t < tl.current().tasks.size(); ++t)
            if (isRunnable(tl.current(), uint8_t(t))) runnable.push_back(uint8_t(t));
        if (runnable.empty()) return {std::move(tl), RunEnd::Deadlock};
        tl.stepTask(runnable[rng() % runnable.size()]);
    }
    return {std::move(tl), RunEnd::StepLimit};
}

// Upstream keeps every protected write visible when the range is registered
// MISSING|WP. With WP-only registration it does not: see
// sample_sessions/s10-punch-refault-race.json, which this property found.
TEST(Property, RandomSchedulesKeepAccountingAndTheMonitorsIntent) {
    int runs = 0;
    for (const Variant& v : variants()) {
        for (uint64_t seed = 1; seed <= 25; ++seed) {
            std::mt19937_64 rng(seed * 7919 + v.id.size());
            const Scenario sc = randomScenario(rng, true);
            ASSERT_TRUE(sc.initial(std::string(v.id)).hash() != 0);
            RandomRun rr = runRandomly(sc, std::string(v.id), rng);
            SCOPED_TRACE(std::string(v.id) + " seed " + std::to_string(seed));
            ASSERT_EQ(rr.end, RunEnd::Finished)
                << rr.tl.describeDeadlock() << " after " << rr.tl.length()
                << " steps; last: " << (rr.tl.records().empty() ? std::string() : rr.tl.records().back().summary());
            for (const StepRecord& rec : rr.tl.records())
                for (const Finding& f : rec.findings) {
                    ASSERT_NE(f.rule, Rule::C4) << "step " << rec.number << ": " << f.text;
                    ASSERT_NE(f.rule, Rule::Engine) << "step " << rec.number << ": " << f.text;
                    if (v.id == "upstream") { ASSERT_NE(f.rule, Rule::C1) << "step " << rec.number << ": " << f.text; }
                }
            const auto acct = checkAccounting(rr.tl.current());
            ASSERT_TRUE(acct.empty()) << acct.front();
            ++runs;
        }
    }
    EXPECT_EQ(runs, 7 * 25);
}

// Swap-out, swap-in, punch and write-back completion racing on a few pages.
Scenario swapRaceScenario(std::mt19937_64& rng) {
    Scenario sc(kPages);
    sc.s0(UFFDIO_REGISTER_MODE_WP | (rng() % 2 ? uint32_t(UFFDIO_REGISTER_MODE_MISSING) : 0u));
    auto page = [&] { return rng() % 4; };
    std::vector<Op> a, p, r;
    for (int i = 0; i < 4; ++i) a.push_back(rng() % 2 ? read(page()) : write(page(), "a" + std::to_string(i)));
    for (int i = 0; i < 2; ++i) p.push_back(punch(page()));
    for (int i = 0; i < 3; ++i) {
        r.push_back(reclaim(page()));
        if (rng() % 2) r.push_back(writebackEnd(page()));
    }
    sc.program(A1, a).program(P, p).program(R, r);
    return sc;
}

// The newer operations racing the old ones: MADV_REMOVE and MADV_DONTNEED
// with their REMOVE events, ftruncate down and back up, mprotect, reclaim.
Scenario vocabularyScenario(std::mt19937_64& rng) {
    Scenario sc(kPages);
    sc.s0(UFFDIO_REGISTER_MODE_WP | (rng() % 2 ? uint32_t(UFFDIO_REGISTER_MODE_MISSING) : 0u));
    sc.s.setup[1].op.features |= UFFD_FEATURE_EVENT_REMOVE;
    auto page = [&] { return rng() % 6; };
    std::vector<Op> a, b, p, r;
    for (int i = 0; i < 5; ++i) {
        switch (rng() % 5) {
        case 0: a.push_back(read(page())); break;
        case 1: a.push_back(write(page(), "a" + std::to_string(i))); break;
        case 2: a.push_back(dontneed(page())); break;
        case 3: a.push_back(op(OpKind::MadviseRemove, page())); break;
        default:
            a.push_back(op(OpKind::Mprotect, 0, kPages, 1));
            a.push_back(op(OpKind::Mprotect, 0, kPages, 3));
            break;
        }
        b.push_back(rng() % 2 ? read(page()) : write(page(), "b" + std::to_string(i)));
    }
    p.push_back(op(OpKind::Ftruncate, (2 + rng() % 3) * 4096 + (rng() % 2 ? 100 : 0)));
    p.push_back(punch(page()));
    p.push_back(op(OpKind::Ftruncate, kPages * 4096));
    r.push_back(reclaim(page()));
    r.push_back(reclaim(page()));
    sc.program(A1, a).program(B1, b).program(P, p).program(R, r);
    return sc;
}

// A random prefix, then the default policy (lowest runnable task first, the
// IO task last) to the end, as faultline-cli runs a session.
RandomRun runRandomThenDefault(const Scenario& sc, const std::string& variant, std::mt19937_64& rng, uint64_t limit) {
    Timeline tl(sc.initial(variant));
    const uint64_t prefix = rng() % 60;
    for (uint64_t i = 0; i < limit; ++i) {
        if (workDone(tl.current())) return {std::move(tl), RunEnd::Finished};
        std::vector<uint8_t> runnable;
        for (size_t t = 0; t < tl.current().tasks.size(); ++t)
            if (isRunnable(tl.current(), uint8_t(t))) runnable.push_back(uint8_t(t));
        if (runnable.empty()) return {std::move(tl), RunEnd::Deadlock};
        tl.stepTask(i < prefix ? runnable[rng() % runnable.size()] : runnable.front());
    }
    return {std::move(tl), RunEnd::StepLimit};
}

// No run ends at the step limit while work remains: every program either
// finishes or stops in a deadlock the engine can describe; no task sleeps for
// a write-back that never completes, no IO task spins on a freed folio.
TEST(Property, NoRunEndsAtTheStepLimitWhileWorkRemains) {
    int runs = 0;
    for (const Variant& v : variants()) {
        for (uint64_t seed = 1; seed <= 40; ++seed) {
            std::mt19937_64 rng(seed * 31337 + v.id.size());
            const Scenario sc = seed % 3 == 0   ? vocabularyScenario(rng)
                                : seed % 3 == 1 ? swapRaceScenario(rng)
                                                : randomScenario(rng);
            RandomRun rr = runRandomThenDefault(sc, std::string(v.id), rng, 20000);
            SCOPED_TRACE(std::string(v.id) + " seed " + std::to_string(seed));
            ASSERT_NE(rr.end, RunEnd::StepLimit)
                << rr.tl.describeDeadlock() << "; last: " << rr.tl.records().back().summary();
            for (const StepRecord& rec : rr.tl.records())
                for (const Finding& f : rec.findings) {
                    ASSERT_NE(f.rule, Rule::Engine) << "step " << rec.number << ": " << f.text;
                    ASSERT_NE(f.rule, Rule::C4) << "step " << rec.number << ": " << f.text;
                }
            if (rr.end == RunEnd::Finished) {
                const auto acct = checkAccounting(rr.tl.current());
                ASSERT_TRUE(acct.empty()) << acct.front();
            }
            ++runs;
        }
    }
    EXPECT_EQ(runs, 7 * 40);
}

TEST(Property, WpOnlyUpstreamCanLoseProtectionWhenAFaultRacesAPunch) {
    // The counterexample the property above excludes: found by random
    // schedules, kept as a regression so the engine keeps showing it.
    bool found = false;
    for (uint64_t seed = 1; seed <= 60 && !found; ++seed) {
        std::mt19937_64 rng(seed * 104729);
        Scenario sc = randomScenario(rng);
        if (sc.s.setup[2].op.mode != UFFDIO_REGISTER_MODE_WP) continue;
        RandomRun rr = runRandomly(sc, "upstream", rng);
        for (const StepRecord& rec : rr.tl.records())
            for (const Finding& f : rec.findings) found |= f.rule == Rule::C1;
    }
    EXPECT_TRUE(found);
}

TEST(Property, ReplayingAScheduleReproducesEveryHash) {
    for (const Variant& v : variants()) {
        std::mt19937_64 rng(99 + v.letter.size());
        const Scenario sc = randomScenario(rng);
        RandomRun rr = runRandomly(sc, std::string(v.id), rng);
        State s = sc.initial(std::string(v.id));
        ASSERT_EQ(s.hash(), rr.tl.initial().hash());
        for (size_t i = 0; i < rr.tl.schedule().size(); ++i) {
            const StepRecord r = step(s, rr.tl.schedule()[i]);
            ASSERT_EQ(r.hashAfter, rr.tl.hashAfter(i + 1)) << v.id << " step " << i + 1;
        }
        EXPECT_EQ(s, rr.tl.current());
    }
}

TEST(Property, CopyingAStateMidPathRunsOnIdentically) {
    for (const Variant& v : variants()) {
        std::mt19937_64 rng(4242 + v.id.size());
        const Scenario sc = randomScenario(rng);
        RandomRun rr = runRandomly(sc, std::string(v.id), rng);
        const auto& sched = rr.tl.schedule();
        ASSERT_GT(sched.size(), 10u);
        // Copy at several points, including ones inside kernel paths.
        for (uint64_t k : {sched.size() / 5, sched.size() / 2, sched.size() - 3}) {
            State a = rr.tl.stateAt(k);
            State b = a;  // the copy
            bool insidePath = false;
            for (const Task& t : a.tasks) insidePath |= t.stack.size() > 1;
            for (uint64_t i = k; i < sched.size(); ++i) {
                step(a, sched[i]);
                step(b, sched[i]);
            }
            EXPECT_EQ(a, b);
            EXPECT_EQ(a.hash(), b.hash());
            EXPECT_EQ(a, rr.tl.current());
            (void)insidePath;
        }
    }
}

TEST(Property, EqualityAndHashSeeEveryDifference) {
    Scenario sc;
    sc.s0();
    const State base = sc.initial("upstream");
    State other = base;
    EXPECT_EQ(base, other);
    other.mms[0].pt.set(0x40000 + 3, Pte::none());
    EXPECT_NE(base.hash(), other.hash());
    EXPECT_FALSE(base == other);
    State t = base;
    t.tasks[A1].faultRetries += 1;
    EXPECT_NE(base.hash(), t.hash());
    EXPECT_FALSE(base == t);
}

}  // namespace
}  // namespace faultline::test
