// SPDX-License-Identifier: GPL-3.0-or-later
#include "breakpoints/breakpoints_view.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

#include "common/theme.h"

namespace faultline::views {

BreakpointsView::BreakpointsView(QWidget* parent) : QWidget(parent) {
    auto* lay = new QVBoxLayout(this);
    lay->setContentsMargins(2, 2, 2, 2);
    list_ = new QListWidget(this);
    list_->setObjectName("breakpointList");
    input_ = new QLineEdit(this);
    input_->setObjectName("breakpointInput");
    input_->setPlaceholderText(tr("do_fault_around · MP.7 · A.pte[8].uffd_wp · xa[8]"));
    auto* row = new QHBoxLayout;
    auto* addBp = new QPushButton(tr("Add breakpoint"), this);
    auto* addWp = new QPushButton(tr("Add watchpoint"), this);
    auto* remove = new QPushButton(tr("Remove"), this);
    row->addWidget(addBp);
    row->addWidget(addWp);
    row->addWidget(remove);
    findings_ = new QCheckBox(tr("Stop on checker findings (C1–C4)"), this);
    findings_->setChecked(true);
    error_ = new QLabel(this);
    error_->setWordWrap(true);
    lay->addWidget(list_, 1);
    lay->addWidget(input_);
    lay->addLayout(row);
    lay->addWidget(findings_);
    lay->addWidget(error_);
    connect(addBp, &QPushButton::clicked, this, [this] { Q_EMIT addBreakpoint(input_->text()); });
    connect(addWp, &QPushButton::clicked, this, [this] { Q_EMIT addWatchpoint(input_->text()); });
    connect(input_, &QLineEdit::returnPressed, this, [this] {
        const QString t = input_->text();
        if (t.contains('[')) Q_EMIT addWatchpoint(t);
        else Q_EMIT addBreakpoint(t);
    });
    connect(remove, &QPushButton::clicked, this, [this] {
        QListWidgetItem* it = list_->currentItem();
        if (!it) return;
        const int kind = it->data(Qt::UserRole).toInt(), i = it->data(Qt::UserRole + 1).toInt();
        if (kind == 0) Q_EMIT removeBreakpoint(i);
        else if (kind == 1) Q_EMIT removeWatchpoint(i);
        else Q_EMIT removeLeftOut(i);
    });
    connect(findings_, &QCheckBox::toggled, this, &BreakpointsView::stopOnFindingsChanged);
    connect(list_, &QListWidget::itemChanged, this, [this](QListWidgetItem* it) {
        if (filling_) return;
        Q_EMIT enabledChanged(it->data(Qt::UserRole).toInt(), it->data(Qt::UserRole + 1).toInt(),
                              it->checkState() == Qt::Checked);
    });
}

void BreakpointsView::added(const QString& error) {
    showError(error);
    if (error.isEmpty()) input_->clear();
}

void BreakpointsView::showError(const QString& e) {
    error_->setText(e);
    error_->setStyleSheet(e.isEmpty() ? QString() : QStringLiteral("color: %1").arg(Theme::current().finding.name()));
}

void BreakpointsView::setSnapshot(const Snapshot& s) {
    filling_ = true;
    const int keep = list_->currentRow();
    list_->clear();
    auto hits = [](uint64_t n) { return n == 0 ? QString() : tr("  · hit %n time(s)", nullptr, int(n)); };
    for (size_t i = 0; i < s.breakpoints.size(); ++i) {
        const auto& b = s.breakpoints[i];
        auto* it =
            new QListWidgetItem(QStringLiteral("● %1%2").arg(QString::fromStdString(b.text()), hits(b.hits)), list_);
        it->setData(Qt::UserRole, 0);
        it->setData(Qt::UserRole + 1, int(i));
        it->setFlags(it->flags() | Qt::ItemIsUserCheckable);
        it->setCheckState(b.enabled ? Qt::Checked : Qt::Unchecked);
        it->setToolTip(tr("Untick to keep the breakpoint but not stop on it"));
    }
    for (size_t i = 0; i < s.watchpoints.size(); ++i) {
        const auto& w = s.watchpoints[i];
        const QString text = s.valid() ? QString::fromStdString(w.text(*s.state.config)) : QString();
        const QString value = s.valid() ? QString::fromStdString(debug::watchValue(s.state, w)) : QString();
        auto* it = new QListWidgetItem(QStringLiteral("watch %1 = %2%3").arg(text, value, hits(w.hits)), list_);
        it->setData(Qt::UserRole, 1);
        it->setData(Qt::UserRole + 1, int(i));
        it->setFlags(it->flags() | Qt::ItemIsUserCheckable);
        it->setCheckState(w.enabled ? Qt::Checked : Qt::Unchecked);
    }
    // Saved entries that cannot be used: shown greyed out and without a
    // checkbox (they never stop the run), kept and saved back as they were.
    for (size_t i = 0; i < s.leftOutStops.size(); ++i) {
        const auto& l = s.leftOutStops[i];
        const std::string& shown = l.entry.spec.empty() ? l.entry.raw : l.entry.spec;
        auto* it = new QListWidgetItem(QStringLiteral("⚠ %1 %2 — invalid, not used")
                                           .arg(l.watchpoint ? tr("watch") : tr("break"), QString::fromStdString(shown)),
                                       list_);
        it->setData(Qt::UserRole, 2);
        it->setData(Qt::UserRole + 1, int(i));
        it->setFlags(it->flags() & ~Qt::ItemIsUserCheckable);
        it->setForeground(palette().color(QPalette::Disabled, QPalette::Text));
        it->setToolTip(tr("%1\nKept as it was written and saved back unchanged; Remove drops it.")
                           .arg(QString::fromStdString(l.message)));
    }
    const QString note = s.leftOutStops.empty()
                             ? QString()
                             : tr("%n saved entry(s) cannot be used (⚠ above, see their tooltips); they are kept "
                                  "and saved back unchanged",
                                  nullptr, int(s.leftOutStops.size()));
    if (error_->text().isEmpty() || error_->text() == leftOutNote_) showError(note);
    leftOutNote_ = note;
    if (keep >= 0 && keep < list_->count()) list_->setCurrentRow(keep);
    filling_ = false;
}

}  // namespace faultline::views
