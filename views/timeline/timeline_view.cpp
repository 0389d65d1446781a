// SPDX-License-Identifier: GPL-3.0-or-later
#include "timeline/timeline_view.h"

#include "timeline/step_ticker.h"

#include "common/qcp.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QRubberBand>
#include <QSlider>
#include <QToolTip>
#include <QVBoxLayout>
#include <algorithm>
#include <limits>
#include <map>

#include "common/theme.h"
#include "paths/registry.h"
#include "common/text_line.h"

namespace faultline::views {

TimelineView::TimelineView(QWidget* parent) : QWidget(parent) {
    auto* lay = new QVBoxLayout(this);
    lay->setContentsMargins(2, 2, 2, 2);
    plot_ = new QCustomPlot(this);
    plot_->setObjectName("timelinePlot");
    plot_->setMinimumHeight(160);
    plot_->setPlottingHint(QCP::phFastPolylines);  // curves of 100,000 steps: no miter joins
    plot_->plotLayout()->clear();
    lanes_ = new QCPAxisRect(plot_);
    counts_ = new QCPAxisRect(plot_);
    plot_->plotLayout()->addElement(0, 0, lanes_);
    plot_->plotLayout()->addElement(1, 0, counts_);
    plot_->plotLayout()->setRowStretchFactor(0, 1.3);
    plot_->plotLayout()->setRowStretchFactor(1, 1.0);
    auto* group = new QCPMarginGroup(plot_);
    lanes_->setMarginGroup(QCP::msLeft | QCP::msRight, group);
    counts_->setMarginGroup(QCP::msLeft | QCP::msRight, group);
    // One step axis: zooming either rect moves both (setRange of an equal range emits nothing).
    connect(lanes_->axis(QCPAxis::atBottom), qOverload<const QCPRange&>(&QCPAxis::rangeChanged),
            counts_->axis(QCPAxis::atBottom), qOverload<const QCPRange&>(&QCPAxis::setRange));
    connect(counts_->axis(QCPAxis::atBottom), qOverload<const QCPRange&>(&QCPAxis::rangeChanged),
            lanes_->axis(QCPAxis::atBottom), qOverload<const QCPRange&>(&QCPAxis::setRange));
    // The wheel zooms the step axis only.
    plot_->setInteraction(QCP::iRangeZoom, true);
    for (QCPAxisRect* r : {lanes_, counts_}) {
        r->setRangeZoom(Qt::Horizontal);
        r->setRangeZoomAxes(r->axis(QCPAxis::atBottom), nullptr);
    }
    connect(plot_, &QCustomPlot::mouseWheel, this, [this] { zoomed_ = true; });
    // A's protected ptes on their own axis: one bit is a visible step.
    counts_->axis(QCPAxis::atRight)->setVisible(true);
    counts_->axis(QCPAxis::atRight)->setLabel(tr("A's WP"));
    counts_->axis(QCPAxis::atBottom)->setLabel(tr("step"));
    counts_->axis(QCPAxis::atLeft)->setLabel(tr("count"));
    plot_->legend = new QCPLegend;
    auto* legendRow = new QCPLayoutGrid;
    plot_->plotLayout()->addElement(2, 0, legendRow);
    legendRow->addElement(0, 0, plot_->legend);
    legendRow->setMargins(QMargins(0, 0, 0, 0));
    plot_->plotLayout()->setRowStretchFactor(2, 0.001);
    plot_->legend->setLayer("legend");
    plot_->legend->setVisible(true);
    plot_->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    plot_->legend->setWrap(6);
    plot_->legend->setBorderPen(Qt::NoPen);
    // The marks and curves ("main") and the cursor each have a buffer of
    // their own: a step that adds marks within the axes' ranges draws only
    // the marks again, not the axes, their tick labels and the legend (most
    // of a replot), and a step that moves only the cursor draws only it.
    plot_->layer("main")->setMode(QCPLayer::lmBuffered);
    plot_->addLayer("cursor", plot_->layer("main"), QCustomPlot::limAbove);
    plot_->layer("cursor")->setMode(QCPLayer::lmBuffered);
    auto* row = new QHBoxLayout;
    slider_ = new QSlider(Qt::Horizontal, this);
    slider_->setObjectName("timelineSlider");
    label_ = new TextLine(this);
    label_->setMinimumWidth(90);
    row->addWidget(slider_, 1);
    row->addWidget(label_);
    fnLegend_ = new QLabel(this);
    fnLegend_->setObjectName("timelineFunctions");
    // One line that never widens or heightens the dock; the tooltip lists all.
    fnLegend_->setWordWrap(false);
    fnLegend_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
    lay->addWidget(fnLegend_);
    lay->addWidget(plot_, 1);
    lay->addLayout(row);
    connect(slider_, &QSlider::valueChanged, this, [this](int v) {
        if (!updating_) Q_EMIT stepClicked(quint64(v));
    });
    // Click: go to the step. Drag: zoom into the steps dragged over.
    band_ = new QRubberBand(QRubberBand::Rectangle, plot_);
    connect(plot_, &QCustomPlot::mousePress, this, [this](QMouseEvent* e) {
        if (e->button() != Qt::LeftButton) return;
        pressAt_ = e->pos();
        pressed_ = true;
    });
    connect(plot_, &QCustomPlot::mouseRelease, this, [this](QMouseEvent* e) {
        if (!pressed_) return;
        pressed_ = false;
        band_->hide();
        QCPAxis* x = lanes_->axis(QCPAxis::atBottom);
        if (std::abs(e->pos().x() - pressAt_.x()) > 6) {
            zoomTo(x->pixelToCoord(pressAt_.x()), x->pixelToCoord(e->pos().x()));
            return;
        }
        const double step = x->pixelToCoord(e->pos().x());
        if (step >= 0) Q_EMIT stepClicked(quint64(std::llround(step)));
    });
    connect(plot_, &QCustomPlot::mouseDoubleClick, this, [this](QMouseEvent*) { showWholeRun(); });
    // Hovering a step says what it was: the lanes' colours name functions,
    // and a legend of every function would not fit.
    connect(plot_, &QCustomPlot::mouseMove, this, [this](QMouseEvent* e) {
        if (pressed_ && std::abs(e->pos().x() - pressAt_.x()) > 6) {
            band_->setGeometry(QRect(QPoint(std::min(pressAt_.x(), e->pos().x()), 0),
                                     QPoint(std::max(pressAt_.x(), e->pos().x()), plot_->height())));
            band_->show();
            return;
        }
        const double x = lanes_->axis(QCPAxis::atBottom)->pixelToCoord(e->pos().x());
        const long long n = std::llround(x);
        const auto r = shownLog_ && n >= 1 ? shownLog_->step(uint64_t(n)) : nullptr;
        if (!r || !shownConfig_ || r->task >= shownConfig_->tasks.size()) {
            QToolTip::hideText();
            return;
        }
        const auto& m = r->main();
        QString t = tr("step %1 · %2 · %3 %4\n%5")
                        .arg(n)
                        .arg(QString::fromStdString(shownConfig_->tasks[r->task].name))
                        .arg(QString::fromUtf8(fnName(m.fn).data(), int(fnName(m.fn).size())))
                        .arg(QString::fromUtf8(stepId(m.fn, m.pc).data(), int(stepId(m.fn, m.pc).size())))
                        .arg(QString::fromStdString(m.text));
        for (const Finding& f : r->findings) t += tr("\n⚠ %1").arg(QString::fromStdString(f.text));
        QToolTip::showText(e->globalPosition().toPoint(), t, plot_);
    });
}

namespace {
// The curves, in drawing order (the last on top: the one the window is about).
struct Series {
    int32_t StateCounts::*field;
    const char* name;
    bool ownAxis;
};
const Series kSeries[TimelineView::kCurves] = {
    {&StateCounts::presentPtes, QT_TRANSLATE_NOOP("TimelineView", "present ptes"), false},
    {&StateCounts::cached, QT_TRANSLATE_NOOP("TimelineView", "pages in cache"), false},
    {&StateCounts::swapped, QT_TRANSLATE_NOOP("TimelineView", "pages in swap"), false},
    {&StateCounts::protectedA, QT_TRANSLATE_NOOP("TimelineView", "A's uffd-wp ptes"), true},
};
}  // namespace

namespace {
// Adds a point to a step curve, keeping only the first and the last point of
// a run of equal values: the points between draw nothing a step line does not
// already draw, and a curve of a count that rarely changes stays a few points
// long however long the run (stroking thousands of flat segments was most of
// the timeline's redraw). Removing the last points and adding them again
// gives the same points, so a growing run draws what a whole rebuild draws.
void addStep(QCPGraphDataContainer& d, double key, double value) {
    const int n = d.size();
    if (n >= 2 && (d.constEnd() - 1)->value == value && (d.constEnd() - 2)->value == value)
        d.remove((d.constEnd() - 1)->key);
    d.add(QCPGraphData(key, value));
}
}  // namespace

uint64_t TimelineView::binFor(uint64_t n) {
    uint64_t b = 1;
    while (b * kMaxLaneBins < n) b *= 2;
    return b;
}

void TimelineView::rebuild(const Snapshot& s) {
    const Theme& th = Theme::current();
    plot_->clearGraphs();
    plot_->clearItems();
    plot_->legend->clearItems();
    cursorTop_ = cursorBottom_ = divergence_ = nullptr;
    plot_->setBackground(th.base);
    for (QCPAxisRect* r : {lanes_, counts_})
        for (QCPAxis* a : r->axes()) {
            a->setBasePen(QPen(th.text));
            a->setTickPen(QPen(th.text));
            a->setSubTickPen(QPen(th.text));
            a->setTickLabelColor(th.text);
            a->setLabelColor(th.text);
            a->grid()->setPen(QPen(th.future, 0, Qt::DotLine));
            QFont f = a->tickLabelFont();
            f.setPointSizeF(8 * th.fontScale());
            a->setTickLabelFont(f);
            a->setLabelFont(f);
        }
    plot_->legend->setBrush(th.base);
    plot_->legend->setTextColor(th.text);
    QFont lf = plot_->legend->font();
    lf.setPointSizeF(7.5 * th.fontScale());
    plot_->legend->setFont(lf);
    ntasks_ = s.valid() ? int(s.state.tasks.size()) : 0;
    const uint64_t n = s.log ? s.log->size() : 0;
    QCPAxis* lx = lanes_->axis(QCPAxis::atBottom);
    QCPAxis* ly = lanes_->axis(QCPAxis::atLeft);
    // Task names as lane labels, top to bottom in session order.
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    for (int t = 0; t < ntasks_; ++t)
        ticker->addTick(ntasks_ - 1 - t, QString::fromStdString(s.state.config->tasks[t].name));
    ly->setTicker(ticker);
    ly->setRange(-0.7, ntasks_ - 0.3);
    // Lanes stay readable in a small dock: each lane gets a text line.
    const int laneH = QFontMetrics(ly->tickLabelFont()).height() + 2;
    lanes_->setMinimumSize(QSize(0, ntasks_ * laneH + 12));
    byFn_.clear();
    fnColours_.clear();
    colourIx_ = 0;
    plotted_ = 0;
    shownN_ = 0;
    // Long runs: one mark per task per bin of steps (the bin's first step of
    // that task), and the curves' first, lowest and highest value per bin.
    // 4,096 to 8,192 bins are more than the plot has pixels; a bin is a power
    // of two, so a growing run re-bins (and rebuilds) only when it doubles.
    bin_ = binFor(n);
    lastBin_.assign(size_t(std::max(ntasks_, 1)), -1);
    findingsGraph_ = plot_->addGraph(lx, ly);
    findingsGraph_->setLineStyle(QCPGraph::lsNone);
    findingsGraph_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssTriangleInverted, th.finding, th.finding, 10));
    findingsGraph_->setName(tr("finding"));
    messagesGraph_ = plot_->addGraph(lx, ly);
    messagesGraph_->setLineStyle(QCPGraph::lsNone);
    messagesGraph_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDiamond, th.wp, th.wp, 8));
    messagesGraph_->setName(tr("uffd message"));
    if (s.divergence) {
        // The dashed line of compare mode, named in the legend.
        auto* dg = plot_->addGraph(lx, ly);
        dg->setLineStyle(QCPGraph::lsLine);  // no data: only its legend icon is drawn
        dg->setPen(QPen(th.divergence, 2, Qt::DashLine));
        dg->setName(tr("first divergence (compare)"));
    }
    // Curves. A count that is zero throughout (nothing ever swapped) is left
    // out: drawn, it would stretch the axis down to 0 and flatten the
    // one-page changes the plot is for (one that becomes non-zero later
    // rebuilds the plot).
    QCPAxis* cx = counts_->axis(QCPAxis::atBottom);
    QCPAxis* cy = counts_->axis(QCPAxis::atLeft);
    const QColor colours[kCurves] = {th.functionColours[0], th.functionColours[2 % th.functionColours.size()],
                                     th.functionColours[3 % th.functionColours.size()], th.wp};
    for (int c = 0; c < kCurves; ++c) {
        curve_[c] = nullptr;
        bool any = false;
        for (uint64_t i = 0; s.log && i <= n && !any; ++i) any = s.log->counts(i).*kSeries[c].field != 0;
        if (!any) continue;
        curve_[c] = plot_->addGraph(cx, kSeries[c].ownAxis ? counts_->axis(QCPAxis::atRight) : cy);
        curve_[c]->setLineStyle(QCPGraph::lsStepLeft);
        curve_[c]->setPen(QPen(colours[c], kSeries[c].ownAxis ? 3.0 : 1.5));
        curve_[c]->setName(tr(kSeries[c].name));
    }
    countMin_ = std::numeric_limits<int>::max();
    countMax_ = 1;
    wpMin_ = std::numeric_limits<int>::max();
    wpMax_ = std::numeric_limits<int>::min();
    // Counts are whole pages and steps are whole steps: no "2.5" ticks.
    QSharedPointer<QCPAxisTickerFixed> whole(new QCPAxisTickerFixed);
    whole->setTickStep(1.0);
    whole->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    cy->setTicker(whole);
    // Steps: whole, with short labels that stay readable over a million (100k, 1M).
    QSharedPointer<StepTicker> steps(new StepTicker);
    lx->setTicker(steps);
    cx->setTicker(steps);
    QCPAxis* ry = counts_->axis(QCPAxis::atRight);
    QSharedPointer<QCPAxisTickerFixed> one(new QCPAxisTickerFixed);
    one->setTickStep(1.0);
    one->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    ry->setTicker(one);
    ry->setTickLabelColor(th.wp);
    ry->setLabelColor(th.wp);
    ry->setBasePen(QPen(th.wp));
    QFont lf2 = fnLegend_->font();
    lf2.setPointSizeF(QFont().pointSizeF() * 0.85);
    fnLegend_->setFont(lf2);
    shownConfig_ = s.state.config;
    themeDark_ = th.dark;
    themePresentation_ = th.presentation;
    if (s.log) append(*s.log, 0, n);
    else appendCurves(nullptr, 0, 0);
}

