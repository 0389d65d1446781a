// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The debugger window: memory map in the centre (two side by side in compare
// mode), docks around it, stepping actions with Qt Creator keys, the variant
// selector and toggles, open / save / recent files, the recording's autosave
// and recovery, export for slides.
#include <QMainWindow>
#include <QPointer>
#include <functional>
#include <memory>

#include "debug/debugger.h"
#include "gui/autosave.h"
#include "common/slides.h"

class QComboBox;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QLabel;
class QAction;
class QActionGroup;
class QDockWidget;
class QMenu;
class QSplitter;
class QTimer;

namespace faultline::views {
class MemoryMapView;
class TasksView;
class CodeView;
class TraceView;
class TimelineView;
class BreakpointsView;
class DetailsView;
class ExploreView;
class TextLine;
struct Snapshot;
}  // namespace faultline::views

namespace faultline::gui {

class Controller;
class WorkerJob;
struct PreparedSession;
class ExploreJob;
class KernelTwinDialog;

class MainWindow final : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(Controller* c, QWidget* parent = nullptr);
    ~MainWindow() override;

    // Opens a session file; on error shows the engine's error in a dialog
    // (unless `quiet`) and keeps the current session. Returns the error text.
    // The file is read and run in the worker (a progress bar with Cancel
    // shows while it takes long; a cancelled load leaves the current session
    // as it was). `wait`: returns once it is open (else it returns at once
    // and the error, if any, is shown when the load ends).
    QString openFile(const QString& path, bool quiet = false, bool wait = true);
    // The long-work progress bar and its Cancel button in the status bar.
    QProgressBar* jobProgress() const { return jobBar_; }
    QPushButton* jobCancel() const { return jobCancel_; }
    bool saveTo(const QString& path, QString* error = nullptr);
    // Window ▸ Reset to Default Layout.
    void resetLayout();
    void setTheme(bool dark, bool presentation);
    // Headless / test entry points for the actions.
    QAction* action(const QString& objectName) const;
    views::MemoryMapView* memoryMap() const { return map_; }
    views::MemoryMapView* compareMap() const { return cmpMap_; }
    views::TasksView* tasksView() const { return tasks_; }
    views::CodeView* codeView() const { return code_; }
    views::TraceView* traceView() const { return trace_; }
    views::TimelineView* timelineView() const { return timeline_; }
    views::DetailsView* detailsView() const { return details_; }
    // Whether a window geometry fits the screen it is on (never persist one that does not).
    static bool fitsScreen(const QRect& frame, const QRect& available);
    // Help: the list of keys (built from the actions) and the About text.
    QString shortcutsHtml() const;
    static QString aboutText();
    QWidget* uffdView() const { return uffdView_; }
    QWidget* vmasView() const { return vmasView_; }
    views::ExploreView* exploreView() const { return explore_; }
    ExploreJob* exploreJob() const { return exploreJob_; }
    // Opens the counterexample of the Explore dock's results row `row` at the
    // step that reaches its goal (beside `compareWith` in compare mode when
    // not empty). Returns the error text.
    QString openExploreResult(int row, const QString& compareWith = {});
    // Headless: checks `variants` (ids or "all") in the Explore dock, runs its
    // search, waits for it and, if `open`, opens the first counterexample.
    QString runExploreAndWait(const QStringList& variants, bool open);
    QComboBox* variantBox() const { return variantBox_; }
    QComboBox* nextTaskBox() const { return nextBox_; }
    // This window's autosave journal of the recording in progress ("" until
    // the first hand-made step), and the autosave itself.
    QString autosavePath() const { return autosave_.path(); }
    // A hand-made recording that differs from the file it came from (what
    // Save is enabled for, and Quit / Open ask about).
    bool hasUnsavedRecording() const { return unsaved_; }
    // Whether Save writes over the opened file (not a sample, writable).
    bool saveOverwritesSource() const;
    Autosave& autosaveJournal() { return autosave_; }
    // Offers to recover the newest autosaved recording of a process that died
    // (true if recovered). The journal is read (before the prompt) and then
    // replayed in the worker, each with progress and Cancel (a cancelled read
    // or recovery leaves the journal to be offered again). `wait`: the
    // window's events are handled until it ends; else true once it started
    // (lastRecovery() tells how it ended).
    bool offerRecovery(bool ask = true, bool wait = true);
    // What the last recovery said (tests).
    const QString& lastRecovery() const { return lastRecovery_; }
    // The warning shown while autosave fails.
    QLabel* autosaveWarning() const { return autosaveWarning_; }
    // The view (a dock's widget or a memory map) that holds `focus`, else the
    // memory map: what Copy View copies.
    QWidget* viewOf(QWidget* focus) const;
    // Export steps [a, b] as a multi-page PDF (path ends in .pdf) or a folder of PNGs.
    QString exportSteps(uint64_t a, uint64_t b, const QString& out, double scale = 1.0);
    // Slides: the chosen views on pages of the chosen size, no window chrome.
    // Waits for the export (the event loop turns meanwhile); returns the error.
    QString exportSlides(uint64_t a, uint64_t b, const QString& out, const views::SlideOptions& o);
    // The same without waiting, with the progress bar and Cancel: `then(error)`
    // runs when it ends ("cancelled" if cancelled). Returns an error if it cannot start.
    QString startExportSlides(uint64_t a, uint64_t b, const QString& out, const views::SlideOptions& o,
                              std::function<void(const QString&)> then = {});
    bool exporting() const { return export_ != nullptr; }
    // A view by objectName ("memoryMap" or a dock's), nullptr if none.
    QWidget* viewNamed(const QString& objectName) const;
    // Where the next export dialog starts: the folder of the last export.
    QString exportFolder() const;
    // The error dialog shown by the last failed open (tests).
    const QString& lastError() const { return lastError_; }
    // Kernel ▸ Run on This Kernel: opens the kernel twin's dialog on the
    // session as it stands (nullptr if it could not be written out).
    KernelTwinDialog* runOnKernel();
    // The kernel twin's comparison (faultline-cli kernel --json --all) into
    // the memory map: empty, or why it cannot be shown. Opening another
    // session clears it.
    QString showKernelObservations(const QByteArray& json);
    // Don't show modal dialogs (headless runs, tests): errors go to lastError().
    void setQuiet(bool q) { quiet_ = q; }
    // How often the Toggles menu was rebuilt (tests: only when a value changed).
    int toggleMenuFills() const { return toggleMenuFills_; }

protected:
    void closeEvent(QCloseEvent* e) override;
    void showEvent(QShowEvent* e) override;

private:
    void buildActions();
    void buildMenus();
    void buildToolbar();
    void buildHelpMenu();
    void showShortcuts();
    void showAbout();
    void fitToScreen();
    void buildDocks();
    QDockWidget* dock(const char* name) const;
    void onSnapshot(const views::Snapshot& s);
    void onCompare();
    void startCompare(const QString& variant);
    void refillTaskBox();
    void refillToggleMenu();
    void addRecent(const QString& path);
    void refillRecent();
    void autosave();
    void autosaveFailed(const QString& error);
    void setUnsaved(bool on);
    QString saveAsSuggestion() const;
    // Before the current session goes (quit, open): an unsaved hand-made
    // recording is saved, discarded or kept for recovery. False: cancelled.
    bool settleRecording(const QString& before);
    void showError(const QString& title, const QString& text);
    void stepCmd(int kind);  // 0 into, 1 over, 2 out, 3 continue (reverse if the toggle is on)
    void exportWindow(const QString& fmt);
    void exportView();
    QWidget* focusedView() const;
    void exportStepsDialog();
    void exportWritten(const QString& path, const QString& what);  // status bar + remembered folder
    void startExplore();
    void exploreFinished(bool cancelled);
    QString windowTitleText() const;
    // The end of openFile's load in the worker (on the GUI thread).
    QString openPrepared(const QString& path, bool quiet, PreparedSession& p, bool cancelled);
    // What a recovery does once its replay ended (see offerRecovery).
    struct RecoveryInfo;
    bool finishRecovery(const RecoveryInfo& r, PreparedSession& p, bool cancelled);
    // The steps of offerRecovery: the next journal to read, then what to do with it once read.
    void recoverNext(QStringList orphans, bool ask, std::shared_ptr<int> outcome);
    void onJournalRead(const QString& journal, std::unique_ptr<QLockFile> claim, JournalLoad& j, bool cancelled,
                       const QStringList& rest, bool ask, std::shared_ptr<int> outcome);
    // While the worker owns the debugger: stepping and file actions off, progress shown.
    void setBusy(bool busy, const QString& what = {});
    void cancelWork();  // Cancel / Esc: the worker's job or the export in progress
    struct ExportRun;
    std::shared_ptr<ExportRun> export_;
    WorkerJob* exportJob_ = nullptr;  // encodes one slide at a time
    void exportNextSlide();
    void finishExport();
    void onJobProgress(const QString& what, qulonglong done, qulonglong total, int unit);

