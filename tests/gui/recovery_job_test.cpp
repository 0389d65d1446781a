// SPDX-License-Identifier: GPL-3.0-or-later
// Crash recovery of a long recording runs its replay in the worker with
// progress and Cancel (a cancelled recovery keeps the journal for the next
// start), and a job's result is published without re-executing anything on
// the GUI thread: the worker hands over the state before the step and the
// compare run with the debugger.
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

#include "gui/worker_job.h"
#include "gui_fixture.h"
#include "long_sessions.h"

namespace faultline::guitest {
namespace {

struct RecoveryJob : Window {
    QTemporaryDir dir;
    bool waitJob(gui::Controller& k, int ms = 120000) {
        if (!k.busy()) return true;
        QSignalSpy done(k.job(), &gui::WorkerJob::finished);
        return done.wait(ms);
    }
    // A hand-made run of `steps` steps on a big file, journaled, then left
    // behind as a kill leaves it. Returns the journal.
    QString abandonLongRecording(uint64_t steps) {
        const QString path = writeManyReads(dir, 4096, 16, 10);
        EXPECT_EQ(w->openFile(path, true), QString());
        EXPECT_TRUE(c->startRunTo(steps));  // beyond the plan: hand-made
        EXPECT_TRUE(waitJob(*c));
        EXPECT_EQ(c->debugger().length(), steps);
        EXPECT_TRUE(c->debugger().manual());
        EXPECT_EQ(w->autosaveJournal().record(*c), QString());
        const QString journal = w->autosavePath();
        EXPECT_TRUE(QFile::exists(journal));
        w->autosaveJournal().abandon();
        return journal;
    }
};

TEST_F(RecoveryJob, ALongRecoveryRunsInTheWorkerAndCancelKeepsTheJournal) {
    const uint64_t n = 150000;
    const QString journal = abandonLongRecording(n);
    const uint64_t h = c->debugger().current().hash();
    gui::Controller c2;
    gui::MainWindow w2(&c2);
    w2.setQuiet(true);
    w2.resize(1280, 720);
    w2.show();
    c2.setInlineBudget(0);
    QSignalSpy progress(c2.job(), &gui::WorkerJob::progress);
    ASSERT_TRUE(w2.offerRecovery(false, false));  // started: the journal is read, then replayed
    ASSERT_TRUE(c2.busy()) << "the reading runs in the worker";
    for (int i = 0; i < 600 && c2.busy() && !c2.job()->what().startsWith("Recovering"); ++i) QTest::qWait(100);
    ASSERT_TRUE(c2.busy()) << "the replay runs in the worker";
    EXPECT_TRUE(c2.job()->what().startsWith("Recovering")) << c2.job()->what().toStdString();
    EXPECT_FALSE(w2.jobProgress()->isHidden());
    EXPECT_FALSE(w2.action("actStep")->isEnabled());
    ASSERT_TRUE(progress.wait(60000)) << "progress is reported";
    shot(&w2, "recovery-progress");
    w2.jobCancel()->click();
    ASSERT_TRUE(waitJob(c2));
    EXPECT_FALSE(c2.hasSession()) << "nothing was adopted";
    EXPECT_TRUE(w2.lastRecovery().contains("cancelled")) << w2.lastRecovery().toStdString();
    EXPECT_TRUE(QFile::exists(journal)) << "a cancelled recovery keeps the journal";
    EXPECT_TRUE(gui::Autosave::orphans().contains(journal)) << "and offers it again (its claim was released)";
    // Uncancelled, it comes back whole, published from what the worker made.
    ASSERT_TRUE(w2.offerRecovery(false));
    EXPECT_EQ(c2.debugger().length(), n);
    EXPECT_EQ(c2.debugger().position(), n);
    EXPECT_EQ(c2.debugger().current().hash(), h);
    EXPECT_EQ(c2.snapshot().position, n);
    ASSERT_TRUE(c2.snapshot().before);
    EXPECT_EQ(c2.snapshot().before->hash(), c2.debugger().timeline().hashAfter(n - 1));
    EXPECT_EQ(c2.guiReexecutions(), 0u) << "nothing was re-executed on the GUI thread";
    EXPECT_TRUE(w2.lastRecovery().contains("recovered the recording")) << w2.lastRecovery().toStdString();
    EXPECT_FALSE(QFile::exists(journal));
    EXPECT_TRUE(QFile::exists(w2.autosavePath()));
}

// Publishing the result of a job in compare mode: the compare run's replay
// and the state before the step come from the worker.
TEST_F(RecoveryJob, AJobsResultIsPublishedWithoutReexecutingOnTheGuiThread) {
    const QString path = writeManyReads(dir, 4096, 4, 10);
    ASSERT_EQ(w->openFile(path, true), QString());
    ASSERT_EQ(c->setCompare(true, "baseline-2020"), QString());
    const uint64_t before = c->guiReexecutions();
    c->setInlineBudget(0);
    ASSERT_TRUE(c->startRunTo(30000));  // hand-made steps: the compare run must be replayed
    ASSERT_TRUE(c->busy());
    ASSERT_TRUE(waitJob(*c));
    EXPECT_EQ(c->debugger().length(), 30000u);
    EXPECT_EQ(c->guiReexecutions(), before) << "the worker replayed the compare run and made the state before";
    EXPECT_TRUE(c->comparing());
    EXPECT_EQ(c->compareSnapshot().length, 30000u) << "the compare run has the new steps";
    EXPECT_EQ(c->compareSnapshot().position, 30000u);
    ASSERT_TRUE(c->snapshot().before);
    EXPECT_EQ(c->snapshot().before->hash(), c->debugger().timeline().hashAfter(29999));
    // A load in compare mode: the new session's compare run is made in the worker too.
    ASSERT_EQ(w->openFile(writeManyReads(dir, 4096, 2), true), QString());
    EXPECT_EQ(c->guiReexecutions(), before);
    EXPECT_TRUE(c->comparing());
    EXPECT_EQ(c->compareVariant(), QStringLiteral("baseline-2020"));
    EXPECT_GT(c->compareSnapshot().length, 0u) << "the new session's compare run";
    // The same done on the GUI thread (a seek far back) counts.
    c->runTo(5000);
    EXPECT_GT(c->guiReexecutions(), before) << "the counter sees a re-execution here";
}

}  // namespace
}  // namespace faultline::guitest