bool TimelineView::canAppend(const Snapshot& s) const {
    if (!s.log || !shownLog_ || !s.valid() || int(s.state.tasks.size()) != ntasks_) return false;
    const uint64_t n = s.log->size();
    if (n < shownN_ || s.logSameBefore < shownN_ || binFor(n) != bin_) return false;
    // A count that was zero throughout and is no longer needs its curve.
    for (int c = 0; c < kCurves; ++c)
        if (!curve_[c])
            for (uint64_t i = shownN_ + 1; i <= n; ++i)
                if (s.log->counts(i).*kSeries[c].field != 0) return false;
    return true;
}

TimelineView::Redraw TimelineView::append(const RecordLog& log, uint64_t from, uint64_t to) {
    const Theme& th = Theme::current();
    bool drawn = false;  // a mark or a point was added
    QCPAxis* lx = lanes_->axis(QCPAxis::atBottom);
    QCPAxis* ly = lanes_->axis(QCPAxis::atLeft);
    // Long runs draw without antialiasing: thousands of marks stroked with
    // antialiasing cost tens of milliseconds per replot.
    plot_->setNotAntialiasedElements(to > kMaxLaneBins ? QCP::aePlottables : QCP::aeNone);
    bool newFn = false;
    for (uint64_t i = from; i < to; ++i) {
        const StepBrief& r = log.brief(i);
        const double lane = ntasks_ - 1 - r.task;
        if (r.flags & StepBrief::HasFindings) findingsGraph_->addData(double(i + 1), lane + 0.32), drawn = true;
        if (r.flags & StepBrief::HasRaised) messagesGraph_->addData(double(i + 1), lane - 0.32), drawn = true;
        if (r.task < lastBin_.size()) {
            if (lastBin_[r.task] == int64_t(i / bin_)) continue;
            lastBin_[r.task] = int64_t(i / bin_);
        }
        const int fn = int(r.fn);
        QCPGraph*& g = byFn_[fn];
        if (!g) {
            g = plot_->addGraph(lx, ly);
            const QColor c = th.functionColours[colourIx_++ % th.functionColours.size()];
            g->setLineStyle(QCPGraph::lsNone);
            g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssSquare, c, c, 5));
            // Axis-aligned squares: antialiasing only blurs their edges, and
            // a thousand of them antialiased were a sixth of a hand-made step.
            g->setAntialiasedScatters(false);
            g->setName(QString::fromUtf8(fnName(r.fn).data(), int(fnName(r.fn).size())));
            g->removeFromLegend();
            fnColours_.emplace_back(g->name(), c);
            newFn = true;
        }
        g->addData(double(i + 1), lane);
        ++plotted_;
        drawn = true;
    }
    if (newFn) {
        QStringList names;
        for (const auto& [name, c] : fnColours_)
            names << QStringLiteral("<span style='color:%1'>■</span>&nbsp;%2").arg(c.name(), name.toHtmlEscaped());
        fnLegend_->setText(names.join(QStringLiteral(" &nbsp; ")));
        fnLegend_->setToolTip(tr("Lane colours, the kernel function each step ran in:<br>") +
                              names.join(QStringLiteral("<br>")));
    } else if (fnColours_.empty()) {
        fnLegend_->clear();
        fnLegend_->setToolTip(tr("Lane colours, the kernel function each step ran in:<br>"));
    }
    Redraw r = appendCurves(&log, from, to);
    shownN_ = to;
    const QCPRange was = lx->range();
    if (!zoomed_) lx->setRange(0, wholeRunEnd(to));
    counts_->axis(QCPAxis::atBottom)->setRange(lx->range());
    if (lx->range() != was || r == Redraw::All) return Redraw::All;
    return drawn || r == Redraw::Marks ? Redraw::Marks : Redraw::None;
}

