// SPDX-License-Identifier: GPL-3.0-or-later
#include "memorymap/memory_map_model.h"

#include <csignal>

#include <QBrush>
#include <QFont>

#include "common/theme.h"
#include "paths/registry.h"
#include "session/cells.h"

namespace faultline::views {

namespace {

QString pteShort(const Pte& p) {
    switch (p.kind) {
    case PteKind::None: return QStringLiteral("—");
    case PteKind::Marker: return p.isWpMarker() ? QStringLiteral("marker  WP") : QStringLiteral("marker");
    case PteKind::Swap: return QStringLiteral("swap s%1%2").arg(p.slot).arg(p.uffd_wp ? "  WP" : "");
    case PteKind::Present: {
        QString s = QStringLiteral("p%1 %2").arg(p.pfn).arg(p.write ? "RW" : "RO");
        if (p.dirty) s += " D";
        if (p.young) s += " Y";
        if (p.uffd_wp) s += "  WP";
        return s;
    }
    }
    return "?";
}

QString pteLong(const Pte& p) {
    switch (p.kind) {
    case PteKind::None: return QObject::tr("pte none: nothing mapped, no protection kept");
    case PteKind::Marker:
        return p.isWpMarker() ? QObject::tr(
                                    "pte marker PTE_MARKER_UFFD_WP: not present, but uffd-wp protection is kept for "
                                    "the next fault")
                              : QObject::tr("pte marker 0x%1").arg(p.marker, 0, 16);
    case PteKind::Swap:
        return QObject::tr("anonymous swap entry, slot %1%2")
            .arg(p.slot)
            .arg(p.uffd_wp ? QObject::tr(", _PAGE_SWP_UFFD_WP set (protected)") : "");
    case PteKind::Present:
        return QObject::tr("present pte → pfn %1\nwrite=%2 dirty=%3 young=%4 uffd_wp=%5%6")
            .arg(p.pfn)
            .arg(p.write)
            .arg(p.dirty)
            .arg(p.young)
            .arg(p.uffd_wp)
            .arg(p.uffd_wp ? QObject::tr("\nuffd-wp: a write faults and the monitor gets a WP message") : "");
    }
    return {};
}

QString frameShort(const Folio& f, uint32_t pfn) {
    QString flags;
    if (f.has(PG_locked)) flags += 'L';
    if (f.has(PG_uptodate)) flags += 'U';
    if (f.has(PG_dirty)) flags += 'D';
    if (f.has(PG_writeback)) flags += 'W';
    if (f.has(PG_swapcache)) flags += 'S';
    return QStringLiteral("p%1 %2 r%3 m%4 %5")
        .arg(pfn)
        .arg(flags.isEmpty() ? "-" : flags)
        .arg(f.refcount)
        .arg(f.mapcount)
        .arg(QString::fromStdString(f.data.str()));
}

}  // namespace

uint64_t MemoryMapModel::vpnOf(int mm, uint64_t index) const {
    if (mm < 0 || size_t(mm) >= snap_.state.mms.size()) return ~uint64_t{0};
    for (const Vma& v : snap_.state.mms[mm].vmas)
        if (v.mapsIndex(index)) return v.vpnOf(index);
    return ~uint64_t{0};
}

MemoryMapModel::Column MemoryMapModel::columnKind(int col) const {
    const int nmm = int(snap_.state.mms.size());
    if (col == 0) return Column::Pte;
    if (col == 1) return Column::Xa;
    if (col == 2) return Column::Frame;
    if (col >= 3 && col < 3 + nmm - 1) return Column::Pte;
    return Column::Slot;
}

int MemoryMapModel::columnMm(int col) const { return col == 0 ? 0 : col - 2; }
int MemoryMapModel::pteColumn(int mm) const { return mm == 0 ? 0 : mm + 2; }

void MemoryMapModel::setKernelObservations(std::shared_ptr<const KernelObservations> obs) {
    kernel_ = std::move(obs);
    kernelOp_ = kernel_ ? kernelOpAt(snap_, kernel_->setupOps) : 0;
    if (rowCount() > 0 && columnCount() > 0) Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
}

QString MemoryMapModel::kernelCellName(int row, int col) const {
    if (!snap_.valid() || col < 0 || col >= columnCount()) return {};
    switch (columnKind(col)) {
    case Column::Pte: {
        const int mm = columnMm(col);
        if (mm < 0 || size_t(mm) >= snap_.state.config->mmNames.size()) return {};
        return QStringLiteral("%1.pte[%2]").arg(QString::fromStdString(snap_.state.config->mmNames[mm])).arg(row);
    }
    case Column::Xa: return QStringLiteral("xa[%1]").arg(row);
    case Column::Frame: return QStringLiteral("data[%1]").arg(row);
    case Column::Slot: return {};
    }
    return {};
}

const KernelObservations::Cell* MemoryMapModel::kernelCell(int row, int col) const {
    const KernelObservations::Op* op = kernelOpObservation();
    if (!op) return nullptr;
    const auto it = op->cells.constFind(kernelCellName(row, col));
    return it == op->cells.constEnd() ? nullptr : &*it;
}

QString MemoryMapModel::kernelSummary() const {
    if (!kernel_) return {};
    const KernelObservations::Op* op = kernelOpObservation();
    if (!op)
        return tr("Kernel (%1): no operation completed yet; the twin observes after each one").arg(kernel_->kernel);
    const bool setup = kernelOp_ <= kernel_->setupOps;
    QString t = tr("Kernel (%1) after op %2/%3%4 «%5»: ")
                    .arg(kernel_->kernel)
                    .arg(kernelOp_)
                    .arg(kernel_->ops.size())
                    .arg(setup ? tr(" (setup)") : QString())
                    .arg(op->label);
    if (op->disagreements.isEmpty()) return t + tr("agrees with the simulation in all %1 cells").arg(op->cells.size());
    QStringList names;
    for (const QString& c : op->disagreements) {
        const KernelObservations::Cell& k = op->cells[c];
        names << tr("%1 kernel %2 ≠ simulation %3").arg(c, k.kernel, k.sim);
    }
    return t + tr("%n disagreement(s): ", nullptr, int(names.size())) + names.join(QStringLiteral("; "));
}

void MemoryMapModel::snapshotChanged() {
    kernelOp_ = kernel_ ? kernelOpAt(snap_, kernel_->setupOps) : 0;
    changed_.clear();
    signalCell_ = ~quint64{0};
    signalText_.clear();
    const auto r = snap_.lastStep();
    if (!r) return;
    const State& s = snap_.state;
    // An access that ended in SIGSEGV / SIGBUS at this step: its page in the
    // task's pte column (a file page of a file VMA; also where no VMA is left).
    if (r->opDone && r->opSignal && r->task < s.tasks.size()) {
        const TaskConfig& tc = s.config->tasks[r->task];
        const uint32_t done = s.tasks[r->task].opIndex;
        if (tc.mm >= 0 && done >= 1 && done <= tc.program.size()) {
            const Op& op = tc.program[done - 1];
            bool file = false;
            for (const VmaPlacement& pl : s.config->placements)
                if (pl.mm == tc.mm && pl.nameId == op.vma) file = pl.file;
            if ((op.kind == OpKind::Read || op.kind == OpKind::Write) && file && op.page < s.inode.sizePages) {
                signalCell_ = key(int(op.page), pteColumn(tc.mm));
                signalText_ = r->opSignal == SIGBUS ? QStringLiteral("SIGBUS") : QStringLiteral("SIGSEGV");
            }
        }
    }
    for (const CellRef& c : r->changed) {
        switch (c.kind) {
        case faultline::CellKind::Pte: {
            if (c.mm >= s.mms.size()) break;
            if (const Vma* v = s.mms[c.mm].findVma(c.key); v && v->file)
                changed_.insert(key(int(v->indexOf(c.key)), pteColumn(c.mm)));
            break;
        }
        case faultline::CellKind::Xa: changed_.insert(key(int(c.key), xaColumn())); break;
        case faultline::CellKind::Folio: {
            const Folio& f = s.folio(uint32_t(c.key));
            if (f.allocated && f.fileMapping) changed_.insert(key(int(f.index), frameColumn()));
            break;
        }
        case faultline::CellKind::Slot: {
            if (c.key >= s.swap.nslots) break;
            const SwapSlot& sl = s.swap.slots.get(c.key);
            if (sl.shmem) changed_.insert(key(int(sl.owner), slotColumn()));
            break;
        }
        default: break;
        }
    }
}

bool MemoryMapModel::recordTouches(const StepRecord& r, int row, int col) const {
    const State& s = snap_.state;
    const Column k = columnKind(col);
    for (const CellRef& c : r.changed) {
        switch (k) {
        case Column::Pte:
            if (c.kind == faultline::CellKind::Pte && c.mm == columnMm(col) &&
                c.key == vpnOf(columnMm(col), uint64_t(row)))
                return true;
            break;
        case Column::Xa:
            if (c.kind == faultline::CellKind::Xa && c.key == uint64_t(row)) return true;
            break;
        case Column::Frame: {
            const XaEntry& e = s.inode.xa.get(uint64_t(row));
            if (c.kind == faultline::CellKind::Folio && e.isFolio() && c.key == e.value) return true;
            if (c.kind == faultline::CellKind::Xa && c.key == uint64_t(row)) return true;
            break;
        }
        case Column::Slot: {
            const XaEntry& e = s.inode.xa.get(uint64_t(row));
            if (c.kind == faultline::CellKind::Slot && e.isSwap() && c.key == e.value) return true;
            if (c.kind == faultline::CellKind::Xa && c.key == uint64_t(row)) return true;
            break;
        }
        }
    }
    return false;
}

QString MemoryMapModel::lastChangeText(int row, int col) const {
    if (!snap_.log) return {};
    const State& s = snap_.state;
    for (uint64_t n = std::min(snap_.position, snap_.log->size()); n >= 1; --n) {
        // A complete chunk none of whose steps touched the cell is skipped
        // without executing it again.
        const StepChunk& c = *snap_.log->chunkOf(n - 1);
        if (c.complete) {
            StepRecord all;
            all.changed = c.changed;
            if (!recordTouches(all, row, col)) {
                n = c.first + 1;  // the loop's --n goes to the chunk before
                continue;
            }
        }
        const auto rp = snap_.log->step(n);
        const StepRecord& r = *rp;
        if (!recordTouches(r, row, col)) continue;
        const StepPiece& m = r.main();
        QString why = QString::fromStdString(r.summary());
        if (why.size() > 700) why = why.left(700) + "…";
        QString t = tr("Last changed by step %1 (%2, %3 %4):\n%5")
                        .arg(n)
                        .arg(QString::fromStdString(s.config->tasks[r.task].name))
                        .arg(QString::fromStdString(std::string(fnName(m.fn))))
                        .arg(QString::fromStdString(std::string(stepId(m.fn, m.pc))))
                        .arg(why);
        for (const Finding& f : r.findings)
            t += tr("\n⚠ %1: %2")
                     .arg(QString::fromStdString(std::string(ruleName(f.rule))))
                     .arg(QString::fromStdString(f.text));
        return t;
    }
    return tr("Unchanged since the initial state (set up by the session's setup).");
}

int MemoryMapModel::firstChangedRow() const {
    int best = -1;
    for (const quint64 k : changed_) {
        const int row = int(k & ((quint64{1} << 40) - 1));
        if (best < 0 || row < best) best = row;
    }
    return best;
}

bool MemoryMapModel::isWatched(int row, int col) const {
    using W = debug::Watchpoint::Where;
    for (const debug::Watchpoint& w : snap_.watchpoints) {
        if (!w.enabled || w.where == W::Slot || w.index != uint64_t(row)) continue;  // slots are not rows
        switch (columnKind(col)) {
        case Column::Pte:
            if (w.where == W::Pte && w.mm == columnMm(col)) return true;
            break;
        case Column::Xa:
            if (w.where == W::Xa) return true;
            break;
        case Column::Frame:
            if (w.where == W::Folio) return true;
            break;
        case Column::Slot: break;
        }
    }
    return false;
}

// The delegate paints from these (see MemoryMapDelegate::paint).
QVector<int> MemoryMapModel::paintedRoles() const {
    return {Qt::DisplayRole, Qt::BackgroundRole, Qt::ForegroundRole, KindRole,   WpRole,     ChangedRole,
            WatchedRole,     DiffRole,           KernelRole,         KernelDisagreeRole, SignalRole};
}

bool MemoryMapModel::differs(int row, int col) const {
    if (!peer_ || !peer_->snapshot().valid() || !snap_.valid() || peer_->columnCount() != columnCount() ||
        row >= peer_->rowCount())
        return false;
    const QModelIndex a = index(row, col), b = peer_->index(row, col);
    return a.data(Qt::DisplayRole) != b.data(Qt::DisplayRole) || a.data(WpRole) != b.data(WpRole);
}

QVector<bool> MemoryMapModel::differingColumns() const {
    QVector<bool> out(columnCount(), true);
    if (!peer_ || rowCount() > 65536) return out;
    for (int c = 0; c < columnCount(); ++c) {
        bool any = false;
        for (int r = 0; r < rowCount() && !any; ++r) any = differs(r, c);
        out[c] = any;
    }
    return out;
}

QVariant MemoryMapModel::cellData(const QModelIndex& index, int role) const {
    if (!index.isValid() || !snap_.valid()) return {};
    if (role != KernelRole && role != KernelDisagreeRole && role != Qt::ToolTipRole) return simCellData(index, role);
    const KernelObservations::Cell* k = kernelCell(index.row(), index.column());
    if (role == KernelRole) return k ? QVariant(k->kernel) : QVariant();
    if (role == KernelDisagreeRole) return k && !k->agree;
    const QVariant own = simCellData(index, role);
    if (!k) return own;
    // The cell's own tooltip, then what the kernel showed.
    return own.toString() +
           tr("\n\nKernel (%1) after op %2 «%3»: %4\nsimulation (upstream, the operations one after another): %5\n%6")
               .arg(kernel_->kernel)
               .arg(kernelOp_)
               .arg(kernelOpObservation()->label)
               .arg(k->kernel, k->sim,
                    k->agree
                        ? tr("they agree")
                        : tr("⚠ DISAGREES: this kernel shows %1 where the simulation has %2").arg(k->kernel, k->sim));
}

QVariant MemoryMapModel::simCellData(const QModelIndex& index, int role) const {
    const State& s = snap_.state;
    const uint64_t row = uint64_t(index.row());
    const int col = index.column();
    const Theme& th = Theme::current();
    if (role == ChangedRole) return isChanged(index.row(), col);
    if (role == WatchedRole) return isWatched(index.row(), col);
    if (role == DiffRole) return differs(index.row(), col);
    const bool signalled = key(index.row(), col) == signalCell_;
    if (role == SignalRole) return signalled ? signalText_ : QString();
    if (signalled && role == Qt::ToolTipRole && !inSignalTip_) {
        inSignalTip_ = true;
        const QString plain = cellData(index, role).toString();
        inSignalTip_ = false;
        return tr("%1: the access to this page at this step ended in %2 (the operation's outcome; the task goes on)\n\n%3")
            .arg(QString::fromStdString(s.config->tasks[snap_.lastStep()->task].name), signalText_, plain);
    }
    switch (columnKind(col)) {
    case Column::Pte: {
        const int mm = columnMm(col);
        if (mm < 0 || size_t(mm) >= s.mms.size()) return {};
        const uint64_t vpn = vpnOf(mm, row);
        if (vpn == ~uint64_t{0}) {
            if (role == Qt::DisplayRole) return tr("(unmapped)");
            if (role == KindRole) return int(Empty);
            if (role == Qt::ForegroundRole) return QBrush(th.cellTextDim);
            if (role == Qt::ToolTipRole)
                return tr("%1 maps no page %2").arg(QString::fromStdString(s.config->mmNames[mm])).arg(row);
            return {};
        }
        const Pte& p = s.mms[mm].pt.get(vpn);
        const CellKind k = p.isNone()     ? PteNone
                           : p.isMarker() ? PteMarker
                           : p.isSwap()   ? PteSwap
                           : p.write      ? PteWritable
                                          : PteReadOnly;
        switch (role) {
        case Qt::DisplayRole: return pteShort(p);
        case KindRole: return int(k);
        case WpRole: return p.protectedWp();
        case CellNameRole:
            return QStringLiteral("%1.pte[%2]").arg(QString::fromStdString(s.config->mmNames[mm])).arg(row);
        case Qt::BackgroundRole:
            return QBrush(k == PteNone       ? th.pteNone
                          : k == PteMarker   ? th.pteMarker
                          : k == PteSwap     ? th.pteSwap
                          : k == PteWritable ? th.pteWritable
                                             : th.pteReadOnly);
        case Qt::ForegroundRole: return QBrush(k == PteNone ? th.cellTextDim : th.cellText);
        case Qt::ToolTipRole:
            return QStringLiteral("%1.pte[%2] (va page 0x%3)\n%4\n\n%5")
                .arg(QString::fromStdString(s.config->mmNames[mm]))
                .arg(row)
                .arg(vpn, 0, 16)
                .arg(pteLong(p))
                .arg(lastChangeText(index.row(), col));
        }
        return {};
    }
    case Column::Xa: {
        const XaEntry& e = s.inode.xa.get(row);
        const CellKind k = e.isEmpty() ? XaHole : e.isSwap() ? XaSwap : XaFolio;
        switch (role) {
        case Qt::DisplayRole:
            if (e.isEmpty()) return tr("hole");
            if (e.isSwap()) return tr("swap s%1").arg(e.value);
            return QStringLiteral("p%1 (%2)").arg(e.value).arg(QString::fromStdString(s.folio(e.value).data.str()));
        case KindRole: return int(k);
        case WpRole: return false;
        case CellNameRole: return QStringLiteral("xa[%1]").arg(row);
        case Qt::BackgroundRole: return QBrush(k == XaHole ? th.xaHole : k == XaSwap ? th.xaSwap : th.xaFolio);
        case Qt::ForegroundRole: return QBrush(k == XaHole ? th.cellTextDim : th.cellText);
        case Qt::ToolTipRole:
            return tr("i_pages[%1]: %2\n\n%3")
                .arg(row)
                .arg(QString::fromStdString(e.describe()))
                .arg(lastChangeText(index.row(), col));
        }
        return {};
    }
    case Column::Frame: {
        const XaEntry& e = s.inode.xa.get(row);
        if (!e.isFolio()) {
            if (role == KindRole) return int(Empty);
            if (role == Qt::BackgroundRole) return QBrush(th.pteNone);
            if (role == CellNameRole) return QStringLiteral("folio[%1]").arg(row);
            return {};
        }
        const Folio& f = s.folio(e.value);
        const bool locked = f.has(PG_locked);
        switch (role) {
        case Qt::DisplayRole: return frameShort(f, e.value);
        case KindRole: return int(locked ? FrameLocked : Frame);
        case WpRole: return false;
        case CellNameRole: return QStringLiteral("folio[%1]").arg(row);
        case Qt::BackgroundRole:
            return QBrush(locked ? th.frameLocked : f.has(PG_dirty) ? th.frameDirty : th.frameNormal);
        case Qt::ForegroundRole: return QBrush(th.cellText);
        case Qt::ToolTipRole:
            return tr("page frame p%1 (file page %2)\nflags: %3\nrefcount %4, mapcount %5, content %6\n\n%7")
                .arg(e.value)
                .arg(f.index)
                .arg(QString::fromStdString(folioFlagsText(f.flags)))
                .arg(f.refcount)
                .arg(f.mapcount)
                .arg(QString::fromStdString(f.data.str()))
                .arg(lastChangeText(index.row(), col));
        }
        return {};
    }
    case Column::Slot: {
        const XaEntry& e = s.inode.xa.get(row);
        uint32_t slot = 0;
        bool has = false;
        if (e.isSwap()) slot = e.value, has = true;
        else if (e.isFolio() && s.folio(e.value).swap) slot = s.folio(e.value).swap - 1, has = true;
        if (!has || slot >= s.swap.nslots) {
            if (role == KindRole) return int(SlotFree);
            if (role == Qt::BackgroundRole) return QBrush(th.slotFree);
            if (role == CellNameRole) return QStringLiteral("slot[?]");
            return {};
        }
        const SwapSlot& sl = s.swap.slots.get(slot);
        switch (role) {
        case Qt::DisplayRole:
            return QStringLiteral("s%1 cnt%2%3 %4")
                .arg(slot)
                .arg(sl.count)
                .arg(sl.hasCache ? " cache" : "")
                .arg(QString::fromStdString(sl.data.str()));
        case KindRole: return int(sl.free() ? SlotFree : SlotUsed);
        case WpRole: return false;
        case CellNameRole: return QStringLiteral("slot[%1]").arg(slot);
        case Qt::BackgroundRole: return QBrush(sl.free() ? th.slotFree : th.slotUsed);
        case Qt::ForegroundRole: return QBrush(th.cellText);
        case Qt::ToolTipRole:
            return tr("swap slot %1: count %2%3, data %4\n\n%5")
                .arg(slot)
                .arg(sl.count)
                .arg(sl.hasCache ? tr(", in the swap cache") : "")
                .arg(QString::fromStdString(sl.data.str()))
                .arg(lastChangeText(index.row(), col));
        }
        return {};
    }
    }
    return {};
}

QVariant MemoryMapModel::headerData(int section, Qt::Orientation o, int role) const {
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole) return {};
    if (o == Qt::Vertical)
        return role == Qt::DisplayRole
                   ? QVariant(section)
                   : QVariant(
                         tr("file page index %1 (offset 0x%2)").arg(section).arg(qulonglong(section) * 4096, 0, 16));
    if (!snap_.valid() || section < 0 || section >= columnCount()) return {};
    switch (columnKind(section)) {
    case Column::Pte: {
        if (size_t(columnMm(section)) >= snap_.state.config->mmNames.size()) return {};
        const QString mm = QString::fromStdString(snap_.state.config->mmNames[columnMm(section)]);
        return role == Qt::DisplayRole ? tr("%1 pte").arg(mm) : tr("%1's page-table entry for this file page").arg(mm);
    }
    case Column::Xa:
        return role == Qt::DisplayRole ? tr("xarray")
                                       : tr("the shmem inode's i_pages entry: folio, swap value or hole");
    case Column::Frame:
        return role == Qt::DisplayRole ? tr("frame")
                                       : tr("the page frame: pfn, flags L=locked U=uptodate D=dirty W=writeback "
                                            "S=swapcache, r = refcount, m = mapcount, content");
    case Column::Slot:
        return role == Qt::DisplayRole ? tr("swap slot")
                                       : tr("the swap slot holding this page: count, swap cache, data");
    }
    return {};
}

}  // namespace faultline::views
