// SPDX-License-Identifier: GPL-3.0-or-later
// faultline: the debugger window. `faultline [SESSION] [options]`; with
// --screenshot or --export-steps it renders and exits (QT_QPA_PLATFORM=offscreen
// needs no display).
#include <QApplication>
#include <QIcon>
#include <QTextStream>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "gui/cli_options.h"
#include "gui/controller.h"
#include "gui/main_window.h"
#include "gui/version_text.h"
#include "faultline_version.h"

namespace {

// Headless work (--screenshot, --export-steps, --help) must not need a
// display: pick the offscreen platform before Qt tries xcb and aborts.
// Without a display and without headless work, say what to do instead of
// Qt's plugin abort.
bool choosePlatform(int argc, char** argv) {
    if (std::getenv("QT_QPA_PLATFORM")) return true;
    const char* x = std::getenv("DISPLAY");
    const char* w = std::getenv("WAYLAND_DISPLAY");
    if ((x && *x) || (w && *w)) return true;
    bool headless = false;
    for (int i = 1; i < argc; ++i) {
        const char* a = argv[i];
        for (const char* o : {"--screenshot", "--export-steps", "--help", "-h", "--version"})
            if (std::strncmp(a, o, std::strlen(o)) == 0) headless = true;
    }
    if (!headless) {
        std::fputs(
            "faultline: no display (DISPLAY and WAYLAND_DISPLAY are unset).\n"
            "  Run it under xvfb-run, render with --screenshot/--export-steps,\n"
            "  or run the session with faultline-cli.\n",
            stderr);
        return false;
    }
    setenv("QT_QPA_PLATFORM", "offscreen", 0);
    return true;
}

// Offscreen runs are scripts: drop Qt's notes that say nothing about the
// output (the offscreen plugin cannot resize to size hints; root has no
// XDG_RUNTIME_DIR), keep every other message.
void quietOffscreenNotes(QtMsgType type, const QMessageLogContext& ctx, const QString& msg) {
    if (type <= QtWarningMsg &&
        (msg.contains(QLatin1String("propagateSizeHints")) || msg.contains(QLatin1String("XDG_RUNTIME_DIR"))))
        return;
    QTextStream(stderr) << qFormatLogMessage(type, ctx, msg) << "\n";
}

// The icon compiled in from resources/faultline.qrc: the rendered sizes, so
// the title bar's 16-32 px come from pixels drawn for that size.
QIcon embeddedIcon() {
    QIcon icon;
    for (int s : {16, 22, 24, 32, 48, 64, 128, 256})
        icon.addFile(QStringLiteral(":/faultline/icons/%1/faultline.png").arg(s), QSize(s, s));
    return icon;
}

}  // namespace

int main(int argc, char** argv) {
    if (!choosePlatform(argc, argv)) return 2;
    if (qgetenv("QT_QPA_PLATFORM") == "offscreen") qInstallMessageHandler(quietOffscreenNotes);
    QApplication app(argc, argv);
    QApplication::setOrganizationName("Faultline");
    QApplication::setApplicationName("faultline");
    QApplication::setApplicationVersion(QStringLiteral(FAULTLINE_VERSION));
    // Ties the window to its desktop entry (Wayland app id, task bar icon).
    QApplication::setDesktopFileName(QStringLiteral(FAULTLINE_APP_ID));
    faultline::gui::Options o;
    QString help;
    if (const QString e = faultline::gui::parseOptions(app.arguments(), &o, &help); !e.isEmpty()) {
        if (e == "help") {
            QTextStream(stdout) << help << (help.endsWith(QLatin1Char('\n')) ? "" : "\n");
            return 0;
        }
        if (e == "version") {
            QTextStream(stdout) << faultline::gui::versionText() << "\n";
            return 0;
        }
        QTextStream(stderr) << "faultline: " << e << "\n";
        return 2;
    }
    // The icon theme's copy where one is installed, else the embedded one.
    QApplication::setWindowIcon(QIcon::fromTheme(QStringLiteral(FAULTLINE_APP_ID), embeddedIcon()));
    faultline::gui::Controller c;
    faultline::gui::MainWindow w(&c);
    const int rc = faultline::gui::applyOptions(w, c, o);
    if (rc >= 0) return rc;
    w.show();
    return app.exec();
}
