// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <QWidget>

#include "common/snapshot.h"

class QTableView;

namespace faultline::views {

class TraceModel;

class TraceView final : public QWidget {
    Q_OBJECT
public:
    explicit TraceView(QWidget* parent = nullptr);
    void setSnapshot(const Snapshot& s);
    TraceModel* model() const { return model_; }
    QTableView* table() const { return table_; }

Q_SIGNALS:
    void stepClicked(quint64 step);

protected:
    void resizeEvent(QResizeEvent* e) override;

private:
    void fitColumns();
    QTableView* table_;
    QString fittedFor_;  // font key the column widths were fitted for
    TraceModel* model_;
    uint64_t lastPos_ = ~uint64_t{0};
};

}  // namespace faultline::views
