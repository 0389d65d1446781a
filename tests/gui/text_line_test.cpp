// SPDX-License-Identifier: GPL-3.0-or-later
// A TextLine asks for a layout only when the room its text needs changes: a
// step's new title, step counter or status message in the same lines re-lays
// nothing out (QLabel::setText re-laid the window out up to its docks on
// every step); a text needing another line, or wider than any before, does.
#include <gtest/gtest.h>

#include <QApplication>
#include <QEvent>
#include <QVBoxLayout>

#include "common/text_line.h"
#include "gui_fixture.h"
#include "timeline/timeline_view.h"

namespace faultline::guitest {
namespace {

// Layout requests a widget receives.
struct LayoutRequests : QObject {
    int n = 0;
    bool eventFilter(QObject*, QEvent* e) override {
        n += e->type() == QEvent::LayoutRequest;
        return false;
    }
};

TEST(TextLine, ANewTextInTheSameLinesAsksForNoLayout) {
    QWidget box;
    auto* lay = new QVBoxLayout(&box);
    auto* wrapped = new views::TextLine(&box);
    wrapped->setWordWrap(true);
    auto* line = new views::TextLine(&box);
    lay->addWidget(wrapped);
    lay->addWidget(line);
    lay->addStretch(1);
    box.resize(300, 200);
    box.show();
    wrapped->setText("step 1 · A1 · user access UA.1");
    line->setText("step 1 / 63");
    QApplication::processEvents();
    LayoutRequests spy;
    box.installEventFilter(&spy);
    const int w0 = wrapped->geometryUpdates(), l0 = line->geometryUpdates();
    const int h = wrapped->height();
    for (int i = 2; i < 10; ++i) {
        wrapped->setText(QString("step %1 · A1 · user access UA.%1").arg(i));
        line->setText(QString("step %1 / 63").arg(i));
        QApplication::processEvents();
    }
    EXPECT_EQ(wrapped->geometryUpdates(), w0);
    EXPECT_EQ(line->geometryUpdates(), l0);
    EXPECT_EQ(spy.n, 0);
    EXPECT_EQ(wrapped->text(), "step 9 · A1 · user access UA.9");
    // Three times as long: more lines, one layout, a taller line.
    wrapped->setText(QString("step 10 · A1 · user access UA.1 · ").repeated(3));
    QApplication::processEvents();
    EXPECT_EQ(wrapped->geometryUpdates(), w0 + 1);
    EXPECT_GE(spy.n, 1);
    EXPECT_GT(wrapped->height(), h);
    // Back to one line: the height follows.
    wrapped->setText("step 11");
    QApplication::processEvents();
    EXPECT_EQ(wrapped->height(), h);
    // A new width gets its height in the same layout pass (as a wrapped
    // QLabel's): no second pass, no gap under a title that fits one line.
    wrapped->setText(QString("step 12 · A1 · user access UA.1 · ").repeated(2));
    for (int wd : {160, 700, 240, 900}) {
        box.resize(wd, 200);
        // No event loop between: the resize alone lays the box out (a grab
        // right after a resize sees this).
        EXPECT_EQ(wrapped->height(), wrapped->heightForWidth(wrapped->width())) << "at " << wd;
    }
}

TEST(TextLine, AOneLineTextTooWideIsElidedAndWholeInItsTooltip) {
    QWidget box;
    auto* lay = new QHBoxLayout(&box);
    auto* line = new views::TextLine(&box);
    lay->addWidget(line);
    box.setFixedWidth(120);
    box.show();
    line->setText("short");
    QApplication::processEvents();
    EXPECT_TRUE(line->toolTip().isEmpty());
    const QString longText = "deadlock: A1 waits for the mmap_lock held by P, and P waits for A1's page lock";
    line->setText(longText);
    QApplication::processEvents();
    EXPECT_LE(line->width(), 120);
    EXPECT_EQ(line->toolTip(), longText);
    EXPECT_EQ(line->text(), longText);
    // It never makes its parent wider than it was made.
    EXPECT_LE(line->minimumSizeHint().width(), QFontMetrics(line->font()).averageCharWidth() * 8);
}

// In the window: steps through the seed race change the step counter and the
// status line without asking the main window for a layout.
TEST_F(Window, StepsKeepTheStepCounterAndStatusLineInTheirRoom) {
    QApplication::processEvents();
    auto* status = w->findChild<views::TextLine*>("stopLabel");
    ASSERT_NE(status, nullptr);
    auto* counter = w->timelineView()->findChild<views::TextLine*>();
    ASSERT_NE(counter, nullptr);
    c->runTo(10);  // "step 10 / 63": the widest counter this run shows
    QApplication::processEvents();
    const int s0 = status->geometryUpdates(), c0 = counter->geometryUpdates();
    for (int i = 0; i < 20; ++i) {
        c->stepInto();
        QApplication::processEvents();
    }
    EXPECT_TRUE(counter->text().startsWith("step 30 / ")) << counter->text().toStdString();
    EXPECT_EQ(counter->geometryUpdates(), c0);
    EXPECT_LE(status->geometryUpdates(), s0 + 2) << "only a status message wider than any before asks for room";
}

}  // namespace
}  // namespace faultline::guitest
