// SPDX-License-Identifier: GPL-3.0-or-later
// What a user of the window expects of the debugger: breakpoints on every step
// a finding names, the keys as in gdb / Qt Creator, the breakpoint list.
#include <QApplication>
#include <QCheckBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QTableView>

#include "breakpoints/breakpoints_view.h"
#include "code/code_model.h"
#include "code/code_view.h"
#include "common/text_line.h"
#include "gui_fixture.h"

namespace faultline::guitest {
namespace {

using DebuggerUx = Window;

views::BreakpointsView* bpView(gui::MainWindow* w) { return w->findChild<views::BreakpointsView*>(); }

void addBreakpointByHand(gui::MainWindow* w, const QString& spec) {
    views::BreakpointsView* v = bpView(w);
    v->input()->setText(spec);
    for (QPushButton* b : v->findChildren<QPushButton*>())
        if (b->text().contains("breakpoint")) b->click();
}

TEST_F(DebuggerUx, TheStepAFindingNamesIsABreakpointAndTheCodeDockShowsTheZap) {
    variant("baseline-2020");
    c->setStopOnFindings(false);
    addBreakpointByHand(w.get(), "ZP.3");  // C2: "dropped by ZP.3 in zap_pte_range"
    EXPECT_EQ(bpView(w.get())->input()->text(), QString()) << "the field clears after Add";
    ASSERT_EQ(c->debugger().breakpoints().size(), 1u) << w->findChild<QLabel*>()->text().toStdString();
    trigger("actContinue");
    EXPECT_EQ(cell(state(), "A.pte[8]"), "none");
    EXPECT_TRUE(c->lastStopText().contains("breakpoint ZP.3")) << c->lastStopText().toStdString();
    // Code: ▶ the row the task runs next, ✓ the row this step ran: the zap of A's pte.
    views::CodeView* code = w->codeView();
    ASSERT_EQ(code->model()->function(), Fn::unmap_mapping_range);
    EXPECT_TRUE(code->ranLabel()->text().contains("ZP.3 A[8]")) << code->ranLabel()->text().toStdString();
    EXPECT_TRUE(code->ranLabel()->isVisibleTo(code));
    const int pc = code->model()->currentPc();
    EXPECT_TRUE(code->model()->index(pc, 0).data().toString().contains(QStringLiteral("▶")));
    // The list says it was hit once and has a checkbox that disables it.
    QListWidget* list = bpView(w.get())->list();
    ASSERT_EQ(list->count(), 1);
    EXPECT_TRUE(list->item(0)->text().contains("hit 1")) << list->item(0)->text().toStdString();
    EXPECT_EQ(list->item(0)->checkState(), Qt::Checked);
    list->item(0)->setCheckState(Qt::Unchecked);
    EXPECT_FALSE(c->debugger().breakpoints().front().enabled);
    c->restart();
    trigger("actContinue");
    EXPECT_GT(pos(), 3u) << "a disabled breakpoint does not stop";
}

TEST_F(DebuggerUx, F10AtUserLevelStepsOverTheWholeOperation) {
    variant("baseline-2020");
    c->setStopOnFindings(false);
    const uint64_t planned = c->debugger().length();
    c->runTo(3);       // P's pre-unmap took A's pte: A1's read faults
    c->chooseTask(1);  // A1, between operations
    ASSERT_TRUE(state().tasks[1].stack.empty());
    trigger("actStepOver");
    EXPECT_TRUE(state().tasks[1].stack.empty()) << c->lastStopText().toStdString();
    EXPECT_GT(pos(), 5u);
    // It left the plan: the status bar says what was dropped, and Undo brings it back.
    EXPECT_TRUE(c->lastStopText().contains("planned future")) << c->lastStopText().toStdString();
    EXPECT_TRUE(w->action("actUndoBranch")->isEnabled());
    trigger("actUndoBranch");
    EXPECT_EQ(pos(), 3u);
    EXPECT_EQ(c->debugger().length(), planned);
    EXPECT_FALSE(c->debugger().manual());
    EXPECT_TRUE(c->lastStopText().contains("planned run")) << c->lastStopText().toStdString();
}

TEST_F(DebuggerUx, BreakpointsSurviveReloadAndRestart) {
    ASSERT_EQ(c->addBreakpoint("zap_pte_range"), QString());
    c->restart();
    ASSERT_EQ(w->openFile(seedRacePath(), true), QString());
    ASSERT_EQ(c->debugger().breakpoints().size(), 1u);
    EXPECT_EQ(c->debugger().breakpoints().front().inner, "zap_pte_range");
}

// The Code table's rows wrap to the Code column, which stretches to the
// viewport: a vertical scroll bar that came and went with the rows' heights
// changed that width, which changed the heights again, for ever, at some dock
// sizes (an idle window re-laid its table out on every turn of the event
// loop). At every size the table settles.
TEST_F(DebuggerUx, TheCodeTableSettlesAtEveryDockSize) {
    variant("baseline-2020");
    c->runTo(3);  // P in unmap_mapping_range: long wrapped code rows
    views::CodeView code;
    code.setSnapshot(c->snapshot());
    ASSERT_NE(code.model()->function(), Fn::kCount);
    code.show();
    int resized = 0;
    QObject::connect(code.table()->horizontalHeader(), &QHeaderView::sectionResized, [&] { ++resized; });
    int unsettled = 0;
    for (int wd = 260; wd <= 560; wd += 12)
        for (int h = 140; h <= 420; h += 7) {
            code.resize(wd, h);
            for (int k = 0; k < 3; ++k) QApplication::processEvents();
            resized = 0;
            for (int k = 0; k < 4; ++k) QApplication::processEvents();
            if (resized > 0 && ++unsettled <= 3) ADD_FAILURE() << "still re-laid out at " << wd << "x" << h;
        }
    EXPECT_EQ(unsettled, 0);
}

}  // namespace
}  // namespace faultline::guitest
