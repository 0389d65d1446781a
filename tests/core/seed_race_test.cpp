// SPDX-License-Identifier: GPL-3.0-or-later
// Spec §8.2 S1 and S1′: the seed race under every variant.
#include <gtest/gtest.h>

#include "paths/registry.h"
#include "scenario.h"

namespace faultline::test {
namespace {

Scenario seedRace(uint32_t mode) {
    Scenario sc;
    sc.s0(mode);
    sc.program(A1, {read(8), write(8, "a1")}).program(P, {punch(8)});
    sc.s.config.policy.copyTag = "m1";
    sc.until(P, "PH.5").untilBlocked(A1).untilDone(P);
    return sc;
}

constexpr uint32_t kMissingWp = UFFDIO_REGISTER_MODE_MISSING | UFFDIO_REGISTER_MODE_WP;

TEST(SeedRace, BaselineLosesTheWriteSilently) {
    const RunResult r = seedRace(kMissingWp).run("baseline-2020");
    ASSERT_TRUE(r.error.empty()) << r.error;
    EXPECT_EQ(r.end, RunEnd::Finished) << r.endText;
    EXPECT_EQ(count(r, Rule::C1), 1);
    EXPECT_TRUE(r.messages.empty());
    const State& st = r.timeline->current();
    EXPECT_TRUE(pteA(st, 8).isNone());
    EXPECT_TRUE(st.inode.xa.get(8).isEmpty());
    // The pre-unmap dropped the bit (C2), and fault-around re-mapped the page
    // writable without uffd-wp before A1's write.
    bool sawFaultAroundMap = false;
    for (const StepRecord& rec : r.timeline->records())
        for (const StepPiece& p : rec.pieces)
            if (p.fn == Fn::filemap_map_pages && p.text.find("A[8] ← P(w=1,d=0,wp=0)") != std::string::npos)
                sawFaultAroundMap = true;
    EXPECT_TRUE(sawFaultAroundMap);
    ASSERT_GE(count(r, Rule::C2), 1);
    EXPECT_NE(r.findings.front().text.find("zap_pte_range") == std::string::npos
                  ? r.findings.front().text.find("unmap_mapping_range")
                  : 0,
              std::string::npos);
}

TEST(SeedRace, FixesKeepTheProtection) {
    for (const char* v :
         {"skip-faultaround", "no-preunmap", "no-map-pages", "upstream-5.19", "upstream-6.2", "upstream"}) {
        SCOPED_TRACE(v);
        const RunResult r = seedRace(kMissingWp).run(v);
        ASSERT_TRUE(r.error.empty()) << r.error;
        EXPECT_EQ(r.end, RunEnd::Finished) << r.endText;
        EXPECT_EQ(count(r, Rule::C1), 0);
        const State& st = r.timeline->current();
        EXPECT_EQ(pteA(st, 8), Pte::present(pteA(st, 8).pfn, true, true, true, false));
        EXPECT_EQ(st.folio(st.inode.xa.get(8).value).data.str(), "a1");
    }
}

TEST(SeedRace, MessagesPerVariant) {
    EXPECT_EQ(seedRace(kMissingWp).run("skip-faultaround").messages, (std::vector<std::string>{"MISS(8)", "WP(8,W)"}));
    EXPECT_EQ(seedRace(kMissingWp).run("no-map-pages").messages, (std::vector<std::string>{"MISS(8)", "WP(8,W)"}));
    EXPECT_EQ(seedRace(kMissingWp).run("upstream").messages, (std::vector<std::string>{"MISS(8)", "WP(8,W)"}));
    EXPECT_EQ(seedRace(kMissingWp).run("no-preunmap").messages,
              (std::vector<std::string>{"WP(8,W)", "MISS(8,W)", "WP(8,W)"}));
}

TEST(SeedRace, UpstreamLeavesAMarkerDuringThePunch) {
    Scenario sc = seedRace(kMissingWp);
    sc.s.schedule.resize(1);  // stop after the pre-unmap
    sc.s.scheduleThenDefault = false;
    const RunResult r = sc.run("upstream");
    EXPECT_TRUE(pteA(r.timeline->current(), 8).isWpMarker());
    const RunResult a = sc.run("baseline-2020");
    EXPECT_TRUE(pteA(a.timeline->current(), 8).isNone());
}

TEST(SeedRace, WpOnlyRegistrationLosesInEveryOldVariant) {
    // S1′: after the punch the retried access finds a hole and no MISSING
    // registration: a, b, d map a zero page without uffd-wp. In c the write
    // raises WP(8,W) before truncation zaps the pte and the monitor's own
    // WRITEPROTECT(0) ends the protection, so C1 (by its definition) stays
    // quiet; the C2 finding still shows the drop (docs/model-decisions.md).
    for (const char* v : {"baseline-2020", "skip-faultaround", "no-map-pages"}) {
        SCOPED_TRACE(v);
        const RunResult r = seedRace(UFFDIO_REGISTER_MODE_WP).run(v);
        ASSERT_TRUE(r.error.empty()) << r.error;
        EXPECT_EQ(count(r, Rule::C1), 1);
    }
    const RunResult c = seedRace(UFFDIO_REGISTER_MODE_WP).run("no-preunmap");
    EXPECT_EQ(count(c, Rule::C1), 0);
    EXPECT_EQ(count(c, Rule::C2), 1);
    EXPECT_EQ(c.messages, (std::vector<std::string>{"WP(8,W)"}));
    const RunResult e = seedRace(UFFDIO_REGISTER_MODE_WP).run("upstream");
    EXPECT_EQ(count(e, Rule::C1), 0);
    EXPECT_EQ(e.messages, (std::vector<std::string>{"WP(8,W)"}));
}

}  // namespace
}  // namespace faultline::test
