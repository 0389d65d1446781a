#pragma once
// Timeline (QCustomPlot): one swimlane per task over step number, a mark per
// step coloured by kernel function, markers for findings (▲) and raised uffd
// messages (◆); below, curves of counts per step (A's protected ptes, present
// ptes, pages in cache, in swap). The slider and a click on the plot jump to
// a step.
#include <QWidget>

#include "common/snapshot.h"

class QCustomPlot;
class QCPAxisRect;
class QCPItemStraightLine;
class QSlider;
class QLabel;

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
    std::shared_ptr<const RecordLog> shownLog_;
    std::shared_ptr<const Curves> shownCurves_;
    std::shared_ptr<const Config> shownConfig_;  // task names for the hover text
    bool themeDark_ = false, themePresentation_ = false;
    int plotted_ = 0;
    bool updating_ = false;
};

}  // namespace faultline::views
