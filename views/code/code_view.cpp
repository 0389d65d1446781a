// SPDX-License-Identifier: GPL-3.0-or-later
#include "code/code_view.h"

#include <QAction>
#include <QHeaderView>
#include <QLabel>
#include <QTableView>
#include <QVBoxLayout>

#include "code/code_model.h"
#include "common/cached_text.h"
#include "engine/engine.h"
#include "common/text_line.h"

namespace faultline::views {

CodeView::CodeView(QWidget* parent) : QWidget(parent) {
    auto* lay = new QVBoxLayout(this);
    lay->setContentsMargins(2, 2, 2, 2);
    title_ = new TextLine(this);
    title_->setObjectName("codeTitle");
    QFont f = title_->font();
    f.setBold(true);
    title_->setFont(f);
    title_->setWordWrap(true);  // a long function name never widens the dock
    rules_ = new TextLine(this);
    rules_->setObjectName("codeRules");
    rules_->setWordWrap(true);
    ran_ = new TextLine(this);
    ran_->setObjectName("codeRan");
    ran_->setWordWrap(true);
    table_ = new QTableView(this);
    table_->setObjectName("codeTable");
    model_ = new CodeModel(this);
    table_->setModel(model_);
    table_->setItemDelegate(new CachedTextDelegate(table_));
    table_->verticalHeader()->hide();
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->setWordWrap(true);
    // The rows wrap to the Code column, which stretches to the viewport: a
    // scroll bar that came and went with the rows' heights would change that
    // width and so the heights again, for ever at some dock sizes. Always
    // shown, it leaves the width to the dock alone.
    table_->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOn);
    connect(table_->horizontalHeader(), &QHeaderView::sectionResized, table_,
            [this] { table_->resizeRowsToContents(); });
    lay->addWidget(title_);
    lay->addWidget(rules_);
    lay->addWidget(ran_);
    lay->addWidget(table_, 1);
    // F9 is the window's Debug ▸ Toggle Breakpoint (one shortcut, shown in the menu).
    connect(table_, &QTableView::doubleClicked, this, [this](const QModelIndex& i) {
        if (i.column() == 0) toggleBreakpointAtSelection();
    });
}

void CodeView::toggleBreakpointAtSelection() {
    if (model_->function() == Fn::kCount) return;
    QModelIndex cur = table_->currentIndex();
    const int pc = cur.isValid() ? cur.row() : model_->currentPc();
    if (pc < 0) return;
    Q_EMIT breakpointToggled(int(model_->function()), pc);
}

void CodeView::setSnapshot(const Snapshot& s) {
    const int keepRow = table_->currentIndex().isValid() ? table_->currentIndex().row() : -1;
    const Fn before = model_->function();
    model_->setSnapshot(s);
    const Fn fn = model_->function();
    ran_->setText(model_->ranText());
    ran_->setVisible(!model_->ranText().isEmpty());
    if (fn == Fn::kCount) {
        const QString who = s.valid() && s.selectedTask >= 0
                                ? QString::fromStdString(s.state.config->tasks[s.selectedTask].name)
                                : tr("no task");
        const QString where = s.valid() && s.selectedTask >= 0
                                  ? QString::fromStdString(whereIs(s.state, uint8_t(s.selectedTask)))
                                  : QString();
        title_->setText(tr("%1: %2 (no kernel frame)").arg(who, where));
        rules_->clear();
        return;
    }
    const FunctionInfo& fi = fnInfo(fn);
    title_->setText(tr("%1 — %2()  ·  %3")
                        .arg(QString::fromStdString(s.state.config->tasks[s.selectedTask].name),
                             QString::fromUtf8(fi.name.data(), int(fi.name.size())),
                             QString::fromUtf8(fi.source.data(), int(fi.source.size()))));
    const QString rules = model_->rulesText();
    rules_->setText(rules.isEmpty()
                        ? tr("Variant %1: no toggle changes this function").arg(QString::fromStdString(s.variant))
                        : tr("Variant %1: %2").arg(QString::fromStdString(s.variant), rules));
    table_->resizeColumnToContents(0);
    table_->resizeColumnToContents(1);
    table_->resizeRowsToContents();
    if (model_->currentPc() >= 0) {
        const int row = fn == before && keepRow >= 0 ? keepRow : model_->currentPc();
        // Current (for F9) without selecting: the current line keeps its own colour.
        table_->selectionModel()->setCurrentIndex(model_->index(row, 2), QItemSelectionModel::NoUpdate);
        table_->scrollTo(model_->index(model_->currentPc(), 0));
    }
}

}  // namespace faultline::views
