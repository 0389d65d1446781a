// SPDX-License-Identifier: GPL-3.0-or-later
#include "vmas/vmas_model.h"

#include <QBrush>

#include "common/theme.h"

namespace faultline::views {

int VmasModel::rowsFor(const Snapshot& s) const {
    int n = 0;
    for (const Mm& m : s.state.mms) n += int(m.vmas.size());
    return n;
}

std::pair<int, int> VmasModel::locate(int row) const {
    for (size_t m = 0; m < snap_.state.mms.size(); ++m) {
        const int n = int(snap_.state.mms[m].vmas.size());
        if (row < n) return {int(m), row};
        row -= n;
    }
    return {-1, -1};
}

QVariant VmasModel::cellData(const QModelIndex& idx, int role) const {
    if (!idx.isValid()) return {};
    const auto [m, v] = locate(idx.row());
    if (m < 0) return {};
    const Vma& vma = snap_.state.mms[m].vmas[v];
    const Config& cfg = *snap_.state.config;
    if (role == Qt::DisplayRole) {
        switch (idx.column()) {
        case MmCol: return QString::fromStdString(cfg.mmNames[m]);
        case Name:
            return vma.nameId < cfg.vmaNames.size() ? QString::fromStdString(cfg.vmaNames[vma.nameId]) : QString("?");
        case Range: return QStringLiteral("0x%1–0x%2").arg(vma.start << 12, 0, 16).arg(vma.end << 12, 0, 16);
        case Pages: return qulonglong(vma.end - vma.start);
        case Pgoff: return vma.file ? QVariant(qulonglong(vma.pgoff)) : QVariant(tr("anon"));
        case Flags: return QString::fromStdString(vmFlagsText(vma.flags & ~VM_UFFD_ANY));
        case Uffd: {
            QStringList u;
            if (vma.flags & VM_UFFD_MISSING) u << "VM_UFFD_MISSING";
            if (vma.flags & VM_UFFD_WP) u << "VM_UFFD_WP";
            if (vma.flags & VM_UFFD_MINOR) u << "VM_UFFD_MINOR";
            return u.isEmpty() ? tr("—") : u.join(' ');
        }
        }
    }
    if (role == Qt::ForegroundRole && idx.column() == Uffd && (vma.flags & VM_UFFD_WP))
        return QBrush(Theme::current().wp);
    if (role == Qt::ToolTipRole) return QString::fromStdString(vmFlagsText(vma.flags));
    return {};
}

QVariant VmasModel::headerData(int section, Qt::Orientation o, int role) const {
    if (o != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case MmCol: return tr("mm");
    case Name: return tr("VMA");
    case Range: return tr("Range");
    case Pages: return tr("Pages");
    case Pgoff: return tr("pgoff");
    case Flags: return tr("Flags");
    case Uffd: return tr("userfaultfd");
    }
    return {};
}

QString rangesText(const std::vector<uint64_t>& v) {
    QStringList out;
    for (size_t i = 0; i < v.size();) {
        size_t j = i;
        while (j + 1 < v.size() && v[j + 1] == v[j] + 1) ++j;
        out << (i == j ? QString::number(v[i]) : QStringLiteral("%1–%2").arg(v[i]).arg(v[j]));
        i = j + 1;
    }
    return out.isEmpty() ? QObject::tr("none") : out.join(", ");
}

std::vector<std::pair<QString, QString>> UffdModel::rowsOf(const Snapshot& sn) const {
    std::vector<std::pair<QString, QString>> r;
    if (!sn.valid()) return r;
    const State& s = sn.state;
    const UffdCtx& u = s.uffd;
    const Config& cfg = *s.config;
    if (!u.exists) {
        r.emplace_back(tr("context"), tr("no userfaultfd"));
        return r;
    }
    const QString mm = u.mm < cfg.mmNames.size() ? QString::fromStdString(cfg.mmNames[u.mm]) : QString("?");
    r.emplace_back(tr("context"), tr("mm %1%2%3")
                                      .arg(mm, u.apiDone ? tr(", UFFDIO_API done") : tr(", no UFFDIO_API yet"),
                                           u.released ? tr(", released") : QString()));
    static const std::pair<uint64_t, const char*> feats[] = {{UFFD_FEATURE_EVENT_FORK, "EVENT_FORK"},
                                                             {UFFD_FEATURE_EVENT_REMOVE, "EVENT_REMOVE"},
                                                             {UFFD_FEATURE_EVENT_UNMAP, "EVENT_UNMAP"},
                                                             {UFFD_FEATURE_MISSING_SHMEM, "MISSING_SHMEM"},
                                                             {UFFD_FEATURE_SIGBUS, "SIGBUS"},
                                                             {UFFD_FEATURE_THREAD_ID, "THREAD_ID"},
                                                             {UFFD_FEATURE_MINOR_SHMEM, "MINOR_SHMEM"},
                                                             {UFFD_FEATURE_EXACT_ADDRESS, "EXACT_ADDRESS"},
                                                             {UFFD_FEATURE_WP_HUGETLBFS_SHMEM, "WP_HUGETLBFS_SHMEM"},
                                                             {UFFD_FEATURE_WP_UNPOPULATED, "WP_UNPOPULATED"},
                                                             {UFFD_FEATURE_POISON, "POISON"},
                                                             {UFFD_FEATURE_WP_ASYNC, "WP_ASYNC"}};
    auto featureText = [&](uint64_t bitsSet) {
        QStringList f;
        for (auto [bit, name] : feats)
            if (bitsSet & bit) f << name;
        return f.isEmpty() ? tr("none") : f.join(' ');
    };
    r.emplace_back(tr("features"), featureText(u.features));
    if (u.mm < s.mms.size())
        for (const Vma& v : s.mms[u.mm].vmas) {
            if (!(v.flags & VM_UFFD_ANY) || v.ctx != 0) continue;
            QStringList modes;
            if (v.flags & VM_UFFD_MISSING) modes << "MISSING";
            if (v.flags & VM_UFFD_WP) modes << "WP";
            if (v.flags & VM_UFFD_MINOR) modes << "MINOR";
            r.emplace_back(
                tr("registered"),
                v.file
                    ? tr("file pages %1–%2: %3").arg(v.pgoff).arg(v.pgoff + (v.end - v.start) - 1).arg(modes.join('|'))
                    : tr("anon 0x%1–0x%2: %3").arg(v.start << 12, 0, 16).arg(v.end << 12, 0, 16).arg(modes.join('|')));
        }
    auto msgs = [&](const std::vector<UffdMsg>& q) {
        QStringList l;
        for (const UffdMsg& m : q)
            l << QStringLiteral("#%1 %2 from %3")
                     .arg(m.id)
                     .arg(QString::fromStdString(uffdMsgText(m, s)))
                     .arg(m.task < cfg.tasks.size() ? QString::fromStdString(cfg.tasks[m.task].name) : QString("?"));
        return l.isEmpty() ? tr("none") : l.join(", ");
    };
    r.emplace_back(tr("pending (not read)"), msgs(u.pending));
    r.emplace_back(tr("read, faulter asleep"), msgs(u.readWaiting));
    QStringList sleepers;
    for (size_t t = 0; t < s.tasks.size(); ++t)
        if (s.tasks[t].state == TaskState::SleepUffd)
            sleepers << tr("%1 on message #%2").arg(QString::fromStdString(cfg.tasks[t].name)).arg(s.tasks[t].waitArg);
    r.emplace_back(tr("sleeping faulters"), sleepers.isEmpty() ? tr("none") : sleepers.join(", "));
    if (u.mm < s.mms.size()) {
        const Mm& m = s.mms[u.mm];
        const uint64_t h = m.intent.hash() ^ (uint64_t(u.mm) << 56) ^ m.vmas.size();
        if (h != intentHash_ || intentText_.isEmpty()) {
            std::vector<uint64_t> prot;
            for (const Vma& v : m.vmas)
                if (v.file)
                    m.intent.forEach(v.start, v.end, [&](uint64_t vpn, const Intent& in) {
                        if (in.protect) prot.push_back(v.indexOf(vpn));
                    });
            std::sort(prot.begin(), prot.end());
            intentText_ = tr("file pages %1").arg(rangesText(prot));
            intentHash_ = h;
        }
        r.emplace_back(tr("monitor intends protection"), intentText_);
    }
    r.emplace_back(tr("next message id"), QString::number(u.nextMsgId));
    // Further contexts (a second UFFDIO_API, a fork child's): one line each.
    for (size_t i = 1; i < s.ctxCount(); ++i) {
        const UffdCtx& x = s.ctx(i);
        if (!x.exists) continue;
        QStringList regs;
        if (x.mm < s.mms.size())
            for (const Vma& v : s.mms[x.mm].vmas)
                if (v.uffd && v.ctx == i)
                    regs << (v.file ? tr("file pages %1–%2").arg(v.pgoff).arg(v.pgoff + (v.end - v.start) - 1)
                                    : tr("anon 0x%1").arg(v.start << 12, 0, 16));
        const QString xm = x.mm < cfg.mmNames.size() ? QString::fromStdString(cfg.mmNames[x.mm]) : QString("?");
        r.emplace_back(tr("uffd %1").arg(i), tr("mm %1%2; features %3; registered %4; pending %5; read %6")
                                                 .arg(xm, x.released ? tr(", released") : QString(),
                                                      featureText(x.features), regs.isEmpty() ? tr("none") : regs.join(", "),
                                                      msgs(x.pending), msgs(x.readWaiting)));
    }
    return r;
}

QVariant UffdModel::cellData(const QModelIndex& idx, int role) const {
    if (!idx.isValid() || idx.row() >= int(rows_.size())) return {};
    if (role == Qt::DisplayRole || role == Qt::ToolTipRole)
        return idx.column() == 0 ? rows_[idx.row()].first : rows_[idx.row()].second;
    return {};
}

QVariant UffdModel::headerData(int section, Qt::Orientation o, int role) const {
    if (o != Qt::Horizontal || role != Qt::DisplayRole) return {};
    return section == 0 ? tr("userfaultfd") : tr("Value");
}

}  // namespace faultline::views
