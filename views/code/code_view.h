// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <QWidget>

#include "common/snapshot.h"

class QTableView;
class QLabel;

namespace faultline::views {

class CodeModel;

class CodeView final : public QWidget {
    Q_OBJECT
public:
    explicit CodeView(QWidget* parent = nullptr);
    void setSnapshot(const Snapshot& s);
    CodeModel* model() const { return model_; }
    QTableView* table() const { return table_; }
    QLabel* ranLabel() const { return ran_; }
    // Toggles the breakpoint on the selected line (F9); emits breakpointToggled.
    void toggleBreakpointAtSelection();

Q_SIGNALS:
    void breakpointToggled(int fn, int pc);

private:
    QLabel* title_;
    QLabel* rules_;
    QLabel* ran_;
    QTableView* table_;
    CodeModel* model_;
};

}  // namespace faultline::views
