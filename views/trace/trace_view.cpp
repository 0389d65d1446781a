// SPDX-License-Identifier: GPL-3.0-or-later
#include "trace/trace_view.h"

#include <QHeaderView>
#include <QTableView>
#include <QVBoxLayout>

#include "common/cached_text.h"
#include "trace/trace_model.h"

namespace faultline::views {

TraceView::TraceView(QWidget* parent) : QWidget(parent) {
    auto* lay = new QVBoxLayout(this);
    lay->setContentsMargins(2, 2, 2, 2);
    table_ = new QTableView(this);
    table_->setObjectName("traceTable");
    model_ = new TraceModel(this);
    table_->setModel(model_);
    table_->setItemDelegate(new CachedTextDelegate(table_));  // rows repainted as the run scrolls: text shaped once
    table_->verticalHeader()->hide();
    table_->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    table_->verticalHeader()->setDefaultSectionSize(QFontMetrics(font()).height() + 6);
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->setWordWrap(false);
    lay->addWidget(table_);
    connect(table_, &QTableView::clicked, this, [this](const QModelIndex& i) {
        if (i.isValid()) Q_EMIT stepClicked(i.data(TraceModel::StepRole).toULongLong());
    });
}

// Column widths from the font, set once the model has columns (widths given
// before that are dropped) and again when the font changes (presentation).
void TraceView::fitColumns() {
    const QFontMetrics fm(font());
    const int pad = fm.horizontalAdvance("MM");
    table_->setColumnWidth(TraceModel::No, fm.horizontalAdvance("⚠ 000000") + pad);
    table_->setColumnWidth(TraceModel::TaskCol, fm.horizontalAdvance("A1") + pad);
    table_->setColumnWidth(TraceModel::Function, fm.horizontalAdvance("filemap_map_pages") + pad);
    table_->setColumnWidth(TraceModel::StepId, fm.horizontalAdvance("MP.10") + pad);
    table_->setColumnWidth(TraceModel::Changed, fm.horizontalAdvance("A.pte[8] p9 inode") + pad);
    fittedFor_ = font().key();
}

void TraceView::setSnapshot(const Snapshot& s) {
    model_->setSnapshot(s);
    if (model_->columnCount() > 0 && fittedFor_ != font().key()) fitColumns();
    // Only when the font changed: Qt 6.4's setDefaultSectionSize walks every
    // row (a tenth of a reverse step at a million rows), even for the same size.
    const int rowH = QFontMetrics(font()).height() + 6;
    if (table_->verticalHeader()->defaultSectionSize() != rowH) table_->verticalHeader()->setDefaultSectionSize(rowH);
    if (s.position != lastPos_ && s.position > 0 && s.position <= uint64_t(model_->rowCount())) {
        const QModelIndex i = model_->index(int(s.position - 1), 0);
        table_->scrollTo(i, QAbstractItemView::EnsureVisible);
    }
    lastPos_ = s.position;
}

void TraceView::resizeEvent(QResizeEvent* e) {
    QWidget::resizeEvent(e);
    if (lastPos_ > 0 && lastPos_ <= uint64_t(model_->rowCount()))
        table_->scrollTo(model_->index(int(lastPos_ - 1), 0), QAbstractItemView::PositionAtCenter);
}

}  // namespace faultline::views
