// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Trace: every executed step of the run (no., task, function, step id, what
// changed, what happened), findings marked, the current step highlighted,
// steps after the current position (the recorded future) dimmed.
#include "common/snapshot_model.h"

namespace faultline::views {

class TraceModel final : public SnapshotTableModel {
    Q_OBJECT
public:
    enum Role { StepRole = Qt::UserRole + 1, FindingRole };
    enum Col { No, TaskCol, Function, StepId, Changed, What, kCols };
    using SnapshotTableModel::SnapshotTableModel;
    QVariant cellData(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation o, int role = Qt::DisplayRole) const override;

protected:
    int rowsFor(const Snapshot& s) const override { return s.log ? int(s.log->size()) : 0; }
    // Steps appended to the same log (a hand-made step at the end).
    bool onlyAppends(const Snapshot& old, const Snapshot& now) const override {
        return old.log && now.log && now.logSameBefore >= old.log->size();
    }
    int columnsFor(const Snapshot&) const override { return kCols; }
};

// One line naming a step: "step 33 · A1 · filemap_map_pages MP.7 · A.pte[8]".
QString stepCaption(const Snapshot& s, uint64_t n);

}  // namespace faultline::views
