// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <QWidget>

#include "common/snapshot.h"

class QTableView;
namespace faultline::views {

class TextLine;

class CodeModel;

class CodeView final : public QWidget {
    Q_OBJECT
public:
    explicit CodeView(QWidget* parent = nullptr);
    void setSnapshot(const Snapshot& s);
    CodeModel* model() const { return model_; }
    QTableView* table() const { return table_; }
    TextLine* ranLabel() const { return ran_; }
    // Toggles the breakpoint on the selected line (F9); emits breakpointToggled.
    void toggleBreakpointAtSelection();

Q_SIGNALS:
    void breakpointToggled(int fn, int pc);

private:
    TextLine* title_;
    TextLine* rules_;
    TextLine* ran_;
    QTableView* table_;
    CodeModel* model_;
};

}  // namespace faultline::views
