// SPDX-License-Identifier: GPL-3.0-or-later
// Long work off the GUI thread: loading a session and Continue / Reverse
// Continue over a long run go to the worker with a progress bar and Cancel;
// the window handles events meanwhile, the GUI never touches the debugger
// while the worker owns it, and Cancel leaves a consistent state (a cancelled
// load leaves the previous session as it was).
#include <QEventLoop>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include "common/slides.h"
#include "gui/worker_job.h"
#include "gui_fixture.h"
#include "long_sessions.h"
#include "memorymap/memory_map_view.h"

#include <QTableView>

namespace faultline::guitest {
namespace {

// Counts the paint events a widget gets while `busy` says so.
struct PaintCounter : QObject {
    std::function<bool()> busy;
    int whileBusy = 0;
    bool eventFilter(QObject*, QEvent* e) override {
        if (e->type() == QEvent::Paint && busy()) ++whileBusy;
        return false;
    }
};

struct LongWork : Window {
    QTemporaryDir dir;
    QString big;
    void openBig(int pages = 4096, int rounds = 8) {
        big = writeManyReads(dir, pages, rounds);
        ASSERT_EQ(w->openFile(big, true), QString());
        ASSERT_GT(c->debugger().length(), 100000u);
    }
    // Runs the event loop until the job ends (false: timed out).
    bool waitJob(int ms = 120000) {
        if (!c->busy()) return true;
        QSignalSpy done(c->job(), &gui::WorkerJob::finished);
        return done.wait(ms);
    }
    // Runs the event loop until the job's first progress report.
    bool waitProgress(int ms = 60000) {
        QSignalSpy p(c->job(), &gui::WorkerJob::progress);
        return c->busy() && p.wait(ms);
    }
};

TEST_F(LongWork, ContinueRunsInTheWorkerWhileTheWindowRepaintsAndHandlesTimers) {
    openBig();
    const uint64_t len = c->debugger().length();
    c->setInlineBudget(0);  // always hand over to the worker (a short run finishes inline)
    int ticks = 0, ticksWhileBusy = 0;
    QTimer timer;
    timer.setInterval(5);
    QWidget* viewport = w->memoryMap()->table()->viewport();
    QObject::connect(&timer, &QTimer::timeout, [&] {
        ++ticks;
        if (c->busy()) ++ticksWhileBusy;
        viewport->update();
    });
    PaintCounter paints;
    paints.busy = [&] { return c->busy(); };
    viewport->installEventFilter(&paints);
    timer.start();
    QSignalSpy progress(c->job(), &gui::WorkerJob::progress);
    trigger("actContinue");
    ASSERT_TRUE(c->busy());
    // While the worker owns the debugger: stepping is off, commands are refused, the bar shows.
    EXPECT_FALSE(w->action("actStep")->isEnabled());
    EXPECT_FALSE(w->action("actContinue")->isEnabled());
    EXPECT_FALSE(w->action("actOpen")->isEnabled());
    EXPECT_TRUE(w->action("actCancelJob")->isEnabled());
    EXPECT_FALSE(c->hasSession());
    EXPECT_NE(c->stepInto().text.find("busy"), std::string::npos);
    EXPECT_NE(c->addBreakpoint("do_fault_around"), QString());
    EXPECT_FALSE(w->jobProgress()->isHidden());
    EXPECT_FALSE(w->jobCancel()->isHidden());
    ASSERT_TRUE(waitJob());
    EXPECT_GT(ticksWhileBusy, 0) << "the event loop turned while Continue ran";
    EXPECT_GT(paints.whileBusy, 0) << "the memory map repainted while Continue ran";
    viewport->removeEventFilter(&paints);
    EXPECT_GE(progress.count(), 1) << "progress was reported";
    EXPECT_EQ(c->debugger().position(), len);
    EXPECT_NE(c->lastStopText().indexOf("end of run"), -1) << c->lastStopText().toStdString();
    EXPECT_EQ(c->snapshot().position, len);
    EXPECT_TRUE(w->action("actStep")->isEnabled());
    EXPECT_FALSE(w->action("actCancelJob")->isEnabled());
    EXPECT_TRUE(w->jobProgress()->isHidden());
    shot(w.get(), "continue-done");
}

TEST_F(LongWork, CancelStopsContinueAtAConsistentStep) {
    openBig(4096, 16);
    const uint64_t len = c->debugger().length();
    c->setInlineBudget(0);
    trigger("actContinue");
    ASSERT_TRUE(waitProgress());
    shot(w.get(), "continue-progress");
    w->jobCancel()->click();
    ASSERT_TRUE(waitJob());
    const uint64_t at = c->debugger().position();
    EXPECT_GT(at, 0u);
    EXPECT_LT(at, len);
    EXPECT_NE(c->lastStopText().indexOf("cancelled"), -1) << c->lastStopText().toStdString();
    // A consistent step: the state is the recorded one, the views show it, and the run goes on from there.
    EXPECT_EQ(c->debugger().current().hash(), c->debugger().record(at)->hashAfter);
    EXPECT_EQ(c->debugger().timeline().stateAt(at).hash(), c->debugger().current().hash());
    EXPECT_EQ(c->snapshot().position, at);
    EXPECT_EQ(c->debugger().length(), len) << "nothing of the planned run was lost";
    trigger("actStep");
    EXPECT_EQ(c->debugger().position(), at + 1);
}

TEST_F(LongWork, EscapeCancelsReverseContinueWhichStaysWhereItStarted) {
    openBig(4096, 16);
    const uint64_t len = c->debugger().length();
    c->runTo(len);
    const uint64_t h = c->debugger().current().hash();
    c->setInlineBudget(0);
    trigger("actRevContinue");
    // It may end before it reports any progress (see below); Esc only if it still runs.
    QSignalSpy progressed(c->job(), &gui::WorkerJob::progress);
    for (int i = 0; i < 12000 && c->busy() && progressed.isEmpty(); ++i) QTest::qWait(5);
    if (c->busy()) w->action("actCancelJob")->trigger();  // Esc
    ASSERT_TRUE(waitJob());
    // A reverse-continue that can hit nothing skips whole chunks by their
    // summaries, so it may reach the start before Esc arrives. Either way the
    // debugger is consistent: cancelled, it stays where it started; finished,
    // it is at the start.
    if (c->lastStopText().indexOf("cancelled") != -1) {
        EXPECT_EQ(c->debugger().position(), len);
        EXPECT_EQ(c->debugger().current().hash(), h);
    } else {
        EXPECT_EQ(c->debugger().position(), 0u) << c->lastStopText().toStdString();
    }
    EXPECT_EQ(c->snapshot().position, c->debugger().position());
}

TEST_F(LongWork, RunToBeyondTheRunGoesToTheWorkerWithAKnownTotal) {
    // A planned run of 10 steps; Run to Step 150000 runs the rest by hand in the worker.
    big = writeManyReads(dir, 4096, 8, 10);
    ASSERT_EQ(w->openFile(big, true), QString());
    ASSERT_EQ(c->debugger().length(), 10u);
    c->setInlineBudget(0);
    QSignalSpy progress(c->job(), &gui::WorkerJob::progress);
    ASSERT_TRUE(c->startRunTo(150000));
    ASSERT_TRUE(c->busy());
    ASSERT_TRUE(waitJob());
    EXPECT_EQ(c->debugger().position(), 150000u);
    EXPECT_EQ(c->debugger().length(), 150000u);
    ASSERT_GE(progress.count(), 1);
    EXPECT_EQ(progress.last().at(2).toULongLong(), 150000u - 10u) << "the total is known: the steps to run";
    EXPECT_EQ(c->snapshot().position, 150000u);
}

TEST_F(LongWork, ACancelledLoadLeavesThePreviousSessionOpenAndUntouched) {
    // The seed race, with hand-made steps (unsaved work).
    variant("baseline-2020");
    c->chooseTask(1);
    for (int k = 0; k < 3; ++k) trigger("actStep");
    const uint64_t at = pos(), len = c->debugger().length(), h = state().hash();
    const QString path = c->sessionPath(), title = w->windowTitle(), journal = w->autosavePath();
    ASSERT_TRUE(w->hasUnsavedRecording());
    big = writeManyReads(dir, 65536, 16);
    c->setInlineBudget(0);
    EXPECT_EQ(w->openFile(big, true, false), QString());  // started, not finished
    ASSERT_TRUE(c->busy());
    EXPECT_TRUE(c->hasSession()) << "a load does not take the current debugger";
    ASSERT_TRUE(waitProgress());
    shot(w.get(), "load-progress");
    EXPECT_FALSE(w->jobProgress()->isHidden());
    EXPECT_NE(w->jobProgress()->format().indexOf("Loading"), -1) << w->jobProgress()->format().toStdString();
    w->jobCancel()->click();
    ASSERT_TRUE(waitJob());
    EXPECT_EQ(c->sessionPath(), path);
    EXPECT_EQ(pos(), at);
    EXPECT_EQ(c->debugger().length(), len);
    EXPECT_EQ(state().hash(), h);
    EXPECT_EQ(c->debugger().variant(), "baseline-2020");
    EXPECT_EQ(w->windowTitle(), title);
    EXPECT_TRUE(w->hasUnsavedRecording());
    EXPECT_EQ(w->autosavePath(), journal);
    EXPECT_TRUE(QFile::exists(journal)) << "the journal of the unsaved work stays";
    EXPECT_EQ(w->lastError(), QStringLiteral("cancelled"));
    // The window works on as before.
    trigger("actStep");
    EXPECT_EQ(pos(), at + 1);
}

TEST_F(LongWork, ALoadReportsItsProgressAndOpensTheSession) {
    big = writeManyReads(dir, 4096, 16);
    c->setInlineBudget(0);
    QSignalSpy progress(c->job(), &gui::WorkerJob::progress);
    EXPECT_EQ(w->openFile(big, true, false), QString());
    ASSERT_TRUE(c->busy());
    ASSERT_TRUE(waitJob());
    EXPECT_GE(progress.count(), 1);
    EXPECT_EQ(c->sessionPath(), big);
    EXPECT_GT(c->debugger().length(), 100000u);
    EXPECT_EQ(w->lastError(), QString());
}

TEST_F(LongWork, AShortContinueCompletesBeforeTheActionReturns) {
    variant("baseline-2020");
    trigger("actContinue");  // the seed race: a few dozen steps, well within the inline budget
    EXPECT_FALSE(c->busy());
    EXPECT_GT(pos(), 0u);
    EXPECT_TRUE(w->jobProgress()->isHidden());
}

TEST_F(LongWork, ClosingTheWindowDuringALongContinueCancelsItFirst) {
    openBig(4096, 16);
    c->setInlineBudget(0);
    trigger("actContinue");
    ASSERT_TRUE(c->busy());
    w->close();
    EXPECT_FALSE(c->busy());
    EXPECT_TRUE(c->hasSession()) << "the debugger came back";
}

TEST_F(LongWork, ExportStepsShowsProgressAndACancelledPdfLeavesNoFile) {
    variant("baseline-2020");
    c->runTo(5);
    const QString pdf = dir.filePath("deck.pdf");
    int ticksWhileExporting = 0;
    QTimer timer;
    timer.setInterval(5);
    QObject::connect(&timer, &QTimer::timeout, [&] { ticksWhileExporting += w->exporting(); });
    timer.start();
    QString result = QStringLiteral("not yet");
    ASSERT_EQ(w->startExportSlides(1, 40, pdf, views::SlideOptions{}, [&](const QString& e) { result = e; }),
              QString());
    EXPECT_TRUE(w->exporting());
    EXPECT_FALSE(w->action("actStep")->isEnabled());
    EXPECT_FALSE(w->jobProgress()->isHidden());
    EXPECT_EQ(w->jobProgress()->maximum(), 40);
    // Two slides done, then Cancel.
    (void)QTest::qWaitFor([&] { return w->jobProgress()->value() >= 2 || !w->exporting(); }, 120000);
    ASSERT_GE(w->jobProgress()->value(), 2) << result.toStdString();
    shot(w.get(), "export-progress");
    w->jobCancel()->click();
    (void)QTest::qWaitFor([&] { return !w->exporting(); }, 120000);
    ASSERT_FALSE(w->exporting());
    EXPECT_EQ(result, QStringLiteral("cancelled"));
    EXPECT_FALSE(QFile::exists(pdf)) << "a cancelled PDF is not written";
    EXPECT_FALSE(QFile::exists(pdf + ".part"));
    EXPECT_GT(ticksWhileExporting, 0) << "the event loop turned while exporting";
    EXPECT_EQ(pos(), 5u) << "the window is back at its step";
    EXPECT_TRUE(w->action("actStep")->isEnabled());
    EXPECT_TRUE(w->jobProgress()->isHidden());
    // Uncancelled, the same export writes the file.
    ASSERT_EQ(w->exportSlides(1, 3, pdf, views::SlideOptions{}), QString());
    EXPECT_TRUE(QFile::exists(pdf));
    EXPECT_GT(QFileInfo(pdf).size(), 1000);
}

// F10 over a fault that another task's long run interrupts: the step over
// runs in the worker with progress, Cancel (the button) stops it at the
// step it reached; uncancelled it ends at A1's next step at its depth.
TEST_F(LongWork, StepOverRunsInTheWorkerWithProgressAndCancel) {
    big = writeLongStepOver(dir, 4096, 16);
    ASSERT_EQ(w->openFile(big, true), QString()) << w->lastError().toStdString();
    const uint64_t len = c->debugger().length();
    ASSERT_GT(len, 100000u);
    ASSERT_EQ(pos(), 0u);
    c->setInlineBudget(0);
    trigger("actStepOver");
    ASSERT_TRUE(c->busy()) << "F10 went to the worker";
    EXPECT_EQ(c->job()->what(), QStringLiteral("Step Over"));
    EXPECT_FALSE(w->action("actStep")->isEnabled());
    ASSERT_TRUE(waitProgress());
    EXPECT_NE(w->jobProgress()->format().indexOf("Step Over"), -1) << w->jobProgress()->format().toStdString();
    shot(w.get(), "step-over-progress");
    w->jobCancel()->click();
    ASSERT_TRUE(waitJob());
    const uint64_t at = pos();
    EXPECT_GT(at, 1u);
    EXPECT_LT(at, len);
    EXPECT_NE(c->lastStopText().indexOf("Step Over cancelled"), -1) << c->lastStopText().toStdString();
    EXPECT_EQ(c->debugger().current().hash(), c->debugger().record(at)->hashAfter);
    EXPECT_EQ(c->snapshot().position, at);
    EXPECT_EQ(c->debugger().length(), len) << "nothing of the planned run was lost";
    // Uncancelled, from the start: it runs past all of B1's steps to A1's next one.
    c->runTo(0);
    trigger("actStepOver");
    ASSERT_TRUE(waitJob());
    EXPECT_GT(pos(), len / 2) << c->lastStopText().toStdString();
    EXPECT_EQ(c->debugger().record(pos())->task, 0u) << "ends on a step of A1";
    EXPECT_EQ(c->snapshot().position, pos());
}

// Shift+F11 (step out) goes to the worker as well.
TEST_F(LongWork, StepOutRunsInTheWorker) {
    big = writeLongStepOver(dir, 4096, 16);
    ASSERT_EQ(w->openFile(big, true), QString()) << w->lastError().toStdString();
    c->runTo(1);  // A1 inside handle_mm_fault; next, its step into fault-around, then B1's whole run
    c->setInlineBudget(0);
    QSignalSpy progress(c->job(), &gui::WorkerJob::progress);
    trigger("actStepOut");
    ASSERT_TRUE(c->busy());
    EXPECT_EQ(c->job()->what(), QStringLiteral("Step Out"));
    ASSERT_TRUE(waitJob());
    EXPECT_GE(progress.count(), 1);
    EXPECT_GT(pos(), 100000u) << c->lastStopText().toStdString();
    EXPECT_EQ(c->debugger().record(pos())->task, 0u);
}

// Reverse Step Over from the end back over B1's run: in the worker, and Esc
// leaves it where it started.
TEST_F(LongWork, ReverseStepOverRunsInTheWorkerAndEscLeavesItWhereItStarted) {
    big = writeLongStepOver(dir, 4096, 16);
    ASSERT_EQ(w->openFile(big, true), QString()) << w->lastError().toStdString();
    c->runTo(0);
    trigger("actStepOver");  // inline budget: may finish inline or in the worker
    ASSERT_TRUE(waitJob());
    const uint64_t at = pos(), h = state().hash();
    ASSERT_GT(at, 100000u);
    c->setInlineBudget(0);
    trigger("actRevStepOver");
    ASSERT_TRUE(c->busy());
    EXPECT_EQ(c->job()->what(), QStringLiteral("Reverse Step Over"));
    QSignalSpy progressed(c->job(), &gui::WorkerJob::progress);
    for (int i = 0; i < 12000 && c->busy() && progressed.isEmpty(); ++i) QTest::qWait(5);
    if (c->busy()) w->action("actCancelJob")->trigger();  // Esc
    ASSERT_TRUE(waitJob());
    if (c->lastStopText().indexOf("cancelled") != -1) {
        EXPECT_EQ(pos(), at);
        EXPECT_EQ(state().hash(), h);
    } else {
        EXPECT_LT(pos(), 2u) << c->lastStopText().toStdString();
    }
    EXPECT_EQ(c->snapshot().position, pos());
}

// A session whose setup takes a while (a 65,536-page file written, then read
// page by page) shows the setup's progress before its first step, and Cancel
// works there too.
TEST_F(LongWork, ALoadShowsTheSetupsProgressAndCancelStopsIt) {
    big = writeBigSetup(dir, 65536);
    c->setInlineBudget(0);
    const QString path = c->sessionPath();
    QSignalSpy progress(c->job(), &gui::WorkerJob::progress);
    EXPECT_EQ(w->openFile(big, true, false), QString());
    ASSERT_TRUE(c->busy());
    // A report of the setup under way (the first may come before its first page).
    auto setupReport = [&] {
        return std::find_if(progress.begin(), progress.end(), [](const QList<QVariant>& a) {
            return a.at(3).toInt() == gui::WorkerJob::Setup && a.at(1).toULongLong() > 0;
        });
    };
    (void)QTest::qWaitFor([&] { return !c->busy() || setupReport() != progress.end(); }, 60000);
    ASSERT_TRUE(c->busy()) << "the setup was reported before the load ended";
    ASSERT_NE(setupReport(), progress.end());
    const QList<QVariant> r = *setupReport();
    EXPECT_EQ(r.at(3).toInt(), int(gui::WorkerJob::Setup));
    EXPECT_EQ(r.at(2).toULongLong(), 65536u + 65536u) << "the total: pages written and reads";
    EXPECT_GT(r.at(1).toULongLong(), 0u);
    QApplication::processEvents();
    EXPECT_NE(w->jobProgress()->format().indexOf("setup"), -1) << w->jobProgress()->format().toStdString();
    shot(w.get(), "load-setup-progress");
    w->jobCancel()->click();
    ASSERT_TRUE(waitJob());
    EXPECT_EQ(w->lastError(), QStringLiteral("cancelled"));
    EXPECT_EQ(c->sessionPath(), path) << "the previous session stays";
    // Uncancelled it opens.
    EXPECT_EQ(w->openFile(big, true), QString());
    EXPECT_EQ(c->sessionPath(), big);
}

}  // namespace
}  // namespace faultline::guitest
