// SPDX-License-Identifier: GPL-3.0-or-later
#include "explore/explore_results_model.h"

#include <QBrush>
#include <QFont>
#include <QLocale>

namespace faultline::views {

void ExploreResultsModel::setRows(std::vector<ExploreRow> rows) {
    beginResetModel();
    rows_ = std::move(rows);
    endResetModel();
}

int ExploreResultsModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(rows_.size()); }

int ExploreResultsModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : Count; }

QVariant ExploreResultsModel::data(const QModelIndex& index, int role) const {
    const ExploreRow* r = row(index.row());
    if (!r || index.column() < 0 || index.column() >= Count) return {};
    const QLocale loc;
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Variant: return r->variant;
        case Goal: return r->goal;
        case Result: return r->found ? tr("%n step(s)", nullptr, int(r->steps)) : tr("none within bound");
        case Preemptions: return r->found ? QVariant(r->preemptions) : QVariant();
        case Search: return r->search;
        case States: return tr("%1 in %2 s").arg(loc.toString(r->states), loc.toString(r->seconds, 'f', 2));
        }
    }
    if (role == Qt::ToolTipRole) {
        if (r->found)
            return tr("<p>%1 reached under %2 in %3 steps with %4 preemption(s).</p><p>%5</p><p>Double-click to open "
                      "the "
                      "counterexample at the violating step.</p>")
                .arg(r->goal, r->variant)
                .arg(r->steps)
                .arg(r->preemptions)
                .arg(r->detail.toHtmlEscaped());
        return tr("No schedule within the bounds reaches %1 under %2 (%3).").arg(r->goal, r->variant, r->search);
    }
    if (role == Qt::FontRole && index.column() == Result && r->found) {
        QFont f;
        f.setBold(true);
        return f;
    }
    if (role == Qt::TextAlignmentRole && (index.column() == Preemptions || index.column() == States))
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::UserRole) return r->found;
    return {};
}

QVariant ExploreResultsModel::headerData(int section, Qt::Orientation o, int role) const {
    if (o != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case Variant: return tr("Variant");
    case Goal: return tr("Goal");
    case Result: return tr("Shortest");
    case Preemptions: return tr("Preempt.");
    case Search: return tr("Search");
    case States: return tr("States");
    }
    return {};
}

}  // namespace faultline::views
