// SPDX-License-Identifier: GPL-3.0-or-later
// The memory map with the kernel twin's observations: each step shows what
// the kernel showed after the last operation it completed, disagreements
// marked and named. Fed recorded observations (the twin's --json --all
// shape): no root, no kernel needed.
#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QTableView>

#include "common/theme.h"
#include "gui_fixture.h"
#include "memorymap/kernel_observations.h"
#include "memorymap/memory_map_model.h"
#include "memorymap/memory_map_view.h"

namespace faultline::guitest {
namespace {

QString s10Path() { return QStringLiteral(FAULTLINE_SAMPLE_DIR "/s10-punch-refault-race.json"); }

// S10's twin run as faultline-cli kernel --json --all reports it on Linux 6.18,
// page 1's cells only: 37 setup ops, then A1's read, P's punch, A1's write.
// With `inject`, the kernel shows A.pte[1] none after the read (a disagreement).
QByteArray s10Observations(bool inject) {
    struct Row {
        int op;
        const char* label;
        const char* pte;
        const char* xa;
        const char* data;
    };
    const Row rows[] = {
        {37, "setup P: punch_hole offset 4096 len 4096", "M", "hole", "0"},
        {38, "A1: read 1", "P(?,?,1)", "F(0)", "0"},
        {39, "P: punch_hole offset 4096 len 4096", "M", "hole", "0"},
        {40, "A1: write 1 = a1", "P(?,?,1)", "F(0)", "0"},
    };
    QJsonArray out;
    auto add = [&](int op, const char* label, const char* cell, const QString& k, const QString& s) {
        out.append(QJsonObject{{"op", op},
                               {"operation", label},
                               {"cell", cell},
                               {"kernel", k},
                               {"simulation", s},
                               {"agree", k == s},
                               {"changed", true}});
    };
    for (int op = 1; op <= 36; ++op) add(op, "setup", "result", "ok", "ok");
    for (const Row& r : rows) {
        add(r.op, r.label, "result", "ok", "ok");
        add(r.op, r.label, "A.pte[1]", inject && r.op == 38 ? QStringLiteral("none") : QString(r.pte), r.pte);
        add(r.op, r.label, "xa[1]", r.xa, r.xa);
        add(r.op, r.label, "data[1]", r.data, r.data);
    }
    return QJsonDocument(QJsonObject{{"format", "faultline-kernel"},
                                     {"session", "S10 — a fault racing a second punch (found by the property tests)"},
                                     {"kernel", "Linux 6.18.44 x86_64"},
                                     {"setup_ops", 37},
                                     {"rows", out},
                                     {"agreed", inject ? 183 : 184},
                                     {"observations", 184}})
        .toJson();
}

using KernelMap = Window;

TEST(KernelObservations, RejectsWhatIsNotTheTwinsOutput) {
    QString e;
    EXPECT_EQ(views::KernelObservations::fromJson("{", &e), nullptr);
    EXPECT_TRUE(e.contains("not JSON")) << e.toStdString();
    EXPECT_EQ(views::KernelObservations::fromJson(R"({"format":"faultline-kernel-race"})", &e), nullptr);
    EXPECT_TRUE(e.contains("faultline-kernel")) << e.toStdString();
    EXPECT_EQ(views::KernelObservations::fromJson(R"({"format":"faultline-kernel","rows":[]})", &e), nullptr);
    EXPECT_TRUE(e.contains("setup_ops")) << e.toStdString();
    auto ok = views::KernelObservations::fromJson(s10Observations(true), &e);
    ASSERT_NE(ok, nullptr) << e.toStdString();
    EXPECT_EQ(ok->ops.size(), 40);
    EXPECT_EQ(ok->after(38)->disagreements, QStringList{"A.pte[1]"});
    EXPECT_TRUE(ok->after(39)->disagreements.isEmpty());
}

TEST_F(KernelMap, EachStepShowsTheKernelAfterItsLastCompletedOperationAndMarksDisagreements) {
    ASSERT_EQ(w->openFile(s10Path(), true), QString());
    views::MemoryMapView* map = w->memoryMap();
    views::MemoryMapModel* m = map->model();
    QAbstractItemModelTester tester(m, QAbstractItemModelTester::FailureReportingMode::Fatal);
    ASSERT_EQ(w->showKernelObservations(s10Observations(true)), QString());
    const int row = 1, col = m->pteColumn(0);
    // Step 0: after the setup (op 37), the kernel agrees: a marker.
    EXPECT_EQ(m->kernelOp(), 37);
    EXPECT_EQ(m->index(row, col).data(views::MemoryMapModel::KernelRole).toString(), "M");
    EXPECT_FALSE(m->index(row, col).data(views::MemoryMapModel::KernelDisagreeRole).toBool());
    EXPECT_TRUE(map->kernelLine()->isVisible());
    EXPECT_TRUE(map->kernelLine()->text().contains("agrees")) << map->kernelLine()->text().toStdString();
    // Cells the twin did not observe have no kernel value; slots never do.
    EXPECT_TRUE(m->index(5, col).data(views::MemoryMapModel::KernelRole).isNull());
    EXPECT_TRUE(m->index(row, m->slotColumn()).data(views::MemoryMapModel::KernelRole).isNull());
    // Step until A1's read completes: op 38, where the kernel disagrees.
    for (int i = 0; i < 400 && m->kernelOp() < 38; ++i) trigger("actStep");
    ASSERT_EQ(m->kernelOp(), 38);
    const QModelIndex pte = m->index(row, col);
    EXPECT_EQ(pte.data(views::MemoryMapModel::KernelRole).toString(), "none");
    EXPECT_TRUE(pte.data(views::MemoryMapModel::KernelDisagreeRole).toBool());
    EXPECT_TRUE(pte.data(Qt::ToolTipRole)
                    .toString()
                    .contains("DISAGREES: this kernel shows none where the "
                              "simulation has P(?,?,1)"))
        << pte.data(Qt::ToolTipRole).toString().toStdString();
    EXPECT_FALSE(m->index(row, m->xaColumn()).data(views::MemoryMapModel::KernelDisagreeRole).toBool());
    EXPECT_EQ(m->index(row, m->frameColumn()).data(views::MemoryMapModel::KernelRole).toString(), "0");
    EXPECT_TRUE(map->kernelLine()->text().contains("op 38/40 «A1: read 1»")) << map->kernelLine()->text().toStdString();
    EXPECT_TRUE(map->kernelLine()->text().contains("A.pte[1] kernel none ≠ simulation P(?,?,1)"))
        << map->kernelLine()->text().toStdString();
    w->memoryMap()->showRow(row);
    shot(w.get(), "kernel-map-disagreement");
    // The next operation agrees again; reversing brings the mark back.
    for (int i = 0; i < 400 && m->kernelOp() < 39; ++i) trigger("actStep");
    EXPECT_FALSE(m->index(row, col).data(views::MemoryMapModel::KernelDisagreeRole).toBool());
    trigger("actRevStep");
    for (int i = 0; i < 400 && m->kernelOp() > 38; ++i) trigger("actRevStep");
    EXPECT_TRUE(m->index(row, col).data(views::MemoryMapModel::KernelDisagreeRole).toBool());
    // Another session clears them.
    ASSERT_EQ(w->openFile(seedRacePath(), true), QString());
    EXPECT_EQ(m->kernelObservations(), nullptr);
    EXPECT_TRUE(m->index(8, m->pteColumn(0)).data(views::MemoryMapModel::KernelRole).isNull());
    EXPECT_FALSE(map->kernelLine()->isVisible());
}

TEST_F(KernelMap, ObservationsOfAnotherSessionAreRefused) {
    const QString e = w->showKernelObservations(s10Observations(false));  // the window has S1 open
    EXPECT_TRUE(e.contains("not of the open session")) << e.toStdString();
    EXPECT_EQ(w->memoryMap()->model()->kernelObservations(), nullptr);
}

TEST_F(KernelMap, TheMarkIsPainted) {
    ASSERT_EQ(w->openFile(s10Path(), true), QString());
    ASSERT_EQ(w->showKernelObservations(s10Observations(true)), QString());
    views::MemoryMapModel* m = w->memoryMap()->model();
    for (int i = 0; i < 400 && m->kernelOp() < 38; ++i) trigger("actStep");
    ASSERT_EQ(m->kernelOp(), 38);
    QTableView* t = w->memoryMap()->table();
    QApplication::processEvents();
    const QRect r = t->visualRect(m->index(1, m->pteColumn(0)));
    ASSERT_TRUE(r.isValid());
    const QImage img = t->viewport()->grab().toImage();
    // The strip along the cell's bottom is solid in the finding colour.
    const QColor bad = views::Theme::current().finding;
    const QColor px = img.pixelColor(r.right() - 12, r.bottom() - 3);
    EXPECT_LT(std::abs(px.red() - bad.red()) + std::abs(px.green() - bad.green()) + std::abs(px.blue() - bad.blue()),
              40)
        << px.name().toStdString();
    // An agreeing cell's strip is not.
    const QRect ok = t->visualRect(m->index(1, m->xaColumn()));
    const QColor px2 = img.pixelColor(ok.right() - 12, ok.bottom() - 3);
    EXPECT_GT(std::abs(px2.red() - bad.red()) + std::abs(px2.green() - bad.green()) + std::abs(px2.blue() - bad.blue()),
              60)
        << px2.name().toStdString();
}

}  // namespace
}  // namespace faultline::guitest
