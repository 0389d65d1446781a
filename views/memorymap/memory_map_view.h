// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The memory map dock: a title (variant, step), the table of file pages and
// the legend. The delegate paints the uffd-wp bar and badge and the outline
// of cells changed by the last step.
#include <QStyledItemDelegate>
#include <QHash>
#include <QPixmap>
#include <QWidget>
#include <algorithm>
#include <memory>

#include "common/cached_text.h"
#include "common/snapshot.h"
#include "memorymap/kernel_observations.h"

class QTableView;
class QLabel;

namespace faultline::views {

class TextLine;

class MemoryMapModel;

// Where the delegate puts a cell's WP badge and the label of a signal taken
// at this step (`wp`: the cell has the badge too; the label goes left of it).
QRect wpBadgeRect(const QRect& cell, const QFont& cellFont);
QRect signalTagRect(const QRect& cell, const QFont& cellFont, const QString& sig, bool wp);

class MemoryMapDelegate final : public QStyledItemDelegate {
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter* p, const QStyleOptionViewItem& opt, const QModelIndex& index) const override;

private:
    mutable TextCache text_;  // page labels repeat from step to step: shaped once
};

class LegendWidget final : public QWidget {
    bool comparing_ = false;
    bool kernel_ = false;
    Q_OBJECT
public:
    explicit LegendWidget(QWidget* parent = nullptr);
    QSize sizeHint() const override;
    // A short window may cut the legend's last lines, never the map's rows.
    QSize minimumSizeHint() const override {
        return {100, std::min(sizeHint().height(), 3 * (fontMetrics().height() + 8))};
    }
    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int w) const override;
    void setComparing(bool on) {
        if (comparing_ == on) return;
        comparing_ = on;
        invalidate();
    }
    void setKernel(bool on) {
        if (kernel_ == on) return;
        kernel_ = on;
        invalidate();
    }
    // Times the entries were laid out and painted anew, not from the cache (tests).
    int layouts() const { return layouts_; }
    // The legend's type: smaller than the map's (it is read once, the map all the time).
    QFont legendFont() const;

protected:
    void paintEvent(QPaintEvent*) override;
    void changeEvent(QEvent* e) override;

private:
    int layoutEntries(int width, QPainter* p) const;
    // The legend does not change with the step: its height per width and its
    // picture are kept until the font, palette, theme or entries change
    // (every repaint of the window used to measure and shape each entry).
    void invalidate();
    quint64 themeKey() const;
    mutable QHash<int, int> heights_;
    mutable quint64 heightsKey_ = 0;
    QPixmap picture_;
    quint64 pictureKey_ = 0;
    mutable int layouts_ = 0;
};

class MemoryMapView final : public QWidget {
    Q_OBJECT
public:
    explicit MemoryMapView(QWidget* parent = nullptr);
    void setSnapshot(const Snapshot& s, const QString& title);
    MemoryMapModel* model() const { return model_; }
    QTableView* table() const { return table_; }
    // Scrolls so file page `row` is visible (centred if it was not).
    void showRow(int row);
    void setLegendVisible(bool on);
    // The narrowest a column gets: its usual text in the current font.
    int minimumCellWidth() const;
    const LegendWidget* legend() const { return legend_; }
    // Compare mode: the legend names the differing cells' mark; repaint them.
    void setComparing(bool on);
    // Hides the columns whose flag is false (compare: only the columns that differ).
    void showOnlyColumns(const QVector<bool>& shown);
    // The kernel twin's observations (nullptr: none): every cell gains the
    // kernel's value after the step's last completed operation, under it;
    // a line above the map names the operation and the cells that disagree.
    void setKernelObservations(std::shared_ptr<const KernelObservations> obs);
    QLabel* kernelLine() const { return kernelLine_; }

Q_SIGNALS:
    // The user asked to watch a cell ("A.pte[8].uffd_wp").
    void watchRequested(const QString& spec);

private:
    void contextMenu(const QPoint& pos);
    int rowHeight() const;
    void updateKernelLine();
    TextLine* title_;
    QLabel* kernelLine_;
    QTableView* table_;
    MemoryMapModel* model_;
    LegendWidget* legend_;
};

}  // namespace faultline::views
