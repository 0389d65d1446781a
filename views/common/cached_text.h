// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Text painted from a cache of laid-out lines (QStaticText), for the views
// that repaint on every step.
//
// Why: a step repaints whole viewports (the trace scrolls by a row, the tasks
// tree and the code table change a line), and QStyle / QPainter::drawText
// shape every cell's text again on every paint: harfbuzz shaping was a fifth
// of a hand-made step. Most of those strings were painted the step before
// (trace rows, function names, page labels), so the glyph layout is kept per
// (text, font, width) and only new strings are shaped.
#include <QCache>
#include <QStaticText>
#include <QStyledItemDelegate>

namespace faultline::views {

class TextCache {
public:
    // Draws `text` on one line in `r`, aligned by `align`, elided when too
    // wide, in the painter's font and pen. With `wrap`, a text too wide for
    // one line is not drawn: false says the caller must wrap it itself.
    bool draw(QPainter* p, const QRect& r, Qt::Alignment align, const QString& text,
              Qt::TextElideMode elide = Qt::ElideRight, bool wrap = false);
    // Whether `text` fits on one line of `width` pixels in `f` (cached too).
    bool fitsOnOneLine(const QFont& f, int width, const QString& text);
    // Strings laid out and kept (for tests).
    int size() const { return int(cache_.size()); }
    int misses() const { return misses_; }

private:
    struct Line {
        QStaticText text;
        bool fits = true;  // false: too wide for one line (wrapping callers paint it themselves)
    };
    Line* line(const QFont& f, int width, const QString& text, Qt::TextElideMode elide, bool wrap);
    QCache<QString, Line> cache_{4096};
    int misses_ = 0;
};

// The default item delegate with its text drawn through a TextCache; cells
// with an icon, a check box or several lines are painted by the style as
// before.
class CachedTextDelegate : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter* p, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    const TextCache& cache() const { return cache_; }

private:
    mutable TextCache cache_;
};

}  // namespace faultline::views
