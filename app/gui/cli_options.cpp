// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui/cli_options.h"

#include "model/variants.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDockWidget>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTextStream>

#include "common/export.h"
#include "faultline_version.h"
#include "gui/controller.h"
#include "gui/main_window.h"
#include "model/variants.h"

namespace faultline::gui {

// The seed race sample: beside the executable in the install layout
// (bin/../share/faultline; the build tree mirrors it with a link, see
// resources/CMakeLists.txt), then the XDG data folders (/usr/local/share,
// /usr/share), then a source checkout as the working folder.
QString defaultSessionPath() {
    const QString rel = QStringLiteral("sample_sessions/s1-seed-race.json");
    QStringList candidates = {
        QDir(QApplication::applicationDirPath()).filePath(QStringLiteral(FAULTLINE_DATA_FROM_BINDIR "/") + rel),
    };
    const QString xdg = QStandardPaths::locate(QStandardPaths::GenericDataLocation, "faultline/" + rel);
    if (!xdg.isEmpty()) candidates << xdg;
    candidates << rel;
    for (const QString& c : candidates)
        if (QFileInfo::exists(c)) return QFileInfo(c).absoluteFilePath();
    return candidates.front();
}

// "A-B" or "N", decimal digits only, A <= B.
bool parseStepRange(const QString& text, uint64_t* a, uint64_t* b) {
    static const QRegularExpression re(QStringLiteral("^([0-9]{1,18})(?:-([0-9]{1,18}))?$"));
    const QRegularExpressionMatch m = re.match(text);
    if (!m.hasMatch()) return false;
    const uint64_t x = m.captured(1).toULongLong(), y = m.captured(2).isEmpty() ? x : m.captured(2).toULongLong();
    if (x > y) return false;
    if (a) *a = x;
    if (b) *b = y;
    return true;
}

bool parseSize(const QString& text, int* w, int* h) {
    static const QRegularExpression re(QStringLiteral("^([0-9]{1,5})x([0-9]{1,5})$"));
    const QRegularExpressionMatch m = re.match(text);
    if (!m.hasMatch()) return false;
    const int x = m.captured(1).toInt(), y = m.captured(2).toInt();
    if (x < 200 || y < 200 || x > 16384 || y > 16384) return false;
    if (w) *w = x;
    if (h) *h = y;
    return true;
}

QString parseOptions(const QStringList& args, Options* o, QString* helpText) {
    QCommandLineParser p;
    p.setApplicationDescription(
        "Faultline: a step debugger for the Linux mm fault paths around userfaultfd write-protect on shmem.");
    p.addHelpOption();
    p.addVersionOption();
    p.addPositionalArgument("session", "Session file (default: the seed race sample).", "[SESSION]");
    const QCommandLineOption kernel("kernel", "Kernel variant id (baseline-2020, ..., upstream).", "ID");
    const QCommandLineOption set("set", "Toggle override on top of the variant (repeatable).", "NAME=VALUE");
    const QCommandLineOption step("step", "Go to step N.", "N");
    const QCommandLineOption task("task", "Select task NAME in the Tasks and Code views.", "NAME");
    const QCommandLineOption compare("compare", "Compare with variant ID (side by side).", "ID");
    const QCommandLineOption shot("screenshot", "Render the window to FILE (.png, .svg, .pdf) and exit.", "FILE");
    const QCommandLineOption scale("scale", "Scale factor of PNG output (default 1).", "S", "1");
    const QCommandLineOption steps("export-steps", "Export steps A-B, one page per step, to --out and exit.", "A-B");
    const QCommandLineOption out("out", "Output of --export-steps: a .pdf file or a folder of PNGs.", "PATH");
    const QCommandLineOption theme("theme", "light or dark.", "THEME", "light");
    const QCommandLineOption pres("presentation",
                                  "Presentation mode: large fonts, colour-blind-safe high-contrast palette.");
    const QCommandLineOption size("size", "Window size for rendering (default 1600x1000).", "WxH", "1600x1000");
    const QCommandLineOption watch("watch", "Add a watchpoint, e.g. A.pte[8].uffd_wp.", "CELL");
    const QCommandLineOption norec("no-recovery", "Do not offer to recover an autosaved recording.");
    const QCommandLineOption view("view",
                                  "With --screenshot: render only this view (memoryMap, dockTasks, dockCode, "
                                  "dockTrace, dockTimeline, dockVmas, dockUffd, dockBreakpoints, dockExplore).",
                                  "NAME");
    const QCommandLineOption cont("continue", "After --step: continue to the next breakpoint, watchpoint or finding.");
    const QCommandLineOption rcont("reverse-continue",
                                   "After --step: run back to the previous breakpoint, watchpoint or finding.");
    const QCommandLineOption explore("explore",
                                     "Search every schedule in the Explore dock under these variants (comma-separated, "
                                     "or all), with its default bounds, and wait for the result.",
                                     "IDS");
    const QCommandLineOption openResult("open-result",
                                        "After --explore: open the first counterexample found at its violating step.");
    const QCommandLineOption kobs("kernel-observations",
                                  "Show the kernel twin's observations in the memory map: the output of "
                                  "`faultline-cli kernel SESSION --json --all` for this session.",
                                  "FILE.json");
    p.addOptions({kernel, set,  step,  task,  compare, shot, scale, steps,   out,        theme,
                  pres,   size, watch, norec, view,    cont, rcont, explore, openResult, kobs});
    if (!p.parse(args)) return p.errorText();
    if (p.isSet("help")) {
        if (helpText) *helpText = p.helpText();
        return "help";
    }
    if (p.isSet("version")) return "version";
    // An option given with an empty value is a mistake, never "not given".
    for (const QCommandLineOption* opt :
         {&kernel, &step, &task, &compare, &shot, &scale, &steps, &out, &theme, &size, &watch, &view, &kobs})
        if (p.isSet(*opt) && p.value(*opt).trimmed().isEmpty())
            return QStringLiteral("--%1: an empty value").arg(opt->names().front());
    const QStringList pos = p.positionalArguments();
    if (pos.size() > 1) return "more than one session file given";
    o->session = pos.value(0);
    o->kernel = p.value(kernel);
    if (!o->kernel.isEmpty() && !findVariant(o->kernel.toStdString()))
        return QStringLiteral("--kernel %1: unknown kernel variant").arg(o->kernel);
    for (const QString& s : p.values(set)) {
        const int eq = s.indexOf('=');
        if (eq <= 0) return QStringLiteral("--set %1: expected NAME=VALUE").arg(s);
        o->toggles.emplace_back(s.left(eq).toStdString(), s.mid(eq + 1).toStdString());
    }
    if (p.isSet(step)) {
        bool ok = false;
        o->step = p.value(step).toULongLong(&ok);
        if (!ok || !p.value(step).front().isDigit())
            return QStringLiteral("--step %1: not a step number (0, 1, 2, ...)").arg(p.value(step));
    }
    o->task = p.value(task);
    o->compare = p.value(compare);
    o->screenshot = p.value(shot);
    bool ok = false;
    o->scale = p.value(scale).toDouble(&ok);
    if (!ok || !(o->scale > 0 && o->scale <= 8))
        return QStringLiteral("--scale %1: expected a number in (0, 8]").arg(p.value(scale));
    o->exportSteps = p.value(steps);
    o->out = p.value(out);
    if (!o->exportSteps.isEmpty() && o->out.isEmpty()) return "--export-steps needs --out";
    if (!o->exportSteps.isEmpty() && !parseStepRange(o->exportSteps, nullptr, nullptr))
        return QStringLiteral("--export-steps %1: expected A-B with A <= B (or one step N)").arg(o->exportSteps);
    o->theme = p.value(theme);
    if (o->theme != "light" && o->theme != "dark") return "--theme: light or dark";
    o->presentation = p.isSet(pres);
    o->size = p.value(size);
    if (!parseSize(o->size, nullptr, nullptr))
        return QStringLiteral("--size %1: expected WIDTHxHEIGHT, each 200 to 16384").arg(o->size);
    o->watch = p.value(watch);
    o->noRecovery = p.isSet(norec);
    o->view = p.value(view);
    o->kernelObservations = p.value(kobs);
    if (p.isSet(cont) && p.isSet(rcont)) return "--continue and --reverse-continue exclude each other";
    o->run = p.isSet(cont) ? 1 : p.isSet(rcont) ? -1 : 0;
    if (p.isSet(explore)) {
        for (const QString& v : p.value(explore).split(',', Qt::SkipEmptyParts)) {
            if (v != "all" && !findVariant(v.toStdString()))
                return QStringLiteral("--explore: unknown kernel variant '%1'").arg(v);
            o->explore << v;
        }
        if (o->explore.isEmpty()) return "--explore: name at least one variant (or all)";
    }
    o->openResult = p.isSet(openResult);
    if (o->openResult && o->explore.isEmpty()) return "--open-result needs --explore";
    return {};
}

int applyOptions(MainWindow& w, Controller& c, const Options& o) {
    QTextStream err(stderr);
    const bool headless = o.headless();
    w.setQuiet(headless);
    int width = 0, height = 0;
    if (parseSize(o.size, &width, &height)) w.resize(width, height);
    // Rendered output is reproducible: the default layout, not the user's.
    if (headless) {
        w.show();
        QApplication::processEvents();
        w.resetLayout();
    }
    if (o.theme == "dark" || o.presentation) w.setTheme(o.theme == "dark", o.presentation);
    bool recovered = false;
    // A recording left by a window that died is offered whatever file was
    // asked for (tools/run.sh always names one); headless runs never ask.
    // The window shows first: the replay of a long recording shows its
    // progress (and Cancel) there.
    if (!headless && !o.noRecovery && !Autosave::orphans().isEmpty()) {
        w.show();
        recovered = w.offerRecovery(true);
    }
    if (!recovered) {
        const QString path = o.session.isEmpty() ? defaultSessionPath() : o.session;
        if (const QString e = w.openFile(path, headless); !e.isEmpty()) {
            err << "faultline: " << e << "\n";
            if (headless) return 2;
        }
    }
    if (!c.hasSession()) return headless ? 2 : 0;
    if (!o.kernel.isEmpty() || !o.toggles.empty()) {
        const QString v = o.kernel.isEmpty() ? QString::fromStdString(c.debugger().variant()) : o.kernel;
        if (const QString e = c.setVariant(v, o.toggles); !e.isEmpty()) {
            err << "faultline: " << e << "\n";
            if (headless) return 2;
        }
    }
    if (!o.watch.isEmpty())
        if (const QString e = c.addWatchpoint(o.watch); !e.isEmpty()) {
            err << "faultline: --watch " << o.watch << ": " << e << "\n";
            return 2;
        }
    if (!o.kernelObservations.isEmpty()) {
        QFile f(o.kernelObservations);
        const QString e = !f.open(QIODevice::ReadOnly) ? QStringLiteral("cannot read it: %1").arg(f.errorString())
                                                       : w.showKernelObservations(f.readAll());
        if (!e.isEmpty()) {
            err << "faultline: --kernel-observations " << o.kernelObservations << ": " << e << "\n";
            return 2;
        }
    }
    if (o.step) c.runTo(*o.step);
    if (o.run > 0) c.continueRun();
    if (o.run < 0) c.reverseContinue();
    if (!o.task.isEmpty()) {
        const int t = c.debugger().session().config.taskIndex(o.task.toStdString());
        if (t < 0) {
            err << "faultline: no task named " << o.task << "\n";
            if (headless) return 2;
        } else {
            c.selectTask(t);
        }
    }
    if (!o.explore.isEmpty()) {
        if (const QString e = w.runExploreAndWait(o.explore, o.openResult); !e.isEmpty()) {
            err << "faultline: --explore: " << e << "\n";
            if (headless) return 2;
        }
    }
    if (!o.compare.isEmpty())
        if (const QString e = c.setCompare(true, o.compare); !e.isEmpty()) {
            err << "faultline: " << e << "\n";
            if (headless) return 2;
        }
    if (!headless) return -1;  // keep running
    w.show();
    QApplication::processEvents();
    if (!o.screenshot.isEmpty()) {
        QWidget* target = &w;
        if (!o.view.isEmpty()) {
            // The view alone at --size: a dock floats at that size; the
            // memory map (the central widget) gets the window to itself.
            target = w.findChild<QWidget*>(o.view);
            if (auto* d = qobject_cast<QDockWidget*>(target)) {
                d->setFloating(true);
                d->show();
                d->resize(w.size());
                QApplication::processEvents();
                target = d->widget();
            } else if (target) {
                for (QDockWidget* d : w.findChildren<QDockWidget*>()) d->hide();
                QApplication::processEvents();
            }
            if (!target) {
                err << "faultline: --view: no view named " << o.view << "\n";
                return 2;
            }
        }
        if (const QString e = views::saveAny(target, o.screenshot, o.scale); !e.isEmpty()) {
            err << "faultline: " << e << "\n";
            return 1;
        }
    }
    if (!o.exportSteps.isEmpty()) {
        uint64_t a = 0, b = 0;
        if (!parseStepRange(o.exportSteps, &a, &b)) {
            err << "faultline: --export-steps " << o.exportSteps << ": expected A-B with A <= B\n";
            return 2;
        }
        if (b > c.debugger().length()) {
            err << "faultline: --export-steps: the run has " << c.debugger().length() << " steps\n";
            return 2;
        }
        if (const QString e = w.exportSteps(a, b, o.out, o.scale); !e.isEmpty()) {
            err << "faultline: " << e << "\n";
            return 1;
        }
    }
    return 0;
}

}  // namespace faultline::gui
