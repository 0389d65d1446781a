#pragma once
// The base of every model (hotspot style): holds the current Snapshot and
// answers from it by index. setSnapshot() keeps the shape when it can
// (dataChanged over the whole range: the view repaints only visible cells)
// and resets only when the row or column count changes.
#include <QAbstractItemModel>
#include <QAbstractTableModel>

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

protected:
    // Shape of the model for a snapshot; called by setSnapshot().
    virtual int rowsFor(const Snapshot& s) const = 0;
    virtual int columnsFor(const Snapshot& s) const = 0;
    // Called after snap_ is replaced, before views are told.
    virtual void snapshotChanged() {}

    Snapshot snap_;

private:
    int rows_ = 0, cols_ = 0;
};

}  // namespace faultline::views
