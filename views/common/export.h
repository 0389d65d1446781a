// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Rendering any widget (a view or the whole window) for slides: PNG with a
// scale factor (sharp on projectors), SVG and PDF (vector where Qt paints
// vectors; QCustomPlot and pixmaps stay raster), clipboard.
#include <QImage>
#include <QString>

class QWidget;
class QPainter;

namespace faultline::views {

// Replots every QCustomPlot under `w` now (they replot lazily otherwise).
void flushPlots(QWidget* w);
// The widget as an image of size() * scale, with an optional caption band on top.
QImage renderImage(QWidget* w, double scale = 1.0, const QString& caption = {});
// Each returns an error text, or empty on success.
QString savePng(QWidget* w, const QString& path, double scale = 1.0, const QString& caption = {});
QString saveSvg(QWidget* w, const QString& path, const QString& caption = {});
QString savePdf(QWidget* w, const QString& path, const QString& caption = {});
// By extension: .png / .svg / .pdf.
QString saveAny(QWidget* w, const QString& path, double scale = 1.0, const QString& caption = {});
void copyToClipboard(QWidget* w, double scale = 1.0);
// Paints `caption` then the widget at (0, captionHeight) on an open painter.
int paintCaption(QPainter& p, const QString& caption, int width);
int captionHeight(const QString& caption, int width);

}  // namespace faultline::views
