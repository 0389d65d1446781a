// SPDX-License-Identifier: GPL-3.0-or-later
// Every theme keeps the memory map's meanings apart (CIE76 colour distance in
// Lab), the timeline's curves stand out from the background, and cells are
// sized for the font.
#include <QPainter>
#include <QStandardItemModel>
#include <QTableView>
#include <cmath>

#include "common/theme.h"
#include "gui_fixture.h"
#include "memorymap/memory_map_model.h"
#include "memorymap/memory_map_view.h"

namespace faultline::guitest {
namespace {

struct Lab {
    double l, a, b;
};
Lab toLab(const QColor& c) {
    auto lin = [](double v) { return v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
    const double r = lin(c.redF()), g = lin(c.greenF()), b = lin(c.blueF());
    const double x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047, y = 0.2126 * r + 0.7152 * g + 0.0722 * b,
                 z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
    auto f = [](double t) { return t > 0.008856 ? std::cbrt(t) : 7.787 * t + 16.0 / 116; };
    return {116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))};
}
double deltaE(const QColor& p, const QColor& q) {
    const Lab a = toLab(p), b = toLab(q);
    return std::sqrt((a.l - b.l) * (a.l - b.l) + (a.a - b.a) * (a.a - b.a) + (a.b - b.b) * (a.b - b.b));
}

TEST(Theme, MemoryMapMeaningsHaveDistinctColoursInEveryTheme) {
    for (bool dark : {false, true})
        for (bool pres : {false, true}) {
            views::Theme::set(dark, pres);
            const views::Theme& t = views::Theme::current();
            const std::pair<const char*, QColor> fills[] = {
                {"none", t.pteNone},
                {"present, read-only", t.pteReadOnly},
                {"present, writable", t.pteWritable},
                {"marker", t.pteMarker},
                {"swap entry", t.pteSwap},
                {"page cache folio", t.xaFolio},
                {"frame locked", t.frameLocked},
            };
            const double need = pres ? 25 : 12;  // a projector washes colours out
            for (size_t i = 0; i < std::size(fills); ++i)
                for (size_t j = i + 1; j < std::size(fills); ++j)
                    EXPECT_GT(deltaE(fills[i].second, fills[j].second), need)
                        << (dark ? "dark" : "light") << (pres ? " presentation: " : ": ") << fills[i].first << " vs "
                        << fills[j].first;
            // The timeline's curves (function colours 0, 2, 3) against the plot background.
            for (int k : {0, 2, 3})
                EXPECT_GT(deltaE(t.functionColours[size_t(k)], t.base), 35)
                    << (dark ? "dark" : "light") << (pres ? " presentation" : "") << " curve " << k;
        }
    views::Theme::set(false, false);
}

TEST(Theme, TheLegendDecodesTheCellTexts) {
    bool key = false;
    for (const auto& e : views::memoryMapLegend())
        key |= e.text.contains("r refcount") && e.text.contains("m mapcount") && e.text.contains("U uptodate");
    EXPECT_TRUE(key);
}

// The share of a rectangle's pixels within `near` (CIE76) of a colour.
double shareNear(const QImage& img, const QRect& r, const QColor& c, double near = 20) {
    int hit = 0, all = 0;
    for (int y = r.top(); y <= r.bottom(); ++y)
        for (int x = r.left(); x <= r.right(); ++x, ++all) hit += deltaE(img.pixelColor(x, y), c) < near;
    return all ? double(hit) / all : 0;
}

// One memory-map cell painted by the delegate: a protected pte whose access
// took a signal at this step.
QImage paintCell(const QRect& cell, const QFont& font, bool wp, const QString& sig) {
    QStandardItemModel model(1, 1);
    const QModelIndex i = model.index(0, 0);
    model.setData(i, QStringLiteral("p9 RO D Y"), Qt::DisplayRole);
    model.setData(i, wp, views::MemoryMapModel::WpRole);
    model.setData(i, sig, views::MemoryMapModel::SignalRole);
    model.setData(i, int(views::MemoryMapModel::PteReadOnly), views::MemoryMapModel::KindRole);
    QImage img(cell.size() + QSize(2, 2), QImage::Format_RGB32);
    img.fill(Qt::white);
    QPainter p(&img);
    QStyleOptionViewItem opt;
    opt.rect = cell;
    opt.font = font;
    views::MemoryMapDelegate d;
    d.paint(&p, opt, i);
    p.end();
    return img;
}

TEST(Theme, TheSignalMarkLeavesTheWpBadgeVisibleAndHasALegendEntry) {
    const views::Theme& t = views::Theme::current();
    QFont font;
    font.setPointSizeF(10);
    const QRect cell(0, 0, 260, QFontMetrics(font).height() + 8);
    const QRect badge = views::wpBadgeRect(cell, font);
    const QRect tag = views::signalTagRect(cell, font, "SIGSEGV", true);
    EXPECT_FALSE(badge.intersects(tag));
    EXPECT_TRUE(cell.contains(tag));
    const QImage both = paintCell(cell, font, true, "SIGSEGV");
    // The badge's middle is still the WP colour (the label is not over it) …
    const QRect badgeCore = badge.adjusted(2, 2, -2, -2);
    EXPECT_GT(shareNear(both, badgeCore, t.wp), 0.5) << "WP badge covered";
    // … and the label is there, in the finding colour, left of it.
    EXPECT_GT(shareNear(both, tag.adjusted(1, 1, -1, -1), t.finding), 0.5);
    // Without the badge the label sits at the right edge (where the badge would be).
    const QImage sigOnly = paintCell(cell, font, false, "SIGSEGV");
    EXPECT_GT(shareNear(sigOnly, views::signalTagRect(cell, font, "SIGSEGV", false).adjusted(1, 1, -1, -1), t.finding),
              0.5);
    EXPECT_LT(shareNear(sigOnly, badgeCore, t.wp), 0.05);
    // The legend explains the mark, drawn as in the map.
    bool entry = false;
    for (const auto& e : views::memoryMapLegend())
        entry |= e.frame == views::LegendEntry::Frame::Signal && e.text.contains("SIGSEGV") && e.text.contains("SIGBUS");
    EXPECT_TRUE(entry);
}

using Cells = Window;

TEST_F(Cells, PresentationCellsAreWideEnoughForTheirText) {
    w->setTheme(false, true);
    c->runTo(3);
    views::MemoryMapView* m = w->memoryMap();
    const QFontMetrics fm(m->font());
    EXPECT_GE(m->minimumCellWidth(), fm.horizontalAdvance("p10 UD r2 m1 b0"));
    EXPECT_GE(m->table()->columnWidth(2), fm.horizontalAdvance("p10 UD r2 m1 b0"));
    w->setTheme(false, false);
}

}  // namespace
}  // namespace faultline::guitest