double TimelineView::wholeRunEnd(uint64_t n) {
    // Rounded up to a 64th of the run (a power of two, at least 8 steps):
    // a growing run's axis, its ticks and labels, move once in n / 64 steps,
    // not on every step, and new marks land in room already drawn.
    uint64_t unit = 8;
    while (unit * 64 < n) unit *= 2;
    return std::max(double((n + unit) / unit * unit), 10.0);
}

TimelineView::Redraw TimelineView::appendCurves(const RecordLog* log, uint64_t from, uint64_t to) {
    bool changed = false;
    // Points at positions from..to (the counts after each step; position 0 is
    // the initial state). A bin of positions is drawn as its first value and,
    // when the bin holds others, its lowest and highest: a one-step dip of
    // A's protected ptes stays visible however long the run. The last bin of
    // the previous call may have been partial: it is drawn again.
    if (log) {
        const uint64_t redo = from / bin_ * bin_;
        for (int c = 0; c < kCurves; ++c) {
            if (!curve_[c]) continue;
            const auto field = kSeries[c].field;
            // The points of the bin drawn again, to tell whether it changed.
            std::vector<std::pair<double, double>> old;
            auto d = curve_[c]->data();
            for (auto it = d->findBegin(double(redo) - 0.5, false); from > 0 && it != d->constEnd(); ++it)
                if (it->key > double(redo) - 0.5) old.emplace_back(it->key, it->value);
            if (from > 0) d->removeAfter(double(redo) - 0.5);
            for (uint64_t b0 = redo; b0 <= to; b0 += bin_) {
                const uint64_t b1 = std::min(to, b0 + bin_ - 1);
                const int first = log->counts(b0).*field;
                int lo = first, hi = first;
                uint64_t atLo = b0, atHi = b0;
                for (uint64_t p = b0 + 1; p <= b1; ++p) {
                    const int v = log->counts(p).*field;
                    if (v < lo) lo = v, atLo = p;
                    if (v > hi) hi = v, atHi = p;
                }
                if (kSeries[c].ownAxis) wpMin_ = std::min(wpMin_, lo), wpMax_ = std::max(wpMax_, hi);
                else countMin_ = std::min(countMin_, lo), countMax_ = std::max(countMax_, hi);
                addStep(*d, double(b0), first);
                // The extremes in the order they happened (keys must grow).
                if (atLo != b0 && atHi != b0 && atHi < atLo) std::swap(atLo, atHi), std::swap(lo, hi);
                if (atLo != b0) addStep(*d, double(atLo), lo);
                if (atHi != b0 && atHi != atLo) addStep(*d, double(atHi), hi);
            }
            size_t k = 0;
            for (auto it = d->findBegin(double(redo) - 0.5, false); it != d->constEnd() && !changed; ++it) {
                if (it->key <= double(redo) - 0.5) continue;
                changed = k >= old.size() || old[k] != std::make_pair(it->key, it->value);
                ++k;
            }
            changed |= k != old.size();
        }
    }
    // Zoomed to the counts' own range (one page more each side), so a single
    // lost uffd-wp bit is a visible step, not a pixel.
    QCPAxis* cy = counts_->axis(QCPAxis::atLeft);
    const int lo = countMin_ > countMax_ ? 0 : countMin_;
    const double pad = std::max(1.0, (countMax_ - lo) * 0.15);
    QCPAxis* ry = counts_->axis(QCPAxis::atRight);
    const QCPRange wasY = cy->range(), wasR = ry->range();
    cy->setRange(lo - pad, countMax_ + pad);
    if (wpMin_ <= wpMax_) ry->setRange(wpMin_ - 0.6, wpMax_ + 0.6);
    if (cy->range() != wasY || ry->range() != wasR) return Redraw::All;
    return changed ? Redraw::Marks : Redraw::None;
}

