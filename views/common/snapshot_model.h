// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The base of every table model (hotspot style): holds the current Snapshot
// and answers from it by index. Qt's overrides are final here; subclasses
// implement cellData().
//
// setSnapshot() keeps the shape when it can and tells views only about rows
// whose painted data really changed. A step changes a handful of cells, but
// a dataChanged over everything makes every visible cell repaint, and text
// shaping of a full window costs more than the 16 ms a step may take. So the
// base remembers which rows views have asked for (the visible ones: views ask
// nothing for rows they do not paint), fingerprints those rows' painted roles
// under the old and new snapshot, and emits dataChanged for the rows that
// differ. Rows nobody asked for need no signal: a view asks for them afresh
// when it first paints them.
#include <QAbstractTableModel>
#include <QHash>
#include <QSet>
#include <QVector>

#include "common/snapshot.h"

namespace faultline::views {

class SnapshotTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    using QAbstractTableModel::QAbstractTableModel;
    void setSnapshot(const Snapshot& s);
    const Snapshot& snapshot() const { return snap_; }

    int rowCount(const QModelIndex& parent = {}) const final { return parent.isValid() ? 0 : rows_; }
    int columnCount(const QModelIndex& parent = {}) const final { return parent.isValid() ? 0 : cols_; }
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const final;

    // Above this many tracked rows (after a long scroll, or a model dump), a
    // snapshot change re-sends everything and tracking starts again.
    static constexpr int kMaxTrackedRows = 2000;

protected:
    // Shape of the model for a snapshot; called by setSnapshot().
    virtual int rowsFor(const Snapshot& s) const = 0;
    virtual int columnsFor(const Snapshot& s) const = 0;
    // Called after snap_ is replaced, before views are told.
    virtual void snapshotChanged() {}
    // When the new snapshot only adds rows after the old ones (same columns,
    // rows [0, oldRows) unchanged), return true: views get rowsInserted, not
    // a reset that makes them re-lay out every row.
    virtual bool onlyAppends(const Snapshot& /*old*/, const Snapshot& /*now*/) const { return false; }
    // The cell's data for `role` from snap_ (index is valid and in range).
    virtual QVariant cellData(const QModelIndex& index, int role) const = 0;
    // The roles a delegate paints from: a change in any of them repaints the
    // row. Subclasses whose delegate reads custom roles add them.
    virtual QVector<int> paintedRoles() const;

    Snapshot snap_;

private:
    // Hash of row `row`'s painted roles under snap_.
    quint64 rowFingerprint(int row, const QVector<int>& roles) const;

    int rows_ = 0, cols_ = 0;
    mutable QSet<int> asked_;           // rows views asked for (tracked rows)
    QHash<int, quint64> fingerprints_;  // fingerprints under snap_ of tracked rows
};

}  // namespace faultline::views
