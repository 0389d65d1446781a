// SPDX-License-Identifier: GPL-3.0-or-later
// Export writes non-empty PNG / SVG / PDF files of the right size and page
// count; the headless options render the window and exit.
#include <QClipboard>
#include <QImage>
#include <QTableView>
#include <QRegularExpression>
#include <QTemporaryDir>

#include "common/export.h"
#include "common/text_line.h"
#include "memorymap/memory_map_model.h"
#include "memorymap/memory_map_view.h"
#include "trace/trace_view.h"
#include "gui/cli_options.h"
#include <QLabel>
#include <QStatusBar>

#include "common/slides.h"
#include "gui_fixture.h"

namespace faultline::guitest {
namespace {

using Export = Window;

int pdfPages(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return -1;
    const QByteArray d = f.readAll();
    if (!d.startsWith("%PDF")) return -1;
    // Page objects: "/Type /Page" not followed by "s".
    return int(QRegularExpression("/Type\\s*/Page(?!s)").globalMatch(QString::fromLatin1(d)).hasNext()
                   ? [&] {
                         int n = 0;
                         auto it = QRegularExpression("/Type\\s*/Page(?!s)").globalMatch(QString::fromLatin1(d));
                         while (it.hasNext()) it.next(), ++n;
                         return n;
                     }()
                   : 0);
}

TEST_F(Export, PngWithScaleSvgAndPdfOfTheWindow) {
    QTemporaryDir dir;
    c->runTo(3);
    const QSize sz = w->size();
    ASSERT_EQ(views::savePng(w.get(), dir.filePath("w.png"), 2.0), QString());
    QImage img(dir.filePath("w.png"));
    ASSERT_FALSE(img.isNull());
    EXPECT_EQ(img.width(), sz.width() * 2);
    EXPECT_EQ(img.height(), sz.height() * 2);
    // Not a blank image: the window's many colours are there.
    QSet<QRgb> colours;
    for (int y = 0; y < img.height(); y += 7)
        for (int x = 0; x < img.width(); x += 7) colours.insert(img.pixel(x, y));
    EXPECT_GT(colours.size(), 20);
    ASSERT_EQ(views::saveSvg(w.get(), dir.filePath("w.svg")), QString());
    QFile svg(dir.filePath("w.svg"));
    ASSERT_TRUE(svg.open(QIODevice::ReadOnly));
    const QByteArray s = svg.readAll();
    EXPECT_TRUE(s.contains("<svg"));
    EXPECT_TRUE(s.contains("A pte"));  // text stays text (vector)
    ASSERT_EQ(views::savePdf(w.get(), dir.filePath("w.pdf")), QString());
    EXPECT_EQ(pdfPages(dir.filePath("w.pdf")), 1);
    // One view alone.
    ASSERT_EQ(views::savePng(w->memoryMap(), dir.filePath("map.png"), 1.5), QString());
    EXPECT_EQ(QImage(dir.filePath("map.png")).width(), int(w->memoryMap()->width() * 1.5));
    EXPECT_FALSE(views::saveAny(w.get(), dir.filePath("w.bmp")).isEmpty());
}

TEST_F(Export, ExportStepsWritesOnePagePerStep) {
    QTemporaryDir dir;
    c->runTo(20);
    ASSERT_EQ(w->exportSteps(10, 14, dir.filePath("deck.pdf")), QString());
    EXPECT_EQ(pdfPages(dir.filePath("deck.pdf")), 5);
    EXPECT_EQ(pos(), 20u);  // the position is restored
    ASSERT_EQ(w->exportSteps(2, 4, dir.filePath("pngs"), 1.0), QString());
    QDir pngs(dir.filePath("pngs"));
    const QStringList files = pngs.entryList({"*.png"}, QDir::Files, QDir::Name);
    ASSERT_EQ(files.size(), 3);
    EXPECT_EQ(files.front(), "step-00002.png");
    // A 16:9 slide (1280×720 px at 96 dpi) at 2× for the projector, whatever the window's size.
    const QImage first(pngs.filePath(files.front()));
    EXPECT_EQ(first.size(), QSize(2560, 1440));
}

TEST_F(Export, SlidesChooseViewsAndPageAndSayWhereTheyWent) {
    QTemporaryDir dir;
    views::SlideOptions o;
    o.views = {"memoryMap", "dockDetails"};
    o.page = views::SlideOptions::Page::A4;
    o.theme = views::SlideOptions::ThemeChoice::Dark;
    ASSERT_EQ(w->exportSlides(1, 3, dir.filePath("a4"), o), QString());
    const QImage a4(QDir(dir.filePath("a4")).filePath("step-00001.png"));
    EXPECT_NEAR(double(a4.width()) / a4.height(), 842.0 / 595.0, 0.01);
    // Dark slide: the page's corner is the dark theme's background, and the window is light again.
    EXPECT_LT(QColor(a4.pixel(a4.width() - 2, a4.height() - 2)).lightness(), 60);
    EXPECT_FALSE(w->action("actDark")->isChecked());
    EXPECT_TRUE(w->statusBar()->currentMessage().isEmpty());
    const QString status = w->findChild<views::TextLine*>("stopLabel")->text();
    EXPECT_TRUE(status.contains("3 slides") && status.contains(dir.filePath("a4"))) << status.toStdString();
    EXPECT_EQ(w->exportFolder(), QFileInfo(dir.filePath("a4")).absoluteFilePath());
    o.views = {"noSuchView"};
    EXPECT_FALSE(w->exportSlides(1, 2, dir.filePath("x.pdf"), o).isEmpty());
}

// The walk-through of docs/gui.md and of the "done when": watch A's
// uffd-wp bit of page 8, continue to the bit's loss and to the silent write,
// run back to the step that cleared it, switch to upstream on the same
// schedule and see the bit kept, export the steps as slides.
TEST_F(Export, TheDocumentedWalkThrough) {
    variant("baseline-2020");
    ASSERT_EQ(c->addWatchpoint("A.pte[8].uffd_wp"), QString());
    trigger("actContinue");
    EXPECT_EQ(pos(), 3u);
    EXPECT_EQ(cell(state(), "A.pte[8]"), "none");
    trigger("actContinue");
    EXPECT_EQ(pos(), 57u);
    ASSERT_NE(c->snapshot().lastStep(), nullptr);
    ASSERT_FALSE(c->snapshot().lastStep()->findings.empty());
    EXPECT_EQ(c->snapshot().lastStep()->findings.front().rule, Rule::C1);
    trigger("actRevContinue");
    EXPECT_EQ(pos(), 3u);
    EXPECT_TRUE(c->lastStopText().contains("1 → 0")) << c->lastStopText().toStdString();
    variant("upstream");
    EXPECT_EQ(pos(), 3u);
    EXPECT_TRUE(w->memoryMap()->model()->index(8, 0).data(views::MemoryMapModel::WpRole).toBool());
    EXPECT_EQ(w->memoryMap()->model()->index(8, 0).data(views::MemoryMapModel::KindRole).toInt(),
              views::MemoryMapModel::PteMarker);
    c->removeWatchpoint(0);
    c->runTo(c->debugger().length());
    bool anyFinding = false;
    for (uint64_t i = 1; i <= c->debugger().length(); ++i) anyFinding |= !c->snapshot().log->step(i)->findings.empty();
    EXPECT_FALSE(anyFinding);
    variant("baseline-2020");
    QTemporaryDir dir;
    ASSERT_EQ(w->exportSteps(1, 8, dir.filePath("race.pdf")), QString());
    EXPECT_EQ(pdfPages(dir.filePath("race.pdf")), 8);
}

// Copy View copies the view that holds the focus, at twice its size.
TEST_F(Export, CopyViewTakesTheFocusedDock) {
    QTableView* trace = w->traceView()->findChild<QTableView*>("traceTable");
    ASSERT_NE(trace, nullptr);
    EXPECT_EQ(w->viewOf(trace), w->traceView());
    EXPECT_EQ(w->viewOf(trace->viewport()), w->traceView());
    EXPECT_EQ(w->viewOf(nullptr), w->memoryMap());
    EXPECT_EQ(w->viewOf(w->memoryMap()->findChild<QTableView*>()), w->memoryMap());
    views::copyToClipboard(w->viewOf(trace), 2.0);
    const QImage img = QApplication::clipboard()->image();
    ASSERT_FALSE(img.isNull());
    EXPECT_EQ(img.width(), w->traceView()->width() * 2);
    trigger("actCopyView");  // nothing focused offscreen: the memory map
    EXPECT_EQ(QApplication::clipboard()->image().width(), w->memoryMap()->width() * 2);
}

TEST(Headless, OptionsParseAndReject) {
    gui::Options o;
    QString help;
    EXPECT_EQ(gui::parseOptions({"faultline", "s.json", "--kernel", "baseline-2020", "--step", "33", "--screenshot",
                                 "o.png", "--scale", "2", "--set", "PTE_MARKERS=on"},
                                &o, &help),
              QString());
    EXPECT_EQ(o.session, "s.json");
    EXPECT_EQ(o.kernel, "baseline-2020");
    EXPECT_EQ(o.step, std::optional<uint64_t>(33));
    EXPECT_EQ(o.scale, 2.0);
    ASSERT_EQ(o.toggles.size(), 1u);
    EXPECT_TRUE(o.headless());
    gui::Options bad;
    EXPECT_FALSE(gui::parseOptions({"faultline", "--step", "x"}, &bad, &help).isEmpty());
    EXPECT_FALSE(gui::parseOptions({"faultline", "--export-steps", "1-3"}, &bad, &help).isEmpty());
    EXPECT_FALSE(gui::parseOptions({"faultline", "--scale", "0"}, &bad, &help).isEmpty());
}

// Every bad value is refused with a message that names it; an empty value
// (--screenshot "") used to start the event loop and never exit.
TEST(Headless, BadValuesAreRefusedNamingTheValue) {
    QString help;
    const std::vector<std::pair<QStringList, QString>> bad = {
        {{"--scale", "nan"}, "nan"},
        {{"--scale", "inf"}, "inf"},
        {{"--size", "abc"}, "abc"},
        {{"--size", "0x0"}, "0x0"},
        {{"--size", "1200x"}, "1200x"},
        {{"--export-steps", "5-1", "--out", "d.pdf"}, "5-1"},
        {{"--export-steps", "1-2-3", "--out", "d.pdf"}, "1-2-3"},
        {{"--export-steps", "-1", "--out", "d.pdf"}, "-1"},
        {{"--kernel", ""}, "--kernel"},
        {{"--kernel", "linux-1.0"}, "linux-1.0"},
        {{"--screenshot", ""}, "--screenshot"},
        {{"--export-steps", "", "--out", "d.pdf"}, "--export-steps"},
        {{"--out", "", "--export-steps", "1"}, "--out"},
        {{"--step", "-5"}, "-5"},
        {{"--step", "1e3"}, "1e3"},
        {{"--step", "10abc"}, "10abc"},
        {{"--step", ""}, "--step"},
    };
    for (const auto& [args, named] : bad) {
        gui::Options o;
        const QString e = gui::parseOptions(QStringList{"faultline"} + args, &o, &help);
        EXPECT_TRUE(e.contains(named)) << args.join(' ').toStdString() << " -> " << e.toStdString();
    }
    gui::Options ok;
    ASSERT_EQ(
        gui::parseOptions({"faultline", "--export-steps", "7", "--out", "d.pdf", "--size", "1280x720"}, &ok, &help),
        QString());
    uint64_t a = 0, b = 0;
    ASSERT_TRUE(gui::parseStepRange(ok.exportSteps, &a, &b));
    EXPECT_EQ(a, 7u);
    EXPECT_EQ(b, 7u);
}

// A watchpoint on a cell the session does not have is refused (exit 2).
TEST(Headless, AWatchpointBeyondTheFileIsRefused) {
    QTemporaryDir dir;
    gui::Options o;
    QString help;
    ASSERT_EQ(
        gui::parseOptions(
            {"faultline", seedRacePath(), "--watch", "A.pte[99999]", "--screenshot", dir.filePath("s.png")}, &o, &help),
        QString());
    gui::Controller c;
    gui::MainWindow w(&c);
    EXPECT_EQ(gui::applyOptions(w, c, o), 2);
    EXPECT_FALSE(QFile::exists(dir.filePath("s.png")));
    EXPECT_FALSE(c.addWatchpoint("slot[100000]").isEmpty());
    EXPECT_EQ(c.addWatchpoint("A.pte[8].uffd_wp"), QString());
}

TEST(Headless, ScreenshotAndExportStepsRenderAndExit) {
    QTemporaryDir dir;
    gui::Options o;
    QString help;
    ASSERT_EQ(gui::parseOptions({"faultline", seedRacePath(), "--kernel", "baseline-2020", "--step", "3",
                                 "--screenshot", dir.filePath("s.png"), "--scale", "2", "--size", "1200x800"},
                                &o, &help),
              QString());
    {
        gui::Controller c;
        gui::MainWindow w(&c);
        EXPECT_EQ(gui::applyOptions(w, c, o), 0);
        EXPECT_EQ(c.debugger().position(), 3u);
        EXPECT_EQ(c.debugger().variant(), "baseline-2020");
    }
    const QImage img(dir.filePath("s.png"));
    EXPECT_EQ(img.size(), QSize(2400, 1600));
    gui::Options e;
    ASSERT_EQ(gui::parseOptions({"faultline", seedRacePath(), "--export-steps", "1-4", "--out", dir.filePath("d.pdf")},
                                &e, &help),
              QString());
    {
        gui::Controller c;
        gui::MainWindow w(&c);
        EXPECT_EQ(gui::applyOptions(w, c, e), 0);
    }
    EXPECT_EQ(pdfPages(dir.filePath("d.pdf")), 4);
    gui::Options b;
    ASSERT_EQ(
        gui::parseOptions({"faultline", dir.filePath("nope.json"), "--screenshot", dir.filePath("x.png")}, &b, &help),
        QString());
    {
        gui::Controller c;
        gui::MainWindow w(&c);
        EXPECT_EQ(gui::applyOptions(w, c, b), 2);
    }
    EXPECT_FALSE(QFile::exists(dir.filePath("x.png")));
}

TEST_F(Export, ThemesRepaintWithTheirPalettes) {
    QTemporaryDir dir;
    c->runTo(3);
    w->setTheme(true, false);
    const QImage dark = views::renderImage(w.get());
    w->setTheme(false, true);
    const QImage pres = views::renderImage(w.get());
    w->setTheme(false, false);
    const QImage light = views::renderImage(w.get());
    auto lum = [](const QImage& i) {
        double s = 0;
        int n = 0;
        for (int y = 0; y < i.height(); y += 11)
            for (int x = 0; x < i.width(); x += 11) s += qGray(i.pixel(x, y)), ++n;
        return s / n;
    };
    EXPECT_LT(lum(dark), lum(light) - 40);
    EXPECT_NE(pres, light);
}

}  // namespace
}  // namespace faultline::guitest
