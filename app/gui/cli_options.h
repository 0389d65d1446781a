// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The faultline executable's options, shared by main() and the tests.
#include <QString>
#include <QStringList>
#include <optional>

#include "debug/debugger.h"

namespace faultline::gui {

struct Options {
    QString session;               // empty: the default sample session
    QString kernel;                // --kernel ID
    debug::Overrides toggles;      // --set NAME=VALUE
    std::optional<uint64_t> step;  // --step N
    QString task;                  // --task NAME: select (and give the next step to) a task
    QString compare;               // --compare ID
    QString screenshot;            // --screenshot out.png|svg|pdf
    double scale = 1.0;            // --scale
    QString exportSteps;           // --export-steps A-B
    QString out;                   // --out deck.pdf | folder
    QString theme = "light";       // --theme light|dark
    bool presentation = false;     // --presentation
    QString size = "1600x1000";    // --size WxH
    QString watch;                 // --watch CELL (e.g. A.pte[8].uffd_wp)
    QString view;             // --view NAME: --screenshot renders only this view (memoryMap or a dock's objectName)
    bool noRecovery = false;  // --no-recovery
    int run = 0;              // --continue (1) / --reverse-continue (-1), after --step
    QStringList explore;      // --explore V1,V2|all: run the Explore dock's search (default bounds) and wait
    bool openResult = false;  // --open-result: then open the first counterexample found
    QString kernelObservations;  // --kernel-observations FILE.json: faultline-cli kernel --json --all's output

    bool headless() const { return !screenshot.isEmpty() || !exportSteps.isEmpty(); }
};

// Parses argv; on error returns the message (and sets *help for --help;
// "version" for --version).
QString parseOptions(const QStringList& args, Options* o, QString* helpText);
QString defaultSessionPath();
// "--export-steps A-B" / "N" (A <= B) and "--size WxH" (200..16384 each); null outputs allowed.
bool parseStepRange(const QString& text, uint64_t* a, uint64_t* b);
bool parseSize(const QString& text, int* w, int* h);

class MainWindow;
class Controller;
// Loads and positions per the options; for headless runs renders and returns
// the process exit code (0 ok). Errors go to stderr.
int applyOptions(MainWindow& w, Controller& c, const Options& o);

}  // namespace faultline::gui
