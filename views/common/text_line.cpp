// SPDX-License-Identifier: GPL-3.0-or-later
#include "common/text_line.h"

#include <QApplication>
#include <QClipboard>
#include <QContextMenuEvent>
#include <QMenu>
#include <QPainter>
#include <QStyle>

namespace faultline::views {

namespace {
constexpr int kMargin = 1;  // as a QLabel's: the text is not flush with the frame
}

TextLine::TextLine(QWidget* parent) : QWidget(parent) {
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    refit(true);
}

void TextLine::setText(const QString& text) {
    if (text == text_) return;
    text_ = text;
    // The layout's cached heights for other widths may be the old text's:
    // asked again at the next resize.
    if (wrap_) hfwStale_ = true;
    refit(false);
    updateTip();
    update();
}

void TextLine::updateTip() {
    // Elided: the whole text is in the tooltip.
    const int room = width() - 2 * kMargin;
    const bool elided = !wrap_ && room > 0 && QFontMetrics(font()).horizontalAdvance(text_) > room;
    const QString tip = elided ? text_ : QString();
    if (toolTip() != tip) setToolTip(tip);
}

void TextLine::setWordWrap(bool on) {
    if (on == wrap_) return;
    wrap_ = on;
    // Wrapped text takes the width it is given and never asks for more, and
    // its height for that width, in the same layout pass (as a QLabel's).
    QSizePolicy p(on ? QSizePolicy::Ignored : QSizePolicy::Preferred, on ? QSizePolicy::Preferred : QSizePolicy::Fixed);
    p.setHeightForWidth(on);
    setSizePolicy(p);
    refit(true);
    update();
}

int TextLine::neededHeight(int w) const {
    const QFontMetrics fm(font());
    if (!wrap_ || text_.isEmpty()) return fm.height() + 2 * kMargin;
    const QRect r = fm.boundingRect(QRect(0, 0, std::max(1, w - 2 * kMargin), 1 << 20), Qt::TextWordWrap, text_);
    return std::max(fm.height(), r.height()) + 2 * kMargin;
}

void TextLine::refit(bool fontChanged) {
    const int h = neededHeight(width());
    int w = fontChanged ? 0 : width_;
    if (!wrap_) w = std::max(w, QFontMetrics(font()).horizontalAdvance(text_) + 2 * kMargin);
    if (h == height_ && w == width_ && !fontChanged) return;
    height_ = h, width_ = w;
    hfwStale_ = false;
    ++geometryUpdates_;
    updateGeometry();
}

QSize TextLine::sizeHint() const {
    const QFontMetrics fm(font());
    return {wrap_ ? fm.averageCharWidth() * 24 : width_, height_};
}

QSize TextLine::minimumSizeHint() const {
    const QFontMetrics fm(font());
    // Wrapped: the height is the width's (heightForWidth), at least a line.
    return {std::min(width_ > 0 ? width_ : fm.averageCharWidth() * 8, fm.averageCharWidth() * 8),
            wrap_ ? fm.height() + 2 * kMargin : height_};
}

bool TextLine::hasHeightForWidth() const { return wrap_; }

int TextLine::heightForWidth(int w) const { return neededHeight(w); }

void TextLine::resizeEvent(QResizeEvent*) {
    if (wrap_ && hfwStale_) {
        hfwStale_ = false;
        ++geometryUpdates_;
        updateGeometry();
    }
    if (wrap_) refit(false);
    updateTip();
}

void TextLine::changeEvent(QEvent* e) {
    if (e->type() == QEvent::FontChange || e->type() == QEvent::StyleChange) {
        refit(true);
        updateTip();
    }
    QWidget::changeEvent(e);
}

void TextLine::paintEvent(QPaintEvent*) {
    QPainter p(this);
    const QRect r = rect().adjusted(kMargin, kMargin, -kMargin, -kMargin);
    const QString shown = wrap_ ? text_ : fontMetrics().elidedText(text_, Qt::ElideRight, r.width());
    const int flags = Qt::AlignLeft | Qt::AlignTop | (wrap_ ? Qt::TextWordWrap : Qt::TextSingleLine);
    style()->drawItemText(&p, r, flags, palette(), isEnabled(), shown, foregroundRole());
}

void TextLine::contextMenuEvent(QContextMenuEvent* e) {
    if (text_.isEmpty()) return;
    QMenu m(this);
    m.addAction(tr("Copy"), this, [this] { QApplication::clipboard()->setText(text_); });
    m.exec(e->globalPos());
}

}  // namespace faultline::views
