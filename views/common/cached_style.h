// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The application's style (Fusion or whatever the platform gives) with two
// costs of every repaint taken out:
// - drawItemText, which every header section, dock title, tab, tool button
//   and plain label paints through, shapes its text with harfbuzz on every
//   paint; one-line texts without a mnemonic are drawn from a TextCache
//   (QStaticText per text, font and width) in the same place;
// - Fusion's standardIcon decodes the dock title bar's XPM icons on every
//   paint of every dock title; those icons are kept.
// Everything else is the base style's.
#include <QHash>
#include <QIcon>
#include <QProxyStyle>

#include "common/cached_text.h"

namespace faultline::views {

class CachedTextStyle final : public QProxyStyle {
    Q_OBJECT
public:
    explicit CachedTextStyle(QStyle* base = nullptr) : QProxyStyle(base) {}
    void drawItemText(QPainter* painter, const QRect& rect, int flags, const QPalette& pal, bool enabled,
                      const QString& text, QPalette::ColorRole textRole = QPalette::NoRole) const override;
    QIcon standardIcon(StandardPixmap sp, const QStyleOption* opt = nullptr,
                       const QWidget* widget = nullptr) const override;
    // Texts drawn through the cache, and those the base style drew (tests).
    int cachedDraws() const { return cachedDraws_; }
    int baseDraws() const { return baseDraws_; }
    const TextCache& cache() const { return cache_; }
    // Makes the application's style a CachedTextStyle over the current one (once).
    static void install();

private:
    mutable TextCache cache_;
    mutable QHash<quint64, QIcon> icons_;
    mutable int cachedDraws_ = 0, baseDraws_ = 0;
};

}  // namespace faultline::views
