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
#include <map>
#include <vector>

#include "common/snapshot.h"

class QCustomPlot;
class QCPAxisRect;
class QCPItemStraightLine;
class QCPGraph;
class QSlider;
class QLabel;
class QRubberBand;

namespace faultline::views {

class TextLine;

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
    static constexpr int kCurves = 4;
    // The steps per bin of a run of n steps: 1 up to kMaxLaneBins steps, then
    // the least power of two that keeps the bins at most kMaxLaneBins.
    static uint64_t binFor(uint64_t n);
    // The step axis's end when it shows the whole run of n steps: past n by
    // at most a 64th of the run (and 8 steps), so it moves in jumps.
    static double wholeRunEnd(uint64_t n);
    // Whole replots and redraws of the marks' layer alone that a new
    // snapshot asked for (for tests).
    int replots() const { return replots_; }
    int markRedraws() const { return markRedraws_; }
    // The plotted curve of a series (present ptes, pages in cache, in swap,
    // A's uffd-wp ptes), null when it is zero throughout; for tests.
    QCPGraph* curve(int i) const { return curve_[i]; }

Q_SIGNALS:
    void stepClicked(quint64 step);

private:
    void rebuild(const Snapshot& s);
    // Whether the snapshot's log extends the plotted one with the same bins.
    bool canAppend(const Snapshot& s) const;
    // Adds steps [from, to) of `log`: lane marks, markers, curve points.
    // Returns what must be drawn again: nothing, the marks' layer (a mark or
    // point added or moved within the ranges), or everything (an axis range or
    // the function legend changed).
    enum class Redraw { None, Marks, All };
    Redraw append(const RecordLog& log, uint64_t from, uint64_t to);
    Redraw appendCurves(const RecordLog* log, uint64_t from, uint64_t to);
    void updateCursor(const Snapshot& s);
    QCustomPlot* plot_;
    QCPAxisRect* lanes_;
    QCPAxisRect* counts_;
    QCPItemStraightLine* cursorTop_ = nullptr;
    QCPItemStraightLine* cursorBottom_ = nullptr;
    QCPItemStraightLine* divergence_ = nullptr;
    QSlider* slider_;
    TextLine* label_;
    QLabel* fnLegend_;
    QRubberBand* band_ = nullptr;
    QPoint pressAt_;
    bool pressed_ = false;
    bool zoomed_ = false;  // the user chose a step range: rebuilds keep it
    std::shared_ptr<const RecordLog> shownLog_;
    uint64_t shownN_ = 0;  // steps plotted
    uint64_t bin_ = 1;
    int ntasks_ = 0;
    std::vector<int64_t> lastBin_;  // per task: the last bin given a mark
    std::map<int, QCPGraph*> byFn_;
    std::vector<std::pair<QString, QColor>> fnColours_;
    int colourIx_ = 0;
    QCPGraph* findingsGraph_ = nullptr;
    QCPGraph* messagesGraph_ = nullptr;
    QCPGraph* curve_[kCurves] = {};
    int countMin_ = 0, countMax_ = 1, wpMin_ = 0, wpMax_ = 0;
    std::shared_ptr<const Config> shownConfig_;  // task names for the hover text
    bool themeDark_ = false, themePresentation_ = false;
    int plotted_ = 0;
    int replots_ = 0, markRedraws_ = 0;
    bool updating_ = false;
};

}  // namespace faultline::views
