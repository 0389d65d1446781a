// SPDX-License-Identifier: GPL-3.0-or-later
// Every item model under QAbstractItemModelTester while the debugger steps,
// reverses, switches variants and loads sessions of different shapes.
#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTableView>

#include "code/code_model.h"
#include "engine/engine.h"
#include "gui_fixture.h"
#include "memorymap/memory_map_model.h"
#include "session/initial_state.h"
#include "session/session_io.h"
#include "memorymap/memory_map_view.h"
#include "tasks/tasks_model.h"
#include "tasks/tasks_view.h"
#include "trace/trace_model.h"
#include "trace/trace_view.h"
#include "code/code_view.h"
#include "vmas/vmas_model.h"

namespace faultline::guitest {
namespace {

// Collects the tester's complaints (Warning mode reports through qWarning).
struct TesterLog {
    static QStringList& lines() {
        static QStringList l;
        return l;
    }
    static void handler(QtMsgType t, const QMessageLogContext&, const QString& msg) {
        if (t != QtDebugMsg && t != QtInfoMsg && msg.contains("FAIL")) lines() << msg;
    }
};

using Models = Window;

TEST_F(Models, EveryModelPassesTheTesterWhileDebugging) {
    TesterLog::lines().clear();
    const auto old = qInstallMessageHandler(&TesterLog::handler);
    std::vector<std::unique_ptr<QAbstractItemModelTester>> testers;
    std::vector<QAbstractItemModel*> models = {w->memoryMap()->model(),
                                               w->compareMap()->model(),
                                               w->tasksView()->model(),
                                               w->tasksView()->localsModel(),
                                               w->codeView()->model(),
                                               w->traceView()->model(),
                                               static_cast<QTableView*>(w->vmasView())->model(),
                                               static_cast<QTableView*>(w->uffdView())->model()};
    for (QAbstractItemModel* m : models)
        testers.push_back(
            std::make_unique<QAbstractItemModelTester>(m, QAbstractItemModelTester::FailureReportingMode::Warning));
    variant("baseline-2020");
    for (int i = 0; i < 12; ++i) trigger("actStep");
    trigger("actStepOver");
    trigger("actStepOut");
    trigger("actContinue");
    trigger("actRevStep");
    trigger("actRevContinue");
    c->selectFrame(1, 0);
    c->chooseTask(2);
    trigger("actStep");  // a branch: the trace shrinks
    variant("upstream");
    ASSERT_EQ(c->setCompare(true, "baseline-2020"), QString());
    trigger("actContinue");
    c->runTo(0);
    // A session of another shape (different pages and tasks).
    ASSERT_EQ(w->openFile(QStringLiteral(FAULTLINE_SAMPLE_DIR "/s7-anon-contrast.json"), true), QString());
    trigger("actContinue");
    qInstallMessageHandler(old);
    EXPECT_TRUE(TesterLog::lines().isEmpty()) << TesterLog::lines().join('\n').toStdString();
    // The models really hold data (a tester on empty models proves nothing).
    EXPECT_GT(w->memoryMap()->model()->rowCount(), 0);
    EXPECT_GT(w->traceView()->model()->rowCount(), 0);
    EXPECT_GT(w->tasksView()->model()->rowCount(), 0);
}

// Every task state has words in the Tasks dock: a fork child's task before
// the fork (S17) read "?".
TEST(TaskStateText, NamesATaskNotForkedYet) {
    LoadResult lr = loadSession(FAULTLINE_SAMPLE_DIR "/s17-fork-event-fork.json");
    ASSERT_TRUE(lr.session) << lr.error.text();
    const SessionStart st = startSession(*lr.session, "", {});
    ASSERT_TRUE(st.error.empty()) << st.error;
    int unforked = 0;
    for (size_t t = 0; t < st.state.tasks.size(); ++t) {
        const QString text = views::taskStateText(st.state, int(t));
        EXPECT_NE(text, "?") << t;
        if (st.state.tasks[t].state == TaskState::Unforked) {
            ++unforked;
            EXPECT_TRUE(text.contains("not forked yet")) << text.toStdString();
        }
    }
    EXPECT_GT(unforked, 0);
}

TEST_F(Models, MemoryMapDecodesPtesAndMarksChangedCells) {
    variant("baseline-2020");
    views::MemoryMapModel* m = w->memoryMap()->model();
    ASSERT_EQ(m->rowCount(), 32);
    ASSERT_EQ(m->columnCount(), 5);
    EXPECT_EQ(m->headerData(0, Qt::Horizontal).toString(), "A pte");
    EXPECT_EQ(m->headerData(3, Qt::Horizontal).toString(), "B pte");
    // Initial: A's ptes present, read-only, uffd-wp.
    EXPECT_TRUE(m->index(8, 0).data(views::MemoryMapModel::WpRole).toBool());
    EXPECT_EQ(m->index(8, 0).data(views::MemoryMapModel::KindRole).toInt(), views::MemoryMapModel::PteReadOnly);
    EXPECT_TRUE(m->index(8, 0).data().toString().contains("WP"));
    c->runTo(3);  // the pre-unmap cleared A's pte of page 8
    EXPECT_EQ(m->index(8, 0).data(views::MemoryMapModel::KindRole).toInt(), views::MemoryMapModel::PteNone);
    EXPECT_FALSE(m->index(8, 0).data(views::MemoryMapModel::WpRole).toBool());
    EXPECT_TRUE(m->index(8, 0).data(views::MemoryMapModel::ChangedRole).toBool());
    EXPECT_FALSE(m->index(9, 0).data(views::MemoryMapModel::ChangedRole).toBool());
    const QString tip = m->index(8, 0).data(Qt::ToolTipRole).toString();
    EXPECT_TRUE(tip.contains("step 3")) << tip.toStdString();
    EXPECT_TRUE(tip.contains("uffd-wp LOST")) << tip.toStdString();
    c->runTo(33);  // fault-around re-mapped it writable
    EXPECT_EQ(m->index(8, 0).data(views::MemoryMapModel::KindRole).toInt(), views::MemoryMapModel::PteWritable);
    EXPECT_TRUE(m->index(8, 0).data(views::MemoryMapModel::ChangedRole).toBool());
    EXPECT_TRUE(m->index(8, 0).data(Qt::ToolTipRole).toString().contains("MP.7"));
    variant("upstream");
    c->runTo(3);
    EXPECT_EQ(m->index(8, 0).data(views::MemoryMapModel::KindRole).toInt(), views::MemoryMapModel::PteMarker);
    EXPECT_TRUE(m->index(8, 0).data(views::MemoryMapModel::WpRole).toBool());
    // A watched cell is marked, and only that cell.
    EXPECT_FALSE(m->index(8, 0).data(views::MemoryMapModel::WatchedRole).toBool());
    ASSERT_EQ(c->addWatchpoint("A.pte[8].uffd_wp"), QString());
    EXPECT_TRUE(m->index(8, 0).data(views::MemoryMapModel::WatchedRole).toBool());
    EXPECT_FALSE(m->index(9, 0).data(views::MemoryMapModel::WatchedRole).toBool());
    EXPECT_FALSE(m->index(8, 1).data(views::MemoryMapModel::WatchedRole).toBool());
    EXPECT_FALSE(m->index(8, 3).data(views::MemoryMapModel::WatchedRole).toBool());  // B's pte
}

// An access that ends in a signal is marked in the memory map at that step:
// the task's pte cell of the page, with the signal's name, and a tooltip.
TEST_F(Models, MemoryMapMarksTheCellWhoseAccessTookASignal) {
    ASSERT_EQ(w->openFile(QStringLiteral(FAULTLINE_SAMPLE_DIR "/../tests/data/kernel/new-ops.json"), true), QString());
    variant("upstream");
    views::MemoryMapModel* m = w->memoryMap()->model();
    uint64_t at = 0;
    for (uint64_t n = 1; n < 400 && !at; ++n) {
        c->runTo(n);
        if (pos() != n) break;
        if (!m->index(4, 0).data(views::MemoryMapModel::SignalRole).toString().isEmpty()) at = n;
    }
    ASSERT_NE(at, 0u) << "no step marks A[4] (the write to the PROT_READ page)";
    EXPECT_EQ(m->index(4, 0).data(views::MemoryMapModel::SignalRole).toString(), "SIGSEGV");
    EXPECT_TRUE(m->index(5, 0).data(views::MemoryMapModel::SignalRole).toString().isEmpty());
    EXPECT_TRUE(m->index(4, 1).data(views::MemoryMapModel::SignalRole).toString().isEmpty());
    const QString tip = m->index(4, 0).data(Qt::ToolTipRole).toString();
    EXPECT_TRUE(tip.contains("ended in SIGSEGV")) << tip.toStdString();
    EXPECT_TRUE(tip.contains("A.pte[4]")) << tip.toStdString();  // the cell's own tooltip follows
    shot(w.get(), "signal-in-memory-map");
    c->runTo(at + 1);
    EXPECT_TRUE(m->index(4, 0).data(views::MemoryMapModel::SignalRole).toString().isEmpty());
    c->runTo(at - 1);
    EXPECT_TRUE(m->index(4, 0).data(views::MemoryMapModel::SignalRole).toString().isEmpty());
}

// A step tells views only about the rows it changed among those they show;
// rows nobody showed get no signal but answer fresh data when first asked.
TEST_F(Models, AStepSignalsOnlyTheVisibleRowsItChanged) {
    variant("baseline-2020");
    views::MemoryMapModel* m = w->memoryMap()->model();
    c->runTo(2);
    QApplication::processEvents();
    w->memoryMap()->repaint();  // the view asks for its visible rows
    QSet<int> signalled;
    int signals_ = 0;
    const auto conn =
        QObject::connect(m, &QAbstractItemModel::dataChanged, [&](const QModelIndex& a, const QModelIndex& b) {
            ++signals_;
            EXPECT_EQ(a.column(), 0);
            EXPECT_EQ(b.column(), m->columnCount() - 1);
            for (int r = a.row(); r <= b.row(); ++r) signalled.insert(r);
        });
    c->stepInto();  // step 3: the pre-unmap clears A's pte of page 8 (and unlocks nothing else)
    EXPECT_EQ(signalled, QSet<int>{8});
    EXPECT_EQ(signals_, 1);
    signalled.clear();
    c->stepInto();  // step 4 changes no memory-map cell; row 8 loses its "changed" outline
    EXPECT_EQ(signalled, QSet<int>{8});
    // Far rows were never shown: no signal, yet their data is current.
    c->runTo(3);
    EXPECT_FALSE(signalled.contains(31));
    EXPECT_EQ(m->index(31, 0).data(views::MemoryMapModel::KindRole).toInt(), views::MemoryMapModel::PteReadOnly);
    QObject::disconnect(conn);
}

// A hand-made step at the end of the recording appends a trace row
// (rowsInserted); a branch in the middle rebuilds the trace (modelReset).
TEST_F(Models, TraceAppendsHandMadeStepsAndResetsOnABranch) {
    variant("baseline-2020");
    QAbstractItemModel* m = w->traceView()->findChild<QTableView*>("traceTable")->model();
    ASSERT_NE(m, nullptr);
    c->runTo(6);
    const auto plan = c->debugger().nextTask();
    ASSERT_TRUE(plan.has_value());
    int other = -1;  // a runnable task the plan does not take next
    for (int t = 0; t < int(state().tasks.size()) && other < 0; ++t)
        if (t != int(*plan) && isRunnable(state(), uint8_t(t))) other = t;
    ASSERT_GE(other, 0);
    TesterLog::lines().clear();
    const auto old = qInstallMessageHandler(&TesterLog::handler);
    QAbstractItemModelTester tester(m, QAbstractItemModelTester::FailureReportingMode::Warning);
    QSignalSpy resets(m, &QAbstractItemModel::modelReset), inserts(m, &QAbstractItemModel::rowsInserted);
    c->chooseTask(other);
    ASSERT_EQ(c->stepInto().reason, debug::StopReason::Step);
    EXPECT_EQ(c->debugger().length(), 7u);  // the branch cut the recording
    EXPECT_EQ(resets.size(), 1);
    EXPECT_EQ(m->rowCount(), 7);
    resets.clear();
    int next = -1;  // any task that can move appends at the end
    for (int t = 0; t < int(state().tasks.size()) && next < 0; ++t)
        if (isRunnable(state(), uint8_t(t))) next = t;
    ASSERT_GE(next, 0);
    c->chooseTask(next);
    ASSERT_EQ(c->stepInto().reason, debug::StopReason::Step);
    EXPECT_EQ(resets.size(), 0);
    ASSERT_EQ(inserts.size(), 1);
    EXPECT_EQ(inserts[0][1].toInt(), 7);  // first new row
    EXPECT_EQ(inserts[0][2].toInt(), 7);  // last new row
    EXPECT_EQ(m->rowCount(), 8);
    EXPECT_EQ(m->index(7, 0).data(views::TraceModel::StepRole).toULongLong(), 8u);
    qInstallMessageHandler(old);
    EXPECT_TRUE(TesterLog::lines().isEmpty()) << TesterLog::lines().join("\n").toStdString();
}

TEST_F(Models, CodeShowsTheSelectedFramesStepTableWithTheCurrentLine) {
    variant("baseline-2020");
    c->runTo(33);
    c->selectTask(1);  // A1, inside filemap_map_pages
    views::CodeModel* m = w->codeView()->model();
    EXPECT_EQ(m->function(), Fn::filemap_map_pages);
    ASSERT_GE(m->currentPc(), 0);
    EXPECT_TRUE(m->index(m->currentPc(), 0).data(views::CodeModel::CurrentRole).toBool());
    EXPECT_EQ(m->rowCount(), int(fnInfo(Fn::filemap_map_pages).lines.size()));
    EXPECT_TRUE(m->rulesText().contains("SHMEM_MAP_PAGES = on")) << m->rulesText().toStdString();
    // The caller frame: do_fault_around.
    const auto& stack = state().tasks[1].stack;
    ASSERT_GE(stack.size(), 2u);
    c->selectFrame(1, int(stack.size()) - 2);
    EXPECT_EQ(m->function(), stack[stack.size() - 2].fn);
    EXPECT_EQ(w->tasksView()->localsModel()->rowCount(), int(fnInfo(stack[stack.size() - 2].fn).locals.size()));
}

TEST_F(Models, TraceMarksFindingsAndTheFuture) {
    variant("baseline-2020");
    views::TraceModel* m = w->traceView()->model();
    ASSERT_EQ(uint64_t(m->rowCount()), c->debugger().length());
    int findings = 0;
    for (int r = 0; r < m->rowCount(); ++r) findings += m->index(r, 0).data(views::TraceModel::FindingRole).toBool();
    EXPECT_EQ(findings, 2);  // C2 at the pre-unmap, C1 at A1's write
    c->runTo(10);
    EXPECT_TRUE(m->index(20, 0).data(Qt::ForegroundRole).isValid());  // dimmed future
    // Clicking a row jumps there.
    Q_EMIT w->traceView()->stepClicked(5);
    EXPECT_EQ(pos(), 5u);
}

}  // namespace
}  // namespace faultline::guitest
