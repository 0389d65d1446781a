// SPDX-License-Identifier: GPL-3.0-or-later
// One test per toggle of spec §7.1: each would fail if the rule it names were
// removed from the engine.
#include <gtest/gtest.h>

#include "model/variants.h"
#include "scenario.h"

namespace faultline::test {
namespace {

int presentA(const State& st, uint64_t from, uint64_t to) {
    int n = 0;
    for (uint64_t i = from; i < to; ++i) n += pteA(st, i).isPresent();
    return n;
}

// A1 reads page 8 of a written, unregistered file: how many ptes appear.
int pagesMappedByOneRead(const std::string& variant, std::vector<std::pair<std::string, std::string>> toggles,
                         uint32_t mode = 0) {
    Scenario sc;
    sc.setup(B1, op(OpKind::FileWrite, 0, 32, 0, "b0"));
    if (mode) {
        Op api = onA(op(OpKind::UffdApi));
        api.features = UFFD_FEATURE_MISSING_SHMEM |
                       ((mode & UFFDIO_REGISTER_MODE_MINOR) ? uint64_t(UFFD_FEATURE_MINOR_SHMEM) : uint64_t(0));
        sc.setup(M, api).setup(M, onA(op(OpKind::UffdRegister, 0, 32, mode)));
    }
    sc.s.toggles = std::move(toggles);
    sc.program(A1, {read(8)});
    const RunResult r = sc.run(variant);
    EXPECT_TRUE(r.error.empty()) << r.error;
    if (!r.timeline) return -1;
    return presentA(r.timeline->current(), 0, 32);
}

TEST(Toggles, VariantsAreTheSpecsSeven) {
    std::vector<std::string> ids;
    for (const Variant& v : variants()) ids.emplace_back(v.id);
    EXPECT_EQ(ids, (std::vector<std::string>{"baseline-2020", "skip-faultaround", "no-preunmap", "no-map-pages",
                                             "upstream-5.19", "upstream-6.2", "upstream"}));
    EXPECT_EQ(std::string(kDefaultVariant), "upstream");
}

TEST(Toggles, FaultAroundWindowIsSixteenAlignedPages) {
    EXPECT_EQ(pagesMappedByOneRead("baseline-2020", {}), 16);
    Scenario sc;
    sc.setup(B1, op(OpKind::FileWrite, 0, 32, 0, "b0")).program(A1, {read(20)});
    const State st = sc.run("upstream").timeline->current();
    EXPECT_EQ(presentA(st, 16, 32), 16);
    EXPECT_EQ(presentA(st, 0, 16), 0);
}

TEST(Toggles, ShmemMapPagesOffMeansNoFaultAround) {
    EXPECT_EQ(pagesMappedByOneRead("baseline-2020", {{"SHMEM_MAP_PAGES", "off"}}), 1);
    EXPECT_EQ(pagesMappedByOneRead("no-map-pages", {}), 1);
}

TEST(Toggles, FaultAroundBytes) {
    EXPECT_EQ(pagesMappedByOneRead("baseline-2020", {{"FAULT_AROUND_BYTES", "32768"}}), 8);
    EXPECT_EQ(pagesMappedByOneRead("baseline-2020", {{"FAULT_AROUND_BYTES", "4096"}}), 1);
}

TEST(Toggles, FaultAroundPolicy) {
    constexpr uint32_t kMissing = UFFDIO_REGISTER_MODE_MISSING, kWp = UFFDIO_REGISTER_MODE_WP;
    // always: even a WP VMA faults around
    EXPECT_EQ(pagesMappedByOneRead("baseline-2020", {}, kWp), 16);
    // skip-armed (Peter's patch): any registration disables it
    EXPECT_EQ(pagesMappedByOneRead("skip-faultaround", {}, kMissing), 1);
    // skip-wp-minor (upstream): MISSING-only still faults around, WP does not
    EXPECT_EQ(pagesMappedByOneRead("upstream", {}, kMissing), 16);
    EXPECT_EQ(pagesMappedByOneRead("upstream", {}, kWp), 1);
    EXPECT_EQ(pagesMappedByOneRead("upstream", {{"FAULT_AROUND_POLICY", "always"}}, kWp), 16);
    // skip-minor (v5.14..v5.18)
    EXPECT_EQ(pagesMappedByOneRead("upstream", {{"FAULT_AROUND_POLICY", "skip-minor"}}, kWp), 16);
    EXPECT_EQ(pagesMappedByOneRead("upstream", {{"FAULT_AROUND_POLICY", "skip-minor"}}, UFFDIO_REGISTER_MODE_MINOR), 1);
}

// S0 then P punches page 8, stopping after the pre-unmap.
State afterPreunmap(const std::string& variant, std::vector<std::pair<std::string, std::string>> toggles) {
    Scenario sc;
    sc.s0().program(P, {punch(8)}).until(P, "PH.5");
    sc.s.scheduleThenDefault = false;
    sc.s.toggles = std::move(toggles);
    return sc.run(variant).timeline->current();
}

TEST(Toggles, PunchPreunmap) {
    EXPECT_TRUE(pteA(afterPreunmap("baseline-2020", {}), 8).isNone());
    EXPECT_TRUE(pteA(afterPreunmap("baseline-2020", {{"PUNCH_PREUNMAP", "off"}}), 8).uffd_wp);
    EXPECT_TRUE(pteA(afterPreunmap("no-preunmap", {}), 8).isPresent());
}

TEST(Toggles, PteMarkers) {
    EXPECT_TRUE(pteA(afterPreunmap("upstream", {}), 8).isWpMarker());
    EXPECT_TRUE(pteA(afterPreunmap("upstream", {{"PTE_MARKERS", "off"}}), 8).isNone());
    EXPECT_TRUE(pteA(afterPreunmap("baseline-2020", {{"PTE_MARKERS", "on"}}), 8).isWpMarker());
}

Pte readFaultPte(const std::string& variant, std::vector<std::pair<std::string, std::string>> toggles) {
    Scenario sc;
    sc.setup(B1, op(OpKind::FileWrite, 0, 32, 0, "b0"));
    Op api = onA(op(OpKind::UffdApi));
    sc.setup(M, api).setup(M, onA(op(OpKind::UffdRegister, 0, 32, UFFDIO_REGISTER_MODE_WP)));
    sc.s.toggles = std::move(toggles);
    sc.program(A1, {read(3)});
    return pteA(sc.run(variant).timeline->current(), 3);
}

TEST(Toggles, WritenotifyMakesReadFaultsReadOnly) {
    EXPECT_TRUE(readFaultPte("upstream-5.19", {}).write);
    EXPECT_FALSE(readFaultPte("upstream-6.2", {}).write);
    EXPECT_FALSE(readFaultPte("upstream-5.19", {{"WRITENOTIFY_UFFD_WP", "on"}}).write);
}

TEST(Toggles, RoPrefaultA) {
    EXPECT_TRUE(readFaultPte("baseline-2020", {}).write);
    EXPECT_FALSE(readFaultPte("baseline-2020", {{"RO_PREFAULT_A", "on"}}).write);
}

State afterUnregister(const std::string& variant, std::vector<std::pair<std::string, std::string>> toggles) {
    Scenario sc;
    sc.s0().program(A1, {dontneed(5)}).program(M, {onA(op(OpKind::UffdUnregister, 0, 32))});
    sc.s.toggles = std::move(toggles);
    Directive d;
    d.kind = Directive::Kind::UntilDone, d.task = A1;
    Directive e;
    e.kind = Directive::Kind::Ops, e.task = M, e.count = 1;
    sc.s.schedule = {d, e};
    sc.s.scheduleThenDefault = false;
    return sc.run(variant).timeline->current();
}

TEST(Toggles, UnregisterResetsWp) {
    const State on = afterUnregister("upstream", {});
    EXPECT_TRUE(pteA(on, 5).isNone());
    EXPECT_FALSE(pteA(on, 6).uffd_wp);
    const State off = afterUnregister("upstream", {{"UNREGISTER_RESETS_WP", "off"}});
    EXPECT_TRUE(pteA(off, 5).isWpMarker());
    EXPECT_TRUE(pteA(off, 6).uffd_wp);
}

TEST(Toggles, MinorModeAndShmemUffdWpGateRegistration) {
    Scenario sc;
    Op api = onA(op(OpKind::UffdApi));
    api.features = UFFD_FEATURE_MISSING_SHMEM;
    sc.setup(M, api).setup(M, onA(op(OpKind::UffdRegister, 0, 32, UFFDIO_REGISTER_MODE_WP)));
    EXPECT_TRUE(sc.run("upstream").error.empty());
    sc.s.toggles = {{"SHMEM_UFFD_WP", "off"}};
    EXPECT_NE(sc.run("upstream").error.find("-EINVAL"), std::string::npos);

    Scenario mi;
    Op api2 = onA(op(OpKind::UffdApi));
    api2.features = UFFD_FEATURE_MINOR_SHMEM;
    mi.setup(M, api2).setup(M, onA(op(OpKind::UffdRegister, 0, 32, UFFDIO_REGISTER_MODE_MINOR)));
    EXPECT_TRUE(mi.run("upstream").error.empty());
    EXPECT_FALSE(mi.run("baseline-2020").error.empty());  // MINOR_MODE off: the API refuses MINOR_SHMEM
    mi.s.toggles = {{"MINOR_MODE", "on"}};
    EXPECT_TRUE(mi.run("baseline-2020").error.empty());
}

// A MISSING|WP-registered hole at page 3 answered by COPY(MODE_WP).
Pte copiedPte(std::vector<std::pair<std::string, std::string>> toggles) {
    Scenario sc;
    sc.s0(UFFDIO_REGISTER_MODE_MISSING | UFFDIO_REGISTER_MODE_WP, 0).program(A1, {read(3)});
    sc.s.toggles = std::move(toggles);
    return pteA(sc.run("baseline-2020").timeline->current(), 3);
}

TEST(Toggles, CopyModeWp) {
    EXPECT_TRUE(copiedPte({}).uffd_wp);
    EXPECT_FALSE(copiedPte({{"COPY_MODE_WP", "off"}}).uffd_wp);
}

TEST(Toggles, WpClearWritable) {
    // A dirty protected pte, then WRITEPROTECT(0): v6.x makes it writable at
    // once (can_change_pte_writable); v5.x leaves that to the next fault.
    for (bool writable : {true, false}) {
        Scenario sc;
        sc.setup(B1, op(OpKind::FileWrite, 0, 32, 0, "b0"));
        sc.setup(M, onA(op(OpKind::UffdApi))).setup(M, onA(op(OpKind::UffdRegister, 0, 32, UFFDIO_REGISTER_MODE_WP)));
        sc.setup(A1, write(3, "x"));
        sc.setup(M, onA(op(OpKind::UffdWriteprotect, 3, 1, UFFDIO_WRITEPROTECT_MODE_WP)));
        sc.setup(M, onA(op(OpKind::UffdWriteprotect, 3, 1, 0)));
        sc.toggle("WP_CLEAR_WRITABLE", writable ? "on" : "off");
        const State st = sc.initial("upstream");
        EXPECT_FALSE(pteA(st, 3).uffd_wp);
        EXPECT_TRUE(pteA(st, 3).dirty);
        EXPECT_EQ(pteA(st, 3).write, writable);
    }
}

TEST(Toggles, SetToggleRejectsBadInput) {
    Toggles t;
    EXPECT_TRUE(setToggle(t, "PTE_MARKERS", "maybe"));
    EXPECT_TRUE(setToggle(t, "NO_SUCH", "on"));
    EXPECT_TRUE(setToggle(t, "FAULT_AROUND_BYTES", "12"));
    EXPECT_TRUE(setToggle(t, "FAULT_AROUND_POLICY", "sometimes"));
    EXPECT_FALSE(setToggle(t, "FAULT_AROUND_POLICY", "skip-armed"));
    EXPECT_EQ(toggleValue(t, "FAULT_AROUND_POLICY"), "skip-armed");
}

}  // namespace
}  // namespace faultline::test
