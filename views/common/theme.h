// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Colours and fonts of every view. Three choices, combinable: light / dark,
// and presentation mode (larger fonts, the colour-blind-safe Okabe–Ito
// palette with high contrast). Views ask Theme::current() at paint time, so a
// switch repaints without rebuilding models.
#include <QColor>
#include <QFont>
#include <QObject>
#include <QString>
#include <vector>

namespace faultline::views {

struct Theme {
    bool dark = false;
    bool presentation = false;

    // Memory-map cells.
    QColor cellText, cellTextDim;
    QColor pteNone, pteReadOnly, pteWritable, pteMarker, pteSwap;
    QColor wp;  // the uffd-wp badge and bar: the one colour that must stand out
    QColor wpText;
    QColor xaHole, xaFolio, xaSwap;
    QColor frameLocked, frameNormal, frameDirty;
    QColor slotFree, slotUsed;
    QColor changed;      // border of cells changed by the last step
    QColor finding;      // rows / markers with a checker finding
    QColor currentLine;  // the current line / step
    QColor future;       // trace rows after the current position
    QColor breakpoint;
    QColor divergence;
    QColor window, base, text;
    // Swimlane colours by function (cycled).
    std::vector<QColor> functionColours;

    double fontScale() const { return presentation ? 1.5 : 1.0; }

    static const Theme& current();
    static void set(bool dark, bool presentation);
    // Applies palette and font to the application (call after set()).
    static void applyToApplication();
};

// One row of the legend: a sample colour (+ badge) and what it means.
struct LegendEntry {
    QColor colour;
    bool wpBadge = false;
    bool hatched = false;
    QString text;
    enum class Frame {
        None,
        Changed,
        Watched,
        TextOnly,
        Differs,
        Kernel,  // the kernel twin's observation under the cell
        KernelDisagrees,
        Signal  // the access the last step made here took SIGSEGV/SIGBUS
    } frame = Frame::None;  // drawn as in the map; TextOnly: a line of text
};
// `comparing`: with the entry for cells that differ from the other variant's map.
// `kernel`: with the entries for the kernel twin's observations.
std::vector<LegendEntry> memoryMapLegend(bool comparing = false, bool kernel = false);
// How to read a cell's text ("UD r2 m1 b0"), the legend's last line.
QString memoryMapCellKey();

}  // namespace faultline::views