std::pair<double, double> TimelineView::stepRange() const {
    const QCPRange r = lanes_->axis(QCPAxis::atBottom)->range();
    return {r.lower, r.upper};
}

void TimelineView::zoomTo(double from, double to) {
    if (from > to) std::swap(from, to);
    if (to - from < 2) to = from + 2;
    zoomed_ = true;
    lanes_->axis(QCPAxis::atBottom)->setRange(from, to);
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void TimelineView::showWholeRun() {
    zoomed_ = false;
    lanes_->axis(QCPAxis::atBottom)->setRange(0, wholeRunEnd(shownLog_ ? shownLog_->size() : 0));
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void TimelineView::updateCursor(const Snapshot& s) {
    const Theme& th = Theme::current();
    auto line = [&](QCPItemStraightLine*& l, QCPAxisRect* r, double x, QColor c, Qt::PenStyle st) {
        if (!l) {
            l = new QCPItemStraightLine(plot_);
            l->setLayer("cursor");
            l->setClipAxisRect(r);
            l->point1->setAxes(r->axis(QCPAxis::atBottom), r->axis(QCPAxis::atLeft));
            l->point2->setAxes(r->axis(QCPAxis::atBottom), r->axis(QCPAxis::atLeft));
        }
        l->setPen(QPen(c, 2, st));
        l->point1->setCoords(x, 0);
        l->point2->setCoords(x, 1);
    };
    line(cursorTop_, lanes_, double(s.position), th.dark ? QColor("#ffd400") : QColor("#333333"), Qt::SolidLine);
    line(cursorBottom_, counts_, double(s.position), th.dark ? QColor("#ffd400") : QColor("#333333"), Qt::SolidLine);
    if (s.divergence) line(divergence_, lanes_, double(s.divergence), th.divergence, Qt::DashLine);
    else if (divergence_) {
        plot_->removeItem(divergence_);
        divergence_ = nullptr;
    }
}

void TimelineView::setSnapshot(const Snapshot& s) {
    const Theme& th = Theme::current();
    const bool same = s.log == shownLog_ && th.dark == themeDark_ && th.presentation == themePresentation_ &&
                      (s.divergence != 0) == (divergence_ != nullptr);
    const bool sameStyle = th.dark == themeDark_ && th.presentation == themePresentation_ &&
                           (s.divergence != 0) == (divergence_ != nullptr) && s.state.config == shownConfig_;
    Redraw redraw = same ? Redraw::None : Redraw::All;
    if (!same) {
        // A step appended to the same run adds its marks and points; anything
        // else (a load, a branch, a variant, a theme, a run that doubled its
        // bins) draws the whole run again. A step of a long run that falls in
        // bins already drawn (its task's mark, the curves' first, lowest and
        // highest count) changes nothing but the cursor: 255 of 256 steps at a
        // million, so a hand-made step there does not replot thousands of marks.
        if (sameStyle && canAppend(s)) redraw = append(*s.log, shownN_, s.log->size());
        else rebuild(s);
        shownLog_ = s.log;
    }
    updateCursor(s);
    updating_ = true;
    slider_->setRange(0, int(s.log ? s.log->size() : 0));
    slider_->setValue(int(s.position));
    updating_ = false;
    label_->setText(tr("step %1 / %2").arg(s.position).arg(s.log ? s.log->size() : 0));
    // A layer's replot is the whole plot's when the buffers are not drawn yet
    // (a resize, the first show).
    switch (redraw) {
    case Redraw::All:
        ++replots_;
        plot_->replot(QCustomPlot::rpQueuedReplot);
        break;
    case Redraw::Marks:
        // New marks or points within the axes' ranges: the marks' layer only.
        ++markRedraws_;
        plot_->layer("main")->replot();
        plot_->layer("cursor")->replot();
        break;
    case Redraw::None:
        // Only the cursor moved: redraw its own buffered layer, not 100,000 marks.
        plot_->layer("cursor")->replot();
        break;
    }
}

}  // namespace faultline::views
