// SPDX-License-Identifier: GPL-3.0-or-later
// Compare mode: a toggle that says it is one, the cells that differ marked in
// both maps and named in the legend, and a view of only the differing columns.
#include <QTableView>

#include "common/qcp.h"
#include "common/theme.h"
#include "gui_fixture.h"
#include "memorymap/memory_map_model.h"
#include "memorymap/memory_map_view.h"
#include "timeline/timeline_view.h"

namespace faultline::guitest {
namespace {

using CompareDiff = Window;

TEST_F(CompareDiff, DifferingCellsAreMarkedAndOnlyTheirColumnsCanBeShown) {
    variant("baseline-2020");
    EXPECT_TRUE(w->action("actCompare")->text().contains(QStringLiteral("☐")));
    c->runTo(3);
    ASSERT_EQ(c->setCompare(true, "upstream"), QString());
    EXPECT_TRUE(w->action("actCompare")->text().contains(QStringLiteral("☑")));
    views::MemoryMapModel* m = w->memoryMap()->model();
    views::MemoryMapModel* o = w->compareMap()->model();
    // A.pte[8]: none under baseline-2020, a marker under upstream.
    EXPECT_TRUE(m->index(8, m->pteColumn(0)).data(views::MemoryMapModel::DiffRole).toBool());
    EXPECT_TRUE(o->index(8, o->pteColumn(0)).data(views::MemoryMapModel::DiffRole).toBool());
    EXPECT_FALSE(m->index(0, m->pteColumn(0)).data(views::MemoryMapModel::DiffRole).toBool());
    bool legend = false;
    for (const auto& e : views::memoryMapLegend(true)) legend |= e.frame == views::LegendEntry::Frame::Differs;
    EXPECT_TRUE(legend);
    // Only the columns that differ.
    trigger("actCompareOnlyDiff");
    const QVector<bool> cols = m->differingColumns();
    ASSERT_TRUE(cols[m->pteColumn(0)]);
    int hidden = 0;
    for (int col = 0; col < m->columnCount(); ++col) {
        EXPECT_EQ(w->memoryMap()->table()->isColumnHidden(col), !cols[col]) << col;
        hidden += !cols[col];
    }
    EXPECT_GT(hidden, 0);
    // The timeline names the divergence line.
    QCustomPlot* plot = w->timelineView()->plot();
    bool named = false;
    for (int i = 0; i < plot->graphCount(); ++i) named |= plot->graph(i)->name().contains("divergence");
    EXPECT_TRUE(named);
    // Off: no marks, every column back.
    ASSERT_EQ(c->setCompare(false), QString());
    EXPECT_FALSE(m->index(8, m->pteColumn(0)).data(views::MemoryMapModel::DiffRole).toBool());
    for (int col = 0; col < m->columnCount(); ++col) EXPECT_FALSE(w->memoryMap()->table()->isColumnHidden(col));
}

}  // namespace
}  // namespace faultline::guitest
