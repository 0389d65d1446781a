// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The memory map: one row per file page index, columns aligned by file
// offset: A's pte | xarray entry | page frame | B's pte (more mms: more pte
// columns) | swap slot. Answers every cell from the snapshot on demand, so
// 262,144 pages cost nothing until they are scrolled into view.
#include <QSet>
#include <memory>

#include "common/snapshot_model.h"
#include "memorymap/kernel_observations.h"

namespace faultline::views {

class MemoryMapModel final : public SnapshotTableModel {
    Q_OBJECT
public:
    enum Role {
        KindRole = Qt::UserRole + 1,  // CellKind below
        WpRole,                       // bool: carries uffd-wp protection
        ChangedRole,                  // bool: changed by the last step
        CellNameRole,                 // "A.pte[8]": the name watchpoints use
        WatchedRole,                  // bool: an enabled watchpoint watches this cell
        DiffRole,                     // bool: compare mode, the other variant's map shows this cell differently
        KernelRole,                   // QString: the kernel twin's observation of this cell (null: none)
        KernelDisagreeRole,           // bool: the kernel disagreed with the simulation here
        SignalRole,                   // QString: "SIGSEGV"/"SIGBUS" if the last step's access here took a signal
    };
    enum CellKind {
        Empty,
        PteNone,
        PteReadOnly,
        PteWritable,
        PteMarker,
        PteSwap,
        XaHole,
        XaFolio,
        XaSwap,
        Frame,
        FrameLocked,
        SlotFree,
        SlotUsed
    };
    enum class Column { Pte, Xa, Frame, Slot };

    using SnapshotTableModel::SnapshotTableModel;

    QVariant cellData(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation o, int role = Qt::DisplayRole) const override;

    // Column layout for the current snapshot.
    Column columnKind(int col) const;
    int columnMm(int col) const;  // for Pte columns
    int pteColumn(int mm) const;
    int xaColumn() const { return 1; }
    int frameColumn() const { return 2; }
    int slotColumn() const { return columnCount() - 1; }

    // The "what and why" of the last step (<= position) that changed a cell.
    QString lastChangeText(int row, int col) const;
    bool isChanged(int row, int col) const { return changed_.contains(key(row, col)); }
    bool isWatched(int row, int col) const;
    // The lowest row with a cell changed by the last step, or -1.
    int firstChangedRow() const;
    // Compare mode: the other variant's map (nullptr: not comparing). Cells
    // whose text differs from the peer's answer DiffRole.
    void setPeer(const MemoryMapModel* peer) { peer_ = peer; }
    const MemoryMapModel* peer() const { return peer_; }
    bool differs(int row, int col) const;
    // Columns with at least one differing cell (all columns when not comparing
    // or the file is too large to scan: more than 65,536 pages).
    QVector<bool> differingColumns() const;

    // The kernel twin's observations (nullptr: none). Each step shows the
    // observation after the last operation it completed (kernelOpAt()).
    void setKernelObservations(std::shared_ptr<const KernelObservations> obs);
    const std::shared_ptr<const KernelObservations>& kernelObservations() const { return kernel_; }
    int kernelOp() const { return kernelOp_; }
    const KernelObservations::Op* kernelOpObservation() const { return kernel_ ? kernel_->after(kernelOp_) : nullptr; }
    // The twin's name of the cell at (row, col): "A.pte[8]", "xa[8]", "data[8]"; empty for swap slots.
    QString kernelCellName(int row, int col) const;
    const KernelObservations::Cell* kernelCell(int row, int col) const;
    // One line for the map's title: the operation observed and what disagrees there.
    QString kernelSummary() const;

protected:
    int rowsFor(const Snapshot& s) const override { return int(s.state.inode.sizePages); }
    int columnsFor(const Snapshot& s) const override { return int(s.state.mms.size()) + 3; }
    void snapshotChanged() override;
    QVector<int> paintedRoles() const override;

private:
    static quint64 key(int row, int col) { return (quint64(col) << 40) | quint64(row); }
    // vpn of file page `index` in mm (first file VMA that maps it), or ~0.
    uint64_t vpnOf(int mm, uint64_t index) const;
    bool recordTouches(const StepRecord& r, int row, int col) const;
    // The simulated cell's data (cellData() adds the kernel's observation).
    QVariant simCellData(const QModelIndex& index, int role) const;
    QSet<quint64> changed_;
    // The pte cell (key) of the access that ended in a signal at the last step, and which signal.
    quint64 signalCell_ = ~quint64{0};
    QString signalText_;
    mutable bool inSignalTip_ = false;
    const MemoryMapModel* peer_ = nullptr;
    std::shared_ptr<const KernelObservations> kernel_;
    int kernelOp_ = 0;
};

}  // namespace faultline::views
