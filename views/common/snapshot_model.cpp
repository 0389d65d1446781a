// SPDX-License-Identifier: GPL-3.0-or-later
#include "common/snapshot_model.h"

#include <QBrush>
#include <QColor>
#include <QFont>
#include <QIcon>
#include <QPixmap>

namespace faultline::views {

namespace {

// A stable hash of the variants a delegate paints from; types without a
// cheap hash fall back to their string form.
quint64 variantHash(const QVariant& v) {
    if (!v.isValid()) return 0x9e3779b97f4a7c15ull;
    switch (v.typeId()) {
    case QMetaType::QString: return qHash(v.toString(), 1);
    case QMetaType::Bool:
    case QMetaType::Int:
    case QMetaType::UInt:
    case QMetaType::LongLong:
    case QMetaType::ULongLong: return qHash(v.toULongLong(), 2);
    case QMetaType::QColor: return qHash(v.value<QColor>().rgba64().toArgb32(), 3) ^ 0x51;
    case QMetaType::QBrush: {
        const QBrush b = v.value<QBrush>();
        return qHash(b.color().rgba64().toArgb32(), 4) ^ (quint64(b.style()) << 40);
    }
    case QMetaType::QFont: return qHash(v.value<QFont>().key(), 5);
    case QMetaType::QIcon: return qHash(v.value<QIcon>().cacheKey(), 6);
    case QMetaType::QPixmap: return qHash(v.value<QPixmap>().cacheKey(), 7);
    default: return qHash(v.toString(), 8) ^ (quint64(v.typeId()) << 32);
    }
}

}  // namespace

QVector<int> SnapshotTableModel::paintedRoles() const {
    return {Qt::DisplayRole, Qt::DecorationRole,    Qt::BackgroundRole, Qt::ForegroundRole,
            Qt::FontRole,    Qt::TextAlignmentRole, Qt::CheckStateRole};
}

QVariant SnapshotTableModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
    if (role != Qt::ToolTipRole && role != Qt::StatusTipRole && role != Qt::WhatsThisRole) asked_.insert(index.row());
    return cellData(index, role);
}

quint64 SnapshotTableModel::rowFingerprint(int row, const QVector<int>& roles) const {
    quint64 h = 0xcbf29ce484222325ull;
    for (int c = 0; c < cols_; ++c) {
        const QModelIndex i = index(row, c);
        for (int r : roles) h = (h ^ variantHash(cellData(i, r))) * 0x100000001b3ull;
    }
    return h;
}

void SnapshotTableModel::setSnapshot(const Snapshot& s) {
    const int r = s.valid() ? rowsFor(s) : 0, c = s.valid() ? columnsFor(s) : 0;
    const bool append = r > rows_ && c == cols_ && rows_ > 0 && onlyAppends(snap_, s);
    if (!append && (r != rows_ || c != cols_)) {
        beginResetModel();
        snap_ = s;
        rows_ = r;
        cols_ = c;
        snapshotChanged();
        asked_.clear();
        fingerprints_.clear();
        endResetModel();
        return;
    }
    QVector<QVariant> oldHeader;
    for (int k = 0; k < cols_; ++k) oldHeader.push_back(headerData(k, Qt::Horizontal, Qt::DisplayRole));

    // Rows are tracked from the first time a view asks for them on: a view
    // may paint several snapshots later (two steps in one event-loop turn),
    // so forgetting a row after one snapshot would leave it stale on screen.
    const bool track = asked_.size() <= kMaxTrackedRows;
    const QVector<int> roles = paintedRoles();
    QHash<int, quint64> before;
    if (track) {
        for (int row : std::as_const(asked_)) {
            const auto it = fingerprints_.constFind(row);
            before.insert(row, it != fingerprints_.cend() ? *it : rowFingerprint(row, roles));
        }
    }

    if (append) {
        // Rows [0, rows_) stay; views only lay out the new ones.
        beginInsertRows({}, rows_, r - 1);
        snap_ = s;
        rows_ = r;
        snapshotChanged();
        endInsertRows();
    } else {
        snap_ = s;
        snapshotChanged();
    }
    fingerprints_.clear();
    if (!track) {
        // Too many rows to fingerprint (a long scroll): repaint what is
        // visible and start tracking afresh.
        asked_.clear();
        if (rows_ > 0 && cols_ > 0) Q_EMIT dataChanged(index(0, 0), index(rows_ - 1, cols_ - 1));
    } else {
        QList<int> changed;
        for (auto it = before.cbegin(); it != before.cend(); ++it) {
            const quint64 now = rowFingerprint(it.key(), roles);
            fingerprints_.insert(it.key(), now);
            if (now != it.value()) changed.push_back(it.key());
        }
        std::sort(changed.begin(), changed.end());
        // One signal per run of adjacent rows.
        for (qsizetype k = 0; k < changed.size();) {
            qsizetype e = k;
            while (e + 1 < changed.size() && changed[e + 1] == changed[e] + 1) ++e;
            Q_EMIT dataChanged(index(changed[k], 0), index(changed[e], cols_ - 1));
            k = e + 1;
        }
    }
    for (int k = 0; k < cols_; ++k) {
        if (headerData(k, Qt::Horizontal, Qt::DisplayRole) != oldHeader[k]) {
            Q_EMIT headerDataChanged(Qt::Horizontal, 0, cols_ - 1);
            break;
        }
    }
}

}  // namespace faultline::views
