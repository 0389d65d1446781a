// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The Explore dock: the search's bounds, goals and variants, a Start/Cancel
// button with a progress bar and live counts while a search runs (in a worker
// the window owns), and the results table. It only collects the request and
// shows what it is given; the window runs the search and opens results.
#include <QStringList>
#include <QWidget>
#include <vector>

#include "explore/explore_results_model.h"
#include "explore/explorer.h"

class QCheckBox;
class QLabel;
class QListWidget;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableView;

namespace faultline::views {

class ExploreView final : public QWidget {
    Q_OBJECT
public:
    explicit ExploreView(QWidget* parent = nullptr);

    // The variants to offer (checked: `current`).
    void setVariants(const QStringList& ids, const QString& current);
    // Checks exactly these variants ("all": every one).
    void checkVariants(const QStringList& ids);
    // The search as the form describes it; "" or why it cannot start.
    QString request(ExploreOptions& options, QStringList& variants) const;
    void setRunning(bool running);
    void setProgress(const QString& text);
    void setResults(std::vector<ExploreRow> rows, const QString& summary);
    ExploreResultsModel* model() const { return model_; }
    QTableView* table() const { return table_; }
    QPushButton* startButton() const { return start_; }

Q_SIGNALS:
    void startRequested();
    void cancelRequested();
    // Open the counterexample of results row `row` (beside `compareWith` when not empty).
    void openRequested(int row, const QString& compareWith);

private:
    void openSelected(bool beside);
    QListWidget* variants_ = nullptr;
    QCheckBox* goalC1_ = nullptr;
    QCheckBox* goalC2_ = nullptr;
    QCheckBox* goalC3_ = nullptr;
    QCheckBox* goalDeadlock_ = nullptr;
    QCheckBox* goalEngine_ = nullptr;
    QSpinBox* maxSteps_ = nullptr;
    QSpinBox* preemptions_ = nullptr;
    QSpinBox* maxStates_ = nullptr;
    QSpinBox* seconds_ = nullptr;
    QSpinBox* threads_ = nullptr;
    QPushButton* start_ = nullptr;
    QPushButton* cancel_ = nullptr;
    QPushButton* open_ = nullptr;
    QPushButton* openBeside_ = nullptr;
    QProgressBar* bar_ = nullptr;
    QLabel* status_ = nullptr;
    QTableView* table_ = nullptr;
    ExploreResultsModel* model_ = nullptr;
};

}  // namespace faultline::views
