// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The Explore dock's results: one row per (variant, goal) of the last search,
// read from an immutable list of rows the search handed over. The window
// opens the counterexample of the row the user activates.
#include <QAbstractTableModel>
#include <QString>
#include <vector>

namespace faultline::views {

struct ExploreRow {
    QString variant;
    QString goal;  // "C1", "deadlock", ...
    bool found = false;
    quint64 steps = 0;  // length of the shortest schedule found
    quint64 preemptions = 0;
    QString search;  // "exhausted within bound", "stopped at the state limit", ...
    quint64 states = 0;
    double seconds = 0;
    QString detail;      // the finding's text, or why nothing was found
    int result = -1;     // index of the search result this row came from
    int goalIndex = -1;  // index of the goal in that result
};

class ExploreResultsModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Variant, Goal, Result, Preemptions, Search, States, Count };
    using QAbstractTableModel::QAbstractTableModel;

    void setRows(std::vector<ExploreRow> rows);
    const ExploreRow* row(int r) const { return r >= 0 && r < int(rows_.size()) ? &rows_[size_t(r)] : nullptr; }

    int rowCount(const QModelIndex& parent = {}) const final;
    int columnCount(const QModelIndex& parent = {}) const final;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const final;
    QVariant headerData(int section, Qt::Orientation o, int role = Qt::DisplayRole) const final;

private:
    std::vector<ExploreRow> rows_;
};

}  // namespace faultline::views
