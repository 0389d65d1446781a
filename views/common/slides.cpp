// SPDX-License-Identifier: GPL-3.0-or-later
#include "common/slides.h"

#include <QApplication>
#include <QPainter>
#include <QWidget>

#include "common/export.h"
#include "common/theme.h"

namespace faultline::views {

QPageSize slidePageSize(SlideOptions::Page p) {
    if (p == SlideOptions::Page::A4)
        return QPageSize(QSizeF(842, 595), QPageSize::Point, QStringLiteral("A4 landscape"));
    return QPageSize(QSizeF(960, 540), QPageSize::Point, QStringLiteral("16:9"));
}

QSize slidePixels(SlideOptions::Page p) {
    const QSizeF pt = slidePageSize(p).size(QPageSize::Point);
    return QSize(int(pt.width() * 96 / 72), int(pt.height() * 96 / 72));
}

QImage composeSlide(const QList<QWidget*>& views, const QSize& pagePx, const QString& title, const QString& why,
                    bool dark, double scale) {
    const Theme& th = Theme::current();
    QImage img(pagePx * scale, QImage::Format_ARGB32_Premultiplied);
    img.setDevicePixelRatio(scale);
    img.fill(th.base.isValid() ? th.base : (dark ? QColor("#101010") : QColor(Qt::white)));
    QPainter p(&img);
    p.setRenderHint(QPainter::Antialiasing);
    p.setRenderHint(QPainter::SmoothPixmapTransform);
    const int margin = 16;
    int y = margin;
    p.setPen(th.text);
    if (!title.isEmpty()) {
        QFont f = QApplication::font();
        f.setBold(true);
        f.setPixelSize(std::max(16, pagePx.height() / 26));
        p.setFont(f);
        const QRect r =
            p.boundingRect(QRect(margin, y, pagePx.width() - 2 * margin, pagePx.height()), Qt::TextWordWrap, title);
        p.drawText(r, Qt::TextWordWrap, title);
        y = r.bottom() + 4;
    }
    if (!why.isEmpty()) {
        QFont f = QApplication::font();
        f.setPixelSize(std::max(12, pagePx.height() / 40));
        p.setFont(f);
        QRect r =
            p.boundingRect(QRect(margin, y, pagePx.width() - 2 * margin, pagePx.height() / 5), Qt::TextWordWrap, why);
        r.setHeight(std::min(r.height(), pagePx.height() / 5));
        p.drawText(r, Qt::TextWordWrap, why);
        y = r.bottom() + 8;
    }
    // Cells: the first view on the left, the others stacked on the right.
    const QRect area(margin, y, pagePx.width() - 2 * margin, pagePx.height() - y - margin);
    QList<QRect> cells;
    if (views.size() == 1) {
        cells << area;
    } else if (!views.isEmpty()) {
        const int leftW = area.width() * 58 / 100 - 6;
        cells << QRect(area.left(), area.top(), leftW, area.height());
        const int n = int(views.size()) - 1, h = (area.height() - 8 * (n - 1)) / n;
        for (int i = 0; i < n; ++i)
            cells << QRect(area.left() + leftW + 12, area.top() + i * (h + 8), area.width() - leftW - 12, h);
    }
    for (int i = 0; i < views.size(); ++i) {
        QWidget* w = views[i];
        if (!w) continue;
        flushPlots(w);
        const QImage shot = renderImage(w, 2.0);
        const QSizeF logical(shot.width() / 2.0, shot.height() / 2.0);
        // Fit, never enlarge past 1.6× (a tiny view blown up is not readable, just big).
        const double k = std::min({cells[i].width() / logical.width(), cells[i].height() / logical.height(), 1.6});
        const QSizeF sz = logical * k;
        const QRectF target(cells[i].left(), cells[i].top(), sz.width(), sz.height());
        p.drawImage(target, shot);
        p.setPen(QPen(th.future, 1));
        p.setBrush(Qt::NoBrush);
        p.drawRect(target.adjusted(-1, -1, 0, 0));
    }
    p.end();
    return img;
}

}  // namespace faultline::views