    Controller* c_;
    views::MemoryMapView* map_ = nullptr;
    views::MemoryMapView* cmpMap_ = nullptr;
    QSplitter* centre_ = nullptr;
    views::TasksView* tasks_ = nullptr;
    views::CodeView* code_ = nullptr;
    views::TraceView* trace_ = nullptr;
    views::TimelineView* timeline_ = nullptr;
    views::BreakpointsView* bps_ = nullptr;
    views::DetailsView* details_ = nullptr;
    views::ExploreView* explore_ = nullptr;
    ExploreJob* exploreJob_ = nullptr;
    QWidget* uffdView_ = nullptr;
    QWidget* vmasView_ = nullptr;
    QComboBox* variantBox_ = nullptr;
    QComboBox* nextBox_ = nullptr;
    QComboBox* cmpBox_ = nullptr;
    QSpinBox* runToBox_ = nullptr;
    views::TextLine* stopLabel_ = nullptr;
    QMenu* recentMenu_ = nullptr;
    QMenu* toggleMenu_ = nullptr;
    QString toggleMenuShown_;  // the values the Toggles menu was filled with
    bool toggleMenuFilled_ = false;
    int toggleMenuFills_ = 0;
    QMenu* variantMenu_ = nullptr;
    QActionGroup* variantGroup_ = nullptr;
    QAction* reverse_ = nullptr;
    QAction* compare_ = nullptr;
    QAction* onlyDiff_ = nullptr;
    QAction* dark_ = nullptr;
    QAction* presentation_ = nullptr;
    QTimer* autosaveTimer_ = nullptr;  // batches position-only journal records
    QTimer* autosaveRetry_ = nullptr;  // while the journal cannot be written
    QLabel* autosaveWarning_ = nullptr;
    QProgressBar* jobBar_ = nullptr;
    QPushButton* jobCancel_ = nullptr;
    QList<QPair<QAction*, bool>> busyDisabled_;  // actions turned off while busy, and whether they were on
    bool dying_ = false;                         // in the destructor: a job's completion only hands the debugger back
    QString lastRecovery_;
    QString sourceText_;    // the opened file's text, kept as written when saving
    bool unsaved_ = false;  // see hasUnsavedRecording()
    bool loading_ = false;  // inside openFile's load: nothing the user did
    Autosave autosave_;
    QByteArray defaultState_;
    QString lastError_;
    bool quiet_ = false;
    bool updating_ = false;
    bool layoutPending_ = true;   // no saved layout: apply the default once shown
    bool wasManual_ = false;      // the previous snapshot's run was hand-made
    uint64_t plannedLength_ = 0;  // length of the planned run before the last step
};

}  // namespace faultline::gui
