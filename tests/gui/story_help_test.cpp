// SPDX-License-Identifier: GPL-3.0-or-later
// The story and the why on screen, and the Help menu.
#include <QCoreApplication>
#include <QMenuBar>
#include <QTextBrowser>
#include <QToolBar>

#include "details/details_view.h"
#include "details/step_details.h"
#include "gui_fixture.h"

namespace faultline::guitest {
namespace {

using StoryHelp = Window;

TEST_F(StoryHelp, DetailsShowTheWholeWhatAndWhyOfTheStep) {
    variant("baseline-2020");
    c->runTo(3);
    const QString t = w->detailsView()->plainText();
    // Each piece with its function and step id, the rule that decided it, the
    // cells old → new, the finding.
    EXPECT_TRUE(t.contains("shmem_fallocate() PH.4")) << t.toStdString();
    EXPECT_TRUE(t.contains("unmap_mapping_range() ZP.1")) << t.toStdString();
    EXPECT_TRUE(t.contains("PTE_MARKERS = off")) << t.toStdString();
    EXPECT_TRUE(t.contains("A.pte[8]: P(w=0,d=0,wp=1) p9 → none")) << t.toStdString();
    EXPECT_TRUE(t.contains("C2 (uffd-wp dropped)")) << t.toStdString();
    EXPECT_TRUE(t.contains("ZP.3")) << t.toStdString();
    // Wrapped to the dock, never wider than it.
    EXPECT_EQ(w->detailsView()->browser()->lineWrapMode(), QTextEdit::WidgetWidth);
}

TEST_F(StoryHelp, TheStoryAndTheVerdictAreShown) {
    variant("baseline-2020");
    const QString t = w->detailsView()->plainText();
    EXPECT_TRUE(t.contains("S1 — the seed race")) << t.toStdString();
    EXPECT_TRUE(t.contains("P punches file page 8")) << t.toStdString();
    EXPECT_TRUE(t.contains("1 violation (C1 at step 57), 1 note (C2 at step 3)")) << t.toStdString();
    // At the end of a run, the status bar says the verdict, also without findings.
    variant("upstream");
    c->setStopOnFindings(false);
    trigger("actContinue");
    EXPECT_TRUE(c->lastStopText().contains("finished after")) << c->lastStopText().toStdString();
    EXPECT_TRUE(c->lastStopText().contains("no violation")) << c->lastStopText().toStdString();
}

TEST_F(StoryHelp, ASampleAboutAnOldKernelOpensUnderIt) {
    ASSERT_EQ(w->openFile(QStringLiteral(FAULTLINE_SAMPLE_DIR "/s2-swap-out.json"), true), QString());
    EXPECT_EQ(c->debugger().variant(), "baseline-2020");
    const views::Verdict v = views::verdictOf(c->debugger().timeline());
    EXPECT_GE(v.violations, 1) << "the story (a swap-out loses the bit) shows under the variant it opens in";
}

TEST_F(StoryHelp, HelpMenuHasShortcutsDocsAndAbout) {
    QMenu* help = w->findChild<QMenu*>("menuHelp");
    ASSERT_NE(help, nullptr);
    for (const char* a : {"actShortcuts", "actDocs", "actAbout"}) EXPECT_NE(w->action(a), nullptr) << a;
    const QString keys = w->shortcutsHtml();
    EXPECT_TRUE(keys.contains("F10") && keys.contains("Step Over")) << keys.toStdString();
    EXPECT_TRUE(keys.contains("F9")) << keys.toStdString();
    QCoreApplication::setApplicationVersion("9.8.7");
    const QString about = gui::MainWindow::aboutText();
    EXPECT_TRUE(about.contains("9.8.7")) << about.toStdString();
    EXPECT_TRUE(about.contains("GPL-3.0-or-later"));
    EXPECT_TRUE(about.contains(QString::fromLatin1(qVersion())));
    EXPECT_TRUE(about.contains("QCustomPlot 2."));
    // F9 is in the Debug menu; toolbar tooltips say what an action does and its key.
    EXPECT_EQ(w->action("actToggleBp")->shortcut(), QKeySequence(Qt::Key_F9));
    EXPECT_TRUE(w->action("actStepOver")->toolTip().contains("(F10)"))
        << w->action("actStepOver")->toolTip().toStdString();
    EXPECT_TRUE(w->action("actStepOver")->toolTip().contains("running any function it calls"));
}

}  // namespace
}  // namespace faultline::guitest
