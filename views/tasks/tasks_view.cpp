// SPDX-License-Identifier: GPL-3.0-or-later
#include "tasks/tasks_view.h"

#include <QHeaderView>
#include <QSplitter>
#include <QTableView>
#include <QTreeView>
#include <QVBoxLayout>

#include "paths/registry.h"
#include "common/cached_text.h"
#include "tasks/tasks_model.h"
#include "common/text_line.h"

namespace faultline::views {

TasksView::TasksView(QWidget* parent) : QWidget(parent) {
    auto* lay = new QVBoxLayout(this);
    lay->setContentsMargins(2, 2, 2, 2);
    auto* split = new QSplitter(Qt::Vertical, this);
    tree_ = new QTreeView(split);
    tree_->setObjectName("tasksTree");
    model_ = new TasksModel(this);
    tree_->setModel(model_);
    tree_->setItemDelegate(new CachedTextDelegate(tree_));
    tree_->setUniformRowHeights(true);
    tree_->header()->setStretchLastSection(true);
    tree_->setSelectionMode(QAbstractItemView::SingleSelection);
    auto* bottom = new QWidget(split);
    auto* bl = new QVBoxLayout(bottom);
    bl->setContentsMargins(0, 0, 0, 0);
    localsTitle_ = new TextLine(bottom);
    localsView_ = new QTableView(bottom);
    localsView_->setObjectName("localsTable");
    locals_ = new LocalsModel(this);
    localsView_->setModel(locals_);
    localsView_->setItemDelegate(new CachedTextDelegate(localsView_));
    localsView_->horizontalHeader()->setStretchLastSection(true);
    localsView_->setWordWrap(false);
    localsView_->verticalHeader()->hide();
    bl->addWidget(localsTitle_);
    bl->addWidget(localsView_);
    split->addWidget(tree_);
    split->addWidget(bottom);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    lay->addWidget(split);
    connect(tree_, &QTreeView::clicked, this, [this](const QModelIndex& idx) {
        if (updating_ || !idx.isValid()) return;
        const int t = idx.data(TasksModel::TaskRole).toInt();
        const int f = idx.data(TasksModel::FrameRole).toInt();
        if (f < 0) Q_EMIT taskActivated(t);
        else Q_EMIT frameSelected(t, f);
    });
}

void TasksView::setSnapshot(const Snapshot& s) {
    updating_ = true;
    model_->setSnapshot(s);
    tree_->expandAll();
    for (int c = 0; c < 2; ++c) tree_->resizeColumnToContents(c);
    if (s.selectedTask >= 0) {
        const auto& stack = s.state.tasks[s.selectedTask].stack;
        QModelIndex sel = model_->taskIndex(s.selectedTask);
        if (s.selectedFrame >= 0 && s.selectedFrame < int(stack.size()))
            sel = model_->frameIndex(s.selectedTask, s.selectedFrame);
        else if (!stack.empty()) sel = model_->frameIndex(s.selectedTask, int(stack.size()) - 1);
        tree_->selectionModel()->setCurrentIndex(sel, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    }
    locals_->setSnapshot(s);
    // The value gets the room (addresses, ptes); the name and slot fit their
    // text. Sections exist only once the model has columns.
    if (!localsSized_ && locals_->columnCount() == 3) {
        QHeaderView* h = localsView_->horizontalHeader();
        h->setStretchLastSection(false);
        h->setSectionResizeMode(0, QHeaderView::ResizeToContents);
        h->setSectionResizeMode(1, QHeaderView::Stretch);
        h->setSectionResizeMode(2, QHeaderView::ResizeToContents);
        localsSized_ = true;
    }
    if (const StackFrame* f = locals_->frame())
        localsTitle_->setText(tr("Locals of %1 (%2)")
                                  .arg(QString::fromStdString(s.state.config->tasks[s.selectedTask].name),
                                       QString::fromUtf8(fnName(f->fn).data(), int(fnName(f->fn).size()))));
    else localsTitle_->setText(tr("Locals: no frame selected"));
    localsView_->resizeColumnToContents(0);
    updating_ = false;
}

}  // namespace faultline::views
