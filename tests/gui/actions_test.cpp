// SPDX-License-Identifier: GPL-3.0-or-later
// Driving the window's actions gives the engine states we expect.
#include <QComboBox>
#include <QDockWidget>
#include <QFile>
#include <QLabel>
#include <QRegularExpression>
#include <QSlider>
#include <QTableView>
#include <QTemporaryDir>

#include "engine/engine.h"

#include "code/code_model.h"
#include "code/code_view.h"
#include <QFileInfo>
#include <QProcess>
#include <QSysInfo>

#include "gui_fixture.h"
#include "io/file_ops.h"
#include "session/recording_journal.h"
#include <functional>
#include "session/session_io.h"
#include "tasks/tasks_view.h"
#include "timeline/timeline_view.h"
#include "memorymap/memory_map_view.h"

namespace faultline::guitest {
namespace {

using Actions = Window;

TEST_F(Actions, OpensTheSeedRaceAtStepZero) {
    EXPECT_EQ(pos(), 0u);
    // The session's variant: the seed race opens under the 2020 kernel, where
    // the race loses data; switching to upstream shows the fix.
    EXPECT_EQ(c->debugger().variant(), "baseline-2020");
    EXPECT_EQ(cell(state(), "A.pte[8]"), "P(0,0,1)");
    EXPECT_TRUE(w->windowTitle().contains("seed race")) << w->windowTitle().toStdString();
}

TEST_F(Actions, F11StepsThePlanAndTheVariantSelectorReRunsIt) {
    // Switch through the toolbar's selector.
    QComboBox* box = w->variantBox();
    const int i = box->findData("baseline-2020");
    ASSERT_GE(i, 0);
    box->setCurrentIndex(i);
    Q_EMIT box->activated(i);
    EXPECT_EQ(c->debugger().variant(), "baseline-2020");
    for (int k = 0; k < 3; ++k) trigger("actStep");
    EXPECT_EQ(pos(), 3u);
    EXPECT_EQ(cell(state(), "A.pte[8]"), "none");  // pre-unmap dropped uffd-wp
    // Same schedule, same step, other kernel: the marker keeps protection.
    const int u = box->findData("upstream");
    box->setCurrentIndex(u);
    Q_EMIT box->activated(u);
    EXPECT_EQ(pos(), 3u);
    EXPECT_EQ(cell(state(), "A.pte[8]"), "M");
    // The Kernel menu does the same.
    trigger("variant:baseline-2020");
    EXPECT_EQ(cell(state(), "A.pte[8]"), "none");
}

TEST_F(Actions, ReverseThenForwardGivesEqualStates) {
    variant("baseline-2020");
    std::vector<uint64_t> hashes{state().hash()};
    for (int k = 0; k < 40; ++k) {
        trigger("actStep");
        hashes.push_back(state().hash());
    }
    ASSERT_EQ(pos(), 40u);
    for (int k = 40; k > 0; --k) {
        trigger("actRevStep");
        ASSERT_EQ(state().hash(), hashes[k - 1]);
    }
    // The toolbar toggle turns F11 into reverse.
    for (int k = 0; k < 40; ++k) trigger("actStep");
    w->action("actReverseMode")->setChecked(true);
    trigger("actStep");
    EXPECT_EQ(pos(), 39u);
    EXPECT_EQ(state().hash(), hashes[39]);
    w->action("actReverseMode")->setChecked(false);
    trigger("actStep");
    EXPECT_EQ(state().hash(), hashes[40]);
}

TEST_F(Actions, SeedRaceSteppedByHandUnderBaselineStopsOnC1) {
    variant("baseline-2020");
    // "next step: P" three times: the punch runs its pre-unmap.
    QComboBox* next = w->nextTaskBox();
    const int p = next->findText("P");
    next->setCurrentIndex(p);
    Q_EMIT next->activated(p);
    for (int k = 0; k < 3; ++k) trigger("actStep");
    EXPECT_EQ(cell(state(), "A.pte[8]"), "none");
    // Click A1 in Tasks: it takes the next steps; F5 runs until a finding.
    Q_EMIT w->tasksView()->taskActivated(1);
    ASSERT_EQ(c->debugger().chosenTask(), std::optional<uint8_t>(1));
    trigger("actContinue");
    const auto r = c->debugger().record(pos());
    ASSERT_NE(r, nullptr);
    ASSERT_FALSE(r->findings.empty()) << c->lastStopText().toStdString();
    EXPECT_EQ(r->findings.front().rule, Rule::C1);
    EXPECT_EQ(r->task, 1);
    EXPECT_EQ(cell(state(), "data[8]"), "a1");
    EXPECT_TRUE(c->debugger().manual());
}

TEST_F(Actions, StepOverAndOutFinishKernelFunctions) {
    variant("baseline-2020");
    c->runTo(8);  // A1 inside filemap_map_pages (via do_fault_around)
    const auto& st = state().tasks[1].stack;
    ASSERT_GE(st.size(), 3u);
    const size_t depth = st.size();
    c->chooseTask(1);
    trigger("actStepOver");
    EXPECT_LE(state().tasks[1].stack.size(), depth);
    trigger("actStepOut");
    EXPECT_LT(state().tasks[1].stack.size(), depth);
    const uint64_t out = pos();
    trigger("actRevStepOut");
    EXPECT_LT(pos(), out);
    trigger("actRevStepOver");
    EXPECT_LT(pos(), out);
}

TEST_F(Actions, F9BreakpointOnACodeLineStopsThere) {
    variant("baseline-2020");
    c->runTo(9);
    c->selectTask(1);
    views::CodeModel* m = w->codeView()->model();
    ASSERT_EQ(m->function(), Fn::filemap_map_pages);
    // Select the MP.7 line and press F9 (the Code view's action).
    int mp7 = -1;
    for (int r = 0; r < m->rowCount(); ++r)
        if (m->index(r, 1).data().toString() == "MP.7") mp7 = r;
    ASSERT_GE(mp7, 0);
    w->codeView()->table()->setCurrentIndex(m->index(mp7, 2));
    w->codeView()->toggleBreakpointAtSelection();
    EXPECT_TRUE(c->debugger().hasBreakpoint(Fn::filemap_map_pages, mp7));
    EXPECT_TRUE(m->index(mp7, 0).data(views::CodeModel::BreakpointRole).toBool());
    c->restart();
    c->setStopOnFindings(false);
    trigger("actContinue");
    EXPECT_EQ(nextStepId(state(), 1), "MP.7");
    EXPECT_TRUE(c->lastStopText().contains("breakpoint")) << c->lastStopText().toStdString();
    // A function breakpoint typed in the Breakpoints dock.
    w->codeView()->table()->setCurrentIndex(m->index(mp7, 2));
    w->codeView()->toggleBreakpointAtSelection();  // off again
    EXPECT_FALSE(c->debugger().hasBreakpoint(Fn::filemap_map_pages, mp7));
    EXPECT_EQ(c->addBreakpoint("shmem_undo_range"), QString());
    trigger("actContinue");
    EXPECT_TRUE(c->lastStopText().contains("shmem_undo_range")) << c->lastStopText().toStdString();
    EXPECT_FALSE(c->addBreakpoint("no_such_function").isEmpty());
}

TEST_F(Actions, WatchpointOnACellBitStopsForwardAndBackward) {
    variant("baseline-2020");
    ASSERT_EQ(c->addWatchpoint("A.pte[8].uffd_wp"), QString());
    trigger("actContinue");
    EXPECT_EQ(pos(), 3u);
    EXPECT_TRUE(c->lastStopText().contains("1 → 0")) << c->lastStopText().toStdString();
    // Run to the end with the watchpoint off, then run back to the step that cleared it.
    c->removeWatchpoint(0);
    c->setStopOnFindings(false);
    trigger("actContinue");
    EXPECT_EQ(pos(), c->debugger().length());
    ASSERT_EQ(c->addWatchpoint("A.pte[8].uffd_wp"), QString());
    trigger("actRevContinue");
    EXPECT_EQ(pos(), 3u);
    EXPECT_FALSE(c->addWatchpoint("C.pte[8]").isEmpty());
    // Watching from the memory map's context menu goes through the same path.
    Q_EMIT w->memoryMap()->watchRequested("xa[8].kind");
    EXPECT_EQ(c->debugger().watchpoints().size(), 2u);
}

TEST_F(Actions, CompareModeMarksTheFirstDivergentStep) {
    variant("baseline-2020");
    trigger("actCompare");  // the action reads the compare variant box (upstream)
    ASSERT_TRUE(c->comparing());
    EXPECT_TRUE(w->compareMap()->isVisible());
    EXPECT_TRUE(c->divergence().found);
    EXPECT_EQ(c->divergence().step, 3u);
    EXPECT_EQ(c->snapshot().divergence, 3u);
    c->runTo(3);
    EXPECT_EQ(cell(c->compareSnapshot().state, "A.pte[8]"), "M");
    EXPECT_EQ(cell(c->snapshot().state, "A.pte[8]"), "none");
    trigger("actCompare");
    EXPECT_FALSE(c->comparing());
    EXPECT_FALSE(w->compareMap()->isVisible());
}

TEST_F(Actions, ToggleOverrideOnTopOfAVariant) {
    variant("upstream");
    c->runTo(3);
    ASSERT_EQ(c->setVariant("upstream", {{"PTE_MARKERS", "off"}}), QString());
    EXPECT_EQ(pos(), 3u);
    EXPECT_EQ(cell(state(), "A.pte[8]"), "none");
    EXPECT_FALSE(c->setVariant("upstream", {{"PTE_MARKERS", "maybe"}}).isEmpty());
}

TEST_F(Actions, BrokenSessionShowsTheEngineErrorAndKeepsTheCurrentSession) {
    variant("baseline-2020");
    c->runTo(7);
    const uint64_t h = state().hash();
    QTemporaryDir dir;
    const QString bad = dir.filePath("bad.json");
    QFile f(bad);
    ASSERT_TRUE(f.open(QIODevice::WriteOnly));
    f.write(
        "{\n  \"format\": \"faultline-session\",\n  \"schema_version\": 1,\n  \"file\": {\"pages\": \"many\"}\n}\n");
    f.close();
    const QString e = w->openFile(bad, true);
    ASSERT_FALSE(e.isEmpty());
    EXPECT_TRUE(e.startsWith(bad + ":")) << e.toStdString();
    EXPECT_TRUE(QRegularExpression(":\\d+:\\d+: ").match(e).hasMatch()) << e.toStdString();
    EXPECT_EQ(w->lastError(), e);
    EXPECT_EQ(state().hash(), h);
    EXPECT_EQ(pos(), 7u);
    EXPECT_FALSE(w->openFile(dir.filePath("missing.json"), true).isEmpty());
    EXPECT_EQ(state().hash(), h);
}

TEST_F(Actions, SaveWritesTheRecordingAndOpenReplaysIt) {
    variant("baseline-2020");
    c->chooseTask(2);
    for (int k = 0; k < 3; ++k) trigger("actStep");
    c->chooseTask(1);
    trigger("actContinue");
    c->chooseTask(std::nullopt);
    c->setStopOnFindings(false);
    trigger("actContinue");
    const uint64_t n = c->debugger().length();
    const uint64_t h = state().hash();
    QTemporaryDir dir;
    const QString path = dir.filePath("recorded.json");
    ASSERT_TRUE(w->saveTo(path));
    const LoadResult lr = loadSession(path.toStdString());
    ASSERT_TRUE(lr.session) << lr.error.text();
    ASSERT_TRUE(lr.session->recording);
    EXPECT_EQ(lr.session->recording->schedule.size(), n);
    EXPECT_EQ(lr.session->recording->hashes.size(), n);
    // Open in a fresh window: it replays to the end, every hash matches.
    gui::Controller c2;
    gui::MainWindow w2(&c2);
    w2.setQuiet(true);
    ASSERT_EQ(w2.openFile(path, true), QString());
    EXPECT_EQ(c2.debugger().replayDivergedAt(), 0u) << c2.debugger().loadNote();
    EXPECT_EQ(c2.debugger().position(), n);
    EXPECT_EQ(c2.debugger().current().hash(), h);
    // A tampered recording says where the replay diverged.
    Session s = *lr.session;
    s.recording->hashes[10] ^= 0x40;
    const QString tampered = dir.filePath("tampered.json");
    ASSERT_EQ(saveSession(s, tampered.toStdString()), "");
    ASSERT_EQ(w2.openFile(tampered, true), QString());
    EXPECT_EQ(c2.debugger().replayDivergedAt(), 11u);
}

TEST_F(Actions, AutosaveKeepsAHandMadeRecordingForRecovery) {
    variant("baseline-2020");
    c->chooseTask(1);  // A1 reads before the punch: off the session's plan
    for (int k = 0; k < 4; ++k) trigger("actStep");
    const QString journal = w->autosavePath();
    ASSERT_TRUE(QFile::exists(journal));  // written at once, no clean exit needed
    const uint64_t n = c->debugger().length(), h = state().hash();
    // While its window runs, nobody else may recover it.
    EXPECT_FALSE(gui::Autosave::orphans().contains(journal));
    w->autosaveJournal().abandon();  // what a kill leaves behind
    EXPECT_TRUE(gui::Autosave::orphans().contains(journal));
    // A second window (the restarted program) recovers it.
    gui::Controller c2;
    gui::MainWindow w2(&c2);
    w2.setQuiet(true);
    ASSERT_TRUE(w2.offerRecovery(false));
    EXPECT_EQ(c2.debugger().length(), n);
    EXPECT_EQ(c2.debugger().position(), n);
    EXPECT_EQ(c2.debugger().current().hash(), h);
    EXPECT_EQ(c2.sessionPath(), seedRacePath());
    EXPECT_FALSE(QFile::exists(journal));  // taken over by the new window's own journal
    EXPECT_TRUE(QFile::exists(w2.autosavePath()));
    EXPECT_FALSE(w2.offerRecovery(false));  // nothing left to recover
}

// A journal whose lock names a process that has died is offered; one whose
// lock names a live process (another window) is not.
TEST_F(Actions, OnlyJournalsOfDeadProcessesAreOffered) {
    variant("baseline-2020");
    c->chooseTask(1);
    trigger("actStep");
    const QString mine = w->autosavePath();
    ASSERT_TRUE(QFile::exists(mine));
    w->autosaveJournal().abandon();
    // Copy it twice: one "left by" a dead process, one "held by" a live one.
    QProcess dead;
    dead.start("/bin/true");
    ASSERT_TRUE(dead.waitForFinished());
    const qint64 deadPid = dead.processId() ? dead.processId() : 999999;
    // QLockFile's own format: pid, application, host. Qt takes a lock as
    // alive when that pid runs an executable of that name.
    const QByteArray exe = QFileInfo(QCoreApplication::applicationFilePath()).fileName().toUtf8();
    auto fakeLock = [&](const QString& journal, qint64 pid) {
        QFile l(journal + ".lock");
        ASSERT_TRUE(l.open(QIODevice::WriteOnly));
        l.write(QByteArray::number(pid) + "\n" + exe + "\n" + QSysInfo::machineHostName().toUtf8() + "\n");
    };
    const QString orphan = gui::Autosave::folder() + "/autosave-1-1-1.journal";
    const QString held = gui::Autosave::folder() + "/autosave-2-2-2.journal";
    ASSERT_TRUE(QFile::copy(mine, orphan));
    ASSERT_TRUE(QFile::copy(mine, held));
    fakeLock(orphan, deadPid);
    fakeLock(held, QCoreApplication::applicationPid());  // alive: this very process
    const QStringList found = gui::Autosave::orphans();
    EXPECT_TRUE(found.contains(orphan)) << found.join(", ").toStdString();
    EXPECT_FALSE(found.contains(held)) << found.join(", ").toStdString();
}

// Opening another file never loses a hand-made recording: with nobody to ask
// (quiet), its journal stays and is offered at the next start.
TEST_F(Actions, OpeningAnotherFileKeepsTheUnsavedRecording) {
    variant("baseline-2020");
    c->chooseTask(1);
    trigger("actStep");
    trigger("actStep");
    const QString journal = w->autosavePath();
    ASSERT_TRUE(QFile::exists(journal));
    ASSERT_EQ(w->openFile(QStringLiteral(FAULTLINE_SAMPLE_DIR "/s2-swap-out.json"), true), QString());
    EXPECT_TRUE(c->sessionPath().endsWith("s2-swap-out.json"));
    EXPECT_TRUE(QFile::exists(journal));
    EXPECT_TRUE(gui::Autosave::orphans().contains(journal));
}

// A hand-made run to the end, left behind as a kill leaves it.
static QString abandonedJournal(guitest::Window& t, uint64_t* steps) {
    t.variant("baseline-2020");
    t.c->setStopOnFindings(false);
    t.c->chooseTask(1);
    t.trigger("actStep");
    t.c->chooseTask(std::nullopt);
    t.trigger("actContinue");
    *steps = t.c->debugger().length();
    const QString journal = t.w->autosavePath();
    t.w->autosaveJournal().abandon();
    return journal;
}

static void editJournal(const QString& path, const std::function<void(QByteArray&)>& f) {
    QFile in(path);
    ASSERT_TRUE(in.open(QIODevice::ReadOnly));
    QByteArray t = in.readAll();
    in.close();
    f(t);
    QFile out(path);
    ASSERT_TRUE(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
    out.write(t);
}

// One bit of step 1's hash changed (as an engine upgrade between the crash
// and the restart does): every step comes back, re-executed, the user is told
// where it diverged, and the journal is kept.
TEST_F(Actions, RecoveringADivergedJournalKeepsEveryStep) {
    uint64_t n = 0;
    const QString journal = abandonedJournal(*this, &n);
    ASSERT_GT(n, 20u);
    editJournal(journal, [](QByteArray& t) {
        const int i = t.indexOf("\ns ");
        ASSERT_GE(i, 0);
        const int h = t.indexOf(' ', i + 3) + 16;  // last hex digit of the first step's hash
        t[h] = t[h] == '0' ? '1' : '0';
    });
    gui::Controller c2;
    gui::MainWindow w2(&c2);
    w2.setQuiet(true);
    ASSERT_TRUE(w2.offerRecovery(false));
    EXPECT_EQ(c2.debugger().length(), n);
    EXPECT_EQ(c2.debugger().replayDivergedAt(), 1u);
    EXPECT_TRUE(c2.debugger().manual());
    EXPECT_TRUE(w2.lastRecovery().contains("diverged at step 1")) << w2.lastRecovery().toStdString();
    EXPECT_TRUE(w2.lastRecovery().contains(QString::number(n) + " steps")) << w2.lastRecovery().toStdString();
    EXPECT_TRUE(QFile::exists(journal + ".diverged"));
    w2.resize(1400, 900);
    w2.show();
    shot(&w2, "recovered-diverged");
    EXPECT_TRUE(QFile::exists(w2.autosavePath()));
    const JournalLoad again = readJournal(w2.autosavePath().toStdString());
    ASSERT_TRUE(again.session && again.session->recording);
    EXPECT_EQ(again.session->recording->schedule.size(), n);
}

// One bad line in the middle: the steps before it come back, and the user is
// told where the journal is damaged.
TEST_F(Actions, RecoveringADamagedJournalKeepsTheStepsBeforeTheDamage) {
    uint64_t n = 0;
    const QString journal = abandonedJournal(*this, &n);
    int kept = 0;
    editJournal(journal, [&](QByteArray& t) {
        int i = t.indexOf("\ns ");
        for (int k = 0; k < 10; ++k) i = t.indexOf("\ns ", i + 1);
        ASSERT_GE(i, 0);
        kept = int(t.left(i).count("\ns "));
        t.insert(i + 1, "s x garbage\n");
    });
    gui::Controller c2;
    gui::MainWindow w2(&c2);
    w2.setQuiet(true);
    ASSERT_TRUE(w2.offerRecovery(false));
    EXPECT_EQ(c2.debugger().length(), uint64_t(kept));
    EXPECT_TRUE(w2.lastRecovery().contains("damaged at line")) << w2.lastRecovery().toStdString();
    EXPECT_TRUE(QFile::exists(journal + ".damaged"));
}

// A full disk while journaling: the window says so until the journal writes
// again, and then nothing is missing from it.
TEST_F(Actions, AFailingAutosaveIsShownAndRetried) {
    variant("baseline-2020");
    c->chooseTask(1);
    trigger("actStep");
    ASSERT_TRUE(QFile::exists(w->autosavePath()));
    EXPECT_TRUE(w->autosaveWarning()->isHidden());
    {
        io::FileOps full = io::systemFileOps();
        full.write = [](int, const void*, size_t) -> ssize_t {
            errno = ENOSPC;
            return -1;
        };
        io::ScopedFileOps scoped(full);
        for (int k = 0; k < 5; ++k) trigger("actStep");
        EXPECT_FALSE(w->autosaveWarning()->isHidden());
        EXPECT_TRUE(w->autosaveWarning()->text().contains("Autosave is failing"))
            << w->autosaveWarning()->text().toStdString();
        shot(w.get(), "autosave-failing");
    }
    c->chooseTask(std::nullopt);
    trigger("actStep");  // the next step writes everything missing
    EXPECT_TRUE(w->autosaveWarning()->isHidden());
    const JournalLoad l = readJournal(w->autosavePath().toStdString());
    ASSERT_TRUE(l.session && l.session->recording) << l.error.text();
    EXPECT_EQ(l.session->recording->schedule.size(), c->debugger().length());
    EXPECT_EQ(l.damage.line, 0);
}

// Opening a sample and saving: nothing is written until something was done
// by hand, and a sample is never written over (Save goes to Save As).
TEST_F(Actions, SaveIsForHandMadeWorkAndNeverOverwritesASample) {
    EXPECT_FALSE(w->action("actSave")->isEnabled());
    EXPECT_FALSE(w->hasUnsavedRecording());
    EXPECT_FALSE(w->saveOverwritesSource());  // a file of sample_sessions/
    trigger("actStep");                       // along the session's own plan: nothing by hand
    EXPECT_FALSE(w->action("actSave")->isEnabled());
    c->chooseTask(1);
    trigger("actStep");
    EXPECT_TRUE(w->hasUnsavedRecording());
    EXPECT_TRUE(w->action("actSave")->isEnabled());
}

// Saving a recording keeps the user's text of the session as written: the
// recording is added, nothing else is re-serialised.
TEST_F(Actions, SaveKeepsTheSessionTextAsWritten) {
    QTemporaryDir dir;
    const QString path = dir.filePath("mine.json");
    ASSERT_TRUE(QFile::copy(seedRacePath(), path));
    QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner);
    QFile f(path);
    ASSERT_TRUE(f.open(QIODevice::ReadOnly));
    const QByteArray original = f.readAll();
    f.close();
    ASSERT_EQ(w->openFile(path, true), QString());
    EXPECT_TRUE(w->saveOverwritesSource());
    c->chooseTask(1);
    trigger("actStep");
    trigger("actStep");
    trigger("actSave");
    EXPECT_FALSE(w->hasUnsavedRecording());
    EXPECT_FALSE(w->action("actSave")->isEnabled());
    ASSERT_TRUE(f.open(QIODevice::ReadOnly));
    const QByteArray saved = f.readAll();
    f.close();
    const int close = original.lastIndexOf('}');
    QByteArray head = original.left(close).trimmed();
    EXPECT_TRUE(saved.startsWith(head)) << saved.left(400).toStdString();
    EXPECT_TRUE(saved.contains("\"recording\""));
    const LoadResult lr = loadSession(path.toStdString());
    ASSERT_TRUE(lr.session) << lr.error.text();
    ASSERT_TRUE(lr.session->recording);
    EXPECT_EQ(lr.session->recording->schedule.size(), 2u);
    // Saving again replaces the recording in place, still keeping the text.
    trigger("actStep");
    trigger("actSave");
    ASSERT_TRUE(f.open(QIODevice::ReadOnly));
    const QByteArray again = f.readAll();
    EXPECT_TRUE(again.startsWith(head));
    EXPECT_EQ(again.count("\"recording\""), 1);
    EXPECT_EQ(loadSession(path.toStdString()).session->recording->schedule.size(), 3u);
}

// A recording just read from disk is not unsaved work: no journal, no
// prompt, Save disabled, also after walking back and forth along it.
TEST_F(Actions, ARecordingJustLoadedIsNotUnsaved) {
    variant("baseline-2020");
    c->chooseTask(1);
    for (int k = 0; k < 4; ++k) trigger("actStep");
    QTemporaryDir dir;
    const QString path = dir.filePath("rec.json");
    ASSERT_TRUE(w->saveTo(path));
    EXPECT_FALSE(w->hasUnsavedRecording());
    trigger("actRevStep");  // moving after a save journals nothing
    trigger("actStep");
    EXPECT_FALSE(w->autosaveJournal().active());
    ASSERT_EQ(w->openFile(path, true), QString());
    EXPECT_TRUE(c->debugger().manual());
    EXPECT_FALSE(w->hasUnsavedRecording());
    EXPECT_FALSE(w->action("actSave")->isEnabled());
    trigger("actRevStep");
    trigger("actRevStep");
    c->chooseTask(std::nullopt);
    trigger("actStep");
    EXPECT_FALSE(w->hasUnsavedRecording());
    EXPECT_TRUE(gui::Autosave::orphans().isEmpty());
    w->autosaveJournal().abandon();
    EXPECT_TRUE(gui::Autosave::orphans().isEmpty());  // nothing left to recover: it is on disk
}

TEST_F(Actions, CompareWithOffersTheOtherKernel) {
    auto* box = w->findChild<QComboBox*>("compareVariantBox");
    ASSERT_NE(box, nullptr);
    variant("upstream");
    EXPECT_EQ(box->currentData().toString(), "baseline-2020");
    variant("baseline-2020");
    EXPECT_EQ(box->currentData().toString(), "upstream");
    box->setCurrentIndex(box->findData("no-preunmap"));
    variant("upstream-6.2");
    EXPECT_EQ(box->currentData().toString(), "no-preunmap");  // the user's choice stays
}

TEST_F(Actions, ResetToDefaultLayoutRestoresTheDocks) {
    QDockWidget* code = w->findChild<QDockWidget*>("dockCode");
    QDockWidget* trace = w->findChild<QDockWidget*>("dockTrace");
    ASSERT_TRUE(code && trace);
    code->setFloating(true);
    trace->hide();
    w->removeDockWidget(w->findChild<QDockWidget*>("dockTasks"));
    trigger("actResetLayout");
    for (const char* n :
         {"dockTasks", "dockCode", "dockTrace", "dockTimeline", "dockVmas", "dockUffd", "dockBreakpoints"}) {
        QDockWidget* d = w->findChild<QDockWidget*>(n);
        ASSERT_NE(d, nullptr) << n;
        EXPECT_FALSE(d->isFloating()) << n;
        EXPECT_FALSE(d->isHidden()) << n;
    }
    EXPECT_EQ(w->dockWidgetArea(code), Qt::RightDockWidgetArea);
    EXPECT_EQ(w->dockWidgetArea(trace), Qt::BottomDockWidgetArea);
    EXPECT_EQ(w->dockWidgetArea(w->findChild<QDockWidget*>("dockTasks")), Qt::LeftDockWidgetArea);
}

TEST_F(Actions, TimelinePlotsEveryStepAndJumps) {
    variant("baseline-2020");
    EXPECT_EQ(uint64_t(w->timelineView()->plottedSteps()), c->debugger().length());
    Q_EMIT w->timelineView()->stepClicked(33);
    EXPECT_EQ(pos(), 33u);
    w->timelineView()->slider()->setValue(12);
    EXPECT_EQ(pos(), 12u);
}

}  // namespace
}  // namespace faultline::guitest
