// SPDX-License-Identifier: GPL-3.0-or-later
#include "timeline/timeline_view.h"

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
    plot_->addLayer("cursor", plot_->layer("main"), QCustomPlot::limAbove);
    plot_->layer("cursor")->setMode(QCPLayer::lmBuffered);
    auto* row = new QHBoxLayout;
    slider_ = new QSlider(Qt::Horizontal, this);
    slider_->setObjectName("timelineSlider");
    label_ = new QLabel(this);
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
        const StepRecord* r = shownLog_ && n >= 1 ? shownLog_->step(uint64_t(n)) : nullptr;
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
    const int ntasks = s.valid() ? int(s.state.tasks.size()) : 0;
    const uint64_t n = s.log ? s.log->size() : 0;
    QCPAxis* lx = lanes_->axis(QCPAxis::atBottom);
    QCPAxis* ly = lanes_->axis(QCPAxis::atLeft);
    // Task names as lane labels, top to bottom in session order.
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    for (int t = 0; t < ntasks; ++t)
        ticker->addTick(ntasks - 1 - t, QString::fromStdString(s.state.config->tasks[t].name));
    ly->setTicker(ticker);
    ly->setRange(-0.7, ntasks - 0.3);
    if (!zoomed_) lx->setRange(0, std::max<double>(double(n) + 1, 10));
    // Lanes stay readable in a small dock: each lane gets a text line.
    const int laneH = QFontMetrics(ly->tickLabelFont()).height() + 2;
    lanes_->setMinimumSize(QSize(0, ntasks * laneH + 12));
    // One graph per kernel function (colour), plus findings and messages.
    std::map<int, QCPGraph*> byFn;
    std::vector<std::pair<QString, QColor>> fnColours;
    QVector<double> fx, fy, mx, my;
    int colourIx = 0;
    plotted_ = 0;
    // Long runs: one mark per task per bin of steps (the bin's first step of
    // that task). 4,096 bins are more than the plot has pixels, and drawing
    // 100,000 marks per lane would cost a tenth of a second per step.
    const uint64_t bin = std::max<uint64_t>(1, n / kMaxLaneBins);
    // Long runs draw without antialiasing: thousands of marks and 100,000-point
    // curves stroked with antialiasing cost tens of milliseconds per replot.
    plot_->setNotAntialiasedElements(n > kMaxLaneBins ? QCP::aePlottables : QCP::aeNone);
    std::vector<int64_t> lastBin(size_t(std::max(ntasks, 1)), -1);
    for (uint64_t i = 0; i < n; ++i) {
        const StepRecord& r = s.log->at(i);
        const double lane = ntasks - 1 - r.task;
        if (!r.findings.empty()) fx << double(i + 1), fy << lane + 0.32;
        if (!r.raised.empty()) mx << double(i + 1), my << lane - 0.32;
        if (r.task < lastBin.size()) {
            if (lastBin[r.task] == int64_t(i / bin)) continue;
            lastBin[r.task] = int64_t(i / bin);
        }
        const int fn = int(r.main().fn);
        QCPGraph*& g = byFn[fn];
        if (!g) {
            g = plot_->addGraph(lx, ly);
            const QColor c = th.functionColours[colourIx++ % th.functionColours.size()];
            g->setLineStyle(QCPGraph::lsNone);
            g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssSquare, c, c, 5));
            g->setName(QString::fromUtf8(fnName(r.main().fn).data(), int(fnName(r.main().fn).size())));
            g->removeFromLegend();
            fnColours.emplace_back(g->name(), c);
        }
        g->addData(double(i + 1), lane);
        ++plotted_;
    }
    auto* fg = plot_->addGraph(lx, ly);
    fg->setLineStyle(QCPGraph::lsNone);
    fg->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssTriangleInverted, th.finding, th.finding, 10));
    fg->setData(fx, fy);
    fg->setName(tr("finding"));
    auto* mg = plot_->addGraph(lx, ly);
    mg->setLineStyle(QCPGraph::lsNone);
    mg->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDiamond, th.wp, th.wp, 8));
    mg->setData(mx, my);
    mg->setName(tr("uffd message"));
    if (s.divergence) {
        // The dashed line of compare mode, named in the legend.
        auto* dg = plot_->addGraph(lx, ly);
        dg->setLineStyle(QCPGraph::lsLine);  // no data: only its legend icon is drawn
        dg->setPen(QPen(th.divergence, 2, Qt::DashLine));
        dg->setName(tr("first divergence (compare)"));
    }
    // Curves.
    QCPAxis* cx = counts_->axis(QCPAxis::atBottom);
    QCPAxis* cy = counts_->axis(QCPAxis::atLeft);
    cx->setRange(lx->range());
    int maxCount = 1, minCount = std::numeric_limits<int>::max();
    if (s.curves) {
        const struct {
            const std::vector<int>* v;
            QString name;
            QColor c;
        } series[] = {
            {&s.curves->presentPtes, tr("present ptes"), th.functionColours[0]},
            {&s.curves->cached, tr("pages in cache"), th.functionColours[2 % th.functionColours.size()]},
            {&s.curves->swapped, tr("pages in swap"), th.functionColours[3 % th.functionColours.size()]},
            // Last, so it is drawn on top: the curve the window is about.
            {&s.curves->protectedA, tr("A's uffd-wp ptes"), th.wp},
        };
        for (const auto& sr : series) {
            // A count that is zero throughout (nothing ever swapped) is left
            // out: drawn, it would stretch the axis down to 0 and flatten the
            // one-page changes the plot is for.
            if (std::all_of(sr.v->begin(), sr.v->end(), [](int v) { return v == 0; })) continue;
            QVector<double> x, y;
            x.reserve(int(sr.v->size()));
            y.reserve(int(sr.v->size()));
            const bool ownAxis = sr.v == &s.curves->protectedA;
            for (size_t i = 0; i < sr.v->size(); ++i) {
                x << double(i);
                y << (*sr.v)[i];
                if (ownAxis) continue;
                maxCount = std::max(maxCount, (*sr.v)[i]);
                minCount = std::min(minCount, (*sr.v)[i]);
            }
            const bool own = sr.v == &s.curves->protectedA;
            auto* g = plot_->addGraph(cx, own ? counts_->axis(QCPAxis::atRight) : cy);
            if (own) {
                const auto [lo, hi] = std::minmax_element(sr.v->begin(), sr.v->end());
                QCPAxis* ry = counts_->axis(QCPAxis::atRight);
                ry->setRange(*lo - 0.6, *hi + 0.6);
                QSharedPointer<QCPAxisTickerFixed> one(new QCPAxisTickerFixed);
                one->setTickStep(1.0);
                one->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
                ry->setTicker(one);
                ry->setTickLabelColor(th.wp);
                ry->setLabelColor(th.wp);
                ry->setBasePen(QPen(th.wp));
            }
            g->setLineStyle(QCPGraph::lsStepLeft);
            g->setPen(QPen(sr.c, sr.c == th.wp ? 3.0 : 1.5));
            g->setData(x, y, true);
            g->setName(sr.name);
        }
    }
    // Zoomed to the counts' own range (one page more each side), so a single
    // lost uffd-wp bit is a visible step, not a pixel.
    if (minCount > maxCount) minCount = 0;
    const double pad = std::max(1.0, (maxCount - minCount) * 0.15);
    cy->setRange(minCount - pad, maxCount + pad);
    // Counts are whole pages and steps are whole steps: no "2.5" ticks.
    QSharedPointer<QCPAxisTickerFixed> whole(new QCPAxisTickerFixed);
    whole->setTickStep(1.0);
    whole->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    cy->setTicker(whole);
    lx->setTicker(whole);
    cx->setTicker(whole);
    QStringList names;
    for (const auto& [name, c] : fnColours)
        names << QStringLiteral("<span style='color:%1'>■</span>&nbsp;%2").arg(c.name(), name.toHtmlEscaped());
    fnLegend_->setText(names.join(QStringLiteral(" &nbsp; ")));
    fnLegend_->setToolTip(tr("Lane colours, the kernel function each step ran in:<br>") +
                          names.join(QStringLiteral("<br>")));
    QFont lf2 = fnLegend_->font();
    lf2.setPointSizeF(QFont().pointSizeF() * 0.85);
    fnLegend_->setFont(lf2);
    shownLog_ = s.log;
    shownConfig_ = s.state.config;
    shownCurves_ = s.curves;
    themeDark_ = th.dark;
    themePresentation_ = th.presentation;
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
    const double n = shownLog_ ? double(shownLog_->size()) : 0;
    lanes_->axis(QCPAxis::atBottom)->setRange(0, std::max(n + 1, 10.0));
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
    const bool full = s.log != shownLog_ || s.curves != shownCurves_ || th.dark != themeDark_ ||
                      th.presentation != themePresentation_ || (s.divergence != 0) != (divergence_ != nullptr);
    if (full) rebuild(s);
    updateCursor(s);
    updating_ = true;
    slider_->setRange(0, int(s.log ? s.log->size() : 0));
    slider_->setValue(int(s.position));
    updating_ = false;
    label_->setText(tr("step %1 / %2").arg(s.position).arg(s.log ? s.log->size() : 0));
    if (full) {
        plot_->replot(QCustomPlot::rpQueuedReplot);
    } else {
        // Only the cursor moved: redraw its own buffered layer, not 100,000 marks.
        plot_->layer("cursor")->replot();
    }
}

}  // namespace faultline::views
