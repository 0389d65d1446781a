// SPDX-License-Identifier: GPL-3.0-or-later
// A quiet step (engine.h Narrate::No) must do exactly what a narrated one
// does: the same state, hash, pieces (function and line), cells, sub-steps,
// findings and messages; only the pieces' texts are left out. FL_AT / FL_SAY
// do not evaluate their text when quiet, so a state change hidden in a text
// expression would make the two runs differ here.
#include <gtest/gtest.h>

#include <filesystem>

#include "debug/debugger.h"
#include "engine/engine.h"
#include "model/variants.h"
#include "scenario.h"
#include "session/runner.h"
#include "session/session_io.h"

using namespace faultline;
using namespace faultline::test;

namespace {

// Same record but for the pieces' texts; the quiet one has none.
void expectSameButTexts(const StepRecord& loud, const StepRecord& quiet, const std::string& where) {
    ASSERT_EQ(loud.pieces.size(), quiet.pieces.size()) << where << ": " << loud.summary();
    for (size_t i = 0; i < loud.pieces.size(); ++i) {
        EXPECT_EQ(loud.pieces[i].fn, quiet.pieces[i].fn) << where << " piece " << i;
        EXPECT_EQ(loud.pieces[i].pc, quiet.pieces[i].pc) << where << " piece " << i;
        EXPECT_EQ(quiet.pieces[i].text, "") << where << " piece " << i;
    }
    EXPECT_EQ(loud.number, quiet.number) << where;
    EXPECT_EQ(loud.task, quiet.task) << where;
    EXPECT_EQ(loud.changed, quiet.changed) << where;
    EXPECT_EQ(loud.subSteps, quiet.subSteps) << where;
    EXPECT_EQ(loud.findings, quiet.findings) << where;  // texts included
    EXPECT_EQ(loud.raised, quiet.raised) << where;      // texts included
    EXPECT_EQ(loud.hashAfter, quiet.hashAfter) << where;
    EXPECT_EQ(loud.opDone, quiet.opDone) << where;
    EXPECT_EQ(loud.opResult, quiet.opResult) << where;
    EXPECT_EQ(loud.opSignal, quiet.opSignal) << where;
}

// The sample sessions, the kernel twin's sessions (munmap, mremap, two
// contexts, SIGBUS, async wp) and the explorer's benchmark sessions.
std::vector<std::filesystem::path> samples() {
    std::vector<std::filesystem::path> out;
    for (const std::string& dir : {std::string(FAULTLINE_SAMPLE_DIR), std::string(FAULTLINE_SAMPLE_DIR) + "/../tests/data/kernel",
                                  std::string(FAULTLINE_BENCH_SESSIONS)})
        for (const auto& e : std::filesystem::directory_iterator(dir))
            if (e.path().extension() == ".json") out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

TEST(QuietStep, EqualsTheNarratedStepOnEverySampleUnderEveryVariant) {
    size_t steps = 0, texts = 0, runs = 0;
    for (const auto& path : samples()) {
        const LoadResult lr = loadSession(path.string());
        ASSERT_TRUE(lr.session) << lr.error.text();
        for (const Variant& v : variants()) {
            RunOptions o;
            o.variant = std::string(v.id);
            const RunResult r = runSession(*lr.session, o);
            if (!r.error.empty()) continue;  // a sample that needs a feature this variant lacks
            ++runs;
            State loud = r.timeline->initial(), quiet = loud;
            const auto& sched = r.timeline->schedule();
            for (size_t i = 0; i < sched.size(); ++i) {
                const std::string where = path.filename().string() + " " + std::string(v.id) + " step " + std::to_string(i + 1);
                const StepRecord a = step(loud, sched[i]);
                const StepRecord b = step(quiet, sched[i], true, Narrate::No);
                expectSameButTexts(a, b, where);
                ASSERT_TRUE(loud == quiet) << where << ": " << a.summary();
                for (const StepPiece& p : a.pieces) texts += !p.text.empty();
                ++steps;
            }
        }
    }
    EXPECT_GT(runs, 40u);
    EXPECT_GT(steps, 5000u);
    EXPECT_GT(texts, steps);  // the narrated run does narrate
}

// A run that keeps only its newest chunk's records runs quiet and narrates
// that chunk at the end: every record read from it has its texts, the same as
// a run that kept and narrated everything.
TEST(QuietStep, ACompactRunNarratesWhatItsReadersRead) {
    const LoadResult lr = loadSession(std::string(FAULTLINE_SAMPLE_DIR) + "/s10-punch-refault-race.json");
    ASSERT_TRUE(lr.session) << lr.error.text();
    RunOptions keep, compact;
    compact.keepRecords = false;
    const RunResult a = runSession(*lr.session, keep), b = runSession(*lr.session, compact);
    ASSERT_TRUE(a.error.empty() && b.error.empty()) << a.error << b.error;
    ASSERT_EQ(a.timeline->length(), b.timeline->length());
    EXPECT_FALSE(b.timeline->quiet());
    for (uint64_t n = 1; n <= a.timeline->length(); ++n) {
        EXPECT_EQ(a.timeline->record(n)->summary(), b.timeline->record(n)->summary()) << "step " << n;
        EXPECT_FALSE(b.timeline->record(n)->summary().empty()) << "step " << n;
    }
    // New steps after the quiet run are narrated too.
    Timeline t = *b.timeline;
    const auto next = t.defaultTask();
    if (next) {
        EXPECT_FALSE(t.stepTask(*next).summary().empty());
    }
}

// A long recording loaded by the debugger: replayed quiet, its newest chunk
// narrated; older chunks are re-executed narrated when read.
TEST(QuietStep, ALoadedLongRecordingHasItsTextsEverywhere) {
    // A1 reads and MADV_DONTNEEDs 16 pages: a run of several chunks.
    Scenario sc(16);
    sc.setup(B1, op(OpKind::FileWrite, 0, 16, 0, "b0"));
    std::vector<Op> prog;
    for (int i = 0; i < 1200; ++i) prog.push_back(i % 2 ? dontneed(i % 16) : read(i % 16));
    sc.program(A1, prog);
    Session s = sc.s;
    debug::Debugger d;
    ASSERT_EQ(d.load(s, "", {}, 0), "");
    const Timeline& tl0 = d.timeline();
    ASSERT_GT(tl0.length(), 3 * Timeline::kCheckpointEvery);
    Recording rec;
    rec.variant = d.variant();
    rec.schedule = tl0.schedule();
    for (uint64_t n = 1; n <= tl0.length(); ++n) rec.hashes.push_back(tl0.hashAfter(n));
    s.recording = rec;
    debug::Debugger e;
    ASSERT_EQ(e.load(s, "", {}, rec.schedule.size()), "");
    EXPECT_NE(e.loadNote().find("every state hash matched"), std::string::npos) << e.loadNote();
    const Timeline& tl = e.timeline();
    ASSERT_EQ(tl.length(), tl0.length());
    EXPECT_FALSE(tl.quiet());
    for (uint64_t n = 1; n <= tl.length(); ++n) {
        EXPECT_EQ(tl.record(n)->summary(), tl0.record(n)->summary()) << "step " << n;
        EXPECT_FALSE(tl.record(n)->summary().empty()) << "step " << n;
    }
}
