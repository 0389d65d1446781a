// SPDX-License-Identifier: GPL-3.0-or-later
#include "common/theme.h"

#include <QApplication>
#include <QPalette>
#include <QStyle>

namespace faultline::views {

namespace {

Theme make(bool dark, bool presentation) {
    Theme t;
    t.dark = dark;
    t.presentation = presentation;
    if (presentation) {
        // Okabe–Ito: distinguishable with every common colour-vision deficiency.
        const QColor black("#000000"), orange("#E69F00"), sky("#56B4E9"), green("#009E73"), yellow("#F0E442"),
            blue("#0072B2"), vermillion("#D55E00"), purple("#CC79A7");
        t.window = dark ? QColor("#101010") : QColor("#ffffff");
        t.base = t.window;
        t.text = dark ? QColor("#ffffff") : black;
        t.cellText = black;  // every filled cell is a bright Okabe–Ito colour, also on a dark page
        t.cellTextDim = dark ? QColor("#bbbbbb") : QColor("#444444");
        t.pteNone = dark ? QColor("#202020") : QColor("#ffffff");
        t.pteReadOnly = sky;
        t.pteWritable = orange;
        t.pteMarker = purple;
        // Swap is grey: every Okabe–Ito blue is too near sky (read-only) on a projector.
        t.pteSwap = dark ? QColor("#6e6e6e") : QColor("#b4b4b4");
        t.wp = dark ? QColor("#ff6ec7") : QColor("#a0006e");
        t.wpText = QColor("#ffffff");
        t.xaHole = t.pteNone;
        t.xaFolio = green.lighter(dark ? 100 : 170);
        t.xaSwap = t.pteSwap;
        t.frameNormal = t.xaFolio;
        t.frameLocked = vermillion;
        t.frameDirty = yellow;
        t.slotFree = t.pteNone;
        t.slotUsed = t.pteSwap;
        t.changed = dark ? yellow : black;
        t.finding = vermillion;
        t.currentLine = yellow;
        t.future = dark ? QColor("#777777") : QColor("#888888");
        t.breakpoint = vermillion;
        t.divergence = vermillion;
        // On black the first colours must be light ones (the first is the "present ptes" curve).
        t.functionColours =
            dark ? std::vector<QColor>{sky,
                                       orange,
                                       green,
                                       purple,
                                       yellow,
                                       vermillion,
                                       blue.lighter(150),
                                       QColor("#bbbbbb")}
                 : std::vector<QColor>{blue, orange, green, purple, sky, vermillion, yellow, QColor("#666666")};
        return t;
    }
    if (dark) {
        t.window = QColor("#2b2b2b");
        t.base = QColor("#1e1e1e");
        t.text = QColor("#e6e6e6");
        t.cellText = QColor("#e6e6e6");
        t.cellTextDim = QColor("#9a9a9a");
        t.pteNone = QColor("#262626");
        t.pteReadOnly = QColor("#2f5d3a");
        t.pteWritable = QColor("#7a4e17");
        t.pteMarker = QColor("#5b3a7a");
        t.pteSwap = QColor("#2c4a6e");
        t.wp = QColor("#ff4fb8");
        t.wpText = QColor("#000000");
        t.xaHole = t.pteNone;
        t.xaFolio = QColor("#5e5340");  // dark sand: apart from read-only's green
        t.xaSwap = t.pteSwap;
        t.frameNormal = QColor("#2f4f4f");
        t.frameLocked = QColor("#8b2d2d");
        t.frameDirty = QColor("#6b6b1f");
        t.slotFree = t.pteNone;
        t.slotUsed = t.pteSwap;
        t.changed = QColor("#ffd400");
        t.finding = QColor("#ff5c5c");
        t.currentLine = QColor("#665c00");
        t.future = QColor("#777777");
        t.breakpoint = QColor("#ff5c5c");
        t.divergence = QColor("#4fc3f7");  // apart from the yellow "changed" outline
        // Light enough to read on #1e1e1e (the first is the "present ptes" curve).
        t.functionColours = {QColor("#6fb3ff"), QColor("#ffa64d"), QColor("#5fd35f"), QColor("#c59cff"),
                             QColor("#d9a38a"), QColor("#ff9ee0"), QColor("#4fe3f0"), QColor("#e0e05a"),
                             QColor("#bdbdbd"), QColor("#ff6b6b")};
        return t;
    } else {
        t.window = QColor("#efefef");
        t.base = QColor("#ffffff");
        t.text = QColor("#1a1a1a");
        t.cellText = QColor("#1a1a1a");
        t.cellTextDim = QColor("#8a8a8a");
        t.pteNone = QColor("#f4f4f4");
        t.pteReadOnly = QColor("#cfe8cf");
        t.pteWritable = QColor("#ffd29a");
        t.pteMarker = QColor("#dcc6f2");
        t.pteSwap = QColor("#c6dbf5");
        t.wp = QColor("#c2007a");
        t.wpText = QColor("#ffffff");
        t.xaHole = t.pteNone;
        t.xaFolio = QColor("#e6dccb");  // sand: apart from read-only's green
        t.xaSwap = t.pteSwap;
        t.frameNormal = QColor("#e3eef7");
        t.frameLocked = QColor("#f5b5b5");
        t.frameDirty = QColor("#fff1b0");
        t.slotFree = t.pteNone;
        t.slotUsed = t.pteSwap;
        t.changed = QColor("#f0a000");
        t.finding = QColor("#d62728");
        t.currentLine = QColor("#fff3a0");
        t.future = QColor("#a0a0a0");
        t.breakpoint = QColor("#d62728");
        t.divergence = QColor("#1565c0");  // apart from the orange "changed" outline
    }
    t.functionColours = {QColor("#1f77b4"), QColor("#ff7f0e"), QColor("#2ca02c"), QColor("#9467bd"), QColor("#8c564b"),
                         QColor("#e377c2"), QColor("#17becf"), QColor("#bcbd22"), QColor("#7f7f7f"), QColor("#d62728")};
    return t;
}

Theme& instance() {
    static Theme t = make(false, false);
    return t;
}

}  // namespace

const Theme& Theme::current() { return instance(); }

void Theme::set(bool dark, bool presentation) { instance() = make(dark, presentation); }

void Theme::applyToApplication() {
    const Theme& t = current();
    QPalette p = QApplication::style() ? QApplication::style()->standardPalette() : QPalette();
    if (t.dark || t.presentation) {
        p.setColor(QPalette::Window, t.window);
        p.setColor(QPalette::WindowText, t.text);
        p.setColor(QPalette::Base, t.base);
        p.setColor(QPalette::AlternateBase, t.base.darker(t.dark ? 80 : 104));
        p.setColor(QPalette::Text, t.text);
        p.setColor(QPalette::Button, t.window);
        p.setColor(QPalette::ButtonText, t.text);
        p.setColor(QPalette::ToolTipBase, t.base);
        p.setColor(QPalette::ToolTipText, t.text);
        p.setColor(QPalette::Highlight, t.dark ? QColor("#3d6fa8") : QColor("#0072B2"));
        p.setColor(QPalette::HighlightedText, QColor("#ffffff"));
    }
    QApplication::setPalette(p);
    static const QFont base = QApplication::font();
    QFont f = base;
    if (f.pointSizeF() > 0) f.setPointSizeF(base.pointSizeF() * t.fontScale());
    else f.setPixelSize(int(base.pixelSize() * t.fontScale()));
    QApplication::setFont(f);
}

std::vector<LegendEntry> memoryMapLegend(bool comparing, bool kernel) {
    const Theme& t = Theme::current();
    std::vector<LegendEntry> out{
        {t.pteNone, false, false, QObject::tr("none: no pte, or a hole")},
        {t.pteReadOnly, false, false, QObject::tr("present, read-only")},
        {t.pteWritable, false, false, QObject::tr("present, writable")},
        {t.pteReadOnly, true, false, QObject::tr("WP: write-protected by the monitor (bit, swap bit or marker)")},
        {t.pteMarker, true, true, QObject::tr("marker: a none pte keeping uffd-wp")},
        {t.pteSwap, false, false, QObject::tr("swap: pte, xarray value, used slot")},
        {t.xaFolio, false, false, QObject::tr("page cache folio")},
        {t.frameLocked, false, false, QObject::tr("frame locked")},
        {t.changed, false, false, QObject::tr("changed by the last step"), LegendEntry::Frame::Changed},
        {t.breakpoint, false, false, QObject::tr("watched"), LegendEntry::Frame::Watched},
        {t.finding, false, false, QObject::tr("SIGSEGV/SIGBUS: the last step's access here took that signal"),
         LegendEntry::Frame::Signal},
    };
    if (comparing)
        out.push_back(
            {t.divergence, false, false, QObject::tr("differs from the other variant"), LegendEntry::Frame::Differs});
    if (kernel) {
        out.push_back({t.pteNone, false, false,
                       QObject::tr("K: what this kernel showed after the last completed operation"),
                       LegendEntry::Frame::Kernel});
        out.push_back({t.finding, false, false, QObject::tr("the kernel disagrees with the simulation"),
                       LegendEntry::Frame::KernelDisagrees});
    }
    out.push_back({QColor(), false, false, memoryMapCellKey(), LegendEntry::Frame::TextOnly});
    return out;
}

QString memoryMapCellKey() {
    return QObject::tr(
        "pte \"p9 RO D Y\": frame p9, RO/RW, Dirty, Young · frame \"p9 UD r2 m1 b0\": L locked, U uptodate, "
        "D dirty, W writeback, S swapcache; r refcount, m mapcount; content (b0 as set up, a1 written by A1)");
}

}  // namespace faultline::views
