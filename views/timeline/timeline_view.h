// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Timeline (QCustomPlot): one swimlane per task over step number, a mark per
// step coloured by kernel function, markers for findings (▲) and raised uffd
// messages (◆); below, curves of counts per step (present ptes, pages in
// cache, in swap on the left axis; A's protected ptes on its own right axis,
// zoomed to its range so one lost bit is a visible step). The slider and a
// click on the plot jump to a step; the wheel zooms the step axis, a drag
// selects a step range to zoom into, a double click shows the whole run. A
// line under the plot names the lanes' function colours.
#include <QWidget>

#include "common/snapshot.h"

class QCustomPlot;
class QCPAxisRect;
class QCPItemStraightLine;
class QSlider;
class QLabel;
class QRubberBand;

namespace faultline::views {

class TimelineView final : public QWidget {
    Q_OBJECT
public:
    explicit TimelineView(QWidget* parent = nullptr);
    void setSnapshot(const Snapshot& s);
    QCustomPlot* plot() const { return plot_; }
    QSlider* slider() const { return slider_; }
    // Number of plotted step marks (for tests).
    // Lane marks drawn: one per step up to kMaxLaneBins steps, then one per
    // task and bin of steps.
    int plottedSteps() const { return plotted_; }
    // The step range shown (zoom), and zooming to one.
    std::pair<double, double> stepRange() const;
    void zoomTo(double from, double to);
    void showWholeRun();
    // The function colour legend under the plot.
    QLabel* functionLegend() const { return fnLegend_; }
    static constexpr uint64_t kMaxLaneBins = 4096;

Q_SIGNALS:
    void stepClicked(quint64 step);

private:
    void rebuild(const Snapshot& s);
    void updateCursor(const Snapshot& s);
    QCustomPlot* plot_;
    QCPAxisRect* lanes_;
    QCPAxisRect* counts_;
    QCPItemStraightLine* cursorTop_ = nullptr;
    QCPItemStraightLine* cursorBottom_ = nullptr;
    QCPItemStraightLine* divergence_ = nullptr;
    QSlider* slider_;
    QLabel* label_;
    QLabel* fnLegend_;
    QRubberBand* band_ = nullptr;
    QPoint pressAt_;
    bool pressed_ = false;
    bool zoomed_ = false;  // the user chose a step range: rebuilds keep it
    std::shared_ptr<const RecordLog> shownLog_;
    std::shared_ptr<const Curves> shownCurves_;
    std::shared_ptr<const Config> shownConfig_;  // task names for the hover text
    bool themeDark_ = false, themePresentation_ = false;
    int plotted_ = 0;
    bool updating_ = false;
};

}  // namespace faultline::views
