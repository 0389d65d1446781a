// SPDX-License-Identifier: GPL-3.0-or-later
#include "tasks/tasks_model.h"

#include <QBrush>
#include <QFont>

#include "common/theme.h"
#include "engine/engine.h"
#include "paths/registry.h"

namespace faultline::views {

QString taskStateText(const State& s, int task) {
    const Task& t = s.tasks[task];
    switch (t.state) {
    case TaskState::Runnable: return QObject::tr("runnable");
    case TaskState::Blocked:
        return QObject::tr("blocked on %1").arg(QString::fromStdString(lockName(t.waitLock, *s.config)));
    case TaskState::SleepUffd: return QObject::tr("sleeping in handle_userfault (message %1)").arg(t.waitArg);
    case TaskState::SleepFalloc: return QObject::tr("sleeping on the punch's waitqueue (SF.2)");
    case TaskState::SleepWriteback: return QObject::tr("waiting for writeback of p%1").arg(t.waitArg);
    case TaskState::Idle: return QObject::tr("idle (polling an empty uffd)");
    case TaskState::Done: return QObject::tr("done");
    case TaskState::Unforked: return QObject::tr("not forked yet");
    }
    return "?";
}

QString locksText(const State& s, int task) {
    QStringList l;
    for (const LockHold& h : s.locks)
        if (h.holders & (uint64_t{1} << task))
            l << QString::fromStdString(lockName(h.id, *s.config)) + (h.write ? "" : " (shared)");
    return l.join(", ");
}

void TasksModel::setSnapshot(const Snapshot& s) {
    beginResetModel();
    snap_ = s;
    endResetModel();
}

QModelIndex TasksModel::index(int row, int column, const QModelIndex& parent) const {
    if (!hasIndex(row, column, parent)) return {};
    if (!parent.isValid()) return createIndex(row, column, quintptr(0));
    if (parent.internalId() != 0) return {};
    return createIndex(row, column, quintptr(parent.row() + 1));
}

QModelIndex TasksModel::parent(const QModelIndex& child) const {
    if (!child.isValid() || child.internalId() == 0) return {};
    return createIndex(int(child.internalId() - 1), 0, quintptr(0));
}

int TasksModel::rowCount(const QModelIndex& parent) const {
    if (!snap_.valid()) return 0;
    if (!parent.isValid()) return int(snap_.state.tasks.size());
    if (parent.internalId() != 0 || parent.column() != 0) return 0;
    return int(snap_.state.tasks[parent.row()].stack.size());
}

int TasksModel::columnCount(const QModelIndex&) const { return 3; }

QModelIndex TasksModel::frameIndex(int t, int f) const {
    if (!snap_.valid() || t < 0 || t >= int(snap_.state.tasks.size())) return {};
    const int n = int(snap_.state.tasks[t].stack.size());
    if (f < 0 || f >= n) return {};
    return index(n - 1 - f, 0, taskIndex(t));
}

QVariant TasksModel::data(const QModelIndex& idx, int role) const {
    if (!idx.isValid() || !snap_.valid()) return {};
    const State& s = snap_.state;
    const Theme& th = Theme::current();
    if (idx.internalId() == 0) {
        const int t = idx.row();
        const QString name = QString::fromStdString(s.config->tasks[t].name);
        if (role == TaskRole) return t;
        if (role == FrameRole) return -1;
        if (role == Qt::DisplayRole) {
            switch (idx.column()) {
            case 0: {
                QString n = name;
                const int mm = s.config->tasks[t].mm;
                if (mm >= 0) n += tr(" (mm %1)").arg(QString::fromStdString(s.config->mmNames[mm]));
                if (t == s.config->uffdTask) n += tr(" monitor");
                return n;
            }
            case 1: return taskStateText(s, t);
            case 2: {
                QString w = QString::fromStdString(whereIs(s, uint8_t(t)));
                const QString l = locksText(s, t);
                if (!l.isEmpty()) w += tr(" · holds %1").arg(l);
                return w;
            }
            }
        }
        if (role == Qt::FontRole && snap_.nextTask && *snap_.nextTask == t) {
            QFont f;
            f.setBold(true);
            return f;
        }
        if (role == Qt::DecorationRole && idx.column() == 0 && snap_.nextTask && *snap_.nextTask == t)
            return th.currentLine.darker(130);
        if (role == Qt::ToolTipRole)
            return tr("%1: %2\n%3\nClick to give %1 the next step.")
                .arg(name, taskStateText(s, t), QString::fromStdString(whereIs(s, uint8_t(t))));
        if (role == Qt::ForegroundRole && s.tasks[t].state == TaskState::Done) return QBrush(th.future);
        return {};
    }
    const int t = int(idx.internalId() - 1);
    const auto& stack = s.tasks[t].stack;
    const int f = int(stack.size()) - 1 - idx.row();  // innermost first
    if (f < 0 || f >= int(stack.size())) return {};
    const StackFrame& fr = stack[f];
    const FunctionInfo& fi = fnInfo(fr.fn);
    if (role == TaskRole) return t;
    if (role == FrameRole) return f;
    if (role == Qt::DisplayRole) {
        switch (idx.column()) {
        case 0: return QString::fromUtf8(fi.name.data(), int(fi.name.size()));
        case 1: {
            const auto id = stepId(fr.fn, fr.pc);
            return id.empty() ? tr("line %1").arg(fr.pc) : QString::fromUtf8(id.data(), int(id.size()));
        }
        case 2:
            return QStringLiteral("%1 · line %2")
                .arg(QString::fromUtf8(fi.source.data(), int(fi.source.size())))
                .arg(fr.pc);
        }
    }
    if (role == Qt::FontRole && f == int(stack.size()) - 1) {
        QFont fo;
        fo.setBold(true);
        return fo;
    }
    return {};
}

QVariant TasksModel::headerData(int section, Qt::Orientation o, int role) const {
    if (o != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case 0: return tr("Task / function");
    case 1: return tr("State / step");
    case 2: return tr("Where · locks / source");
    }
    return {};
}

// ---- locals ---------------------------------------------------------------

const StackFrame* LocalsModel::frameOf(const Snapshot& s) {
    if (!s.valid() || s.selectedTask < 0 || s.selectedTask >= int(s.state.tasks.size())) return nullptr;
    const auto& stack = s.state.tasks[s.selectedTask].stack;
    if (stack.empty()) return nullptr;
    const int f = s.selectedFrame < 0 || s.selectedFrame >= int(stack.size()) ? int(stack.size()) - 1 : s.selectedFrame;
    return &stack[f];
}

int LocalsModel::rowsFor(const Snapshot& s) const {
    const StackFrame* f = frameOf(s);
    return f ? int(fnInfo(f->fn).locals.size()) : 0;
}

namespace {
QString fieldValue(const StackFrame& f, std::string_view field) {
    if (field == "mm") return QString::number(f.mm);
    if (field == "write") return f.write ? "1" : "0";
    if (field == "pfn") return f.pfn ? QStringLiteral("p%1").arg(f.pfn) : QStringLiteral("NULL");
    if (field == "slot") return f.slot ? QStringLiteral("slot %1").arg(f.slot - 1) : QStringLiteral("none");
    if (field == "va") return QStringLiteral("0x%1").arg(f.va, 0, 16);
    if (field == "index") return QString::number(f.index);
    if (field == "lo") return QString::number(f.lo);
    if (field == "hi") return QString::number(f.hi);
    if (field == "cursor") return QString::number(f.cursor);
    if (field == "aux") return QString::number(f.aux);
    if (field == "ret") return QString::number(f.ret);
    if (field == "flags") return QStringLiteral("0x%1").arg(f.flags, 0, 16);
    if (field == "orig_pte") return QString::fromStdString(f.orig_pte.describe());
    if (field == "tag") return QString::fromStdString(f.tag.str());
    return "?";
}
}  // namespace

QVariant LocalsModel::cellData(const QModelIndex& idx, int role) const {
    const StackFrame* f = frame();
    if (!idx.isValid() || !f) return {};
    const auto& locals = fnInfo(f->fn).locals;
    if (idx.row() >= int(locals.size())) return {};
    const std::string_view l = locals[idx.row()];
    const auto colon = l.find(':');
    const std::string_view field = l.substr(0, colon);
    const std::string_view meaning = colon == std::string_view::npos ? l : l.substr(colon + 1);
    if (role == Qt::DisplayRole || role == Qt::ToolTipRole) {
        switch (idx.column()) {
        case 0: return QString::fromUtf8(meaning.data(), int(meaning.size()));
        case 1:
            // The frame keeps a virtual page number; a local named "address"
            // is shown as the byte address a kernel developer reads in the source.
            if (field == "va" && meaning.find("address") != std::string_view::npos)
                return QStringLiteral("0x%1 (vpn 0x%2)").arg(f->va << 12, 0, 16).arg(f->va, 0, 16);
            return fieldValue(*f, field);
        case 2: return QString::fromUtf8(field.data(), int(field.size()));
        }
    }
    return {};
}

QVariant LocalsModel::headerData(int section, Qt::Orientation o, int role) const {
    if (o != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case 0: return tr("Local");
    case 1: return tr("Value");
    case 2: return tr("Frame slot");
    }
    return {};
}

}  // namespace faultline::views
