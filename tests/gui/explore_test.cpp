// SPDX-License-Identifier: GPL-3.0-or-later
// The Explore dock: a search runs off the GUI thread with live counts and
// Cancel, its results table is a sound model, and opening a result loads the
// counterexample in the debugger at the step that reaches the goal.
#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>

#include "explore/explore_view.h"
#include "gui/explore_job.h"
#include "gui_fixture.h"

namespace faultline::guitest {
namespace {

struct ExploreDock : Window {
    views::ExploreView* view() { return w->exploreView(); }
    void only(const QString& variant) {
        auto* list = view()->findChild<QListWidget*>("exploreVariants");
        ASSERT_NE(list, nullptr);
        for (int i = 0; i < list->count(); ++i)
            list->item(i)->setCheckState(list->item(i)->text() == variant ? Qt::Checked : Qt::Unchecked);
    }
    // Runs the search from the dock's button and waits for it (the event loop turns meanwhile).
    bool runSearch(int timeoutMs = 60000) {
        QSignalSpy done(w->exploreJob(), &gui::ExploreJob::finished);
        view()->startButton()->click();
        if (!w->exploreJob()->running()) return false;
        return done.wait(timeoutMs);
    }
};

TEST_F(ExploreDock, OffersEveryVariantWithTheLoadedOneChecked) {
    auto* list = view()->findChild<QListWidget*>("exploreVariants");
    ASSERT_EQ(list->count(), 7);
    int checked = 0;
    for (int i = 0; i < list->count(); ++i)
        if (list->item(i)->checkState() == Qt::Checked) {
            ++checked;
            EXPECT_EQ(list->item(i)->text().toStdString(), c->debugger().variant());
        }
    EXPECT_EQ(checked, 1);
}

TEST_F(ExploreDock, FindsTheSeedRaceOffTheGuiThreadAndOpensItAtTheSilentWrite) {
    only("baseline-2020");
    QAbstractItemModelTester tester(view()->model(), QAbstractItemModelTester::FailureReportingMode::Fatal);
    ASSERT_TRUE(runSearch());
    EXPECT_TRUE(view()->startButton()->isEnabled());
    const views::ExploreRow* c1 = nullptr;
    for (int r = 0; r < view()->model()->rowCount(); ++r)
        if (view()->model()->row(r)->goal == "C1") c1 = view()->model()->row(r);
    ASSERT_NE(c1, nullptr);
    ASSERT_TRUE(c1->found);
    EXPECT_EQ(c1->variant, "baseline-2020");
    EXPECT_EQ(c1->steps, 55u);  // S1's own race, at S1's granularity
    int row = int(c1 - view()->model()->row(0));
    ASSERT_EQ(w->openExploreResult(row), QString());
    EXPECT_EQ(c->debugger().variant(), "baseline-2020");
    EXPECT_EQ(pos(), 55u);
    EXPECT_EQ(c->debugger().length(), 55u);
    bool silentWrite = false;
    for (const Finding& f : c->debugger().timeline().record(55)->findings) silentWrite |= f.rule == Rule::C1;
    EXPECT_TRUE(silentWrite) << "the counterexample opens at the violating step";
    EXPECT_TRUE(c->sessionPath().isEmpty()) << "a counterexample is a new session: Save must not overwrite the sample";
}

TEST_F(ExploreDock, OpensBesideUpstreamInCompareMode) {
    only("baseline-2020");
    ASSERT_TRUE(runSearch());
    int row = -1;
    for (int r = 0; r < view()->model()->rowCount(); ++r)
        if (view()->model()->row(r)->found) row = r;
    ASSERT_GE(row, 0);
    ASSERT_EQ(w->openExploreResult(row, "upstream"), QString());
    EXPECT_TRUE(c->comparing());
    EXPECT_EQ(c->compareVariant(), "upstream");
}

TEST_F(ExploreDock, UpstreamHasNoSilentWriteInTheSeedRace) {
    only("upstream");
    ASSERT_TRUE(runSearch());
    for (int r = 0; r < view()->model()->rowCount(); ++r) {
        const views::ExploreRow* row = view()->model()->row(r);
        if (row->goal == "C1") {
            EXPECT_FALSE(row->found);
            EXPECT_EQ(row->search, "exhausted within bound");
        }
    }
    EXPECT_NE(w->openExploreResult(0), QString()) << "a row without a counterexample opens nothing";
}

TEST_F(ExploreDock, CancelStopsTheSearchAndKeepsTheWindowResponsive) {
    // Every variant, no preemption bound: far more than a moment's work.
    auto* list = view()->findChild<QListWidget*>("exploreVariants");
    for (int i = 0; i < list->count(); ++i) list->item(i)->setCheckState(Qt::Checked);
    view()->findChild<QSpinBox*>("explorePreemptions")->setValue(-1);
    QSignalSpy done(w->exploreJob(), &gui::ExploreJob::finished);
    view()->startButton()->click();
    ASSERT_TRUE(w->exploreJob()->running());
    EXPECT_FALSE(view()->startButton()->isEnabled());
    // The GUI thread is free: a step in the debugger runs while the search does.
    const uint64_t before = pos();
    trigger("actStep");
    EXPECT_EQ(pos(), before + 1);
    view()->findChild<QPushButton*>("exploreCancel")->click();
    ASSERT_TRUE(done.wait(30000));
    EXPECT_TRUE(done.at(0).at(0).toBool()) << "finished(cancelled)";
    EXPECT_LT(w->exploreJob()->results().size(), 7u) << "the variants after the cancelled one are skipped";
    EXPECT_TRUE(view()->startButton()->isEnabled());
}

TEST_F(ExploreDock, RefusesAnEmptyRequestWithAReason) {
    only("");
    view()->startButton()->click();
    EXPECT_FALSE(w->exploreJob()->running());
    EXPECT_EQ(view()->findChild<QLabel*>("exploreStatus")->text(), "Choose at least one variant.");
}

}  // namespace
}  // namespace faultline::guitest
