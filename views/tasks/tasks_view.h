// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <QWidget>

#include "common/snapshot.h"

class QTreeView;
class QTableView;

namespace faultline::views {

class TextLine;

class TasksModel;
class LocalsModel;

class TasksView final : public QWidget {
    Q_OBJECT
public:
    explicit TasksView(QWidget* parent = nullptr);
    void setSnapshot(const Snapshot& s);
    TasksModel* model() const { return model_; }
    LocalsModel* localsModel() const { return locals_; }
    QTreeView* tree() const { return tree_; }

Q_SIGNALS:
    // A task row or one of its frames was clicked: select it (and give it the next step).
    void taskActivated(int task);
    void frameSelected(int task, int frame);

private:
    QTreeView* tree_;
    QTableView* localsView_;
    bool localsSized_ = false;  // header resize modes set (needs the columns)
    TextLine* localsTitle_;
    TasksModel* model_;
    LocalsModel* locals_;
    bool updating_ = false;
};

}  // namespace faultline::views
