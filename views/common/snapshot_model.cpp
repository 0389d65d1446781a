#include "common/snapshot_model.h"

namespace faultline::views {

void SnapshotTableModel::setSnapshot(const Snapshot& s) {
    const int r = s.valid() ? rowsFor(s) : 0, c = s.valid() ? columnsFor(s) : 0;
    if (r != rows_ || c != cols_) {
        beginResetModel();
        snap_ = s;
        rows_ = r;
        cols_ = c;
        snapshotChanged();
        endResetModel();
        return;
    }
    snap_ = s;
    snapshotChanged();
    if (rows_ > 0 && cols_ > 0) Q_EMIT dataChanged(index(0, 0), index(rows_ - 1, cols_ - 1));
    if (cols_ > 0) Q_EMIT headerDataChanged(Qt::Horizontal, 0, cols_ - 1);
}

}  // namespace faultline::views
