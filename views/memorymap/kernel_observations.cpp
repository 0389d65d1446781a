// SPDX-License-Identifier: GPL-3.0-or-later
#include "memorymap/kernel_observations.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QObject>

#include "common/snapshot.h"

namespace faultline::views {

std::shared_ptr<const KernelObservations> KernelObservations::fromJson(const QByteArray& json, QString* error) {
    QJsonParseError pe{};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &pe);
    auto fail = [error](const QString& e) {
        if (error) *error = e;
        return nullptr;
    };
    if (pe.error != QJsonParseError::NoError)
        return fail(QObject::tr("not JSON (at byte %1: %2)").arg(pe.offset).arg(pe.errorString()));
    const QJsonObject o = doc.object();
    if (o.value("format").toString() != QLatin1String("faultline-kernel"))
        return fail(QObject::tr("not the kernel twin's output (format \"faultline-kernel\" expected)"));
    if (!o.value("setup_ops").isDouble()) return fail(QObject::tr("no \"setup_ops\" (made by an older faultline-cli)"));
    auto out = std::make_shared<KernelObservations>();
    out->kernel = o.value("kernel").toString();
    out->session = o.value("session").toString();
    out->setupOps = o.value("setup_ops").toInt();
    out->agreed = o.value("agreed").toInt();
    out->observations = o.value("observations").toInt();
    const QJsonArray rows = o.value("rows").toArray();
    for (int i = 0; i < rows.size(); ++i) {
        const QJsonObject r = rows[i].toObject();
        const int op = r.value("op").toInt();
        const QString cell = r.value("cell").toString();
        if (op < 1 || op > 1000000 || cell.isEmpty())
            return fail(QObject::tr("row %1: no operation number or cell").arg(i + 1));
        if (out->ops.size() < op) out->ops.resize(op);
        KernelObservations::Op& o2 = out->ops[op - 1];
        o2.label = r.value("operation").toString();
        const bool agree = r.value("agree").toBool(true);
        o2.cells.insert(cell, {r.value("kernel").toString(), r.value("simulation").toString(), agree});
        if (!agree) o2.disagreements << cell;
    }
    if (out->setupOps < 0 || out->setupOps > out->ops.size())
        return fail(QObject::tr("setup_ops %1 but %2 operations").arg(out->setupOps).arg(out->ops.size()));
    return out;
}

int kernelOpAt(const Snapshot& s, int setupOps) {
    if (!s.valid()) return 0;
    const Config& cfg = *s.state.config;
    int n = setupOps;
    if (!s.log) return n;
    std::vector<size_t> next(cfg.tasks.size(), 0);
    const uint64_t end = std::min(s.position, s.log->size());
    for (uint64_t i = 0; i < end; ++i) {
        const StepBrief& r = s.log->brief(i);  // the brief is enough: no record re-executed
        if (!(r.flags & StepBrief::OpDone) || int(r.task) == cfg.ioTask || r.task >= cfg.tasks.size()) continue;
        const auto& prog = cfg.tasks[r.task].program;
        const size_t k = next[r.task]++;
        // serve ends with the uffd's close: the twin's monitor thread has no operation of its own.
        if (k < prog.size() && prog[k].kind == OpKind::Serve) continue;
        ++n;
    }
    return n;
}

}  // namespace faultline::views
