// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Tasks: one row per task (state, what it waits for, held locks), its kernel
// call stack as children (innermost first, like a debugger's stack pane), and
// the locals of the selected frame in a second model.
#include <QAbstractItemModel>

#include "common/snapshot.h"
#include "common/snapshot_model.h"

namespace faultline::views {

class TasksModel final : public QAbstractItemModel {
    Q_OBJECT
public:
    enum Role { TaskRole = Qt::UserRole + 1, FrameRole };  // task index; stack index (-1 on task rows)
    using QAbstractItemModel::QAbstractItemModel;
    void setSnapshot(const Snapshot& s);
    const Snapshot& snapshot() const { return snap_; }

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation o, int role = Qt::DisplayRole) const override;

    // Index of task t's row, and of its stack frame f (stack index).
    QModelIndex taskIndex(int t) const { return index(t, 0); }
    QModelIndex frameIndex(int t, int f) const;

private:
    Snapshot snap_;
};

class LocalsModel final : public SnapshotTableModel {
    Q_OBJECT
public:
    using SnapshotTableModel::SnapshotTableModel;
    QVariant cellData(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation o, int role = Qt::DisplayRole) const override;
    // The frame shown (nullptr if none).
    const StackFrame* frame() const { return frameOf(snap_); }

protected:
    int rowsFor(const Snapshot& s) const override;
    int columnsFor(const Snapshot&) const override { return 3; }

private:
    static const StackFrame* frameOf(const Snapshot& s);
};

// Text of a task's state: "runnable", "blocked on PTL(A)#0", "sleeping: uffd message 3".
QString taskStateText(const State& s, int task);
QString locksText(const State& s, int task);

}  // namespace faultline::views
