// SPDX-License-Identifier: GPL-3.0-or-later
#include "trace/trace_model.h"

#include <QBrush>
#include <QFont>

#include "common/theme.h"
#include "paths/registry.h"
#include "session/cells.h"

namespace faultline::views {

namespace {
QString changedText(const State& s, const StepRecord& r) {
    QStringList out;
    for (const CellRef& c : r.changed) {
        if (c.kind == CellKind::Task || c.kind == CellKind::Lock) continue;
        out << QString::fromStdString(cellRefName(s, c));
        if (out.size() >= 6) {
            out << QStringLiteral("…");
            break;
        }
    }
    return out.join(' ');
}
}  // namespace

QString stepCaption(const Snapshot& s, uint64_t n) {
    if (!s.log || n == 0 || n > s.log->size()) return QObject::tr("step 0 · initial state (after the session's setup)");
    const auto rp = s.log->step(n);
    const StepRecord& r = *rp;
    const StepPiece& m = r.main();
    QString c = QObject::tr("step %1 · %2 · %3 %4")
                    .arg(n)
                    .arg(QString::fromStdString(s.state.config->tasks[r.task].name))
                    .arg(QString::fromUtf8(fnName(m.fn).data(), int(fnName(m.fn).size())))
                    .arg(QString::fromUtf8(stepId(m.fn, m.pc).data(), int(stepId(m.fn, m.pc).size())));
    const QString ch = changedText(s.state, r);
    if (!ch.isEmpty()) c += QObject::tr(" · changed %1").arg(ch);
    for (const Finding& f : r.findings)
        c += QObject::tr(" · %1 finding").arg(QString::fromUtf8(ruleName(f.rule).data(), int(ruleName(f.rule).size())));
    return c;
}

QVariant TraceModel::cellData(const QModelIndex& idx, int role) const {
    if (!idx.isValid() || !snap_.log || uint64_t(idx.row()) >= snap_.log->size()) return {};
    const uint64_t n = uint64_t(idx.row()) + 1;
    if (role == StepRole) return qulonglong(n);
    if (role == FindingRole) return bool(snap_.log->brief(n - 1).flags & StepBrief::HasFindings);
    const auto rp = snap_.log->step(n);  // kept, or executed again from its chunk's checkpoint
    const StepRecord& r = *rp;
    const Theme& th = Theme::current();
    const State& s = snap_.state;
    switch (role) {
    case StepRole: return qulonglong(n);
    case FindingRole: return !r.findings.empty();
    case Qt::DisplayRole:
        switch (idx.column()) {
        case No: return QString(r.findings.empty() ? "" : "⚠ ") + QString::number(n);
        case TaskCol: return QString::fromStdString(s.config->tasks[r.task].name);
        case Function: return QString::fromUtf8(fnName(r.main().fn).data(), int(fnName(r.main().fn).size()));
        case StepId:
            return QString::fromUtf8(stepId(r.main().fn, r.main().pc).data(),
                                     int(stepId(r.main().fn, r.main().pc).size()));
        case Changed: return changedText(s, r);
        case What: {
            QString w;
            for (const Finding& f : r.findings)
                w += QStringLiteral("[%1] ").arg(
                    QString::fromUtf8(ruleName(f.rule).data(), int(ruleName(f.rule).size())));
            for (const auto& m : r.raised) w += QStringLiteral("→ %1 ").arg(QString::fromStdString(m.text));
            QString sum = QString::fromStdString(r.summary());
            if (sum.size() > 300) sum = sum.left(300) + "…";
            return w + sum;
        }
        }
        return {};
    case Qt::ToolTipRole: {
        QString t = QString::fromStdString(r.summary());
        for (const Finding& f : r.findings)
            t += QStringLiteral("\n⚠ %1 (%2): %3")
                     .arg(QString::fromUtf8(ruleName(f.rule).data(), int(ruleName(f.rule).size())),
                          QString::fromUtf8(ruleTitle(f.rule).data(), int(ruleTitle(f.rule).size())),
                          QString::fromStdString(f.text));
        return t;
    }
    case Qt::BackgroundRole:
        if (n == snap_.position) return QBrush(th.currentLine);
        if (!r.findings.empty()) return QBrush(QColor(th.finding.red(), th.finding.green(), th.finding.blue(), 70));
        if (snap_.divergence && n == snap_.divergence)
            return QBrush(QColor(th.divergence.red(), th.divergence.green(), th.divergence.blue(), 90));
        return {};
    case Qt::ForegroundRole:
        if (n == snap_.position) return QBrush(th.presentation || !th.dark ? QColor(Qt::black) : th.text);
        if (n > snap_.position) return QBrush(th.future);
        if (!r.findings.empty() && idx.column() == No) return QBrush(th.finding);
        return {};
    case Qt::FontRole:
        if (n == snap_.position || !r.findings.empty()) {
            QFont f;
            f.setBold(true);
            return f;
        }
        return {};
    }
    return {};
}

QVariant TraceModel::headerData(int section, Qt::Orientation o, int role) const {
    if (o != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case No: return tr("No.");
    case TaskCol: return tr("Task");
    case Function: return tr("Function");
    case StepId: return tr("Step");
    case Changed: return tr("Changed");
    case What: return tr("What and why");
    }
    return {};
}

}  // namespace faultline::views
