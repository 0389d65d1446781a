// SPDX-License-Identifier: GPL-3.0-or-later
// Timeline: drag selects a step range to zoom into, a click still goes to a
// step, the zoom survives a step, the lanes' colours are named, and A's
// protected ptes have their own axis where one lost bit is a visible step.
#include <QLabel>
#include <QTest>

#include "common/qcp.h"
#include "gui_fixture.h"
#include "timeline/step_ticker.h"
#include "timeline/timeline_view.h"

namespace faultline::guitest {
namespace {

using TimelineZoom = Window;

TEST_F(TimelineZoom, DragZoomsClickGoesAndTheZoomStays) {
    variant("baseline-2020");
    views::TimelineView* tv = w->timelineView();
    QCustomPlot* plot = tv->plot();
    plot->replot();
    QCPAxis* x = plot->axisRect(0)->axis(QCPAxis::atBottom);
    const int y = plot->axisRect(0)->rect().center().y();
    const int a = int(x->coordToPixel(10)), b = int(x->coordToPixel(30));
    QTest::mousePress(plot, Qt::LeftButton, {}, QPoint(a, y));
    QTest::mouseMove(plot, QPoint((a + b) / 2, y));
    QTest::mouseRelease(plot, Qt::LeftButton, {}, QPoint(b, y));
    EXPECT_EQ(pos(), 0u) << "a drag zooms, it does not go to a step";
    auto [lo, hi] = tv->stepRange();
    EXPECT_NEAR(lo, 10, 1.5);
    EXPECT_NEAR(hi, 30, 1.5);
    // A click goes to the step under it.
    plot->replot();
    const int c20 = int(x->coordToPixel(20));
    QTest::mouseClick(plot, Qt::LeftButton, {}, QPoint(c20, y));
    EXPECT_EQ(pos(), 20u);
    // The zoom stays over steps and hand-made steps.
    c->chooseTask(1);
    trigger("actStep");
    std::tie(lo, hi) = tv->stepRange();
    EXPECT_NEAR(lo, 10, 1.5);
    tv->showWholeRun();
    std::tie(lo, hi) = tv->stepRange();
    EXPECT_LE(lo, 0.0);
    EXPECT_GE(hi, double(c->debugger().length()));
}

TEST_F(TimelineZoom, FunctionColoursAreNamedAndOneBitIsVisible) {
    variant("baseline-2020");
    views::TimelineView* tv = w->timelineView();
    EXPECT_TRUE(tv->functionLegend()->text().contains("shmem_fallocate")) << tv->functionLegend()->text().toStdString();
    EXPECT_TRUE(tv->functionLegend()->text().contains("filemap_map_pages"));
    // A's protected ptes go 32 → 31 at step 3: their own axis spans a few pages, not 0..64.
    QCPAxis* wp = tv->plot()->axisRect(1)->axis(QCPAxis::atRight);
    ASSERT_TRUE(wp->visible());
    EXPECT_LE(wp->range().size(), 3.0);
    EXPECT_GE(wp->range().upper, 32.0);
    // Each lane has a text line of room.
    EXPECT_GE(tv->plot()->axisRect(0)->minimumSize().height(), 5 * QFontMetrics(tv->font()).height() * 9 / 10);
}

// The step axis of a huge run: short labels (100k, 1M) at a 1-2-5 spacing of
// whole steps, never "1e+06" or seven digits side by side; small runs keep
// plain whole numbers.
TEST_F(TimelineZoom, StepTicksStayReadableOverAMillionSteps) {
    EXPECT_EQ(views::StepTicker::label(950), "950");
    EXPECT_EQ(views::StepTicker::label(12500), "12.5k");
    EXPECT_EQ(views::StepTicker::label(100000), "100k");
    EXPECT_EQ(views::StepTicker::label(1000000), "1M");
    EXPECT_EQ(views::StepTicker::label(1250000), "1.25M");
    variant("baseline-2020");
    views::TimelineView* tv = w->timelineView();
    QCPAxis* x = tv->plot()->axisRect(0)->axis(QCPAxis::atBottom);
    auto ticker = x->ticker();
    ASSERT_TRUE(ticker.dynamicCast<views::StepTicker>()) << "the step axes use the step ticker";
    EXPECT_TRUE(tv->plot()->axisRect(1)->axis(QCPAxis::atBottom)->ticker().dynamicCast<views::StepTicker>());
    auto ticks = [&](double lo, double hi) {
        QVector<double> t;
        QVector<QString> labels;
        ticker->generate(QCPRange(lo, hi), QLocale(), 'g', 6, t, nullptr, &labels);
        return std::make_pair(t, labels);
    };
    const auto [big, bigLabels] = ticks(0, 1.14e6);
    ASSERT_GE(big.size(), 3);
    for (const QString& l : bigLabels) {
        EXPECT_LE(l.size(), 5) << l.toStdString();
        EXPECT_FALSE(l.contains('e')) << l.toStdString();
    }
    EXPECT_TRUE(bigLabels.contains("1M") || bigLabels.contains("800k")) << bigLabels.join(' ').toStdString();
    const auto [small, smallLabels] = ticks(0, 7);
    for (double t : small) EXPECT_EQ(t, std::round(t)) << "whole steps only";
    EXPECT_TRUE(smallLabels.contains("5")) << smallLabels.join(' ').toStdString();
}

}  // namespace
}  // namespace faultline::guitest
