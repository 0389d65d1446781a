// faultline: the debugger window. `faultline [SESSION] [options]`; with
// --screenshot or --export-steps it renders and exits (QT_QPA_PLATFORM=offscreen
// needs no display).
#include <QApplication>
#include <QTextStream>

#include "gui/cli_options.h"
#include "gui/controller.h"
#include "gui/main_window.h"

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setOrganizationName("Faultline");
    QApplication::setApplicationName("faultline");
    faultline::gui::Options o;
    QString help;
    if (const QString e = faultline::gui::parseOptions(app.arguments(), &o, &help); !e.isEmpty()) {
        if (e == "help") {
            QTextStream(stdout) << help;
            return 0;
        }
        QTextStream(stderr) << "faultline: " << e << "\n";
        return 2;
    }
    faultline::gui::Controller c;
    faultline::gui::MainWindow w(&c);
    const int rc = faultline::gui::applyOptions(w, c, o);
    if (rc >= 0) return rc;
    w.show();
    return app.exec();
}
