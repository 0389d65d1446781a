// SPDX-License-Identifier: GPL-3.0-or-later
// Timeline: drag selects a step range to zoom into, a click still goes to a
// step, the zoom survives a step, the lanes' colours are named, and A's
// protected ptes have their own axis where one lost bit is a visible step.
#include <QLabel>
#include <QTest>

#include "common/qcp.h"
#include "gui_fixture.h"
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

}  // namespace
}  // namespace faultline::guitest
