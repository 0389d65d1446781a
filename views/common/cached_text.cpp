// SPDX-License-Identifier: GPL-3.0-or-later
#include "common/cached_text.h"

#include <QApplication>
#include <QPainter>
#include <QStyle>

namespace faultline::views {

TextCache::Line* TextCache::line(const QFont& f, int width, const QString& text, Qt::TextElideMode elide, bool wrap) {
    // The width is part of the key: a narrower column lays the string out again.
    QString key = f.key();
    key += QChar(0x1f);
    key += QString::number(width);
    key += QChar(0x1f);
    key += QString::number(wrap ? -1 : int(elide));
    key += QChar(0x1f);
    key += text;
    if (Line* l = cache_.object(key)) return l;
    ++misses_;
    const QFontMetrics fm(f);
    auto* l = new Line;
    const bool tooWide = fm.horizontalAdvance(text) > width;
    l->fits = !(wrap && tooWide);
    l->text.setTextFormat(Qt::PlainText);
    l->text.setText(tooWide && !wrap ? fm.elidedText(text, elide, width) : text);
    if (l->fits) l->text.prepare(QTransform(), f);
    cache_.insert(key, l);  // cost 1 of 4096: never refused, so l stays valid until the next insert
    return l;
}

bool TextCache::fitsOnOneLine(const QFont& f, int width, const QString& text) {
    return text.isEmpty() || width <= 0 || line(f, width, text, Qt::ElideNone, true)->fits;
}

bool TextCache::draw(QPainter* p, const QRect& r, Qt::Alignment align, const QString& text, Qt::TextElideMode elide,
                     bool wrap) {
    if (text.isEmpty() || r.width() <= 0) return true;
    const Line* l = line(p->font(), r.width(), text, elide, wrap);
    if (!l->fits) return false;
    // Whole pixels, as QStyle::alignedRect places the style's text.
    const QSize sz = l->text.size().toSize();
    int x = r.left(), y = r.top() + (r.height() - sz.height()) / 2;
    if (align & Qt::AlignRight) x = r.right() + 1 - sz.width();
    else if (align & Qt::AlignHCenter) x = r.left() + (r.width() - sz.width()) / 2;
    if (align & Qt::AlignTop) y = r.top();
    else if (align & Qt::AlignBottom) y = r.bottom() + 1 - sz.height();
    p->drawStaticText(QPoint(x, y), l->text);
    return true;
}

void CachedTextDelegate::paint(QPainter* p, const QStyleOptionViewItem& option, const QModelIndex& index) const {
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const bool plain = !(opt.features & (QStyleOptionViewItem::HasDecoration | QStyleOptionViewItem::HasCheckIndicator)) &&
                       !opt.text.contains(QChar('\n')) && !opt.text.contains(QChar::LineSeparator) &&
                       opt.direction == Qt::LeftToRight;
    if (!plain) return QStyledItemDelegate::paint(p, option, index);
    const QWidget* w = opt.widget;
    QStyle* style = w ? w->style() : QApplication::style();
    // The text where QCommonStyle puts it: inside a margin of the focus frame's width + 1.
    const int margin = style->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, w) + 1;
    const QRect tr = opt.rect.adjusted(margin, 0, -margin, 0);
    const bool wrap = opt.features & QStyleOptionViewItem::WrapText;
    // A wrapped cell whose text needs several lines: the style lays it out.
    if (wrap && !cache_.fitsOnOneLine(opt.font, tr.width(), opt.text)) return QStyledItemDelegate::paint(p, option, index);
    const QString text = opt.text;
    opt.text.clear();
    opt.features &= ~QStyleOptionViewItem::HasDisplay;
    // Background, selection and focus frame as the style paints them.
    style->drawControl(QStyle::CE_ItemViewItem, &opt, p, w);
    QPalette::ColorGroup cg = (opt.state & QStyle::State_Enabled) ? QPalette::Normal : QPalette::Disabled;
    if (cg == QPalette::Normal && !(opt.state & QStyle::State_Active)) cg = QPalette::Inactive;
    p->save();
    p->setFont(opt.font);
    p->setPen(opt.palette.color(cg, (opt.state & QStyle::State_Selected) ? QPalette::HighlightedText : QPalette::Text));
    p->setClipRect(opt.rect, Qt::IntersectClip);
    cache_.draw(p, tr, opt.displayAlignment, text, opt.textElideMode, wrap);
    p->restore();
}

}  // namespace faultline::views
