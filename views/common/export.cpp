// SPDX-License-Identifier: GPL-3.0-or-later
#include "common/export.h"

#include "common/qcp.h"

#include <QApplication>
#include <QClipboard>
#include <QFileInfo>
#include <QPainter>
#include <QPdfWriter>
#include <QSvgGenerator>
#include <QWidget>

#include "common/theme.h"

namespace faultline::views {

void flushPlots(QWidget* w) {
    for (QCustomPlot* p : w->findChildren<QCustomPlot*>()) p->replot(QCustomPlot::rpImmediateRefresh);
}

namespace {
QFont captionFont() {
    QFont f = QApplication::font();
    f.setBold(true);
    f.setPointSizeF((f.pointSizeF() > 0 ? f.pointSizeF() : 10) * 1.2);
    return f;
}
}  // namespace

int captionHeight(const QString& caption, int width) {
    if (caption.isEmpty()) return 0;
    const QFontMetrics fm(captionFont());
    return fm.boundingRect(QRect(0, 0, width - 16, 10000), Qt::TextWordWrap, caption).height() + 12;
}

int paintCaption(QPainter& p, const QString& caption, int width) {
    const int h = captionHeight(caption, width);
    if (!h) return 0;
    const Theme& th = Theme::current();
    p.fillRect(QRect(0, 0, width, h), th.dark ? QColor("#111111") : QColor("#ffffff"));
    p.setPen(th.dark ? QColor("#ffffff") : QColor("#000000"));
    p.setFont(captionFont());
    p.drawText(QRect(8, 6, width - 16, h - 6), Qt::TextWordWrap | Qt::AlignLeft | Qt::AlignTop, caption);
    return h;
}

QImage renderImage(QWidget* w, double scale, const QString& caption) {
    flushPlots(w);
    const QSize sz = w->size();
    const int ch = captionHeight(caption, sz.width());
    QImage img(QSize(int(sz.width() * scale), int((sz.height() + ch) * scale)), QImage::Format_ARGB32_Premultiplied);
    img.setDevicePixelRatio(scale);
    img.fill(w->palette().color(QPalette::Window));
    QPainter p(&img);
    p.setRenderHint(QPainter::TextAntialiasing);
    paintCaption(p, caption, sz.width());
    w->render(&p, QPoint(0, ch), QRegion(), QWidget::DrawWindowBackground | QWidget::DrawChildren);
    p.end();
    return img;
}

QString savePng(QWidget* w, const QString& path, double scale, const QString& caption) {
    if (scale <= 0 || scale > 8) return QObject::tr("scale must be in (0, 8]");
    const QImage img = renderImage(w, scale, caption);
    if (!img.save(path, "PNG")) return QObject::tr("cannot write %1").arg(path);
    return {};
}

QString saveSvg(QWidget* w, const QString& path, const QString& caption) {
    flushPlots(w);
    const QSize sz = w->size();
    const int ch = captionHeight(caption, sz.width());
    QSvgGenerator gen;
    gen.setFileName(path);
    gen.setSize(QSize(sz.width(), sz.height() + ch));
    gen.setViewBox(QRect(0, 0, sz.width(), sz.height() + ch));
    gen.setTitle(caption.isEmpty() ? QStringLiteral("Faultline") : caption);
    QPainter p;
    if (!p.begin(&gen)) return QObject::tr("cannot write %1").arg(path);
    paintCaption(p, caption, sz.width());
    w->render(&p, QPoint(0, ch), QRegion(), QWidget::DrawWindowBackground | QWidget::DrawChildren);
    p.end();
    if (QFileInfo(path).size() == 0) return QObject::tr("cannot write %1").arg(path);
    return {};
}

QString savePdf(QWidget* w, const QString& path, const QString& caption) {
    flushPlots(w);
    const QSize sz = w->size();
    const int ch = captionHeight(caption, sz.width());
    QPdfWriter pdf(path);
    pdf.setResolution(96);
    pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
    pdf.setPageSize(QPageSize(QSizeF(sz.width() * 72.0 / 96, (sz.height() + ch) * 72.0 / 96), QPageSize::Point));
    pdf.setTitle(caption.isEmpty() ? QStringLiteral("Faultline") : caption);
    QPainter p;
    if (!p.begin(&pdf)) return QObject::tr("cannot write %1").arg(path);
    paintCaption(p, caption, sz.width());
    w->render(&p, QPoint(0, ch), QRegion(), QWidget::DrawWindowBackground | QWidget::DrawChildren);
    p.end();
    return {};
}

QString saveAny(QWidget* w, const QString& path, double scale, const QString& caption) {
    const QString ext = QFileInfo(path).suffix().toLower();
    if (ext == "png") return savePng(w, path, scale, caption);
    if (ext == "svg") return saveSvg(w, path, caption);
    if (ext == "pdf") return savePdf(w, path, caption);
    return QObject::tr("unknown format '%1' (png, svg or pdf)").arg(ext);
}

void copyToClipboard(QWidget* w, double scale) { QApplication::clipboard()->setImage(renderImage(w, scale)); }

}  // namespace faultline::views
