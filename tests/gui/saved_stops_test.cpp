// SPDX-License-Identifier: GPL-3.0-or-later
// Breakpoints and watchpoints are kept with the session's recording: Save
// writes them (enable state and hit counts too), Open and crash recovery
// bring them back, and a broken entry is named with its file:line:column
// while the rest of the file loads.
#include <QListWidget>
#include <QTemporaryDir>

#include "breakpoints/breakpoints_view.h"
#include "gui_fixture.h"
#include "io/atomic_file.h"
#include "session/session_io.h"

namespace faultline::guitest {
namespace {

struct SavedStops : Window {
    // The seed race saved with a breakpoint on do_fault_around into `dir`:
    // its text and where the entries of its "breakpoints" list start.
    void savedWithBreakpoint(const QTemporaryDir& dir, std::string* text, size_t* at) {
        variant("baseline-2020");
        ASSERT_EQ(c->addBreakpoint("do_fault_around"), QString());
        const QString good = dir.filePath("good.json");
        ASSERT_TRUE(w->saveTo(good));
        std::string err;
        ASSERT_TRUE(io::readFile(good.toStdString(), text, &err));
        const std::string key = "\"breakpoints\": [";
        *at = text->find(key);
        ASSERT_NE(*at, std::string::npos) << *text;
        *at += key.size();
    }
};

std::vector<std::string> bpTexts(const gui::Controller& c) {
    std::vector<std::string> out;
    for (const auto& b : c.debugger().breakpoints())
        out.push_back(b.text() + (b.enabled ? " on" : " off") + " hits=" + std::to_string(b.hits));
    return out;
}
std::vector<std::string> wpTexts(const gui::Controller& c) {
    std::vector<std::string> out;
    for (const auto& x : c.debugger().watchpoints())
        out.push_back(x.text(*c.debugger().current().config) + (x.enabled ? " on" : " off") +
                      " hits=" + std::to_string(x.hits));
    return out;
}

// Three breakpoints (a function, a step id inside a fused step, a line) and a
// watchpoint; one disabled; a Continue that stops on the watchpoint (a hit).
void setUpStops(gui::Controller& c) {
    ASSERT_EQ(c.addBreakpoint("ZP.3"), QString());
    ASSERT_EQ(c.addBreakpoint("filemap_map_pages:2"), QString());
    ASSERT_EQ(c.addBreakpoint("do_fault_around"), QString());
    ASSERT_EQ(c.addWatchpoint("A.pte[8].uffd_wp"), QString());
    c.setBreakpointEnabled(1, false);
}

TEST_F(SavedStops, SaveThenOpenRestoresThemWithEnableStateAndHitCounts) {
    variant("baseline-2020");
    setUpStops(*c);
    EXPECT_TRUE(w->hasUnsavedRecording()) << "editing breakpoints is unsaved work";
    EXPECT_TRUE(w->action("actSave")->isEnabled() || !w->saveOverwritesSource());
    c->continueRun();
    c->continueRun();
    const auto bps = bpTexts(*c), wps = wpTexts(*c);
    ASSERT_EQ(bps.size(), 3u);
    ASSERT_EQ(wps.size(), 1u);
    uint64_t hits = 0;
    for (const auto& b : c->debugger().breakpoints()) hits += b.hits;
    for (const auto& x : c->debugger().watchpoints()) hits += x.hits;
    ASSERT_GT(hits, 0u) << "a stop was counted";
    QTemporaryDir dir;
    const QString path = dir.filePath("with-stops.json");
    ASSERT_TRUE(w->saveTo(path));
    EXPECT_FALSE(w->hasUnsavedRecording());
    // The file keeps them under the recording.
    std::string text, err;
    ASSERT_TRUE(io::readFile(path.toStdString(), &text, &err));
    EXPECT_NE(text.find("\"breakpoints\""), std::string::npos);
    EXPECT_NE(text.find("\"at\": \"ZP.3\""), std::string::npos) << text;
    EXPECT_NE(text.find("\"at\": \"A.pte[8].uffd_wp\""), std::string::npos);
    // The restarted program: a fresh window opens the file.
    gui::Controller c2;
    gui::MainWindow w2(&c2);
    w2.setQuiet(true);
    ASSERT_EQ(w2.openFile(path, true), QString());
    EXPECT_EQ(bpTexts(c2), bps);
    EXPECT_EQ(wpTexts(c2), wps);
    EXPECT_FALSE(w2.hasUnsavedRecording()) << "what was just opened is not unsaved";
    // The breakpoint list shows them as they were.
    EXPECT_EQ(c2.snapshot().breakpoints.size(), 3u);
    EXPECT_FALSE(c2.snapshot().breakpoints[1].enabled);
    // Reloading in the same window after removing them brings them back too.
    c2.removeBreakpoint(0);
    ASSERT_EQ(w2.openFile(path, true), QString());
    EXPECT_EQ(bpTexts(c2), bps);
}

TEST_F(SavedStops, CrashRecoveryRestoresThemFromTheJournal) {
    variant("baseline-2020");
    c->chooseTask(1);  // a hand-made step, so a journal is written
    trigger("actStep");
    c->chooseTask(std::nullopt);
    setUpStops(*c);
    c->continueRun();
    QApplication::processEvents();
    const auto bps = bpTexts(*c), wps = wpTexts(*c);
    w->autosaveJournal().record(*c);  // what the batching timer does
    const QString journal = w->autosavePath();
    ASSERT_TRUE(QFile::exists(journal));
    std::string text, err;
    ASSERT_TRUE(io::readFile(journal.toStdString(), &text, &err));
    EXPECT_NE(text.find("\nstops {"), std::string::npos) << text.substr(text.size() > 600 ? text.size() - 600 : 0);
    w->autosaveJournal().abandon();  // what a kill leaves behind
    gui::Controller c2;
    gui::MainWindow w2(&c2);
    w2.setQuiet(true);
    ASSERT_TRUE(w2.offerRecovery(false)) << w2.lastError().toStdString();
    EXPECT_EQ(bpTexts(c2), bps);
    EXPECT_EQ(wpTexts(c2), wps);
}

TEST_F(SavedStops, BreakpointsAloneAreJournaledAndRecovered) {
    // No hand-made step: only the breakpoints changed.
    ASSERT_EQ(c->addBreakpoint("shmem_fault"), QString());
    const QString journal = w->autosavePath();
    ASSERT_FALSE(journal.isEmpty());
    ASSERT_TRUE(QFile::exists(journal));
    w->autosaveJournal().abandon();
    gui::Controller c2;
    gui::MainWindow w2(&c2);
    w2.setQuiet(true);
    ASSERT_TRUE(w2.offerRecovery(false)) << w2.lastError().toStdString();
    ASSERT_EQ(c2.debugger().breakpoints().size(), 1u);
    EXPECT_EQ(c2.debugger().breakpoints()[0].text(), "shmem_fault");
}

TEST_F(SavedStops, ABrokenEntryIsNamedWithItsPlaceAndTheRestOfTheFileLoads) {
    QTemporaryDir dir;
    std::string text, err;
    size_t at = 0;
    savedWithBreakpoint(dir, &text, &at);
    // Two broken entries before the good one: an unknown function, and an entry of the wrong shape.
    text.insert(at, "\n      {\"at\": \"no_such_function\"},\n      {\"at\": 5},");
    const QString broken = dir.filePath("broken.json");
    ASSERT_TRUE(io::writeFileAtomically(broken.toStdString(), text, &err)) << err;
    // Where the two entries are: line and column (1-based) of each.
    auto place = [&](const std::string& what) {
        const size_t p = text.find(what);
        const size_t lineStart = text.rfind('\n', p) + 1;
        return QStringLiteral("%1:%2:%3")
            .arg(broken)
            .arg(std::count(text.begin(), text.begin() + long(p), '\n') + 1)
            .arg(p - lineStart + 1);
    };
    gui::Controller c2;
    gui::MainWindow w2(&c2);
    w2.setQuiet(true);
    ASSERT_EQ(w2.openFile(broken, true), QString()) << "the file opens";
    // The rest: the good breakpoint, the recording (replayed to its end, every hash matched).
    ASSERT_EQ(c2.debugger().breakpoints().size(), 1u);
    EXPECT_EQ(c2.debugger().breakpoints()[0].text(), "do_fault_around");
    EXPECT_EQ(c2.debugger().replayDivergedAt(), 0u);
    EXPECT_EQ(c2.debugger().position(), c->debugger().length());
    const QString note = c2.lastStopText();
    EXPECT_NE(note.indexOf(place("{\"at\": \"no_such_function\"}") + ": breakpoint 'no_such_function'"), -1)
        << note.toStdString();
    EXPECT_NE(note.indexOf(place("5}") + ": "), -1) << note.toStdString();
    // The CLI's replay does not mind them either.
    const LoadResult lr = loadSession(broken.toStdString());
    ASSERT_TRUE(lr.session) << lr.error.text();
    ASSERT_EQ(lr.session->recording->breakpoints.size(), 3u);
    EXPECT_FALSE(lr.session->recording->breakpoints[1].error.empty());
}

TEST_F(SavedStops, ABrokenStopsRecordInTheJournalEndsItThereAndKeepsTheStepsBefore) {
    variant("baseline-2020");
    c->chooseTask(1);
    trigger("actStep");
    trigger("actStep");
    const QString journal = w->autosavePath();
    ASSERT_TRUE(QFile::exists(journal));
    w->autosaveJournal().abandon();
    QFile f(journal);
    ASSERT_TRUE(f.open(QIODevice::Append));
    f.write("stops {\"breakpoints\": [\"do_fault_around\", {\"at\": true}], \"watchpoints\": []}\n");
    f.write("stops not json\n");
    f.close();
    const JournalLoad j = readJournal(journal.toStdString());
    ASSERT_TRUE(j.session);
    EXPECT_GT(j.damage.line, 0) << "the second record is damaged";
    ASSERT_TRUE(j.session->recording);
    EXPECT_EQ(j.session->recording->schedule.size(), 2u);
    ASSERT_EQ(j.session->recording->breakpoints.size(), 2u) << "the first record is kept";
    EXPECT_TRUE(j.session->recording->breakpoints[0].error.empty());
    EXPECT_FALSE(j.session->recording->breakpoints[1].error.empty());
    EXPECT_EQ(j.session->recording->breakpoints[1].line, j.damage.line - 1);
}

// The entries that cannot be used are not lost: shown disabled (⚠, no
// checkbox) in the breakpoint list with why, warned about, written back
// unchanged by Save and kept by the journal; Remove drops one for good.
TEST_F(SavedStops, EntriesThatCannotBeUsedAreKeptShownAndSavedBackUnchanged) {
    QTemporaryDir dir;
    std::string text, err;
    size_t at = 0;
    savedWithBreakpoint(dir, &text, &at);
    const std::string key = "\"breakpoints\": [";
    text.insert(at, "\n      {\"at\": \"no_such_function\", \"enabled\": false, \"hits\": 3},\n      {\"at\": 5},");
    const std::string wkey = "\"watchpoints\": [";
    if (text.find(wkey) == std::string::npos) {
        const size_t b = text.find(key);
        text.insert(b, "\"watchpoints\": [\"xa[99999]\"],\n    ");
    } else {
        text.insert(text.find(wkey) + wkey.size(), "\"xa[99999]\", ");
    }
    const QString broken = dir.filePath("broken.json");
    ASSERT_TRUE(io::writeFileAtomically(broken.toStdString(), text, &err)) << err;
    gui::Controller c2;
    gui::MainWindow w2(&c2);
    w2.setQuiet(true);
    w2.resize(1280, 720);
    w2.show();
    ASSERT_EQ(w2.openFile(broken, true), QString());
    ASSERT_EQ(c2.debugger().breakpoints().size(), 1u);
    ASSERT_EQ(c2.leftOutStops().size(), 3u) << "two breakpoints and a watchpoint kept aside";
    EXPECT_NE(c2.lastStopText().indexOf("cannot be used"), -1) << c2.lastStopText().toStdString();
    EXPECT_NE(c2.lastStopText().indexOf("xa[99999]"), -1) << c2.lastStopText().toStdString();
    // In the list: greyed, not checkable, with why in the tooltip.
    QListWidget* list = w2.findChild<views::BreakpointsView*>()->list();
    int shown = 0;
    for (int r = 0; r < list->count(); ++r) {
        QListWidgetItem* it = list->item(r);
        if (it->data(Qt::UserRole).toInt() != 2) continue;
        ++shown;
        EXPECT_TRUE(it->text().startsWith("⚠")) << it->text().toStdString();
        EXPECT_FALSE(it->flags() & Qt::ItemIsUserCheckable);
        EXPECT_NE(it->toolTip().indexOf(broken), -1) << it->toolTip().toStdString();
    }
    EXPECT_EQ(shown, 3);
    EXPECT_NE(list->item(1)->text().indexOf("no_such_function"), -1) << list->item(1)->text().toStdString();
    shot(&w2, "left-out-stops");
    // Save writes them back as they were.
    const QString again = dir.filePath("again.json");
    ASSERT_TRUE(w2.saveTo(again));
    const LoadResult lr = loadSession(again.toStdString());
    ASSERT_TRUE(lr.session) << lr.error.text();
    const auto& bps = lr.session->recording->breakpoints;
    ASSERT_EQ(bps.size(), 3u);
    EXPECT_EQ(bps[0].spec, "do_fault_around");
    EXPECT_EQ(bps[1].spec, "no_such_function");
    EXPECT_FALSE(bps[1].enabled);
    EXPECT_EQ(bps[1].hits, 3u);
    EXPECT_FALSE(bps[2].error.empty());
    EXPECT_EQ(bps[2].raw, "{\"at\": 5}");
    ASSERT_EQ(lr.session->recording->watchpoints.size(), 1u);
    EXPECT_EQ(lr.session->recording->watchpoints[0].spec, "xa[99999]");
    // The journal keeps them too (an edit starts one).
    ASSERT_EQ(c2.addBreakpoint("shmem_fault"), QString());
    std::string jt;
    ASSERT_TRUE(io::readFile(w2.autosavePath().toStdString(), &jt, &err));
    EXPECT_NE(jt.find("no_such_function"), std::string::npos);
    EXPECT_NE(jt.find("\"at\": 5"), std::string::npos) << jt.substr(jt.rfind("stops"));
    // Remove drops one for good.
    c2.removeLeftOutStop(0);
    EXPECT_EQ(c2.leftOutStops().size(), 2u);
    EXPECT_EQ(c2.sessionWithRecording().recording->breakpoints.size(), 3u) << "do_fault_around, shmem_fault, {at: 5}";
}

}  // namespace
}  // namespace faultline::guitest
