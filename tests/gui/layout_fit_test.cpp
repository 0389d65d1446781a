// SPDX-License-Identifier: GPL-3.0-or-later
// Layout: the memory map gets the room, a window never restores larger than
// its screen, and a layout that does not fit is never saved.
#include <QDockWidget>
#include <QScreen>
#include <QSettings>
#include <QHeaderView>
#include <QTableView>

#include "gui_fixture.h"
#include "memorymap/memory_map_view.h"

namespace faultline::guitest {
namespace {

TEST(LayoutFit, FitsScreenComparesSizes) {
    EXPECT_TRUE(gui::MainWindow::fitsScreen(QRect(0, 0, 1280, 720), QRect(0, 0, 1280, 720)));
    EXPECT_FALSE(gui::MainWindow::fitsScreen(QRect(0, 0, 2560, 1440), QRect(0, 0, 1280, 720)));
}

using LayoutWindow = Window;

TEST_F(LayoutWindow, ALayoutLargerThanTheScreenIsNotSavedNorRestored) {
    const QRect avail = w->screen()->availableGeometry();
    w->resize(avail.width() * 2, avail.height() * 2);
    w->close();
    EXPECT_FALSE(QSettings().contains("window/state")) << "a layout that does not fit is not persisted";
    // A saved geometry from a larger screen: the new window shrinks to this one.
    {
        gui::Controller c2;
        gui::MainWindow big(&c2);
        big.setQuiet(true);
        big.resize(avail.width() * 2, avail.height() * 2);
        QSettings().setValue("window/geometry", big.saveGeometry());
        QSettings().setValue("window/state", big.saveState());
    }
    gui::Controller c3;
    gui::MainWindow restored(&c3);
    EXPECT_LE(restored.frameGeometry().width(), avail.width());
    EXPECT_LE(restored.frameGeometry().height(), avail.height());
    QSettings().clear();
}

TEST_F(LayoutWindow, TheMemoryMapGetsTheRoomAt1280x720) {
    w->resize(1280, 720);
    QApplication::processEvents();
    w->resetLayout();
    QApplication::processEvents();
    QApplication::processEvents();
    views::MemoryMapView* m = w->memoryMap();
    // Wider than the left docks and at least eight rows (five before the
    // layout gave the map the room).
    QDockWidget* tasks = w->findChild<QDockWidget*>("dockTasks");
    EXPECT_GE(m->width(), tasks->width());
    const int rows = m->table()->viewport()->height() / m->table()->verticalHeader()->defaultSectionSize();
    EXPECT_GE(rows, 18) << "the map shows most of its rows (11 while the trace took the bottom)";
    // Most of the height: nothing below the map but the status bar.
    EXPECT_GE(m->height(), w->height() * 3 / 4);
    for (const char* d : {"dockTrace", "dockTimeline", "dockExplore"})
        EXPECT_NE(w->dockWidgetArea(w->findChild<QDockWidget*>(d)), Qt::BottomDockWidgetArea) << d;
    // Everything fits the window.
    EXPECT_LE(m->geometry().bottom(), w->centralWidget()->height());
}

TEST_F(LayoutWindow, ATallWindowKeepsTheTraceAndTimelineAtTheBottom) {
    w->resize(1600, 1000);
    QApplication::processEvents();
    w->resetLayout();
    QApplication::processEvents();
    EXPECT_EQ(w->dockWidgetArea(w->findChild<QDockWidget*>("dockTrace")), Qt::BottomDockWidgetArea);
    EXPECT_EQ(w->dockWidgetArea(w->findChild<QDockWidget*>("dockTimeline")), Qt::BottomDockWidgetArea);
}

}  // namespace
}  // namespace faultline::guitest
