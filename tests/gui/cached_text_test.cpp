// SPDX-License-Identifier: GPL-3.0-or-later
// The views' cached text (views/common/cached_text.h): a repaint of rows
// painted before shapes no text again, and a cell looks as the style paints it.
#include <QImage>
#include <QStandardItemModel>
#include <QTableView>

#include "common/cached_text.h"
#include "gui_fixture.h"

namespace faultline::guitest {
namespace {

QStandardItemModel* rows(QObject* parent) {
    auto* m = new QStandardItemModel(30, 3, parent);
    for (int r = 0; r < 30; ++r) {
        m->setItem(r, 0, new QStandardItem(QString::number(r + 1)));
        m->setItem(r, 1, new QStandardItem(r % 2 ? "filemap_map_pages" : "shmem_fault"));
        m->setItem(r, 2, new QStandardItem(QStringLiteral("A1 read page %1: a long what-and-why text that is elided").arg(r)));
        m->item(r, 0)->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    }
    return m;
}

QTableView* table(QAbstractItemModel* m) {
    auto* t = new QTableView;
    t->setModel(m);
    t->setWordWrap(false);
    t->resize(520, 300);
    t->setColumnWidth(2, 150);  // the long texts are elided
    return t;
}

TEST(CachedText, RepaintingRowsPaintedBeforeShapesNothing) {
    QStandardItemModel* m = rows(nullptr);
    std::unique_ptr<QTableView> t(table(m));
    auto* d = new views::CachedTextDelegate(t.get());
    t->setItemDelegate(d);
    t->show();
    (void)t->grab();
    const int first = d->cache().misses();
    EXPECT_GT(first, 10);
    // The same rows again, then scrolled by a row (as the trace follows a step):
    // only the row that came into view is laid out.
    (void)t->grab();
    EXPECT_EQ(d->cache().misses(), first);
    t->scrollTo(m->index(m->rowCount() - 1, 0));
    (void)t->grab();
    EXPECT_LE(d->cache().misses(), first + 3 * 12);
    const int afterScroll = d->cache().misses();
    (void)t->grab();
    EXPECT_EQ(d->cache().misses(), afterScroll);
    delete m;
}

// The cached text lands where the style draws it: the two renderings differ
// in at most a sliver of pixels (anti-aliasing at sub-pixel positions).
TEST(CachedText, LooksLikeTheStylesText) {
    QStandardItemModel* m = rows(nullptr);
    std::unique_ptr<QTableView> plain(table(m)), cached(table(m));
    cached->setItemDelegate(new views::CachedTextDelegate(cached.get()));
    plain->show();
    cached->show();
    plain->selectRow(3);
    cached->selectRow(3);
    const QImage a = plain->viewport()->grab().toImage(), b = cached->viewport()->grab().toImage();
    ASSERT_EQ(a.size(), b.size());
    qint64 differ = 0, ink = 0;
    for (int y = 0; y < a.height(); ++y)
        for (int x = 0; x < a.width(); ++x) {
            const QRgb p = a.pixel(x, y), q = b.pixel(x, y);
            if (qGray(p) < 160) ++ink;
            if (std::abs(qGray(p) - qGray(q)) > 48) ++differ;
        }
    EXPECT_GT(ink, 500);  // there is text to compare
    EXPECT_LT(differ, ink / 20) << differ << " of " << ink << " dark pixels differ";
    delete m;
}

}  // namespace
}  // namespace faultline::guitest
