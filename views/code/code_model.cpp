// SPDX-License-Identifier: GPL-3.0-or-later
#include "code/code_model.h"

#include <QBrush>
#include <QFont>
#include <QFontDatabase>

#include "common/theme.h"
#include "model/toggles.h"

namespace faultline::views {

std::vector<std::string_view> rulesFor(Fn fn) {
    switch (fn) {
    case Fn::handle_mm_fault:
    case Fn::do_read_fault: return {"FAULT_AROUND_POLICY", "SHMEM_MAP_PAGES", "FAULT_AROUND_BYTES", "MINOR_MODE"};
    case Fn::do_fault_around: return {"FAULT_AROUND_POLICY", "FAULT_AROUND_BYTES"};
    case Fn::filemap_map_pages: return {"SHMEM_MAP_PAGES", "WRITENOTIFY_UFFD_WP", "RO_PREFAULT_A"};
    case Fn::finish_fault:
    case Fn::do_shared_fault: return {"WRITENOTIFY_UFFD_WP", "RO_PREFAULT_A", "PTE_MARKERS"};
    case Fn::do_wp_page: return {"WRITENOTIFY_UFFD_WP"};
    case Fn::handle_pte_marker: return {"PTE_MARKERS"};
    case Fn::shmem_fault:
    case Fn::shmem_get_folio_gfp: return {"MINOR_MODE", "PTE_MARKERS"};
    case Fn::handle_userfault: return {"MINOR_MODE"};
    case Fn::userfaultfd_register: return {"SHMEM_UFFD_WP", "MINOR_MODE", "WP_UNPOPULATED"};
    case Fn::userfaultfd_unregister: return {"UNREGISTER_RESETS_WP"};
    case Fn::mwriteprotect_range: return {"PTE_MARKERS", "WP_CLEAR_WRITABLE"};
    case Fn::mfill_atomic_pte: return {"COPY_MODE_WP", "PTE_MARKERS"};
    case Fn::shmem_fallocate: return {"PUNCH_PREUNMAP"};
    case Fn::unmap_mapping_range:
    case Fn::shmem_undo_range:
    case Fn::truncate_inode_folio:
    case Fn::try_to_unmap_one:
    case Fn::madvise_dontneed: return {"PTE_MARKERS"};
    default: return {};
    }
}

std::pair<Fn, int> CodeModel::shown(const Snapshot& s) {
    if (!s.valid() || s.selectedTask < 0 || s.selectedTask >= int(s.state.tasks.size())) return {Fn::kCount, -1};
    const auto& stack = s.state.tasks[s.selectedTask].stack;
    if (stack.empty()) return {Fn::kCount, -1};
    const int f = s.selectedFrame < 0 || s.selectedFrame >= int(stack.size()) ? int(stack.size()) - 1 : s.selectedFrame;
    return {stack[f].fn, stack[f].pc};
}

int CodeModel::rowsFor(const Snapshot& s) const {
    const auto [fn, pc] = shown(s);
    (void)pc;
    return fn == Fn::kCount ? 0 : int(fnInfo(fn).lines.size());
}

void CodeModel::snapshotChanged() {
    std::tie(fn_, pc_) = shown(snap_);
    ran_.assign(fn_ == Fn::kCount ? 0 : fnInfo(fn_).lines.size(), QString());
    ranText_.clear();
    const auto r = snap_.lastStep();
    if (fn_ == Fn::kCount || !r || int(r->task) != snap_.selectedTask) return;
    QStringList did;
    for (const StepPiece& p : r->pieces) {
        if (p.fn != fn_ || p.pc >= ran_.size()) continue;
        QString& t = ran_[p.pc];
        const QString text = QString::fromStdString(p.text);
        t += (t.isEmpty() ? QString() : QStringLiteral("; ")) + (text.isEmpty() ? tr("ran") : text);
        const std::string_view id = stepId(p.fn, p.pc);
        did << (id.empty() ? QString::number(p.pc) : QString::fromUtf8(id.data(), int(id.size()))) +
                   QStringLiteral(": ") + text;
    }
    if (!did.isEmpty()) ranText_ = tr("✓ step %1 ran %2").arg(r->number).arg(did.join(QStringLiteral(" · ")));
}

QString CodeModel::rulesText() const {
    if (fn_ == Fn::kCount) return {};
    QStringList out;
    for (std::string_view r : rulesFor(fn_)) {
        const std::string v = toggleValue(snap_.state.toggles, r);
        if (v.empty()) continue;
        out << QStringLiteral("%1 = %2").arg(QString::fromUtf8(r.data(), int(r.size())), QString::fromStdString(v));
    }
    return out.join(QStringLiteral(" · "));
}

QVariant CodeModel::cellData(const QModelIndex& idx, int role) const {
    if (!idx.isValid() || fn_ == Fn::kCount) return {};
    const auto& lines = fnInfo(fn_).lines;
    if (idx.row() >= int(lines.size())) return {};
    const CodeLine& l = lines[idx.row()];
    const bool current = idx.row() == pc_;
    const bool wasRun = ran(idx.row());
    bool bp = false;
    for (const auto& b : snap_.breakpoints)
        if (b.fn == fn_ && (b.pc == idx.row() || (b.pc < 0 && idx.row() == 0))) bp = true;
    const Theme& th = Theme::current();
    switch (role) {
    case CurrentRole: return current;
    case BreakpointRole: return bp;
    case PcRole: return idx.row();
    case RanRole: return wasRun;
    case Qt::DisplayRole:
        switch (idx.column()) {
        case 0: return QString(bp ? "●" : "") + (wasRun ? "✓" : "") + (current ? "▶" : "");
        case 1: return QString::fromUtf8(l.id.data(), int(l.id.size()));
        case 2: return QString::fromUtf8(l.code.data(), int(l.code.size()));
        }
        return {};
    case Qt::ToolTipRole:
        if (wasRun && idx.column() != 0)
            return tr("<p>%1</p><p><b>The last step ran this row:</b> %2</p>")
                .arg(QString::fromUtf8(l.code.data(), int(l.code.size())).toHtmlEscaped(),
                     ran_[idx.row()].toHtmlEscaped());
        if (idx.column() == 2) return QString::fromUtf8(l.code.data(), int(l.code.size()));
        if (idx.column() == 0) return tr("▶ runs next · ✓ the last step ran it · ● breakpoint (F9 toggles)");
        return {};
    case Qt::FontRole: {
        QFont f = QFontDatabase::systemFont(QFontDatabase::FixedFont);
        f.setPointSizeF(f.pointSizeF() * th.fontScale());
        if (current) f.setBold(true);
        return f;
    }
    case Qt::BackgroundRole:
        if (current) return QBrush(th.currentLine);
        return {};
    case Qt::ForegroundRole:
        if (idx.column() == 0 && bp) return QBrush(th.breakpoint);
        if (current) return QBrush(th.presentation || !th.dark ? QColor(Qt::black) : th.text);
        return {};
    }
    return {};
}

QVariant CodeModel::headerData(int section, Qt::Orientation o, int role) const {
    if (o != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case 0: return QString();
    case 1: return tr("Step");
    case 2: return tr("Code");
    }
    return {};
}

}  // namespace faultline::views
