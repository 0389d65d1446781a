// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A line of text that changes on every step (a view's title, the step
// counter, the status line) without re-laying the window out.
//
// Why: QLabel::setText always calls updateGeometry(), and each layout that
// invalidates re-lays its widget out and then, unconditionally, its parent's
// (QLayout::activate ends in updateGeometry()), up to the main window's dock
// layout: a tenth of a step with the window's refresh. A TextLine's size hint
// depends only on the lines its text needs at its width (wrapped) or on the
// widest text it has shown (one line), so it asks for a layout only when that
// changes; wrapped, it answers heightForWidth as a QLabel does, so a new
// width gets its height in the same layout pass. A one-line text too wide
// for its room is elided and shown whole in the tooltip; the context menu
// copies the text.
#include <QWidget>

namespace faultline::views {

class TextLine final : public QWidget {
    Q_OBJECT
public:
    explicit TextLine(QWidget* parent = nullptr);
    QString text() const { return text_; }
    void setText(const QString& text);
    void clear() { setText({}); }
    // Wrapped: as many lines as the width needs, never widening the parent.
    void setWordWrap(bool on);
    bool wordWrap() const { return wrap_; }
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;
    bool hasHeightForWidth() const override;
    int heightForWidth(int w) const override;
    // Times the text asked its parent for a new layout (for tests).
    int geometryUpdates() const { return geometryUpdates_; }

protected:
    void paintEvent(QPaintEvent*) override;
    void resizeEvent(QResizeEvent*) override;
    void changeEvent(QEvent*) override;
    void contextMenuEvent(QContextMenuEvent*) override;

private:
    // The height the text needs at width w (wrapped), or one line.
    int neededHeight(int w) const;
    // Recomputes the hint; asks for a layout when it changed.
    void refit(bool fontChanged);
    void updateTip();
    QString text_;
    bool wrap_ = false;
    int height_ = 0;  // the hint's height
    int width_ = 0;   // one line: the widest text shown since the font changed
    int geometryUpdates_ = 0;
    bool hfwStale_ = false;  // the text changed since the layout last asked
};

}  // namespace faultline::views
