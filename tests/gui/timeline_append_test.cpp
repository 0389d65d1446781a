// SPDX-License-Identifier: GPL-3.0-or-later
// The timeline of a growing run: steps appended one batch at a time draw
// exactly what drawing the whole run at once draws (lane marks, markers,
// curves, bins), and a long run's binned curves keep every count's lowest and
// highest value (a one-step loss of a uffd-wp bit stays visible).
#include <gtest/gtest.h>

#include <QApplication>
#include <QImage>
#include <QLabel>
#include <map>

#include "common/qcp.h"
#include "common/snapshot.h"
#include "engine/engine.h"
#include "session/initial_state.h"
#include "timeline/timeline_view.h"

namespace faultline::guitest {
namespace {

Op op(OpKind k, uint64_t page = 0, uint64_t count = 1, uint32_t mode = 0, const char* tag = "") {
    Op o;
    o.kind = k, o.page = page, o.count = count, o.mode = mode, o.tag = Tag(tag);
    return o;
}

// A1 reads and MADV_DONTNEEDs 16 write-protected pages; the monitor never
// runs, so the run is as long as A1's program.
State longRunStart(int ops, const char* variant = "upstream") {
    Session s;
    s.filePages = 32;
    s.mms = {{"A", {{"file", 0x40000, 0, 32, true, true, true}}}, {"B", {{"file", 0x80000, 0, 32, true, true, true}}}};
    s.config.mmNames = {"A", "B"};
    s.config.vmaNames = {"file"};
    std::vector<Op> prog;
    for (int i = 0; i < ops; ++i)
        prog.push_back(i % 2 ? op(OpKind::MadviseDontneed, (i / 2) % 16) : op(OpKind::Read, (i / 2) % 16));
    s.config.tasks = {{"M", -1, {op(OpKind::Serve)}}, {"A1", 0, prog}, {"P", -1, {}}, {"B1", 1, {}}};
    s.config.uffdTask = 0;
    s.setup.push_back({3, op(OpKind::FileWrite, 0, 32, 0, "b0")});
    Op api = op(OpKind::UffdApi);
    api.mm = 0;
    api.features = UFFD_FEATURE_MISSING_SHMEM;
    s.setup.push_back({0, api});
    Op reg = op(OpKind::UffdRegister, 0, 32, UFFDIO_REGISTER_MODE_MISSING | UFFDIO_REGISTER_MODE_WP);
    reg.mm = 0;
    s.setup.push_back({0, reg});
    for (uint64_t i = 0; i < 16; ++i) s.setup.push_back({1, op(OpKind::Read, i)});
    Op wp = op(OpKind::UffdWriteprotect, 0, 32, UFFDIO_WRITEPROTECT_MODE_WP);
    wp.mm = 0;
    s.setup.push_back({0, wp});
    ToggleResult tr = resolveToggles(variant, {});
    InitialState init = buildInitialState(s, tr.toggles);
    EXPECT_EQ(init.error, "");
    return init.state;
}

views::Snapshot snapshotOf(const Timeline& tl, uint64_t sameBefore) {
    views::Snapshot s;
    s.state = tl.current();
    s.position = tl.position();
    s.length = tl.length();
    s.log = std::make_shared<const views::RecordLog>(tl);
    s.logSameBefore = sameBefore;
    return s;
}

// Every graph's points, by name (a lane graph is named by its function).
std::map<std::string, std::vector<std::pair<double, double>>> drawn(const views::TimelineView& v) {
    std::map<std::string, std::vector<std::pair<double, double>>> out;
    QCustomPlot* p = v.plot();
    for (int i = 0; i < p->graphCount(); ++i) {
        QCPGraph* g = p->graph(i);
        auto& pts = out[g->name().toStdString() + (g->valueAxis() == p->axisRect(1)->axis(QCPAxis::atRight) ? "/wp" : "")];
        for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it) pts.emplace_back(it->key, it->value);
    }
    return out;
}

void expectSameDrawing(const views::TimelineView& a, const views::TimelineView& b, uint64_t n) {
    EXPECT_EQ(a.plottedSteps(), b.plottedSteps()) << "at " << n;
    const auto da = drawn(a), db = drawn(b);
    ASSERT_EQ(da.size(), db.size()) << "at " << n;
    for (const auto& [name, pts] : da) {
        ASSERT_TRUE(db.count(name)) << name << " at " << n;
        EXPECT_EQ(pts, db.at(name)) << name << " at " << n;
    }
    EXPECT_EQ(a.functionLegend()->text(), b.functionLegend()->text()) << "at " << n;
    const QCPAxis* ya = a.plot()->axisRect(1)->axis(QCPAxis::atLeft);
    const QCPAxis* yb = b.plot()->axisRect(1)->axis(QCPAxis::atLeft);
    EXPECT_EQ(ya->range().lower, yb->range().lower) << "at " << n;
    EXPECT_EQ(ya->range().upper, yb->range().upper) << "at " << n;
}

TEST(TimelineAppend, AppendedStepsDrawWhatAWholeRebuildDraws) {
    Timeline tl(longRunStart(4000), false);
    views::TimelineView grown;
    grown.resize(900, 300);
    uint64_t shown = 0;
    int checks = 0;
    // Batches of 1 to 61 steps, past kMaxLaneBins (where the bins double and the plot is drawn again).
    for (uint64_t batch = 1; tl.length() < 2 * views::TimelineView::kMaxLaneBins + 700; batch = batch % 61 + 7) {
        for (uint64_t i = 0; i < batch && isRunnable(tl.current(), 1); ++i) tl.stepTask(1);
        grown.setSnapshot(snapshotOf(tl, shown));
        shown = tl.length();
        if (++checks % 25 == 0 || tl.length() > 2 * views::TimelineView::kMaxLaneBins + 600) {
            views::TimelineView whole;
            whole.resize(900, 300);
            whole.setSnapshot(snapshotOf(tl, 0));
            expectSameDrawing(grown, whole, tl.length());
        }
    }
    EXPECT_GT(views::TimelineView::binFor(tl.length()), 1u);
    EXPECT_LE(grown.plottedSteps(), int(4 * views::TimelineView::kMaxLaneBins));
}

TEST(TimelineAppend, BinnedCurvesKeepEveryCountsExtremes) {
    Timeline tl(longRunStart(12000, "baseline-2020"), false);
    while (tl.length() < 3 * views::TimelineView::kMaxLaneBins && isRunnable(tl.current(), 1)) tl.stepTask(1);
    views::TimelineView v;
    v.setSnapshot(snapshotOf(tl, 0));
    ASSERT_GT(views::TimelineView::binFor(tl.length()), 1u);
    int lo = 1 << 30, hi = -1;
    for (uint64_t n = 0; n <= tl.length(); ++n) {
        lo = std::min(lo, tl.countsAt(n).protectedA);
        hi = std::max(hi, tl.countsAt(n).protectedA);
    }
    ASSERT_LT(lo, hi);  // MADV_DONTNEED drops a protection now and then
    QCPGraph* wp = v.curve(3);
    ASSERT_NE(wp, nullptr);
    double dlo = 1e9, dhi = -1e9;
    for (auto it = wp->data()->constBegin(); it != wp->data()->constEnd(); ++it)
        dlo = std::min(dlo, it->value), dhi = std::max(dhi, it->value);
    EXPECT_EQ(dlo, lo);
    EXPECT_EQ(dhi, hi);
    // Far fewer points than steps.
    EXPECT_LT(wp->dataCount(), int(tl.length() / 2));
}

// A step of a long run that lands in bins already drawn changes only the
// cursor: the plot is not drawn again (at a million steps a replot of
// thousands of marks was most of a hand-made step); one that starts a new
// bin is, and either way the drawing is what a whole rebuild draws.
TEST(TimelineAppend, AStepInsideDrawnBinsRedrawsOnlyTheCursor) {
    Timeline tl(longRunStart(40000), false);
    while (tl.length() < 10 * views::TimelineView::kMaxLaneBins && isRunnable(tl.current(), 1)) tl.stepTask(1);
    views::TimelineView v;
    v.resize(900, 300);
    v.show();
    v.setSnapshot(snapshotOf(tl, 0));
    QApplication::processEvents();
    const uint64_t bin = views::TimelineView::binFor(tl.length());
    ASSERT_GT(bin, 1u);
    int replots = 0;
    QObject::connect(v.plot(), &QCustomPlot::afterReplot, [&] { ++replots; });
    int marks = v.markRedraws(), asked = v.replots();
    int inside = 0, opening = 0, quiet = 0;
    for (int k = 0; k < int(3 * bin) && isRunnable(tl.current(), 1); ++k) {
        const uint64_t shown = tl.length();
        const bool opensBin = shown % bin == 0;  // step shown+1 is the first of its bin
        tl.stepTask(1);
        replots = 0;
        v.setSnapshot(snapshotOf(tl, shown));
        QApplication::processEvents();
        // Drawn again: the marks' layer alone, or the whole plot when an axis moved.
        const int drawn = v.markRedraws() - marks + v.replots() - asked;
        EXPECT_EQ(replots, v.replots() - asked) << "a whole replot is one asked for, at step " << tl.length();
        marks = v.markRedraws(), asked = v.replots();
        if (opensBin) {
            ++opening;
            EXPECT_EQ(drawn, 1) << "a new bin gets its mark: drawn again at step " << tl.length();
        } else {
            ++inside;
            quiet += drawn == 0;
        }
        EXPECT_GE(v.stepRange().second, double(tl.length())) << "the whole run stays in view";
    }
    ASSERT_GT(opening, 1);
    // Inside a bin only a changed extreme of a curve (a lost or regained
    // page) draws again: most steps change nothing.
    EXPECT_GT(quiet, inside * 3 / 4) << quiet << " of " << inside << " steps inside a bin of " << bin;
    views::TimelineView whole;
    whole.resize(900, 300);
    whole.setSnapshot(snapshotOf(tl, 0));
    expectSameDrawing(v, whole, tl.length());
    EXPECT_EQ(v.stepRange(), whole.stepRange());
}

// A short run's step adds a mark at its end: the axes stay where they were
// (their end moves in jumps), only the marks' layer is drawn again, and the
// plot looks exactly as the same run drawn whole.
TEST(TimelineAppend, AShortRunsStepRedrawsOnlyTheMarksAndLooksAsAWholeDrawing) {
    Timeline tl(longRunStart(400), false);
    while (tl.length() < 200 && isRunnable(tl.current(), 1)) tl.stepTask(1);
    views::TimelineView v;
    v.resize(900, 300);
    v.show();
    v.setSnapshot(snapshotOf(tl, 0));
    QApplication::processEvents();
    ASSERT_EQ(views::TimelineView::binFor(tl.length()), 1u);
    const int replots = v.replots(), marks = v.markRedraws();
    int steps = 0;
    for (; steps < 120 && isRunnable(tl.current(), 1); ++steps) {
        const uint64_t shown = tl.length();
        tl.stepTask(1);
        v.setSnapshot(snapshotOf(tl, shown));
        QApplication::processEvents();
        EXPECT_GE(v.stepRange().second, double(tl.length())) << "the whole run stays in view";
        if (steps % 15 != 0) continue;
        views::TimelineView whole;
        whole.resize(900, 300);
        whole.show();
        whole.setSnapshot(snapshotOf(tl, 0));
        QApplication::processEvents();
        EXPECT_EQ(v.stepRange(), whole.stepRange());
        const QImage a = v.plot()->grab().toImage(), b = whole.plot()->grab().toImage();
        ASSERT_EQ(a.size(), b.size());
        EXPECT_TRUE(a == b) << "the plot after step " << tl.length() << " differs from the whole run's drawing";
    }
    ASSERT_EQ(steps, 120);
    // A curve keeps the first and last point of a run of equal counts only.
    int points = 0;
    for (int c = 0; c < views::TimelineView::kCurves; ++c) {
        if (!v.curve(c)) continue;
        const auto d = v.curve(c)->data();
        points += d->size();
        for (int i = 2; i < d->size(); ++i)
            EXPECT_FALSE(d->at(i)->value == d->at(i - 1)->value && d->at(i - 1)->value == d->at(i - 2)->value)
                << v.curve(c)->name().toStdString() << " at key " << d->at(i)->key;
    }
    EXPECT_LT(points, 4 * int(tl.length()));
    // The axis end moves once in 8 steps here: most steps draw the marks only.
    EXPECT_LE(v.replots() - replots, steps / 8 + 1);
    EXPECT_GE(v.markRedraws() - marks, steps * 3 / 4);
    EXPECT_EQ(v.replots() - replots + v.markRedraws() - marks, steps) << "every step adds a mark";
}

}  // namespace
}  // namespace faultline::guitest
