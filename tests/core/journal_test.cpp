// SPDX-License-Identifier: GPL-3.0-or-later
// The autosave journal: what is appended reads back as the same recording,
// cut-backs and variant switches included; a torn last line (a kill inside
// write()) is dropped, a damaged line is refused with its line number.
#include <gtest/gtest.h>

#include <cstdio>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "debug/debugger.h"
#include "engine/engine.h"
#include "session/recording_journal.h"
#include "session/session_io.h"

#ifndef FAULTLINE_SAMPLE_DIR
#error FAULTLINE_SAMPLE_DIR must be defined
#endif

namespace faultline {
namespace {

struct Journal : ::testing::Test {
    std::filesystem::path dir =
        std::filesystem::temp_directory_path() / ("faultline-journal-" + std::to_string(::getpid()));
    std::string path = (dir / "j.journal").string();
    Session base;
    void SetUp() override {
        std::filesystem::create_directories(dir);
        LoadResult r = loadSession(std::string(FAULTLINE_SAMPLE_DIR) + "/s1-seed-race.json");
        ASSERT_TRUE(r.session) << r.error.text();
        base = *r.session;
    }
    void TearDown() override { std::filesystem::remove_all(dir); }
    static Recording rec(std::string variant, std::vector<uint8_t> sched) {
        Recording r;
        r.variant = std::move(variant);
        r.schedule = sched;
        for (size_t i = 0; i < sched.size(); ++i) r.hashes.push_back(0x1000 + i * 7 + sched[i]);
        return r;
    }
    std::string text() const {
        std::ifstream in(path);
        return {std::istreambuf_iterator<char>(in), {}};
    }
    void write(const std::string& t) const { std::ofstream(path, std::ios::trunc) << t; }
};

TEST_F(Journal, AppendsAndReadsBackTheSameRecording) {
    RecordingJournal j;
    ASSERT_EQ(j.start(path, base, "/x/s1.json"), "");
    Recording r = rec("baseline-2020", {1, 1, 2});
    ASSERT_EQ(j.sync(r, 3), "");
    const size_t after3 = text().size();
    r = rec("baseline-2020", {1, 1, 2, 0});
    ASSERT_EQ(j.sync(r, 4), "");
    // One step appends one short record and a position: not the whole file.
    EXPECT_LT(text().size() - after3, 40u);
    JournalLoad l = readJournal(path);
    ASSERT_TRUE(l.session) << l.error.text();
    ASSERT_TRUE(l.session->recording);
    EXPECT_EQ(l.session->recording->variant, "baseline-2020");
    EXPECT_EQ(l.session->recording->schedule, r.schedule);
    EXPECT_EQ(l.session->recording->hashes, r.hashes);
    EXPECT_EQ(l.source, "/x/s1.json");
    EXPECT_EQ(l.position, 4u);
    EXPECT_FALSE(l.tornTail);
    EXPECT_EQ(l.session->name, base.name);
    EXPECT_EQ(l.session->config.tasks.size(), base.config.tasks.size());
}

TEST_F(Journal, CutBacksAndVariantSwitches) {
    RecordingJournal j;
    ASSERT_EQ(j.start(path, base, ""), "");
    ASSERT_EQ(j.sync(rec("baseline-2020", {1, 1, 2, 2}), 4), "");
    // Reverse two steps, then branch with another task.
    Recording branched = rec("baseline-2020", {1, 1, 0});
    ASSERT_EQ(j.sync(branched, 3), "");
    EXPECT_NE(text().find("\nt 2\n"), std::string::npos);
    JournalLoad l = readJournal(path);
    ASSERT_TRUE(l.session);
    EXPECT_EQ(l.session->recording->schedule, branched.schedule);
    EXPECT_EQ(l.source, "");
    // The same schedule under another variant: every hash differs.
    Recording up = rec("upstream", {1, 1, 0});
    up.toggles = {{"PTE_MARKERS", "off"}};
    for (auto& h : up.hashes) h ^= 0xff00;
    ASSERT_EQ(j.sync(up, 1), "");
    l = readJournal(path);
    ASSERT_TRUE(l.session);
    EXPECT_EQ(l.session->recording->variant, "upstream");
    EXPECT_EQ(l.session->recording->toggles, up.toggles);
    EXPECT_EQ(l.session->recording->hashes, up.hashes);
    EXPECT_EQ(l.position, 1u);
}

TEST_F(Journal, ATornLastLineIsDroppedNotFatal) {
    RecordingJournal j;
    ASSERT_EQ(j.start(path, base, "s.json"), "");
    ASSERT_EQ(j.sync(rec("upstream", {1, 2}), 2), "");
    j.close();
    std::ofstream(path, std::ios::app) << "s 1 00000000";  // killed mid-write
    JournalLoad l = readJournal(path);
    ASSERT_TRUE(l.session) << l.error.text();
    EXPECT_TRUE(l.tornTail);
    EXPECT_EQ(l.session->recording->schedule.size(), 2u);
}

// One bad line does not lose the good steps before it: the journal is read
// up to the damaged record, which is named with its line and why.
TEST_F(Journal, ADamagedRecordKeepsTheStepsBeforeIt) {
    RecordingJournal j;
    ASSERT_EQ(j.start(path, base, "s.json"), "");
    ASSERT_EQ(j.sync(rec("upstream", {1, 2, 1}), 3), "");
    j.close();
    const std::string good = text();
    const int lines = int(std::count(good.begin(), good.end(), '\n'));
    write(good + "s 99 0000000000000001\ns 1 0000000000000002\n");
    JournalLoad l = readJournal(path);
    ASSERT_TRUE(l.session) << l.error.text();
    ASSERT_TRUE(l.session->recording);
    EXPECT_EQ(l.session->recording->schedule, (std::vector<uint8_t>{1, 2, 1}));
    EXPECT_EQ(l.damage.line, lines + 1) << l.damage.text();
    EXPECT_NE(l.damage.text().find("task index"), std::string::npos);
    // A bit flipped in the middle of a record.
    std::string flipped = good;
    const size_t second = flipped.find("\ns 2 ");
    ASSERT_NE(second, std::string::npos);
    flipped[second + 3] = '#';
    write(flipped);
    l = readJournal(path);
    ASSERT_TRUE(l.session);
    EXPECT_EQ(l.session->recording->schedule, (std::vector<uint8_t>{1}));
    EXPECT_GT(l.damage.line, 0);
    write(good + "variant linux-1.0\n");
    l = readJournal(path);
    ASSERT_TRUE(l.session);
    EXPECT_EQ(l.session->recording->schedule.size(), 3u);
    EXPECT_NE(l.damage.message.find("unknown kernel variant"), std::string::npos);
    write(good);
    EXPECT_EQ(readJournal(path).damage.line, 0);
    // A damaged header leaves nothing to recover.
    write("faultline-session\n");
    l = readJournal(path);
    ASSERT_FALSE(l.session);
    EXPECT_EQ(l.error.line, 1);
}

// A session block length near 2^64 must not wrap the bounds check.
TEST_F(Journal, AHugeSessionLengthIsRefused) {
    write("faultline-journal 1\nsource -\nsession 18446744073709551615\n{}\n");
    JournalLoad l = readJournal(path);
    ASSERT_FALSE(l.session);
    EXPECT_EQ(l.error.line, 3) << l.error.text();
    write("faultline-journal 1\nsource -\nsession 18446744073709551614\n{}\n");
    EXPECT_FALSE(readJournal(path).session);
}


// The journal of a debugger's run read in place, as the window's autosave feeds it.
RecordingJournal::RecordingSource sourceOf(const debug::Debugger& d) {
    const Timeline& tl = d.timeline();
    return {d.variant(), d.overrides(), tl.schedule().data(), tl.length(),
            [&tl](uint64_t i) { return tl.hashAfter(i + 1); }, d.plannedSteps()};
}

// The first hand-made step after a long planned run journals the plan as one
// record, not every step; reading it back runs the plan again and gives the
// same steps and hashes, and a branch inside the plan is a cut-back.
TEST_F(Journal, APlannedRunIsOneRecordAndReadsBackAsTheSameSteps) {
    debug::Debugger d;
    ASSERT_EQ(d.load(base), "");
    const uint64_t len = d.length();
    ASSERT_GT(len, 20u);
    EXPECT_EQ(d.plannedSteps(), len);
    RecordingJournal j;
    ASSERT_EQ(j.start(path, base, ""), "");
    const size_t header = text().size();
    ASSERT_EQ(j.sync(sourceOf(d), len, 0), "");
    EXPECT_NE(text().find("\nplan " + std::to_string(len) + " "), std::string::npos);
    EXPECT_EQ(text().find("\ns "), std::string::npos) << "no step written one by one";
    EXPECT_LT(text().size() - header, 80u);
    JournalLoad l = readJournal(path);
    ASSERT_TRUE(l.session && l.session->recording) << l.error.text();
    EXPECT_EQ(l.damage.line, 0) << l.damage.text();
    EXPECT_EQ(l.session->recording->schedule, d.timeline().schedule());
    ASSERT_EQ(l.session->recording->hashes.size(), len);
    for (uint64_t n = 1; n <= len; ++n) ASSERT_EQ(l.session->recording->hashes[n - 1], d.timeline().hashAfter(n)) << n;

    // Branch in the middle of the plan with another task: the plan is cut there.
    const uint64_t at = len / 2;
    d.runTo(at);
    std::optional<uint8_t> other;
    for (uint8_t t = 0; t < d.current().tasks.size() && !other; ++t)
        if (t != d.timeline().schedule()[at] && isRunnable(d.current(), t)) other = t;
    ASSERT_TRUE(other) << "no other runnable task at step " << at;
    d.chooseTask(*other);
    ASSERT_EQ(d.stepInto().reason, debug::StopReason::Step);
    EXPECT_EQ(d.plannedSteps(), at);
    const size_t before = text().size();
    ASSERT_EQ(j.sync(sourceOf(d), d.position(), at), "");
    EXPECT_NE(text().find("\nt " + std::to_string(at) + "\n", before - 1), std::string::npos);
    EXPECT_LT(text().size() - before, 60u);
    l = readJournal(path);
    ASSERT_TRUE(l.session && l.session->recording) << l.error.text();
    EXPECT_EQ(l.session->recording->schedule, d.timeline().schedule());
    for (uint64_t n = 1; n <= d.length(); ++n)
        ASSERT_EQ(l.session->recording->hashes[n - 1], d.timeline().hashAfter(n)) << n;
    EXPECT_EQ(l.position, at + 1);
    // And the debugger replays what was read back as the recording it was.
    Session again = *l.session;
    debug::Debugger e;
    ASSERT_EQ(e.load(again), "");
    EXPECT_EQ(e.replayDivergedAt(), 0u) << e.loadNote();
    EXPECT_EQ(e.length(), d.length());
}

// A plan the engine no longer reproduces, or one in the middle of a
// recording, is damage at its line: nothing after it is trusted.
TEST_F(Journal, APlanThatDoesNotReproduceIsDamageAtItsLine) {
    debug::Debugger d;
    ASSERT_EQ(d.load(base), "");
    RecordingJournal j;
    ASSERT_EQ(j.start(path, base, ""), "");
    ASSERT_EQ(j.sync(sourceOf(d), d.length(), 0), "");
    const std::string good = text();
    const size_t at = good.find("\nplan ");
    ASSERT_NE(at, std::string::npos);
    const int planLine = int(std::count(good.begin(), good.begin() + std::ptrdiff_t(at) + 1, '\n')) + 1;
    std::string bad = good;
    const size_t h = bad.find(' ', at + 6) + 1;  // the hash's first digit
    bad[h] = bad[h] == '0' ? '1' : '0';
    write(bad);
    JournalLoad l = readJournal(path);
    ASSERT_TRUE(l.session);
    EXPECT_EQ(l.damage.line, planLine) << l.damage.text();
    EXPECT_NE(l.damage.message.find("no longer reaches"), std::string::npos) << l.damage.message;
    EXPECT_TRUE(l.session->recording && l.session->recording->schedule.empty());
    // Longer than the plan itself.
    bad = good;
    bad.replace(at + 6, std::to_string(d.length()).size(), std::to_string(d.length() + 1000));
    write(bad);
    l = readJournal(path);
    EXPECT_EQ(l.damage.line, planLine);
    EXPECT_NE(l.damage.message.find("ends after"), std::string::npos) << l.damage.message;
    // After a step: a plan only starts a recording.
    bad = good;
    bad.insert(at + 1, "s 1 0000000000000001\n");
    write(bad);
    l = readJournal(path);
    EXPECT_EQ(l.damage.line, planLine + 1);
    EXPECT_NE(l.damage.message.find("starts a recording"), std::string::npos) << l.damage.message;
    ASSERT_TRUE(l.session->recording);
    EXPECT_EQ(l.session->recording->schedule.size(), 1u);
}

}  // namespace
}  // namespace faultline
