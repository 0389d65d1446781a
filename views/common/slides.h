// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Slides for teaching: chosen views (no menu bar, toolbars or input boxes)
// composed on a page of a chosen size under a title line (session, variant,
// step) and the step's why. Each view is rendered as the screen shows it
// (raster, at 2× for sharpness), so no font metric of a PDF device can make
// text overlap; the first view gets the left ~58 %, the others share the right.
#include <QImage>
#include <QList>
#include <QPageSize>
#include <QString>

class QWidget;

namespace faultline::views {

struct SlideOptions {
    QStringList views{"memoryMap", "dockTrace", "dockCode"};  // objectNames (a dock's or memoryMap)
    enum class Page { Wide16x9, A4 } page = Page::Wide16x9;
    enum class ThemeChoice { AsWindow, Light, Dark } theme = ThemeChoice::AsWindow;
    bool presentation = true;  // large type and the colour-blind-safe palette
    double fontScale = 1.0;    // on top of presentation's
    bool titleLine = true;
};

// The page in points (16:9: 960×540 pt, A4 landscape) and in pixels at 96 dpi.
QPageSize slidePageSize(SlideOptions::Page p);
QSize slidePixels(SlideOptions::Page p);

// One slide: `title` (bold) and `why` (wrapped) on top, then the views.
QImage composeSlide(const QList<QWidget*>& views, const QSize& pagePx, const QString& title, const QString& why,
                    bool dark, double scale = 2.0);

}  // namespace faultline::views
