// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// VMAs of every mm: range (virtual pages), pgoff, size, flags incl. VM_UFFD_*.
#include "common/snapshot_model.h"

namespace faultline::views {

class VmasModel final : public SnapshotTableModel {
    Q_OBJECT
public:
    enum Col { MmCol, Name, Range, Pages, Pgoff, Flags, Uffd, kCols };
    using SnapshotTableModel::SnapshotTableModel;
    QVariant cellData(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation o, int role = Qt::DisplayRole) const override;

protected:
    int rowsFor(const Snapshot& s) const override;
    int columnsFor(const Snapshot&) const override { return kCols; }

private:
    std::pair<int, int> locate(int row) const;  // (mm, vma)
};

// A's userfaultfd context as (what, value) rows.
class UffdModel final : public SnapshotTableModel {
    Q_OBJECT
public:
    using SnapshotTableModel::SnapshotTableModel;
    QVariant cellData(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation o, int role = Qt::DisplayRole) const override;

protected:
    // Computes the rows once per snapshot (rowsFor runs first, then snapshotChanged).
    int rowsFor(const Snapshot& s) const override {
        pending_ = rowsOf(s);
        return int(pending_.size());
    }
    int columnsFor(const Snapshot&) const override { return 2; }
    void snapshotChanged() override { rows_ = std::move(pending_); }

private:
    std::vector<std::pair<QString, QString>> rowsOf(const Snapshot& s) const;
    std::vector<std::pair<QString, QString>> rows_;
    mutable std::vector<std::pair<QString, QString>> pending_;
    // The intent summary walks every protected page: cached by the intent tree's O(1) hash.
    mutable uint64_t intentHash_ = 0;
    mutable QString intentText_;
};

// "0–7, 9–31"
QString rangesText(const std::vector<uint64_t>& sortedIndexes);

}  // namespace faultline::views
