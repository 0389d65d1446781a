// SPDX-License-Identifier: GPL-3.0-or-later
// What a step or a repaint of the window no longer redoes: the style's item
// text comes from a cache (and looks as the base style draws it), the map's
// legend is laid out once per size and theme, the Toggles menu is rebuilt only
// when a value changes, the Details document only when its text does.
#include <QApplication>
#include <QHeaderView>
#include <QImage>
#include <QLabel>
#include <QPainter>
#include <QStandardItemModel>
#include <QStyleFactory>
#include <QStyleOption>
#include <QTableView>
#include <QTextBrowser>
#include <QTextDocument>

#include "common/cached_style.h"
#include "details/details_view.h"
#include "gui_fixture.h"
#include "memorymap/memory_map_view.h"

namespace faultline::guitest {
namespace {

// Pixels inked (darker than the background) in one rendering but not the
// other, and pixels inked in the first.
std::pair<qint64, qint64> compare(const QImage& a, const QImage& b) {
    qint64 differ = 0, ink = 0;
    for (int y = 0; y < std::min(a.height(), b.height()); ++y)
        for (int x = 0; x < std::min(a.width(), b.width()); ++x) {
            const bool p = qGray(a.pixel(x, y)) < 150, q = qGray(b.pixel(x, y)) < 150;
            ink += p;
            differ += p != q;
        }
    return {differ, ink};
}

TEST_F(Window, TheWindowsStyleDrawsItemTextFromACache) {
    auto* st = qobject_cast<views::CachedTextStyle*>(QApplication::style());
    ASSERT_NE(st, nullptr);
    QApplication::processEvents();
    (void)w->grab();
    const int misses = st->cache().misses(), drawn = st->cachedDraws();
    EXPECT_GT(drawn, 0);
    // The same window again: every text was shaped before.
    (void)w->grab();
    EXPECT_GT(st->cachedDraws(), drawn);
    EXPECT_EQ(st->cache().misses(), misses);
}

TEST(CachedStyle, ItemTextLooksAsTheBaseStyleDrawsIt) {
    std::unique_ptr<QStyle> base(QStyleFactory::create(QStringLiteral("Fusion")));
    views::CachedTextStyle cached(QStyleFactory::create(QStringLiteral("Fusion")));
    auto make = [](QStyle* s) {
        auto* t = new QTableView;
        t->setStyle(s);
        t->horizontalHeader()->setStyle(s);
        auto* m = new QStandardItemModel(3, 3, t);
        m->setHorizontalHeaderLabels({"page", "pte (A)", "xarray entry"});
        t->setModel(m);
        t->resize(400, 120);
        return std::unique_ptr<QTableView>(t);
    };
    auto a = make(base.get()), b = make(&cached);
    a->show();
    b->show();
    const QImage ia = a->horizontalHeader()->grab().toImage(), ib = b->horizontalHeader()->grab().toImage();
    if (!qEnvironmentVariableIsEmpty("FAULTLINE_TEST_SHOTS")) {
        ia.save(qEnvironmentVariable("FAULTLINE_TEST_SHOTS") + "/header-base.png");
        ib.save(qEnvironmentVariable("FAULTLINE_TEST_SHOTS") + "/header-cached.png");
    }
    ASSERT_EQ(ia.size(), ib.size());
    const auto [differ, ink] = compare(ia, ib);
    EXPECT_GT(cached.cachedDraws(), 0);
    EXPECT_GT(ink, 50);  // there is text to compare
    EXPECT_LT(differ, ink / 4) << differ << " of " << ink << " dark pixels differ";
    // A mnemonic or a text wider than its rectangle is the base style's.
    QImage img(200, 40, QImage::Format_ARGB32);
    QPainter p(&img);
    const int before = cached.baseDraws();
    cached.drawItemText(&p, QRect(0, 0, 200, 40), Qt::AlignLeft | Qt::TextShowMnemonic, QPalette(), true, "&Open");
    cached.drawItemText(&p, QRect(0, 0, 10, 40), Qt::AlignLeft, QPalette(), true, "a text far too wide");
    EXPECT_EQ(cached.baseDraws(), before + 2);
    // The dock title's icons are made once.
    QStyleOptionDockWidget o;
    const QIcon i1 = cached.standardIcon(QStyle::SP_TitleBarCloseButton, &o), i2 = cached.standardIcon(QStyle::SP_TitleBarCloseButton, &o);
    EXPECT_FALSE(i1.isNull());
    EXPECT_EQ(i1.cacheKey(), i2.cacheKey());
}

TEST_F(Window, TheLegendIsLaidOutOncePerSizeNotPerStep) {
    const views::LegendWidget* legend = w->memoryMap()->legend();
    ASSERT_NE(legend, nullptr);
    // The docks settle their sizes over the first steps after the load.
    for (int i = 0; i < 3; ++i) {
        c->stepInto();
        QApplication::processEvents();
        (void)w->grab();
    }
    const int layouts = legend->layouts();
    for (int i = 0; i < 3; ++i) {
        c->stepInto();
        QApplication::processEvents();
        (void)w->grab();
    }
    EXPECT_EQ(legend->layouts(), layouts);
    // Compare mode adds entries: laid out again.
    ASSERT_EQ(c->setCompare(true, "baseline-2020"), QString());
    QApplication::processEvents();
    (void)w->grab();
    EXPECT_GT(legend->layouts(), layouts);
}

TEST_F(Window, StepsKeepTheTogglesMenuAVariantChangeRefillsIt) {
    QApplication::processEvents();
    const int fills = w->toggleMenuFills();
    for (int i = 0; i < 3; ++i) c->stepInto();
    EXPECT_EQ(w->toggleMenuFills(), fills);
    ASSERT_EQ(c->setVariant("upstream", {{"PTE_MARKERS", "off"}}), QString());
    EXPECT_EQ(w->toggleMenuFills(), fills + 1);
}

TEST_F(Window, DetailsAreSetAgainOnlyWhenTheirTextChanges) {
    c->stepInto();
    const int n = w->detailsView()->documentsSet();
    c->selectTask(0);  // the same step published again
    EXPECT_EQ(w->detailsView()->documentsSet(), n);
    c->stepInto();
    EXPECT_EQ(w->detailsView()->documentsSet(), n + 1);
    EXPECT_TRUE(w->detailsView()->plainText().contains(QStringLiteral("Step 2")));
}

// A new step replaces only the step's part of the Details document; the
// document reads as one set whole from the same snapshot, forwards,
// backwards, across a variant's story and after a font change.
TEST_F(Window, DetailsOfANewStepReadAsTheWholeDocumentSetAnew) {
    auto same = [&](const char* where) {
        views::DetailsView fresh;
        fresh.setFont(w->detailsView()->font());
        fresh.setSnapshot(c->snapshot());
        EXPECT_EQ(w->detailsView()->browser()->document()->toHtml().toStdString(),
                  fresh.browser()->document()->toHtml().toStdString())
            << where << " at step " << c->debugger().position();
    };
    const int sets = w->detailsView()->documentsSet();
    for (int i = 0; i < 12; ++i) {
        c->stepInto();
        same("forward");
    }
    EXPECT_EQ(w->detailsView()->documentsSet(), sets + 12);
    c->runTo(57);
    same("at the finding");
    c->reverseStep();
    same("reverse");
    c->runTo(0);
    same("step 0");
    // Hand-made steps: the verdict changes with every one.
    c->chooseTask(1);  // A1 reads before the punch: off the session's plan
    for (int k = 0; k < 4; ++k) {
        c->stepInto();
        same("hand-made");
    }
    variant("upstream");
    c->runTo(5);
    same("another variant");
    QFont f = w->detailsView()->font();
    f.setPointSizeF(f.pointSizeF() * 1.5);
    w->detailsView()->setFont(f);
    c->stepInto();
    same("a larger font");
}

}  // namespace
}  // namespace faultline::guitest
