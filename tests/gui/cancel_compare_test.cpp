// SPDX-License-Identifier: GPL-3.0-or-later
// The compare run's replay and the reading of an autosave journal run in the
// worker with the progress bar and Cancel of every long job; a cancel leaves
// the window consistent: no half compare state (compare mode as it was, or
// off with the map hidden), a journal kept for the next start.
#include <QElapsedTimer>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

#include "gui/worker_job.h"
#include "gui_fixture.h"
#include "long_sessions.h"
#include "memorymap/memory_map_view.h"

namespace faultline::guitest {
namespace {

struct CancelJobs : Window {
    QTemporaryDir dir;
    bool waitJob(gui::Controller& k, int ms = 120000) {
        if (!k.busy()) return true;
        QSignalSpy done(k.job(), &gui::WorkerJob::finished);
        return done.wait(ms);
    }
    // Runs the event loop until a progress report whose text starts with `what`.
    bool waitProgress(gui::Controller& k, const QString& what, int ms = 60000) {
        QSignalSpy p(k.job(), &gui::WorkerJob::progress);
        QElapsedTimer t;
        t.start();
        while (k.busy() && t.elapsed() < ms) {
            for (const auto& args : p)
                if (args.at(0).toString().startsWith(what)) return true;
            p.wait(200);
        }
        return false;
    }
    void expectNoCompare() {
        EXPECT_FALSE(c->comparing());
        EXPECT_FALSE(w->compareMap()->isVisible());
        EXPECT_FALSE(w->action("actCompare")->isChecked());
        EXPECT_TRUE(w->action("actCompare")->text().contains(QStringLiteral("☐")));
        EXPECT_TRUE(w->jobProgress()->isHidden());
        EXPECT_TRUE(w->action("actStep")->isEnabled());
        EXPECT_TRUE(w->action("actCompare")->isEnabled());
    }
};

TEST_F(CancelJobs, CancellingTheCompareReplayLeavesCompareModeOff) {
    ASSERT_EQ(w->openFile(writeManyReads(dir, 4096, 8), true), QString());
    ASSERT_GT(c->debugger().length(), 100000u);
    c->setInlineBudget(0);
    const uint64_t reexec = c->guiReexecutions();
    trigger("actCompare");
    ASSERT_TRUE(c->busy()) << "the compare run is replayed in the worker";
    EXPECT_TRUE(c->job()->what().startsWith("Compare with")) << c->job()->what().toStdString();
    EXPECT_FALSE(w->jobProgress()->isHidden());
    EXPECT_FALSE(w->action("actStep")->isEnabled());
    EXPECT_FALSE(w->action("actCompare")->isEnabled());
    ASSERT_TRUE(waitProgress(*c, "Compare with"));
    shot(w.get(), "compare-replay-progress");
    w->jobCancel()->click();
    ASSERT_TRUE(waitJob(*c));
    expectNoCompare();
    EXPECT_TRUE(c->lastStopText().contains("cancelled")) << c->lastStopText().toStdString();
    EXPECT_EQ(c->guiReexecutions(), reexec) << "nothing replayed on the GUI thread instead";
    EXPECT_EQ(c->stepInto().reason, debug::StopReason::Step) << "stepping goes on";
    EXPECT_FALSE(c->comparing());
}

TEST_F(CancelJobs, CancellingTheCompareReplayAfterACommandTurnsCompareOff) {
    ASSERT_EQ(w->openFile(writeManyReads(dir, 4096, 8, 10), true), QString());
    ASSERT_EQ(c->setCompare(true, "baseline-2020"), QString());
    ASSERT_TRUE(c->comparing());
    c->setInlineBudget(0);
    ASSERT_TRUE(c->startRunTo(120000));  // beyond the plan: the compare run must be replayed
    // Cancel only once the command is done and the compare run's replay is the part running.
    ASSERT_TRUE(waitProgress(*c, "Compare with baseline-2020"));
    w->jobCancel()->click();
    ASSERT_TRUE(waitJob(*c));
    EXPECT_EQ(c->debugger().length(), 120000u) << "the command's steps are kept";
    expectNoCompare();
    EXPECT_TRUE(c->lastStopText().contains("compare mode is off")) << c->lastStopText().toStdString();
    EXPECT_FALSE(w->compareMap()->isVisible());
}

TEST_F(CancelJobs, TheJournalIsReadInTheWorkerBeforeThePromptAndCancelKeepsIt) {
    const QString path = writeManyReads(dir, 4096, 16, 10);
    ASSERT_EQ(w->openFile(path, true), QString());
    ASSERT_TRUE(c->startRunTo(150000));
    ASSERT_TRUE(waitJob(*c));
    ASSERT_EQ(w->autosaveJournal().record(*c), QString());
    const QString journal = w->autosavePath();
    w->autosaveJournal().abandon();
    gui::Controller c2;
    gui::MainWindow w2(&c2);
    w2.setQuiet(true);
    w2.show();
    c2.setInlineBudget(0);
    ASSERT_TRUE(w2.offerRecovery(false, false));
    ASSERT_TRUE(c2.busy()) << "the journal is read in the worker";
    EXPECT_TRUE(c2.job()->what().startsWith("Reading the journal")) << c2.job()->what().toStdString();
    EXPECT_FALSE(w2.jobProgress()->isHidden());
    w2.jobCancel()->click();
    ASSERT_TRUE(waitJob(c2));
    EXPECT_FALSE(c2.hasSession());
    EXPECT_TRUE(w2.lastRecovery().contains("reading the journal was cancelled")) << w2.lastRecovery().toStdString();
    EXPECT_TRUE(QFile::exists(journal));
    EXPECT_TRUE(gui::Autosave::orphans().contains(journal)) << "offered again: its claim was released";
    // Not cancelled: read, then replayed, and recovered whole.
    ASSERT_TRUE(w2.offerRecovery(false));
    EXPECT_EQ(c2.debugger().length(), 150000u);
    EXPECT_TRUE(w2.lastRecovery().contains("recovered the recording")) << w2.lastRecovery().toStdString();
}

}  // namespace
}  // namespace faultline::guitest
