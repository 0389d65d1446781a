// SPDX-License-Identifier: GPL-3.0-or-later
// Every theme keeps the memory map's meanings apart (CIE76 colour distance in
// Lab), the timeline's curves stand out from the background, and cells are
// sized for the font.
#include <QTableView>
#include <cmath>

#include "common/theme.h"
#include "gui_fixture.h"
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
