// SPDX-License-Identifier: GPL-3.0-or-later
#include "common/cached_style.h"

#include <QApplication>
#include <QPainter>
#include <QStyleOption>
#include <QStyleFactory>

namespace faultline::views {

void CachedTextStyle::drawItemText(QPainter* painter, const QRect& rect, int flags, const QPalette& pal, bool enabled,
                                   const QString& text, QPalette::ColorRole textRole) const {
    if (text.isEmpty()) return;
    // Only what QPainter::drawText would put on one line unchanged: no
    // mnemonic, no wrapping or expanded tabs, left to right, and a text that
    // fits the rectangle (drawText does not elide; a wider text overflows it).
    // Mnemonic and tab flags change nothing in a text without '&' and tabs.
    constexpr int kOneLine = Qt::AlignHorizontal_Mask | Qt::AlignVertical_Mask | Qt::TextSingleLine |
                             Qt::TextShowMnemonic | Qt::TextHideMnemonic | Qt::TextExpandTabs | Qt::TextDontClip |
                             Qt::TextForceLeftToRight | Qt::AlignAbsolute;
    const bool simple = !(flags & ~kOneLine) && !text.contains(QLatin1Char('&')) &&
                        !text.contains(QLatin1Char('\n')) && !text.contains(QChar::LineSeparator) &&
                        !text.contains(QLatin1Char('\t')) && painter->layoutDirection() == Qt::LeftToRight &&
                        !(flags & Qt::AlignJustify) && cache_.fitsOnOneLine(painter->font(), rect.width(), text);
    if (!simple) {
        ++baseDraws_;
        QProxyStyle::drawItemText(painter, rect, flags, pal, enabled, text, textRole);
        return;
    }
    ++cachedDraws_;
    // The pen as QCommonStyle / QFusionStyle set it.
    const QPen saved = painter->pen();
    if (textRole != QPalette::NoRole) painter->setPen(QPen(pal.brush(textRole), saved.widthF()));
    Qt::Alignment align = QStyle::visualAlignment(Qt::LeftToRight, Qt::Alignment(flags & (Qt::AlignHorizontal_Mask | Qt::AlignVertical_Mask)));
    if (!(align & Qt::AlignVertical_Mask)) align |= Qt::AlignTop;  // drawText's default
    cache_.draw(painter, rect, align, text, Qt::ElideNone, true);
    painter->setPen(saved);
}

QIcon CachedTextStyle::standardIcon(StandardPixmap sp, const QStyleOption* opt, const QWidget* widget) const {
    // The title bar's buttons (dock widgets): the same pixmaps whatever the widget.
    switch (sp) {
    case SP_TitleBarMinButton:
    case SP_TitleBarMaxButton:
    case SP_TitleBarCloseButton:
    case SP_TitleBarNormalButton:
    case SP_TitleBarShadeButton:
    case SP_TitleBarUnshadeButton:
    case SP_TitleBarContextHelpButton:
    case SP_DockWidgetCloseButton:
    {
        // Keyed by what an option could change: the direction and the colours.
        quint64 key = quint64(sp);
        if (opt) key = key * 31 + quint64(opt->direction) + (quint64(opt->palette.color(QPalette::WindowText).rgba()) << 8) +
                       (quint64(opt->palette.color(QPalette::Window).rgba()) << 24);
        auto it = icons_.find(key);
        if (it == icons_.end()) {
            if (icons_.size() > 256) icons_.clear();
            it = icons_.insert(key, QProxyStyle::standardIcon(sp, opt, widget));
        }
        return *it;
    }
    default: break;
    }
    return QProxyStyle::standardIcon(sp, opt, widget);
}

void CachedTextStyle::install() {
    if (qobject_cast<CachedTextStyle*>(QApplication::style())) return;
    // The base is a fresh instance of the current style (QApplication owns and deletes the old one).
    QApplication::setStyle(new CachedTextStyle(QStyleFactory::create(QApplication::style()->name())));
}

}  // namespace faultline::views
