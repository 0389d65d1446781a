// SPDX-License-Identifier: GPL-3.0-or-later
// Kernel ▸ Run on This Kernel: the dialog runs faultline-cli's kernel twin and
// shows its comparison and the race's histogram. Skipped where the twin is
// not allowed (then the action must be disabled and say why).
#include <QLabel>
#include <QProcessEnvironment>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QTest>

#include "common/qcp.h"
#include "gui/kernel_twin_dialog.h"
#include "gui_fixture.h"
#include "memorymap/memory_map_model.h"
#include "memorymap/memory_map_view.h"

using namespace faultline;
using faultline::guitest::Window;

namespace {

bool waitIdle(gui::KernelTwinDialog* d, int ms) {
    for (int t = 0; t < ms && d->busy(); t += 50) QTest::qWait(50);
    return !d->busy();
}

}  // namespace

TEST_F(Window, RunOnKernelIsDisabledWithTheReasonWhereNotAllowed) {
    QAction* a = w->action("actRunOnKernel");
    ASSERT_NE(a, nullptr);
    const QString why = gui::kernelTwinUnavailable();
    EXPECT_EQ(a->isEnabled(), why.isEmpty());
    if (!why.isEmpty()) { EXPECT_TRUE(a->toolTip().contains(why)); }
}

TEST_F(Window, RunOnKernelComparesAndRacesS10) {
    if (!gui::kernelTwinUnavailable().isEmpty()) GTEST_SKIP() << "kernel twin not allowed here";
    qputenv("FAULTLINE_CLI", FAULTLINE_CLI_PATH);
    ASSERT_EQ(w->openFile(QStringLiteral(FAULTLINE_SAMPLE_DIR "/s10-punch-refault-race.json"), true), QString());
    gui::KernelTwinDialog* d = w->runOnKernel();
    ASSERT_NE(d, nullptr);
    ASSERT_TRUE(waitIdle(d, 30000));
    EXPECT_TRUE(d->summary()->text().contains("agreement: 5200/5200 observations"))
        << d->summary()->text().toStdString();
    EXPECT_GT(d->table()->rowCount(), 10);
    d->runRace();
    EXPECT_TRUE(d->busy());
    ASSERT_TRUE(waitIdle(d, 60000));
    EXPECT_GE(d->histogram()->plottableCount(), 1);
    EXPECT_TRUE(d->raceButton()->isEnabled());
    if (const QString shot = qEnvironmentVariable("FAULTLINE_TWIN_SCREENSHOT"); !shot.isEmpty()) d->grab().save(shot);
    // The comparison reached the memory map: the kernel's value under A.pte[1].
    EXPECT_EQ(w->memoryMap()->model()->index(1, 0).data(views::MemoryMapModel::KernelRole).toString(), "M");
    d->close();
}

TEST_F(Window, RunOnKernelRaceShowsProgressAndCancels) {
    if (!gui::kernelTwinUnavailable().isEmpty()) GTEST_SKIP() << "kernel twin not allowed here";
    qputenv("FAULTLINE_CLI", FAULTLINE_CLI_PATH);
    ASSERT_EQ(w->openFile(QStringLiteral(FAULTLINE_SAMPLE_DIR "/s10-punch-refault-race.json"), true), QString());
    gui::KernelTwinDialog* d = w->runOnKernel();
    ASSERT_NE(d, nullptr);
    ASSERT_TRUE(waitIdle(d, 30000));
    d->runRace();  // 10 s by default
    EXPECT_FALSE(d->raceButton()->isEnabled());
    EXPECT_TRUE(d->cancelButton()->isEnabled());
    QTest::qWait(5000);  // well into the race loop (faultline-cli plans first)
    EXPECT_GT(d->progress()->value(), 0);
    EXPECT_LT(d->progress()->value(), 1000);
    d->cancelButton()->click();
    ASSERT_TRUE(waitIdle(d, 10000));
    EXPECT_TRUE(d->raceSummary()->text().contains("(cancelled)")) << d->raceSummary()->text().toStdString();
    EXPECT_TRUE(d->raceSummary()->text().contains("C1 in")) << d->raceSummary()->text().toStdString();
    EXPECT_GE(d->histogram()->plottableCount(), 1);
    d->close();
}

// The race's summary keeps both lines (the result, then the racers'
// durations and the offsets swept) at a small dialog size: the label gets the
// height its wrapped text needs and the table and histogram give way.
TEST_F(Window, TheRaceSummaryKeepsItsSecondLineInASmallDialog) {
    qputenv("FAULTLINE_CLI", "/nonexistent/faultline-cli");  // no comparison runs: only the race's figures
    gui::KernelTwinDialog d(guitest::seedRacePath(), "S1");
    const QByteArray json = R"({"format": "faultline-kernel-race", "iterations": 123456, "c1": 4321, "c2": 17,
        "window_us": 40, "offset_lo_us": -12.5, "offset_hi_us": 30.25, "durations_us": [11.75, 23.5],
        "sampling": "aimed", "interrupted": false, "simulation_findings": "C1 at step 57", "agree": true,
        "outcomes": [{"class": "C1", "count": 4321, "outcome": "silent write", "histogram": [1, 5, 9, 3]},
                     {"class": "ok", "count": 119135, "outcome": "WP message", "histogram": [40, 30, 20, 10]}]})";
    d.showRaceJson(json);
    for (const QSize size : {QSize(900, 700), QSize(480, 420), QSize(360, 360)}) {
        d.resize(size);
        d.show();
        for (int i = 0; i < 3; ++i) QApplication::processEvents();
        QLabel* l = d.raceSummary();
        ASSERT_TRUE(l->text().contains("Alone on this kernel")) << l->text().toStdString();
        EXPECT_GE(l->height(), l->heightForWidth(l->width()))
            << "every wrapped line of the summary shows at " << size.width() << "x" << size.height();
        EXPECT_GE(l->heightForWidth(l->width()), 2 * l->fontMetrics().height()) << "two lines at least";
        guitest::shot(&d, QStringLiteral("race-summary-%1x%2").arg(size.width()).arg(size.height()));
    }
}
