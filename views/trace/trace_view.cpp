#include "trace/trace_view.h"

#include <QHeaderView>
#include <QTableView>
#include <QVBoxLayout>

#include "trace/trace_model.h"

namespace faultline::views {

TraceView::TraceView(QWidget* parent) : QWidget(parent) {
    auto* lay = new QVBoxLayout(this);
    lay->setContentsMargins(2, 2, 2, 2);
    table_ = new QTableView(this);
    table_->setObjectName("traceTable");
    model_ = new TraceModel(this);
    table_->setModel(model_);
    table_->verticalHeader()->hide();
    table_->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    table_->verticalHeader()->setDefaultSectionSize(QFontMetrics(font()).height() + 6);
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->setWordWrap(false);
    table_->setColumnWidth(TraceModel::No, 60);
    table_->setColumnWidth(TraceModel::TaskCol, 45);
    table_->setColumnWidth(TraceModel::Function, 150);
    table_->setColumnWidth(TraceModel::StepId, 55);
    table_->setColumnWidth(TraceModel::Changed, 110);
    lay->addWidget(table_);
    connect(table_, &QTableView::clicked, this, [this](const QModelIndex& i) {
        if (i.isValid()) Q_EMIT stepClicked(i.data(TraceModel::StepRole).toULongLong());
    });
}

void TraceView::setSnapshot(const Snapshot& s) {
    model_->setSnapshot(s);
    table_->verticalHeader()->setDefaultSectionSize(QFontMetrics(font()).height() + 6);
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
