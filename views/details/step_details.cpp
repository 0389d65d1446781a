// SPDX-License-Identifier: GPL-3.0-or-later
#include "details/step_details.h"

#include <QStringList>
#include <algorithm>

#include "code/code_model.h"
#include "model/toggles.h"
#include "paths/registry.h"
#include "session/cells.h"

namespace faultline::views {

namespace {
QString u8(std::string_view v) { return QString::fromUtf8(v.data(), int(v.size())); }
QString esc(const std::string& t) { return QString::fromStdString(t).toHtmlEscaped(); }

// The value of a changed cell as the memory map and the CLI spell it.
QString cellText(const State& s, const CellRef& c) {
    switch (c.kind) {
    case CellKind::Pte:
        return c.mm < s.mms.size() ? QString::fromStdString(s.mms[c.mm].pt.get(c.key).describe()) : QString();
    case CellKind::Xa: return QString::fromStdString(xaCellText(s, c.key));
    case CellKind::Slot: {
        std::string err;
        auto v = cellValue(s, "slot[" + std::to_string(c.key) + "]", &err);
        return v ? QString::fromStdString(*v) : QString();
    }
    case CellKind::Folio: {
        const Folio& f = s.folio(uint32_t(c.key));
        if (f.refcount == 0 && f.flags == 0) return QObject::tr("free");
        return QStringLiteral("%1 ref %2 map %3 %4")
            .arg(QString::fromStdString(folioFlagsText(f.flags)))
            .arg(f.refcount)
            .arg(f.mapcount)
            .arg(QString::fromStdString(f.data.str()));
    }
    default: return {};
    }
}
}  // namespace

namespace {
void addFinding(Verdict& v, const Finding& f) {
    if (f.rule == Rule::C2) {
        if (!v.notes++) v.firstNoteStep = f.step, v.firstNoteRule = u8(ruleName(f.rule));
    } else if (!v.violations++) {
        v.firstViolationStep = f.step, v.firstViolationRule = u8(ruleName(f.rule));
    }
}
}  // namespace

Verdict verdictOf(const RecordLog& log) {
    Verdict v;
    extendVerdict(v, log, 0);
    return v;
}

void extendVerdict(Verdict& v, const RecordLog& log, uint64_t from) {
    v.steps = log.size();
    log.forEachFinding(from, [&](const Finding& f) { addFinding(v, f); });
}

Verdict verdictOf(const Timeline& tl) {
    Verdict v;
    v.steps = tl.length();
    tl.forEachFinding([&](const Finding& f) { addFinding(v, f); });
    return v;
}

QString verdictText(const Verdict& v, const QString& end) {
    auto count = [](int n, const char* one, const char* many) {
        return QStringLiteral("%1 %2").arg(n).arg(QObject::tr(n == 1 ? one : many));
    };
    QStringList parts;
    if (v.violations)
        parts << count(v.violations, "violation", "violations") +
                     QObject::tr(" (%1 at step %2)").arg(v.firstViolationRule).arg(v.firstViolationStep);
    else parts << QObject::tr("no violation");
    if (v.notes)
        parts << count(v.notes, "note", "notes") +
                     QObject::tr(" (%1 at step %2)").arg(v.firstNoteRule).arg(v.firstNoteStep);
    const QString what = parts.join(QStringLiteral(", "));
    return end.isEmpty() ? QObject::tr("%1 steps so far: %2").arg(v.steps).arg(what)
                         : QObject::tr("%1: %2").arg(end, what);
}

QString runEndOf(const Snapshot& s) {
    if (s.position != s.length || s.nextTask) return {};
    const QString why = QString::fromStdString(s.nextTaskWhy);
    if (why.contains(QLatin1String("deadlock"))) return QObject::tr("deadlock");
    if (why.contains(QLatin1String("finished"))) return QObject::tr("finished");
    return QObject::tr("stopped");
}

QString storyHeadHtml(const Snapshot& s) {
    QString h;
    const QString name = QString::fromStdString(s.sessionName);
    h += QStringLiteral("<h3 style='margin:0'>%1</h3>")
             .arg(name.isEmpty() ? QObject::tr("(unnamed session)") : name.toHtmlEscaped());
    h += QStringLiteral("<p style='margin-top:2px'><i>%1</i> · %2</p>")
             .arg(QObject::tr("kernel %1").arg(QString::fromStdString(s.variant).toHtmlEscaped()),
                  QString::fromStdString(s.sessionFile).toHtmlEscaped());
    if (!s.sessionDescription.empty()) h += QStringLiteral("<p>%1</p>").arg(esc(s.sessionDescription));
    return h;
}

QString verdictHtml(const Snapshot& s, const Verdict* known) {
    if (!s.log) return {};
    const Verdict v = known ? *known : verdictOf(*s.log);
    QString end = s.position == s.length ? runEndOf(s) : QString();
    if (end.isEmpty()) end = QObject::tr("the run (%1 steps)").arg(v.steps);
    else end += QObject::tr(" after %1 steps").arg(v.steps);
    return QStringLiteral("<p><b>%1</b></p>").arg(verdictText(v, end).toHtmlEscaped());
}

QString stepDetailsHtml(const Snapshot& s) {
    const auto r = s.lastStep();
    if (!s.valid()) return {};
    if (!r)
        return QObject::tr(
                   "<p><b>Step 0</b>: the initial state, after the session's setup. F11 takes the next step (%1).</p>")
            .arg(QString::fromStdString(s.nextTaskWhy).toHtmlEscaped());
    const State& after = s.state;
    const std::string who = after.config->tasks[r->task].name;
    QString h = QObject::tr("<p><b>Step %1</b> · task <b>%2</b></p>")
                    .arg(r->number)
                    .arg(QString::fromStdString(who).toHtmlEscaped());
    // Each piece: the function, its source, the row's id and code, what happened and why.
    h += QStringLiteral("<ol style='margin-left:-20px'>");
    std::vector<Fn> fns;
    for (const StepPiece& p : r->pieces) {
        const FunctionInfo& fi = fnInfo(p.fn);
        const QString id = u8(stepId(p.fn, p.pc));
        const QString code = p.pc < fi.lines.size() ? u8(fi.lines[p.pc].code) : QString();
        h += QStringLiteral("<li><b>%1()</b> %2 <span style='color:gray'>(%3)</span><br><tt>%4</tt><br>%5</li>")
                 .arg(u8(fi.name), id.isEmpty() ? QStringLiteral(":%1").arg(p.pc) : id, u8(fi.source),
                      code.toHtmlEscaped(), esc(p.text));
        if (std::find(fns.begin(), fns.end(), p.fn) == fns.end()) fns.push_back(p.fn);
    }
    h += QStringLiteral("</ol>");
    if (!r->subSteps.empty()) {
        QStringList subs;
        for (auto id : r->subSteps) subs << u8(id);
        h += QObject::tr("<p>Inside these rows: %1</p>").arg(subs.join(QStringLiteral(", ")));
    }
    // The rules of the variant that decide these functions.
    QStringList rules;
    for (Fn fn : fns)
        for (std::string_view rule : rulesFor(fn)) {
            const std::string v = toggleValue(after.toggles, rule);
            const QString line = QStringLiteral("%1 = %2 <span style='color:gray'>(%3)</span>")
                                     .arg(u8(rule), QString::fromStdString(v), u8(fnName(fn)));
            if (!v.empty() && !rules.contains(line)) rules << line;
        }
    h += rules.isEmpty()
             ? QObject::tr("<p><b>Variant %1</b>: no toggle decides these functions.</p>")
                   .arg(QString::fromStdString(s.variant).toHtmlEscaped())
             : QObject::tr("<p><b>Variant %1</b>: %2</p>")
                   .arg(QString::fromStdString(s.variant).toHtmlEscaped(), rules.join(QStringLiteral(" · ")));
    // The cells it changed, old → new.
    QStringList cells;
    for (const CellRef& c : r->changed) {
        if (c.kind == CellKind::Task || c.kind == CellKind::Lock) continue;
        const QString name = QString::fromStdString(cellRefName(after, c)).toHtmlEscaped();
        const QString now = cellText(after, c);
        const QString was = s.before ? cellText(*s.before, c) : QString();
        if (now.isEmpty() && was.isEmpty()) cells << name;
        else cells << QStringLiteral("%1: %2 → %3").arg(name, was.toHtmlEscaped(), now.toHtmlEscaped());
    }
    if (!cells.isEmpty()) h += QObject::tr("<p><b>Changed</b><br>%1</p>").arg(cells.join(QStringLiteral("<br>")));
    for (const Finding& f : r->findings)
        h += QStringLiteral("<p style='color:%1'><b>⚠ %2 (%3)</b>: %4</p>")
                 .arg(QStringLiteral("#c0392b"), u8(ruleName(f.rule)), u8(ruleTitle(f.rule)), esc(f.text));
    for (const auto& m : r->raised) h += QObject::tr("<p>→ uffd message %1 queued</p>").arg(esc(m.text));
    if (r->opDone)
        h += QObject::tr("<p>%1 finished its operation (returned %2).</p>")
                 .arg(QString::fromStdString(who).toHtmlEscaped())
                 .arg(r->opResult);
    return h;
}

}  // namespace faultline::views
