// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui/main_window.h"

#include <unistd.h>

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCheckBox>
#include <QCloseEvent>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QListWidget>
#include <QPushButton>
#include <QDialog>
#include <QDialogButtonBox>
#include <QScreen>
#include <QTextBrowser>
#include <QVBoxLayout>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QEventLoop>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPainter>
#include <QLineEdit>
#include <QLocale>
#include <QPdfWriter>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>

#include "breakpoints/breakpoints_view.h"
#include "code/code_view.h"
#include "details/details_view.h"
#include "common/cached_style.h"
#include "common/cached_text.h"
#include "common/export.h"
#include "common/slides.h"
#include "common/theme.h"
#include "gui/controller.h"
#include "gui/explore_job.h"
#include "gui/worker_job.h"
#include "explore/explore_output.h"
#include "explore/explore_view.h"
#include "gui/default_layout.h"
#include "gui/kernel_twin_dialog.h"
#include "gui/version_text.h"
#include "memorymap/memory_map_model.h"
#include "memorymap/memory_map_view.h"
#include "io/atomic_file.h"
#include "model/variants.h"
#include "session/recording_journal.h"
#include "session/session_io.h"
#include "tasks/tasks_view.h"
#include "timeline/timeline_view.h"
#include "trace/trace_model.h"
#include "trace/trace_view.h"
#include "vmas/vmas_model.h"
#include "common/text_line.h"

namespace faultline::gui {

namespace {
constexpr int kMaxRecent = 8;

QTableView* simpleTable(QWidget* parent, QAbstractItemModel* m, const char* name) {
    auto* t = new QTableView(parent);
    t->setObjectName(name);
    t->setModel(m);
    t->setItemDelegate(new views::CachedTextDelegate(t));
    // Whether the contents changed since the last takeContentsChanged().
    t->setProperty("contentsChanged", true);
    auto mark = [t] { t->setProperty("contentsChanged", true); };
    QObject::connect(m, &QAbstractItemModel::dataChanged, t, mark);
    QObject::connect(m, &QAbstractItemModel::modelReset, t, mark);
    QObject::connect(m, &QAbstractItemModel::rowsInserted, t, mark);
    QObject::connect(m, &QAbstractItemModel::rowsRemoved, t, mark);
    QObject::connect(m, &QAbstractItemModel::headerDataChanged, t, mark);
    t->verticalHeader()->hide();
    t->horizontalHeader()->setStretchLastSection(true);
    t->setWordWrap(true);
    t->setSelectionBehavior(QAbstractItemView::SelectRows);
    return t;
}

// Whether a table's contents or font changed since the last call (see simpleTable).
bool takeContentsChanged(QWidget* table) {
    const QString font = table->font().key();
    const bool changed = table->property("contentsChanged").toBool() || table->property("fittedFont").toString() != font;
    table->setProperty("contentsChanged", false);
    table->setProperty("fittedFont", font);
    return changed;
}
}  // namespace

// One Export Steps in progress (see startExportSlides).
struct MainWindow::ExportRun {
    uint64_t a = 0, b = 0, n = 0, keep = 0;
    QString out, part;
    views::SlideOptions o;
    QList<QWidget*> widgets;
    QSize px;
    bool dark = false, wasDark = false, wasPres = false, pdf = false;
    std::unique_ptr<QPdfWriter> writer;
    std::unique_ptr<QPainter> painter;
    uint64_t pages = 0;
    QString err;
    bool cancelled = false;
    std::function<void(const QString&)> then;
};

MainWindow::MainWindow(Controller* c, QWidget* parent) : QMainWindow(parent), c_(c) {
    views::CachedTextStyle::install();  // before any widget is polished
    setObjectName("faultlineMainWindow");
    setDockNestingEnabled(true);
    centre_ = new QSplitter(Qt::Horizontal, this);
    centre_->setObjectName("centreSplitter");
    map_ = new views::MemoryMapView(centre_);
    map_->setObjectName("memoryMap");
    cmpMap_ = new views::MemoryMapView(centre_);
    cmpMap_->setObjectName("compareMemoryMap");
    cmpMap_->hide();
    cmpMap_->setLegendVisible(false);
    centre_->addWidget(map_);
    centre_->addWidget(cmpMap_);
    setCentralWidget(centre_);
    buildDocks();
    buildActions();
    buildMenus();
    buildToolbar();
    setUnsaved(false);  // Save is for hand-made work only
    stopLabel_ = new views::TextLine(this);
    stopLabel_->setObjectName("stopLabel");
    statusBar()->addWidget(stopLabel_, 1);
    autosaveWarning_ = new QLabel(this);
    autosaveWarning_->setObjectName("autosaveWarning");
    autosaveWarning_->setStyleSheet(
        QStringLiteral("QLabel { background: #b00020; color: white; font-weight: bold; padding: 2px 8px; }"));
    autosaveWarning_->hide();
    statusBar()->addPermanentWidget(autosaveWarning_);
    // Long work in the worker: its progress and Cancel (Esc), shown only while it runs.
    jobBar_ = new QProgressBar(this);
    jobBar_->setObjectName("jobProgress");
    jobBar_->setMinimumWidth(320);
    jobBar_->setTextVisible(true);
    jobBar_->hide();
    jobCancel_ = new QPushButton(tr("Cancel"), this);
    jobCancel_->setObjectName("jobCancel");
    jobCancel_->setToolTip(tr("Stop the work in progress (Esc): a forward run stops at the step it reached, "
                              "a reverse one and a load leave everything as it was"));
    jobCancel_->hide();
    statusBar()->addPermanentWidget(jobBar_);
    statusBar()->addPermanentWidget(jobCancel_);
    connect(jobCancel_, &QPushButton::clicked, this, &MainWindow::cancelWork);
    connect(c_, &Controller::busyChanged, this, [this](bool on) { setBusy(on); });
    exportJob_ = new WorkerJob(this);
    connect(c_->job(), &WorkerJob::progress, this, &MainWindow::onJobProgress);
    autosaveRetry_ = new QTimer(this);
    autosaveRetry_->setInterval(3000);
    connect(autosaveRetry_, &QTimer::timeout, this, &MainWindow::autosave);
    autosaveTimer_ = new QTimer(this);
    autosaveTimer_->setSingleShot(true);
    autosaveTimer_->setInterval(400);
    connect(autosaveTimer_, &QTimer::timeout, this, &MainWindow::autosave);

    connect(c_, &Controller::snapshotChanged, this, &MainWindow::onSnapshot);
    connect(c_, &Controller::compareChanged, this, &MainWindow::onCompare);
    connect(c_, &Controller::stopped, this, [this](const QString& t) { stopLabel_->setText(t); });
    connect(c_, &Controller::sessionLoaded, this, [this] {
        autosave_.discard();  // a new session: its journal starts with its first hand-made step
        refillTaskBox();
        refillToggleMenu();
        QStringList ids;
        for (const Variant& v : variants()) ids << QString::fromUtf8(v.id.data(), int(v.id.size()));
        explore_->setVariants(ids, QString::fromStdString(c_->debugger().variant()));
    });
    // Every recorded step is journaled at once (one short append: a kill
    // loses nothing); moves that only change the position are batched.
    connect(c_, &Controller::recordingChanged, this, [this] {
        if (!loading_ && c_->debugger().manual()) setUnsaved(true);
        autosave();
    });
    connect(c_, &Controller::snapshotChanged, autosaveTimer_, qOverload<>(&QTimer::start));
    // Breakpoints and watchpoints are kept with the recording: editing them is unsaved work.
    connect(c_, &Controller::stopsEdited, this, [this] {
        if (loading_) return;
        setUnsaved(true);
        autosave();
    });

    // Default layout, then the user's saved one.
    resize(1600, 1000);
    resetLayout();
    defaultState_ = saveState();
    QSettings st;
    if (st.contains("window/state")) {
        restoreGeometry(st.value("window/geometry").toByteArray());
        restoreState(st.value("window/state").toByteArray());
        layoutPending_ = false;
    }
    fitToScreen();
    const bool dark = st.value("view/dark", false).toBool(), pres = st.value("view/presentation", false).toBool();
    if (dark || pres) setTheme(dark, pres);
    refillRecent();
}

MainWindow::~MainWindow() {
    // A job still running is cancelled; its completion hands the debugger back and nothing more.
    dying_ = true;
    if (c_->busy()) {
        c_->job()->cancel();
        c_->job()->wait();
    }
    // An export in progress: its current slide is finished, its half file removed.
    if (const std::shared_ptr<ExportRun> run = std::move(export_)) {
        run->cancelled = true;
        exportJob_->wait();
        if (run->painter && run->painter->isActive()) run->painter->end();
        run->writer.reset();
        if (run->pdf) QFile::remove(run->part);
    }
}

void MainWindow::setBusy(bool busy, const QString& what) {
    if (dying_) return;
    static const char* const kOff[] = {
        "actOpen",         "actSave",        "actSaveAs",    "actStep",        "actStepOver",    "actStepOut",
        "actContinue",     "actRevStep",     "actRevStepOver", "actRevStepOut", "actRevContinue", "actRestart",
        "actRunTo",        "actToggleBp",    "actUndoBranch", "actExportSteps", "actCompare",     "actCompareOnlyDiff",
        "actRunOnKernel",  "actExplore",     "actExportPng",  "actExportSvg",   "actExportPdf",   "actExportView"};
    if (busy) {
        busyDisabled_.clear();
        QList<QAction*> acts;
        for (const char* n : kOff)
            if (QAction* a = action(n)) acts << a;
        acts << variantGroup_->actions() << recentMenu_->menuAction() << toggleMenu_->menuAction();
        for (QAction* a : acts) busyDisabled_ << qMakePair(a, a->isEnabled()), a->setEnabled(false);
        for (QWidget* w : std::initializer_list<QWidget*>{nextBox_, runToBox_, variantBox_, cmpBox_, bps_})
            w->setEnabled(false);
        jobBar_->setRange(0, 0);  // busy until the first report
        const QString w = what.isEmpty() ? c_->job()->what() : what;
        jobBar_->setFormat(w + QStringLiteral("…"));
        jobBar_->show();
        jobCancel_->show();
        action("actCancelJob")->setEnabled(true);
        stopLabel_->setText(tr("%1… (Esc or Cancel stops it)").arg(w));
    } else {
        for (const auto& [a, on] : busyDisabled_) a->setEnabled(on);
        busyDisabled_.clear();
        for (QWidget* w : std::initializer_list<QWidget*>{nextBox_, runToBox_, variantBox_, cmpBox_, bps_})
            w->setEnabled(true);
        jobBar_->hide();
        jobCancel_->hide();
        action("actCancelJob")->setEnabled(false);
    }
}

void MainWindow::cancelWork() {
    if (export_) export_->cancelled = true;
    c_->job()->cancel();
}

void MainWindow::onJobProgress(const QString& what, qulonglong done, qulonglong total, int unit) {
    if (!c_->busy()) return;  // a late report of a job that ended
    const QLocale loc;
    if (unit == WorkerJob::Bytes) {
        // An autosave journal read before the recovery prompt.
        jobBar_->setRange(0, 1000);
        jobBar_->setValue(total ? int(std::min<qulonglong>(1000, done * 1000 / total)) : 0);
        jobBar_->setFormat(tr("%1: %2 of %3").arg(what, loc.formattedDataSize(qint64(done)),
                                                   loc.formattedDataSize(qint64(total))));
    } else if (unit == WorkerJob::Setup) {
        // Before the first step: the setup's pages written and operations run.
        jobBar_->setRange(0, 1000);
        jobBar_->setValue(total ? int(std::min<qulonglong>(1000, done * 1000 / total)) : 0);
        jobBar_->setFormat(tr("%1: setup, %2 of %3").arg(what, loc.toString(done), loc.toString(total)));
    } else if (total > 0) {
        jobBar_->setRange(0, 1000);
        jobBar_->setValue(int(std::min<qulonglong>(1000, done * 1000 / total)));
        jobBar_->setFormat(tr("%1: %2 of %3 steps").arg(what, loc.toString(done), loc.toString(total)));
    } else {
        jobBar_->setRange(0, 0);
        jobBar_->setFormat(tr("%1: %2 steps").arg(what, loc.toString(done)));
    }
    // Also in words beside it: a bar without a known end shows no text in every style.
    stopLabel_->setText(tr("%1 (Esc or Cancel stops it)").arg(jobBar_->format()));
}

// Dock sizes only take once the window has its real geometry: the first show
// of a window without a saved layout applies the default table again.
void MainWindow::showEvent(QShowEvent* e) {
    QMainWindow::showEvent(e);
    if (!layoutPending_) return;
    layoutPending_ = false;
    QTimer::singleShot(0, this, [this] {
        resetLayout();
        defaultState_ = saveState();
    });
}

QDockWidget* MainWindow::dock(const char* name) const { return findChild<QDockWidget*>(QString::fromLatin1(name)); }

QAction* MainWindow::action(const QString& objectName) const { return findChild<QAction*>(objectName); }

void MainWindow::buildDocks() {
    auto make = [this](const DockSlot& slot, QWidget* w) {
        auto* d = new QDockWidget(tr(slot.title), this);
        d->setObjectName(slot.objectName);
        d->setWidget(w);
        d->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                       QDockWidget::DockWidgetClosable);
        addDockWidget(slot.area, d);
        return d;
    };
    for (const DockSlot& s : kDefaultLayout) {
        const QString n = s.objectName;
        QWidget* w = nullptr;
        if (n == "dockTasks") w = tasks_ = new views::TasksView(this);
        else if (n == "dockCode") w = code_ = new views::CodeView(this);
        else if (n == "dockTrace") w = trace_ = new views::TraceView(this);
        else if (n == "dockTimeline") w = timeline_ = new views::TimelineView(this);
        else if (n == "dockBreakpoints") w = bps_ = new views::BreakpointsView(this);
        else if (n == "dockDetails") w = details_ = new views::DetailsView(this);
        else if (n == "dockExplore") {
            // Its bounds form is wide: scrolled, so a narrow dock (the compact layout's right column) can hold it.
            explore_ = new views::ExploreView(this);
            auto* scroll = new QScrollArea(this);
            scroll->setObjectName("exploreScroll");
            scroll->setFrameShape(QFrame::NoFrame);
            scroll->setWidgetResizable(true);
            scroll->setWidget(explore_);
            w = scroll;
        }
        else if (n == "dockVmas") w = vmasView_ = simpleTable(this, new views::VmasModel(this), "vmasTable");
        else if (n == "dockUffd") w = uffdView_ = simpleTable(this, new views::UffdModel(this), "uffdTable");
        make(s, w);
    }
    connect(tasks_, &views::TasksView::taskActivated, this, [this](int t) { c_->chooseTask(uint8_t(t)); });
    connect(tasks_, &views::TasksView::frameSelected, this, [this](int t, int f) { c_->selectFrame(t, f); });
    connect(code_, &views::CodeView::breakpointToggled, this,
            [this](int fn, int pc) { c_->toggleBreakpoint(Fn(fn), pc); });
    connect(trace_, &views::TraceView::stepClicked, this, [this](quint64 n) { c_->runTo(n); });
    connect(timeline_, &views::TimelineView::stepClicked, this, [this](quint64 n) {
        if (!c_->busy() && n != c_->snapshot().position)
            c_->runTo(std::min<uint64_t>(n, c_->debugger().length()));
    });
    connect(map_, &views::MemoryMapView::watchRequested, this, [this](const QString& spec) {
        bps_->showError(c_->addWatchpoint(spec));
        dock("dockBreakpoints")->raise();
    });
    exploreJob_ = new ExploreJob(this);
    connect(explore_, &views::ExploreView::startRequested, this, &MainWindow::startExplore);
    connect(explore_, &views::ExploreView::cancelRequested, exploreJob_, &ExploreJob::cancel);
    connect(exploreJob_, &ExploreJob::progress, explore_, &views::ExploreView::setProgress);
    connect(exploreJob_, &ExploreJob::finished, this, &MainWindow::exploreFinished);
    connect(explore_, &views::ExploreView::openRequested, this,
            [this](int row, const QString& beside) { openExploreResult(row, beside); });
    connect(bps_, &views::BreakpointsView::addBreakpoint, this,
            [this](const QString& s) { bps_->added(c_->addBreakpoint(s)); });
    connect(bps_, &views::BreakpointsView::addWatchpoint, this,
            [this](const QString& s) { bps_->added(c_->addWatchpoint(s)); });
    connect(bps_, &views::BreakpointsView::enabledChanged, this, [this](int kind, int i, bool on) {
        if (kind == 0) c_->setBreakpointEnabled(i, on);
        else c_->setWatchpointEnabled(i, on);
    });
    connect(bps_, &views::BreakpointsView::removeBreakpoint, c_, &Controller::removeBreakpoint);
    connect(bps_, &views::BreakpointsView::removeWatchpoint, c_, &Controller::removeWatchpoint);
    connect(bps_, &views::BreakpointsView::removeLeftOut, c_, &Controller::removeLeftOutStop);
    connect(bps_, &views::BreakpointsView::stopOnFindingsChanged, c_, &Controller::setStopOnFindings);
}

void MainWindow::resetLayout() {
    for (const DockSlot& s : kDefaultLayout) {
        QDockWidget* d = dock(s.objectName);
        d->setFloating(false);
        removeDockWidget(d);
    }
    QList<QDockWidget*> lr, bottom;
    QList<int> lrSizes, bottomSizes;
    for (const DockSlot& s : kDefaultLayout) {
        QDockWidget* d = dock(s.objectName);
        if (s.tabWith) {
            tabifyDockWidget(dock(s.tabWith), d);
        } else {
            addDockWidget(s.area, d, s.area == Qt::BottomDockWidgetArea ? Qt::Horizontal : Qt::Vertical);
            if (s.area == Qt::BottomDockWidgetArea) bottom << d, bottomSizes << s.size;
            else lr << d, lrSizes << s.size;
        }
        d->show();
    }
    // A short window (1280×720, or a high scale factor): the bottom docks
    // (trace, explore, timeline) join the details as tabs on the right, so the
    // memory map has the whole height between the toolbars and the status bar.
    const bool compact = height() < 900;
    if (compact) {
        for (const char* d : {"dockTimeline", "dockTrace", "dockExplore"}) {
            tabifyDockWidget(dock("dockDetails"), dock(d));
            const int t = bottom.indexOf(dock(d));
            if (t >= 0) bottom.removeAt(t), bottomSizes.removeAt(t);
        }
        dock("dockDetails")->raise();
    }
    for (const char* r : kRaisedDocks) dock(r)->raise();
    if (compact) dock("dockDetails")->raise();
    // The table's sizes are for 1600×1000: scale them so the memory map keeps
    // the room (at least ~45 % of the width and ~50 % of the height).
    const double sx = std::min(1.0, width() / 1600.0), sy = std::min(1.0, height() / 1000.0);
    for (int& v : lrSizes) v = int(v * sx);
    for (int& v : bottomSizes) v = int(v * sy * (compact ? 0.8 : 1.0));
    resizeDocks(lr, lrSizes, Qt::Horizontal);
    resizeDocks(bottom, bottomSizes, Qt::Vertical);
    // Trace and timeline share the bottom: equal widths.
    if (!compact) resizeDocks(bottom, {width() / 2, width() / 2}, Qt::Horizontal);
    resizeDocks({dock("dockTasks"), dock("dockVmas")}, {height() * 55 / 100, height() * 30 / 100}, Qt::Vertical);
    resizeDocks({dock("dockCode"), dock("dockDetails")},
                {height() * (compact ? 35 : 45) / 100, height() * (compact ? 55 : 40) / 100}, Qt::Vertical);
}

KernelTwinDialog* MainWindow::runOnKernel() {
    // The twin runs in faultline-cli: hand it the session as it stands now.
    Session s = c_->sessionWithRecording();
    s.recording.reset();
    const QString path =
        QDir::temp().filePath(QStringLiteral("faultline-twin-%1.json").arg(QCoreApplication::applicationPid()));
    if (const std::string e = saveSession(s, path.toStdString()); !e.empty()) {
        showError(tr("Run on This Kernel"), QString::fromStdString(e));
        return nullptr;
    }
    auto* d = new KernelTwinDialog(path, QString::fromStdString(s.name), this);
    d->setAttribute(Qt::WA_DeleteOnClose);
    connect(d, &KernelTwinDialog::observed, this, [this](const QByteArray& json) {
        if (const QString e = showKernelObservations(json); !e.isEmpty()) showError(tr("Run on This Kernel"), e);
    });
    d->show();
    return d;
}

QString MainWindow::showKernelObservations(const QByteArray& json) {
    QString error;
    auto obs = views::KernelObservations::fromJson(json, &error);
    if (!obs) return tr("The kernel twin's observations cannot be shown: %1").arg(error);
    const QString current = QString::fromStdString(c_->debugger().session().name);
    if (!obs->session.isEmpty() && obs->session != current)
        return tr("The kernel twin's observations are of \"%1\", not of the open session \"%2\"")
            .arg(obs->session, current);
    map_->setKernelObservations(std::move(obs));
    return {};
}

void MainWindow::buildActions() {
    auto act = [this](const char* name, const QString& text, const QKeySequence& key, auto slot) {
        auto* a = new QAction(text, this);
        a->setObjectName(name);
        if (!key.isEmpty()) a->setShortcut(key);
        a->setShortcutContext(Qt::ApplicationShortcut);
        connect(a, &QAction::triggered, this, slot);
        addAction(a);
        return a;
    };
    act("actOpen", tr("&Open…"), QKeySequence::Open, [this] {
        const QString p =
            QFileDialog::getOpenFileName(this, tr("Open session"), QFileInfo(c_->sessionPath()).absolutePath(),
                                         tr("Faultline sessions (*.json);;All files (*)"));
        if (!p.isEmpty()) openFile(p, false, false);
    });
    {
        // Kernel ▸ Run on This Kernel: the kernel twin (disabled, with the
        // reason as its tooltip, where the kernel or permissions forbid it).
        QAction* a = act("actRunOnKernel", tr("Run on This &Kernel…"), QKeySequence(), [this] { runOnKernel(); });
        const QString why = kernelTwinUnavailable();
        a->setEnabled(why.isEmpty());
        a->setToolTip(why.isEmpty() ? tr("Run this session on the running kernel and compare it with the simulation "
                                         "after every operation; race its interleaved operations")
                                    : tr("Not available here: %1").arg(why));
    }
    // Save writes over the opened file only when it is the user's own;
    // sample sessions and read-only files go through Save As.
    act("actSave", tr("&Save"), QKeySequence::Save, [this] {
        if (!saveOverwritesSource()) return action("actSaveAs")->trigger();
        saveTo(c_->sessionPath());
    });
    act("actSaveAs", tr("Save &As…"), QKeySequence::SaveAs, [this] {
        const QString p = QFileDialog::getSaveFileName(this, tr("Save session with recording"), saveAsSuggestion(),
                                                       tr("Faultline sessions (*.json)"));
        if (!p.isEmpty()) saveTo(p);
    });
    act("actQuit", tr("&Quit"), QKeySequence::Quit, [this] { close(); });
    act("actStep", tr("Step"), QKeySequence(Qt::Key_F11), [this] { stepCmd(0); });
    act("actStepOver", tr("Step Over"), QKeySequence(Qt::Key_F10), [this] { stepCmd(1); });
    act("actStepOut", tr("Step Out"), QKeySequence(Qt::SHIFT | Qt::Key_F11), [this] { stepCmd(2); });
    act("actContinue", tr("Continue"), QKeySequence(Qt::Key_F5), [this] { stepCmd(3); });
    act("actRevStep", tr("Reverse Step"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F11),
        [this] { c_->reverseStep(); });
    act("actRevStepOver", tr("Reverse Step Over"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F10),
        [this] { c_->startReverseStepOver(); });
    act("actRevStepOut", tr("Reverse Step Out"), QKeySequence(Qt::CTRL | Qt::ALT | Qt::SHIFT | Qt::Key_F11),
        [this] { c_->startReverseStepOut(); });
    act("actRevContinue", tr("Reverse Continue"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F5),
        [this] { c_->startReverseContinue(); });
    act("actCancelJob", tr("Cancel the Work in Progress"), QKeySequence(Qt::Key_Escape),
        [this] { cancelWork(); })
        ->setEnabled(false);
    reverse_ = act("actReverseMode", tr("Reverse"), QKeySequence(), [] {});
    reverse_->setCheckable(true);
    reverse_->setToolTip(
        tr("When on, Step / Step Over / Step Out / Continue (F11 / F10 / Shift+F11 / F5) go backwards"));
    act("actRestart", tr("Restart"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R), [this] { c_->restart(); });
    act("actRunTo", tr("Run to Step…"), QKeySequence(Qt::CTRL | Qt::Key_G), [this] {
        bool ok = false;
        const int n = QInputDialog::getInt(this, tr("Run to step"), tr("Step number:"), int(c_->snapshot().position), 0,
                                           100000000, 1, &ok);
        if (ok) c_->startRunTo(uint64_t(n));
    });
    act("actToggleBp", tr("Toggle Breakpoint"), QKeySequence(Qt::Key_F9),
        [this] { code_->toggleBreakpointAtSelection(); });
    act("actUndoBranch", tr("Undo Branch (bring back the planned future)"), QKeySequence::Undo, [this] {
        if (!c_->undoBranch()) stopLabel_->setText(tr("nothing to undo: no planned future was dropped"));
    });
    act("actAddBp", tr("Add Breakpoint or Watchpoint…"), QKeySequence(Qt::CTRL | Qt::Key_B), [this] {
        dock("dockBreakpoints")->show();
        dock("dockBreakpoints")->raise();
        bps_->input()->setFocus();
    });
    act("actResetLayout", tr("Reset to Default Layout"), QKeySequence(), [this] { resetLayout(); });
    act("actCopyWindow", tr("Copy Window as Image"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C),
        [this] { views::copyToClipboard(this, 2.0); });
    act("actCopyView", tr("Copy View as Image"), QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_C),
        [this] { views::copyToClipboard(focusedView(), 2.0); });
    act("actExportPng", tr("Save Window as PNG…"), QKeySequence(Qt::CTRL | Qt::Key_E), [this] { exportWindow("png"); });
    act("actExportSvg", tr("Save Window as SVG…"), QKeySequence(), [this] { exportWindow("svg"); });
    act("actExportPdf", tr("Save Window as PDF…"), QKeySequence(), [this] { exportWindow("pdf"); });
    act("actExportView", tr("Save a View…"), QKeySequence(), [this] { exportView(); });
    act("actExportSteps", tr("Export Steps…"), QKeySequence(), [this] { exportStepsDialog(); });
    dark_ = act("actDark", tr("Dark Theme"), QKeySequence(),
                [this] { setTheme(dark_->isChecked(), presentation_->isChecked()); });
    dark_->setCheckable(true);
    presentation_ = act("actPresentation", tr("Presentation Mode (large, colour-blind safe)"),
                        QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P),
                        [this] { setTheme(dark_->isChecked(), presentation_->isChecked()); });
    presentation_->setCheckable(true);
    compare_ = act("actCompare", tr("Compare with"), QKeySequence(), [this] {
        if (!compare_->isChecked()) {
            c_->setCompare(false);
            return;
        }
        startCompare(cmpBox_->currentData().toString());
    });
    compare_->setCheckable(true);
    compare_->setText(tr("☐ Compare with"));
    compare_->setToolTip(
        tr("Compare: run the same schedule under the variant chosen beside this and show both memory maps; "
           "cells that differ are marked, the first divergence is named"));
    onlyDiff_ = act("actCompareOnlyDiff", tr("Compare: Only Columns That Differ"), QKeySequence(), [this] {
        if (c_->comparing()) onCompare();
    });
    onlyDiff_->setCheckable(true);
}

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(action("actOpen"));
    recentMenu_ = file->addMenu(tr("Open &Recent"));
    recentMenu_->setObjectName("menuRecent");
    file->addAction(action("actSave"));
    file->addAction(action("actSaveAs"));
    file->addSeparator();
    QMenu* exp = file->addMenu(tr("&Export"));
    for (const char* a : {"actCopyWindow", "actCopyView", "actExportPng", "actExportSvg", "actExportPdf",
                          "actExportView", "actExportSteps"})
        exp->addAction(action(a));
    file->addSeparator();
    file->addAction(action("actQuit"));

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(action("actUndoBranch"));

    QMenu* dbg = menuBar()->addMenu(tr("&Debug"));
    for (const char* a : {"actStep", "actStepOver", "actStepOut", "actContinue"}) dbg->addAction(action(a));
    dbg->addSeparator();
    {
        auto* a = dbg->addAction(tr("&Explore Schedules…"));
        a->setObjectName("actExplore");
        a->setShortcut(QKeySequence(tr("Ctrl+Shift+E")));
        a->setToolTip(tr("Search every interleaving of the session's tasks for the shortest race (Ctrl+Shift+E)"));
        connect(a, &QAction::triggered, this, [this] {
            QDockWidget* d = dock("dockExplore");
            d->show();
            d->raise();
            explore_->startButton()->setFocus();
        });
    }
    dbg->addSeparator();
    for (const char* a : {"actRevStep", "actRevStepOver", "actRevStepOut", "actRevContinue", "actReverseMode"})
        dbg->addAction(action(a));
    dbg->addSeparator();
    for (const char* a : {"actRunTo", "actRestart", "actToggleBp", "actAddBp"}) dbg->addAction(action(a));

    variantMenu_ = menuBar()->addMenu(tr("&Kernel"));
    variantGroup_ = new QActionGroup(this);
    for (const Variant& v : variants()) {
        const QString id = QString::fromUtf8(v.id.data(), int(v.id.size()));
        QAction* a = variantMenu_->addAction(QStringLiteral("%1  (%2) — %3")
                                                 .arg(id, QString::fromUtf8(v.letter.data(), int(v.letter.size())),
                                                      QString::fromUtf8(v.summary.data(), int(v.summary.size()))));
        a->setObjectName("variant:" + id);
        a->setData(id);
        a->setCheckable(true);
        variantGroup_->addAction(a);
        connect(a, &QAction::triggered, this, [this, id] {
            if (const QString e = c_->setVariant(id, {}); !e.isEmpty()) showError(tr("Kernel variant"), e);
        });
    }
    variantMenu_->addSeparator();
    toggleMenu_ = variantMenu_->addMenu(tr("&Toggles"));
    variantMenu_->addSeparator();
    variantMenu_->addAction(compare_);
    variantMenu_->addAction(onlyDiff_);
    variantMenu_->addSeparator();
    variantMenu_->addAction(action("actRunOnKernel"));
    variantMenu_->setToolTipsVisible(true);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addAction(dark_);
    view->addAction(presentation_);

    QMenu* win = menuBar()->addMenu(tr("&Window"));
    for (const DockSlot& s : kDefaultLayout) win->addAction(dock(s.objectName)->toggleViewAction());
    win->addSeparator();
    win->addAction(action("actResetLayout"));
    buildHelpMenu();
}

void MainWindow::buildHelpMenu() {
    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->setObjectName("menuHelp");
    auto* keys = help->addAction(tr("&Keyboard Shortcuts"), this, [this] { showShortcuts(); });
    keys->setObjectName("actShortcuts");
    keys->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_F1));
    auto* docs = help->addAction(tr("The Debugger Window (docs/gui.md)"), this, [this] {
        // Installed (share/doc/faultline/docs), else the source tree's.
        QString path =
            QDir(QApplication::applicationDirPath()).filePath(QStringLiteral("../share/doc/faultline/docs/gui.md"));
        if (!QFileInfo::exists(path)) path = QStringLiteral(FAULTLINE_DOCS_DIR "/gui.md");
        QFile f(path);
        QDialog d(this);
        d.setObjectName("docsDialog");
        d.setWindowTitle(tr("Faultline — the debugger window"));
        auto* lay = new QVBoxLayout(&d);
        auto* text = new QTextBrowser(&d);
        if (f.open(QIODevice::ReadOnly)) {
            text->setSearchPaths({QFileInfo(path).absolutePath()});
            text->setMarkdown(QString::fromUtf8(f.readAll()));
        } else {
            text->setPlainText(
                tr("The documentation is not installed here (%1). See docs/gui.md in the source.").arg(path));
        }
        lay->addWidget(text);
        auto* bb = new QDialogButtonBox(QDialogButtonBox::Close, &d);
        connect(bb, &QDialogButtonBox::rejected, &d, &QDialog::reject);
        lay->addWidget(bb);
        d.resize(900, 700);
        d.exec();
    });
    docs->setObjectName("actDocs");
    docs->setShortcut(QKeySequence::HelpContents);
    help->addSeparator();
    auto* about = help->addAction(tr("&About Faultline"), this, [this] { showAbout(); });
    about->setObjectName("actAbout");
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

// Every action with a key, as the menus have them (built from the actions, so it cannot go stale).
QString MainWindow::shortcutsHtml() const {
    QString h = QStringLiteral("<table cellpadding='3'>");
    for (QAction* a : findChildren<QAction*>()) {
        if (a->shortcut().isEmpty() || a->objectName().isEmpty()) continue;
        h += QStringLiteral("<tr><td><b>%1</b></td><td>%2</td></tr>")
                 .arg(a->shortcut().toString(QKeySequence::NativeText).toHtmlEscaped(),
                      a->text().remove('&').toHtmlEscaped());
    }
    h += tr("<tr><td><b>F9</b></td><td>in Code: toggle a breakpoint on the selected line</td></tr>");
    h += tr("<tr><td><b>Reverse</b> toggle</td><td>F11 / F10 / Shift+F11 / F5 go backwards</td></tr></table>");
    return h;
}

void MainWindow::showShortcuts() {
    QDialog d(this);
    d.setObjectName("shortcutsDialog");
    d.setWindowTitle(tr("Keyboard shortcuts"));
    auto* lay = new QVBoxLayout(&d);
    auto* text = new QTextBrowser(&d);
    text->setHtml(shortcutsHtml());
    lay->addWidget(text);
    auto* bb = new QDialogButtonBox(QDialogButtonBox::Close, &d);
    connect(bb, &QDialogButtonBox::rejected, &d, &QDialog::reject);
    lay->addWidget(bb);
    d.resize(560, 640);
    d.exec();
}

QString MainWindow::aboutText() {
    const QString v = QCoreApplication::applicationVersion();
    return tr("<h3>Faultline %1</h3>"
              "<p>A visualizer and step debugger for the Linux memory-management fault paths around "
              "userfaultfd write-protection on shmem.</p>"
              "<p>Licence: GPL-3.0-or-later.</p>"
              "<p>%2</p>")
        .arg(v.isEmpty() ? tr("(version unknown)") : v,
             versionText().toHtmlEscaped().replace('\n', QStringLiteral("<br>")));
}

void MainWindow::showAbout() { QMessageBox::about(this, tr("About Faultline"), aboutText()); }

void MainWindow::buildToolbar() {
    QToolBar* tb = addToolBar(tr("Debug"));
    tb->setObjectName("toolbarDebug");
    tb->addAction(action("actRestart"));
    tb->addAction(reverse_);
    tb->addSeparator();
    for (const char* a : {"actStep", "actStepOver", "actStepOut", "actContinue"}) tb->addAction(action(a));
    // Tooltips that say what an action does and its key.
    const std::pair<const char*, QString> tips[] = {
        {"actRestart", tr("Back to step 0, the initial state")},
        {"actStep", tr("Step into: one micro-step of the next task, entering any function it calls")},
        {"actStepOver",
         tr("Step over: to the next line of the current function, running any function it calls to its end; "
            "between operations, the whole next operation")},
        {"actStepOut", tr("Step out: run until the current function returns to its caller")},
        {"actContinue", tr("Continue to the next breakpoint, watchpoint, checker finding or the end")},
        {"actRevStep", tr("Back one micro-step")},
        {"actRevStepOver", tr("Back to the previous line of the current function")},
        {"actRevStepOut", tr("Back to where the current function was called")},
        {"actRevContinue", tr("Run back to the previous breakpoint, watchpoint or finding")},
    };
    for (const auto& [name, tip] : tips) {
        QAction* a = action(name);
        a->setToolTip(
            a->shortcut().isEmpty() ? tip : tr("%1 (%2)").arg(tip, a->shortcut().toString(QKeySequence::NativeText)));
    }
    tb->addSeparator();
    tb->addWidget(new QLabel(tr(" Next step: "), tb));
    nextBox_ = new QComboBox(tb);
    nextBox_->setObjectName("nextTaskBox");
    nextBox_->setToolTip(
        tr("Which task takes the next step: Auto follows the session's schedule (then the first runnable task)"));
    tb->addWidget(nextBox_);
    connect(nextBox_, &QComboBox::activated, this, [this](int i) {
        if (updating_) return;
        const int t = nextBox_->itemData(i).toInt();
        c_->chooseTask(t < 0 ? std::nullopt : std::optional<uint8_t>(uint8_t(t)));
    });
    tb->addWidget(new QLabel(tr("  Run to: "), tb));
    runToBox_ = new QSpinBox(tb);
    runToBox_->setObjectName("runToBox");
    runToBox_->setRange(0, 100000000);
    tb->addWidget(runToBox_);
    connect(runToBox_, &QSpinBox::editingFinished, this, [this] {
        if (!updating_ && !c_->busy() && uint64_t(runToBox_->value()) != c_->snapshot().position)
            c_->startRunTo(uint64_t(runToBox_->value()));
    });
    QToolBar* kb = addToolBar(tr("Kernel"));
    kb->setObjectName("toolbarKernel");
    kb->addWidget(new QLabel(tr(" Kernel: "), kb));
    variantBox_ = new QComboBox(kb);
    variantBox_->setObjectName("variantBox");
    cmpBox_ = new QComboBox(kb);
    cmpBox_->setObjectName("compareVariantBox");
    for (const Variant& v : variants()) {
        const QString id = QString::fromUtf8(v.id.data(), int(v.id.size()));
        variantBox_->addItem(id, id);
        variantBox_->setItemData(variantBox_->count() - 1, QString::fromUtf8(v.summary.data(), int(v.summary.size())),
                                 Qt::ToolTipRole);
        cmpBox_->addItem(id, id);
    }
    cmpBox_->setCurrentIndex(cmpBox_->findData(QString::fromUtf8(kDefaultVariant.data(), int(kDefaultVariant.size()))));
    kb->addWidget(variantBox_);
    connect(variantBox_, &QComboBox::activated, this, [this](int i) {
        if (updating_) return;
        if (const QString e = c_->setVariant(variantBox_->itemData(i).toString(), {}); !e.isEmpty())
            showError(tr("Kernel variant"), e);
    });
    auto* tbtn = new QToolButton(kb);
    tbtn->setText(tr("Toggles"));
    tbtn->setPopupMode(QToolButton::InstantPopup);
    tbtn->setMenu(toggleMenu_);
    kb->addWidget(tbtn);
    kb->addSeparator();
    kb->addAction(compare_);
    kb->addWidget(cmpBox_);
    connect(cmpBox_, &QComboBox::activated, this, [this] {
        if (c_->comparing()) startCompare(cmpBox_->currentData().toString());
    });
}

// The compare run's replay goes to the worker (a long run takes seconds):
// progress and Cancel; a cancelled one leaves compare mode as it was.
void MainWindow::startCompare(const QString& variant) {
    const bool started = c_->startCompare(variant, [this](const QString& e, bool) {
        if (dying_) return;
        onCompare();  // the toggle says what is
        if (!e.isEmpty()) showError(tr("Compare"), e);
    });
    if (!started) onCompare();
}

void MainWindow::refillTaskBox() {
    updating_ = true;
    nextBox_->clear();
    nextBox_->addItem(tr("Auto"), -1);
    if (c_->hasSession()) {
        const auto& tasks = c_->debugger().session().config.tasks;
        const State& s = c_->debugger().current();
        for (size_t t = 0; t < s.config->tasks.size(); ++t)
            nextBox_->addItem(QString::fromStdString(s.config->tasks[t].name), int(t));
        (void)tasks;
    }
    updating_ = false;
}

void MainWindow::refillToggleMenu() {
    // Rebuilt only when a value changed: every step used to make the menus anew.
    QString shown;
    if (c_->hasSession()) {
        const Toggles& cur = c_->debugger().current().toggles;
        for (const ToggleInfo& ti : toggleInfos())
            shown += QString::fromUtf8(ti.name.data(), int(ti.name.size())) + QLatin1Char('=') +
                     QString::fromStdString(toggleValue(cur, ti.name)) + QLatin1Char('\n');
    }
    if (toggleMenuFilled_ && shown == toggleMenuShown_) return;
    toggleMenuFilled_ = true;
    toggleMenuShown_ = shown;
    ++toggleMenuFills_;
    toggleMenu_->clear();
    if (!c_->hasSession()) return;
    const Toggles& cur = c_->debugger().current().toggles;
    for (const ToggleInfo& ti : toggleInfos()) {
        const QString name = QString::fromUtf8(ti.name.data(), int(ti.name.size()));
        const QString value = QString::fromStdString(toggleValue(cur, ti.name));
        QMenu* m = toggleMenu_->addMenu(QStringLiteral("%1 = %2").arg(name, value));
        m->setToolTipsVisible(true);
        m->menuAction()->setToolTip(QString::fromUtf8(ti.description.data(), int(ti.description.size())));
        std::vector<QString> values;
        for (auto v : ti.values) values.push_back(QString::fromUtf8(v.data(), int(v.size())));
        if (values.empty()) values = {"4096", "16384", "65536", "2097152"};
        for (const QString& v : values) {
            QAction* a = m->addAction(v);
            a->setCheckable(true);
            a->setChecked(v == value);
            connect(a, &QAction::triggered, this, [this, name, v] {
                debug::Overrides ov = c_->debugger().overrides();
                std::erase_if(ov, [&](const auto& p) { return p.first == name.toStdString(); });
                const Variant* var = findVariant(c_->debugger().variant());
                if (!var || toggleValue(var->toggles, name.toStdString()) != v.toStdString())
                    ov.emplace_back(name.toStdString(), v.toStdString());
                if (const QString e = c_->setVariant(QString::fromStdString(c_->debugger().variant()), ov);
                    !e.isEmpty())
                    showError(tr("Toggle"), e);
            });
        }
    }
}

QString MainWindow::windowTitleText() const {
    if (!c_->hasSession()) return tr("Faultline");
    const auto& s = c_->snapshot();
    const QString name = QString::fromStdString(c_->debugger().session().name);
    const QString file = c_->sessionPath().isEmpty() ? tr("unsaved") : QFileInfo(c_->sessionPath()).fileName();
    // [*]: Qt shows the modified mark there while windowModified is set.
    return tr("%1[*] — %2 — %3 — step %4/%5 — Faultline")
        .arg(file, name.isEmpty() ? file : name, QString::fromStdString(s.variant))
        .arg(s.position)
        .arg(s.length);
}

void MainWindow::onSnapshot(const views::Snapshot& s) {
    updating_ = true;
    const QString caption = views::stepCaption(s, s.position);
    map_->setSnapshot(s, tr("%1 · %2").arg(QString::fromStdString(s.variant), caption));
    tasks_->setSnapshot(s);
    code_->setSnapshot(s);
    trace_->setSnapshot(s);
    timeline_->setSnapshot(s);
    bps_->setSnapshot(s);
    details_->setSnapshot(s);
    static_cast<views::SnapshotTableModel*>(static_cast<QTableView*>(vmasView_)->model())->setSnapshot(s);
    static_cast<views::SnapshotTableModel*>(static_cast<QTableView*>(uffdView_)->model())->setSnapshot(s);
    // Only after their contents changed: sizing asks every cell for its size hint.
    if (takeContentsChanged(uffdView_)) static_cast<QTableView*>(uffdView_)->resizeColumnToContents(0);
    if (takeContentsChanged(vmasView_)) static_cast<QTableView*>(vmasView_)->resizeColumnsToContents();
    runToBox_->setValue(int(s.position));
    const int want = s.chosenTask ? nextBox_->findData(int(*s.chosenTask)) : 0;
    if (want >= 0) nextBox_->setCurrentIndex(want);
    nextBox_->setToolTip(tr("Next step: %1").arg(QString::fromStdString(s.nextTaskWhy)));
    const QString base = QString::fromStdString(c_->debugger().variant());
    variantBox_->setCurrentIndex(variantBox_->findData(base));
    // "Compare with" offers the contrast, never the variant shown.
    if (!c_->comparing() && cmpBox_->currentData().toString() == base)
        cmpBox_->setCurrentIndex(cmpBox_->findData(base == QLatin1String("upstream") ? QStringLiteral("baseline-2020")
                                                                                     : QStringLiteral("upstream")));
    for (QAction* a : variantGroup_->actions()) a->setChecked(a->data().toString() == base);
    updating_ = false;
    setWindowTitle(windowTitleText());
    // Modified: a hand-made recording not saved yet (its journal exists).
    setWindowModified(unsaved_ ||
                      (c_->debugger().manual() && !autosavePath().isEmpty() && QFile::exists(autosavePath())));
    action("actUndoBranch")->setEnabled(c_->canUndoBranch());
    statusBar()->setToolTip(tr("next step: %1").arg(QString::fromStdString(s.nextTaskWhy)));
    if (stopLabel_->text().isEmpty()) stopLabel_->setText(c_->lastStopText());
    // Follow the page the last step was about: its finding's page, else the
    // first cell it changed (scrolls only when that row is out of sight).
    int follow = -1;
    if (const auto r = s.lastStep())
        for (const Finding& f : r->findings)
            if (f.index >= 0 && follow < 0) follow = int(f.index);
    if (follow < 0) follow = map_->model()->firstChangedRow();
    if (follow >= 0) map_->showRow(follow);
    refillToggleMenu();
}

void MainWindow::onCompare() {
    const bool on = c_->comparing();
    const bool wasVisible = !cmpMap_->isHidden();
    cmpMap_->setVisible(on);
    compare_->setText(on ? tr("☑ Compare with") : tr("☐ Compare with"));
    // Cells that differ are marked in both maps; the legend says so.
    map_->model()->setPeer(on ? cmpMap_->model() : nullptr);
    cmpMap_->model()->setPeer(on ? map_->model() : nullptr);
    map_->setComparing(on);
    if (!on) {
        map_->showOnlyColumns({});
        cmpMap_->showOnlyColumns({});
    }
    if (on && !wasVisible) {
        const int half = std::max(200, centre_->width() / 2);
        centre_->setSizes({half, half});
    }
    compare_->setChecked(on);
    if (!on) return;
    const auto& d = c_->divergence();
    QString title = tr("%1 · step %2").arg(c_->compareVariant()).arg(c_->compareSnapshot().position);
    if (d.found) {
        title += tr(" · first divergence: step %1").arg(d.step);
        if (!d.cells.empty()) title += QStringLiteral(" — ") + QString::fromStdString(d.cells.front());
    } else {
        title += tr(" · %1").arg(QString::fromStdString(d.detail));
    }
    cmpMap_->setSnapshot(c_->compareSnapshot(), title);
    cmpMap_->setComparing(true);
    map_->table()->viewport()->update();
    const QVector<bool> cols = onlyDiff_->isChecked() ? map_->model()->differingColumns() : QVector<bool>();
    map_->showOnlyColumns(cols);
    cmpMap_->showOnlyColumns(cols);
    cmpBox_->setCurrentIndex(cmpBox_->findData(c_->compareVariant()));
    // Keep both maps scrolled together.
    static QMetaObject::Connection sync;
    if (!sync) {
        sync = connect(map_->table()->verticalScrollBar(), &QScrollBar::valueChanged,
                       cmpMap_->table()->verticalScrollBar(), &QScrollBar::setValue);
        connect(cmpMap_->table()->verticalScrollBar(), &QScrollBar::valueChanged, map_->table()->verticalScrollBar(),
                &QScrollBar::setValue);
    }
}

void MainWindow::stepCmd(int kind) {
    if (!c_->hasSession()) return;
    const bool rev = reverse_->isChecked();
    switch (kind) {
    case 0: rev ? c_->reverseStep() : c_->stepInto(); break;
    case 1: rev ? c_->startReverseStepOver() : c_->startStepOver(); break;
    case 2: rev ? c_->startReverseStepOut() : c_->startStepOut(); break;
    case 3: rev ? c_->startReverseContinue() : c_->startContinue(); break;
    }
}

void MainWindow::showError(const QString& title, const QString& text) {
    lastError_ = text;
    stopLabel_->setText(text);
    if (quiet_) return;
    QMessageBox box(QMessageBox::Warning, title, text, QMessageBox::Ok, this);
    box.setObjectName("errorDialog");
    box.setTextInteractionFlags(Qt::TextSelectableByMouse);
    box.exec();
}

QString MainWindow::openFile(const QString& path, bool quiet, bool wait) {
    if (c_->busy()) {
        lastError_ = tr("busy: %1 is running").arg(c_->job()->what());
        stopLabel_->setText(lastError_);
        return lastError_;
    }
    auto result = std::make_shared<QString>();
    auto ended = std::make_shared<bool>(false);
    c_->startOpen(path, [this, path, quiet, result, ended](std::shared_ptr<PreparedSession> p, bool cancelled) {
        *ended = true;
        if (!dying_) *result = openPrepared(path, quiet, *p, cancelled);
    });
    if (wait && !*ended) c_->job()->wait();
    return *result;
}

QString MainWindow::openPrepared(const QString& path, bool quiet, PreparedSession& p, bool cancelled) {
    const LoadResult& r = p.file;
    if (cancelled) {
        lastError_ = tr("cancelled");
        stopLabel_->setText(tr("loading %1 cancelled: the current session stays open as it was")
                                .arg(QFileInfo(path).fileName()));
        return lastError_;
    }
    if (!r.session) {
        const QString e = QString::fromStdString(r.error.text());
        const bool q = quiet_;
        quiet_ = quiet_ || quiet;
        showError(tr("Cannot open session"), tr("%1\n\nThe current session stays open.").arg(e));
        lastError_ = e;
        quiet_ = q;
        return e;
    }
    if (const QString& e = p.error; !e.isEmpty()) {
        const bool q = quiet_;
        quiet_ = quiet_ || quiet;
        showError(tr("Cannot run session"), tr("%1: %2\n\nThe current session stays open.").arg(path, e));
        lastError_ = e;
        quiet_ = q;
        return e;
    }
    // The new file is sound and runs: now the current recording may go
    // (saved, discarded or kept for recovery, as the user says).
    if (!settleRecording(tr("opening %1").arg(QFileInfo(path).fileName()))) return tr("cancelled");
    const bool hadRecording = r.session->recording.has_value();
    const QString text = QString::fromStdString(p.text);
    // What was just read is not unsaved work: neither journaled nor asked about.
    loading_ = true;
    c_->adopt(std::move(p), path);
    loading_ = false;
    lastError_.clear();
    map_->setKernelObservations(nullptr);  // they were of the previous session
    setUnsaved(false);
    sourceText_ = text;
    addRecent(path);
    if (hadRecording && c_->debugger().replayDivergedAt() && !quiet && !quiet_)
        QMessageBox::warning(this, tr("Replay diverged"), QString::fromStdString(c_->debugger().loadNote()));
    return {};
}

bool MainWindow::saveTo(const QString& path, QString* error) {
    // The user's own text of the session is kept; only the recording changes.
    const std::string e =
        saveSessionKeepingText(c_->sessionWithRecording(), sourceText_.toStdString(), path.toStdString());
    if (!e.empty()) {
        if (error) *error = QString::fromStdString(e);
        showError(tr("Cannot save"), QString::fromStdString(e));
        return false;
    }
    c_->setSessionPath(path);
    std::string text, readError;
    if (io::readFile(path.toStdString(), &text, &readError)) sourceText_ = QString::fromStdString(text);
    addRecent(path);
    stopLabel_->setText(tr("saved %1 (%2 recorded steps)").arg(path).arg(c_->debugger().length()));
    autosave_.discard();
    setUnsaved(false);
    return true;
}

void MainWindow::setUnsaved(bool on) {
    unsaved_ = on;
    if (QAction* a = action("actSave")) a->setEnabled(on);
    setWindowModified(on);
}

bool MainWindow::saveOverwritesSource() const {
    const QString p = c_->sessionPath();
    if (p.isEmpty()) return false;
    const QFileInfo f(p);
    if (f.absoluteDir().dirName() == QLatin1String("sample_sessions")) return false;  // shipped with Faultline
    return f.exists() ? f.isWritable() && ::access(QFile::encodeName(p).constData(), W_OK) == 0 : true;
}

QString MainWindow::saveAsSuggestion() const {
    const QString p = c_->sessionPath();
    if (p.isEmpty()) return QDir::homePath() + QStringLiteral("/recording.json");
    if (saveOverwritesSource()) return p;
    return QDir::homePath() + "/" + QFileInfo(p).completeBaseName() + QStringLiteral("-recorded.json");
}

void MainWindow::addRecent(const QString& path) {
    QSettings st;
    QStringList l = st.value("recent").toStringList();
    const QString abs = QFileInfo(path).absoluteFilePath();
    l.removeAll(abs);
    l.prepend(abs);
    while (l.size() > kMaxRecent) l.removeLast();
    st.setValue("recent", l);
    refillRecent();
}

void MainWindow::refillRecent() {
    recentMenu_->clear();
    const QStringList l = QSettings().value("recent").toStringList();
    for (const QString& p : l)
        recentMenu_->addAction(QFileInfo(p).fileName(), this, [this, p] { openFile(p, false, false); })->setToolTip(p);
    recentMenu_->setEnabled(!l.isEmpty());
}

void MainWindow::autosave() {
    if (loading_ || (!unsaved_ && !autosave_.active())) return;  // nothing unsaved to journal
    if (c_->busy()) return;  // the worker owns the debugger: journaled when it hands it back
    if (const QString e = autosave_.record(*c_, unsaved_); !e.isEmpty()) return autosaveFailed(e);
    if (!autosaveWarning_->isHidden()) {
        autosaveWarning_->hide();
        autosaveRetry_->stop();
        stopLabel_->setText(tr("autosave works again: every step is journaled"));
    }
}

// Shown in the window until the journal writes again (a full disk): the
// steps since then would be lost by a crash. Retried every few seconds, so
// freeing space is enough.
void MainWindow::autosaveFailed(const QString& error) {
    // The reason ("No space left on device") in the bar, the whole message with the path in the tooltip.
    const QString reason = error.section(QStringLiteral(": "), -1);
    autosaveWarning_->setText(
        tr("⚠ Autosave is failing (%1): a crash would lose the recent steps — free space or Save As").arg(reason));
    autosaveWarning_->setToolTip(
        tr("The recording cannot be journaled: %1\nIt is retried every 3 seconds.").arg(error));
    autosaveWarning_->show();
    stopLabel_->setText(tr("autosave failed: %1").arg(error));
    if (!autosaveRetry_->isActive()) autosaveRetry_->start();
}

// A journal being recovered: what its completion needs (the claim on the
// journal is held until then).
struct MainWindow::RecoveryInfo {
    QString journal, source;
    std::shared_ptr<QLockFile> claim;
    bool damaged = false, tornTail = false;
    SessionError damage;
    qulonglong steps = 0;
};

bool MainWindow::offerRecovery(bool ask, bool wait) {
    // -1: running (a journal being read or replayed in the worker); 0: nothing recovered; 1: recovered.
    auto outcome = std::make_shared<int>(-1);
    recoverNext(Autosave::orphans(), ask, outcome);
    if (!wait) return *outcome != 0;
    // The chain (read, ask, replay) goes from job to job: wait for its end.
    while (*outcome < 0 && c_->busy()) {
        QEventLoop loop;
        connect(c_->job(), &WorkerJob::finished, &loop, &QEventLoop::quit);
        if (*outcome < 0 && c_->busy()) loop.exec();
    }
    return *outcome == 1;
}

// Claims the first journal of `orphans` nobody else took and reads it in the
// worker (a journal of a million steps, or a 'plan' record's run of the
// session, takes seconds: progress and Cancel); onJournalRead goes on.
void MainWindow::recoverNext(QStringList orphans, bool ask, std::shared_ptr<int> outcome) {
    while (!orphans.isEmpty()) {
        const QString p = orphans.takeFirst();
        auto claim = std::make_shared<std::unique_ptr<QLockFile>>();
        if (!Autosave::claim(p, claim.get())) continue;  // another window took it
        const bool started = c_->startReadJournal(
            p, [this, p, claim, orphans, ask, outcome](std::shared_ptr<JournalLoad> j, bool cancelled) {
                if (dying_) {
                    *outcome = 0;
                    return;
                }
                onJournalRead(p, std::move(*claim), *j, cancelled, orphans, ask, outcome);
            });
        if (!started) {
            showError(tr("Cannot recover recording"), tr("busy: %1 is running").arg(c_->job()->what()));
            *outcome = 0;
        }
        return;
    }
    *outcome = 0;
}

void MainWindow::onJournalRead(const QString& p, std::unique_ptr<QLockFile> claim, JournalLoad& j, bool cancelled,
                               const QStringList& rest, bool ask, std::shared_ptr<int> outcome) {
    if (cancelled) {
        lastRecovery_ = tr("reading the journal was cancelled: it stays at %1 and is offered at the next start").arg(p);
        stopLabel_->setText(lastRecovery_);
        *outcome = 0;
        return;  // the claim goes with this call
    }
    if (!j.session) {
        // Never delete what might be a user's work: keep it aside for a human.
        const QString aside = p + ".unreadable";
        QFile::rename(p, aside);
        showError(tr("Cannot recover recording"),
                  tr("%1\n\nThe journal was kept as %2.").arg(QString::fromStdString(j.error.text()), aside));
        return recoverNext(rest, ask, outcome);
    }
    const bool damaged = j.damage.line > 0;
    const auto& jr = j.session->recording;
    if (!damaged && (!jr || (jr->schedule.empty() && jr->breakpoints.empty() && jr->watchpoints.empty()))) {
        // nothing recorded yet
        QFile::remove(p);
        return recoverNext(rest, ask, outcome);
    }
    auto info = std::make_shared<RecoveryInfo>();
    info->journal = p;
    info->source = QString::fromStdString(j.source);
    info->claim = std::move(claim);
    info->damaged = damaged;
    info->tornTail = j.tornTail;
    info->damage = j.damage;
    info->steps = j.session->recording ? j.session->recording->schedule.size() : 0;
    if (ask) {
        const auto b = QMessageBox::question(
            this, tr("Recover recording"),
            tr("Faultline did not exit cleanly. Recover the unsaved recording of %1 (%2 steps)?")
                .arg(info->source.isEmpty() ? tr("an unsaved session") : info->source)
                .arg(info->steps),
            QMessageBox::Yes | QMessageBox::Discard | QMessageBox::Ignore);
        if (b == QMessageBox::Ignore) {  // ask again next time
            *outcome = 0;
            return;
        }
        if (b != QMessageBox::Yes) {
            QFile::remove(p);
            return recoverNext(rest, ask, outcome);
        }
    }
    // The replay (a million steps take seconds) runs in the worker.
    const bool started = c_->startRecover(std::move(*j.session), info->source, j.position, p,
                                          [this, info, outcome](std::shared_ptr<PreparedSession> prep, bool cancelled) {
                                              *outcome = !dying_ && finishRecovery(*info, *prep, cancelled);
                                          });
    if (!started) {
        showError(tr("Cannot recover recording"), tr("busy: %1 is running").arg(c_->job()->what()));
        *outcome = 0;
    }
}

bool MainWindow::finishRecovery(const RecoveryInfo& r, PreparedSession& prep, bool cancelled) {
    const QString& p = r.journal;
    if (cancelled) {
        lastRecovery_ = tr("recovery cancelled: the journal stays at %1 and is offered at the next start").arg(p);
        stopLabel_->setText(lastRecovery_);
        return false;
    }
    if (!prep.error.isEmpty()) {
        lastRecovery_ = tr("%1: %2\n\nThe journal stays at %3.").arg(r.source, prep.error, p);
        showError(tr("Cannot recover recording"), lastRecovery_);
        return false;
    }
    loading_ = true;  // journaled anew below, as a whole
    c_->adopt(std::move(prep), r.source);
    loading_ = false;
    setUnsaved(true);
    sourceText_.clear();
    // Journal it anew under this process before the old journal goes.
    if (const QString e = autosave_.record(*c_, true); !e.isEmpty()) {
        autosaveFailed(e);
        stopLabel_->setText(tr("autosave failed: %1 — the old journal stays at %2").arg(e, p));
        return true;
    }
    // A journal that did not come back exactly is kept aside (not offered
    // again) until the user has checked what was recovered.
    QStringList notes;
    QString kept;
    if (r.damaged)
        notes << tr("the journal is damaged at line %1 (%2); the %3 steps before it were recovered")
                     .arg(r.damage.line)
                     .arg(QString::fromStdString(r.damage.message))
                     .arg(r.steps);
    if (c_->debugger().replayDivergedAt()) notes << QString::fromStdString(c_->debugger().loadNote());
    if (r.tornTail) notes << tr("its last, half-written record was dropped");
    if (r.damaged || c_->debugger().replayDivergedAt()) {
        kept = p + (r.damaged ? ".damaged" : ".diverged");
        QFile::remove(kept);
        if (!QFile::rename(p, kept)) kept = p;
    } else {
        QFile::remove(p);
    }
    const QString text =
        tr("recovered the recording (%1 steps)%2 — Save to keep it")
            .arg(c_->debugger().length())
            .arg(notes.isEmpty() ? QString() : QStringLiteral("; ") + notes.join(QStringLiteral("; ")));
    lastRecovery_ = text + (kept.isEmpty() ? QString() : tr("; the original journal is kept as %1").arg(kept));
    stopLabel_->setText(lastRecovery_);
    if (!kept.isEmpty() && !quiet_)
        QMessageBox::warning(this, tr("Recording recovered with differences"), lastRecovery_);
    return true;
}

bool MainWindow::fitsScreen(const QRect& frame, const QRect& available) {
    return frame.width() <= available.width() && frame.height() <= available.height();
}

// A restored geometry larger than the screen (another scale factor, a smaller
// monitor) is shrunk to the screen and gets the default layout for that size.
void MainWindow::fitToScreen() {
    const QScreen* sc = screen() ? screen() : QGuiApplication::primaryScreen();
    if (!sc) return;
    const QRect avail = sc->availableGeometry();
    if (fitsScreen(frameGeometry(), avail)) return;
    const QSize margin = frameGeometry().size() - geometry().size();
    resize(std::min(width(), avail.width() - margin.width()), std::min(height(), avail.height() - margin.height()));
    move(avail.topLeft());
    layoutPending_ = true;  // the saved dock sizes were for a larger window
}

void MainWindow::closeEvent(QCloseEvent* e) {
    // Work in progress stops first: the debugger comes back at a consistent step.
    if (c_->busy()) {
        c_->job()->cancel();
        c_->job()->wait();
    }
    if (export_) {  // an export in progress stops after the current slide
        export_->cancelled = true;
        exportJob_->wait();
        while (export_) QApplication::processEvents();
    }
    QSettings st;
    // Never persist a layout that does not fit the screen it is on.
    const QScreen* sc = screen();
    if (!sc || fitsScreen(frameGeometry(), sc->availableGeometry())) {
        st.setValue("window/geometry", saveGeometry());
        st.setValue("window/state", saveState());
    }
    st.setValue("view/dark", dark_->isChecked());
    st.setValue("view/presentation", presentation_->isChecked());
    // A clean exit: unsaved hand-made recordings are asked about, not recovered.
    if (!settleRecording(tr("quitting"))) return e->ignore();
    autosave_.discard();
    e->accept();
}

bool MainWindow::settleRecording(const QString& before) {
    if (!c_->hasSession() || !unsaved_) return true;
    if (quiet_) {
        autosave_.abandon();  // nobody to ask: the journal stays, offered at the next start
        return true;
    }
    // "Save" asks where (Save As): it never writes over the opened file unasked.
    QMessageBox box(QMessageBox::Question, tr("Unsaved recording"),
                    tr("Save the recording (schedule, breakpoints and watchpoints) before %1?").arg(before),
                    QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, this);
    box.button(QMessageBox::Save)->setText(tr("Save As…"));
    box.setDefaultButton(QMessageBox::Cancel);
    const int b = box.exec();
    if (b == QMessageBox::Cancel) return false;
    if (b == QMessageBox::Save) {
        action("actSaveAs")->trigger();
        return !unsaved_;  // not saved (dialog cancelled or failed): stay
    }
    autosave_.discard();
    return true;
}

void MainWindow::setTheme(bool dark, bool presentation) {
    views::Theme::set(dark, presentation);
    views::Theme::applyToApplication();
    QApplication::sendPostedEvents();  // palette and font changes reach every widget now
    dark_->setChecked(dark);
    presentation_->setChecked(presentation);
    if (c_->hasSession()) {
        onSnapshot(c_->snapshot());
        if (c_->comparing()) onCompare();
    }
    update();
}

void MainWindow::exportWindow(const QString& fmt) {
    const QString p = QFileDialog::getSaveFileName(
        this, tr("Save window"),
        QDir(exportFolder()).filePath(QStringLiteral("faultline-step-%1.%2").arg(c_->snapshot().position).arg(fmt)),
        QStringLiteral("*.%1").arg(fmt));
    if (p.isEmpty()) return;
    double scale = 1;
    if (fmt == "png") {
        bool ok = false;
        scale = QInputDialog::getDouble(this, tr("Scale"), tr("Scale factor (2 = sharp slides):"), 2.0, 0.5, 8, 1, &ok);
        if (!ok) return;
    }
    if (const QString e = views::saveAny(this, p, scale); !e.isEmpty()) showError(tr("Export"), e);
    else exportWritten(p, tr("the window"));
}

// The view the user works in: the dock holding the keyboard focus, else the
// memory map.
QWidget* MainWindow::focusedView() const { return viewOf(QApplication::focusWidget()); }

QWidget* MainWindow::viewOf(QWidget* focus) const {
    for (QWidget* f = focus; f; f = f->parentWidget()) {
        if (f == map_ || f == cmpMap_) return f;
        if (auto* d = qobject_cast<QDockWidget*>(f); d && d->widget()) return d->widget();
        if (f == this) break;
    }
    return map_;
}

void MainWindow::exportView() {
    QStringList names;
    QList<QWidget*> widgets{map_};
    names << tr("Memory map");
    for (const DockSlot& s : kDefaultLayout) names << tr(s.title), widgets << dock(s.objectName)->widget();
    bool ok = false;
    const QString which = QInputDialog::getItem(this, tr("Save a view"), tr("View:"), names, 0, false, &ok);
    if (!ok) return;
    QWidget* w = widgets[names.indexOf(which)];
    const QString p = QFileDialog::getSaveFileName(
        this, tr("Save view"), QDir(exportFolder()).filePath(QString(which).toLower().replace(' ', '-') + ".png"),
        tr("PNG (*.png);;SVG (*.svg);;PDF (*.pdf)"));
    if (p.isEmpty()) return;
    if (const QString e = views::saveAny(w, p, 2.0); !e.isEmpty()) showError(tr("Export"), e);
    else exportWritten(p, tr("the %1 view").arg(which));
}

// The last folder an export went to (kept across runs), and where a default name lands.
QString MainWindow::exportFolder() const {
    const QString f = QSettings().value("export/lastFolder").toString();
    return !f.isEmpty() && QDir(f).exists() ? f : QDir::homePath();
}

void MainWindow::exportWritten(const QString& path, const QString& what) {
    const QFileInfo fi(path);
    QSettings().setValue("export/lastFolder", fi.isDir() ? fi.absoluteFilePath() : fi.absolutePath());
    stopLabel_->setText(tr("wrote %1 to %2").arg(what, fi.absoluteFilePath()));
}

void MainWindow::exportStepsDialog() {
    QDialog d(this);
    d.setObjectName("exportStepsDialog");
    d.setWindowTitle(tr("Export steps as slides"));
    auto* form = new QFormLayout(&d);
    auto* range = new QLineEdit(
        QStringLiteral("%1-%2")
            .arg(std::max<uint64_t>(c_->snapshot().position, 1))
            .arg(std::min<uint64_t>(std::max<uint64_t>(c_->snapshot().position, 1) + 7, c_->debugger().length())),
        &d);
    form->addRow(tr("Steps (A-B):"), range);
    auto* views = new QListWidget(&d);
    QList<QPair<QString, QString>> all{{"memoryMap", tr("Memory map")}};
    for (const DockSlot& sl : kDefaultLayout) all << qMakePair(QString::fromLatin1(sl.objectName), tr(sl.title));
    const views::SlideOptions defaults;
    const QStringList chosen = QSettings().value("export/views", defaults.views).toStringList();
    for (const auto& [name, title] : all) {
        auto* it = new QListWidgetItem(title, views);
        it->setData(Qt::UserRole, name);
        it->setFlags(it->flags() | Qt::ItemIsUserCheckable);
        it->setCheckState(chosen.contains(name) ? Qt::Checked : Qt::Unchecked);
    }
    views->setMaximumHeight(190);
    form->addRow(tr("Views (the first is the large one):"), views);
    auto* page = new QComboBox(&d);
    page->addItem(tr("16:9 slide"), int(views::SlideOptions::Page::Wide16x9));
    page->addItem(tr("A4 landscape"), int(views::SlideOptions::Page::A4));
    form->addRow(tr("Page:"), page);
    auto* theme = new QComboBox(&d);
    theme->addItem(tr("as the window"), int(views::SlideOptions::ThemeChoice::AsWindow));
    theme->addItem(tr("light"), int(views::SlideOptions::ThemeChoice::Light));
    theme->addItem(tr("dark"), int(views::SlideOptions::ThemeChoice::Dark));
    form->addRow(tr("Theme:"), theme);
    auto* large = new QCheckBox(tr("Presentation type and colours (readable from the back of a room)"), &d);
    large->setChecked(true);
    form->addRow(QString(), large);
    auto* title = new QCheckBox(tr("Title line: session, variant, step and the step's why"), &d);
    title->setChecked(true);
    form->addRow(QString(), title);
    auto* out = new QLineEdit(QDir(exportFolder()).filePath(QStringLiteral("faultline-steps.pdf")), &d);
    auto* browse = new QPushButton(tr("Choose…"), &d);
    auto* outRow = new QHBoxLayout;
    outRow->addWidget(out, 1);
    outRow->addWidget(browse);
    form->addRow(tr("To (a .pdf, or a folder for PNGs):"), outRow);
    connect(browse, &QPushButton::clicked, &d, [&] {
        const QString p =
            QFileDialog::getSaveFileName(&d, tr("Export steps to"), out->text(), tr("PDF (*.pdf);;Folder of PNGs (*)"));
        if (!p.isEmpty()) out->setText(p);
    });
    auto* bb = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &d);
    form->addRow(bb);
    connect(bb, &QDialogButtonBox::accepted, &d, &QDialog::accept);
    connect(bb, &QDialogButtonBox::rejected, &d, &QDialog::reject);
    if (d.exec() != QDialog::Accepted) return;
    const auto parts = range->text().split('-');
    const uint64_t a = parts.value(0).toULongLong(), b = parts.value(1, parts.value(0)).toULongLong();
    views::SlideOptions o;
    o.views.clear();
    for (int i = 0; i < views->count(); ++i)
        if (views->item(i)->checkState() == Qt::Checked) o.views << views->item(i)->data(Qt::UserRole).toString();
    if (o.views.isEmpty()) o.views = defaults.views;
    QSettings().setValue("export/views", o.views);
    o.page = views::SlideOptions::Page(page->currentData().toInt());
    o.theme = views::SlideOptions::ThemeChoice(theme->currentData().toInt());
    o.presentation = large->isChecked();
    o.titleLine = title->isChecked();
    const QString e = startExportSlides(a, b, out->text(), o, [this](const QString& err) {
        if (!err.isEmpty() && err != tr("cancelled")) showError(tr("Export steps"), err);
    });
    if (!e.isEmpty()) showError(tr("Export steps"), e);
}

QString MainWindow::exportSteps(uint64_t a, uint64_t b, const QString& out, double scale) {
    (void)scale;  // slides are rendered at 2× (sharp on a projector)
    return exportSlides(a, b, out, views::SlideOptions{});
}

QWidget* MainWindow::viewNamed(const QString& objectName) const {
    if (objectName == QLatin1String("memoryMap")) return map_;
    if (objectName == QLatin1String("compareMemoryMap")) return cmpMap_;
    QDockWidget* d = findChild<QDockWidget*>(objectName);
    return d ? d->widget() : nullptr;
}

QString MainWindow::exportSlides(uint64_t a, uint64_t b, const QString& out, const views::SlideOptions& o) {
    QString result;
    bool ended = false;
    QEventLoop loop;
    const QString e = startExportSlides(a, b, out, o, [&](const QString& err) {
        result = err;
        ended = true;
        loop.quit();
    });
    if (!e.isEmpty()) return e;
    if (!ended) loop.exec();
    return result;
}

// Export Steps: a slide per step. The window's views draw each slide on the
// GUI thread (widgets paint only there), one slide per turn of the event loop;
// the worker encodes it (PNG compression, the PDF page) meanwhile, so the
// window repaints and Cancel works between slides. A PDF is written beside
// the target and renamed over it at the end: a cancelled or failed export
// leaves no half file and never the previous one damaged.

QString MainWindow::startExportSlides(uint64_t a, uint64_t b, const QString& out, const views::SlideOptions& o,
                                      std::function<void(const QString&)> then) {
    if (!c_->hasSession()) return tr("no session");
    if (c_->busy() || export_) return tr("busy: another job is running");
    if (a > b) std::swap(a, b);
    a = std::max<uint64_t>(a, 1);
    if (b > c_->debugger().length()) return tr("the run has %1 steps").arg(c_->debugger().length());
    auto run = std::make_shared<ExportRun>();
    for (const QString& n : o.views) {
        QWidget* w = viewNamed(n);
        if (!w) return tr("no view named %1").arg(n);
        run->widgets << w;
    }
    run->a = a;
    run->b = b;
    run->n = a;
    run->out = out;
    run->o = o;
    run->then = std::move(then);
    run->pdf = out.endsWith(".pdf", Qt::CaseInsensitive);
    if (run->pdf) {
        if (QFileInfo(out).isDir()) return tr("%1 is a folder").arg(out);
        run->part = out + QStringLiteral(".part");
        run->writer = std::make_unique<QPdfWriter>(run->part);
        run->writer->setResolution(96);
        run->writer->setPageMargins(QMarginsF(0, 0, 0, 0));
        run->writer->setPageSize(views::slidePageSize(o.page));
        run->writer->setPageOrientation(QPageLayout::Portrait);  // the size is already landscape
        run->writer->setTitle(tr("Faultline steps %1–%2").arg(a).arg(b));
    } else if (!QDir().mkpath(out)) {
        return tr("cannot create the folder %1").arg(out);
    }
    // The slide's theme, then the window's back.
    run->wasDark = dark_->isChecked();
    run->wasPres = presentation_->isChecked();
    run->dark = o.theme == views::SlideOptions::ThemeChoice::AsWindow ? run->wasDark
                                                                       : o.theme == views::SlideOptions::ThemeChoice::Dark;
    if (run->dark != run->wasDark || o.presentation != run->wasPres) setTheme(run->dark, o.presentation);
    run->keep = c_->snapshot().position;
    run->px = views::slidePixels(o.page);
    export_ = run;
    setBusy(true, tr("Export Steps"));
    jobBar_->setRange(0, int(b - a + 1));
    jobBar_->setValue(0);
    jobBar_->setFormat(tr("Export Steps: slide 1 of %1").arg(b - a + 1));
    QTimer::singleShot(0, this, &MainWindow::exportNextSlide);
    return {};
}

void MainWindow::exportNextSlide() {
    const std::shared_ptr<ExportRun> run = export_;
    if (!run) return;
    if (run->n > run->b || !run->err.isEmpty() || run->cancelled) return finishExport();
    const uint64_t n = run->n;
    c_->runTo(n);
    QApplication::processEvents();
    const views::Snapshot& s = c_->snapshot();
    QString title, why;
    if (run->o.titleLine) {
        const QString name = QString::fromStdString(s.sessionName);
        title = tr("%1 · %2 · %3")
                    .arg(name.isEmpty() ? QFileInfo(c_->sessionPath()).fileName() : name,
                         QString::fromStdString(s.variant), views::stepCaption(s, s.position));
        if (const auto r = s.lastStep()) {
            why = QString::fromStdString(r->summary());
            for (const Finding& f : r->findings)
                why += tr("  ⚠ %1: %2")
                           .arg(QString::fromUtf8(ruleName(f.rule).data(), int(ruleName(f.rule).size())),
                                QString::fromStdString(f.text));
        }
    }
    const QImage img = views::composeSlide(run->widgets, run->px, title, why, run->dark);
    auto err = std::make_shared<QString>();
    const QString file =
        run->pdf ? QString() : QStringLiteral("%1/step-%2.png").arg(run->out).arg(n, 5, 10, QChar('0'));
    ExportRun* r = run.get();
    exportJob_->start(
        tr("Export Steps"),
        [r, img, file, n, err] {
            if (r->pdf) {
                if (n == r->a) {
                    r->painter = std::make_unique<QPainter>();
                    if (!r->painter->begin(r->writer.get())) *err = QStringLiteral("cannot write %1").arg(r->out);
                } else {
                    r->writer->newPage();
                }
                if (err->isEmpty()) r->painter->drawImage(QRectF(QPointF(0, 0), QSizeF(r->px)), img);
            } else if (!img.save(file)) {
                *err = QStringLiteral("cannot write %1").arg(file);
            }
        },
        [this, run, err](bool) {
            if (export_ != run) return;
            if (!err->isEmpty()) run->err = *err;
            else ++run->pages;
            ++run->n;
            jobBar_->setValue(int(run->pages));
            jobBar_->setFormat(tr("Export Steps: slide %1 of %2").arg(std::min(run->n, run->b) - run->a + 1).arg(
                run->b - run->a + 1));
            QTimer::singleShot(0, this, &MainWindow::exportNextSlide);
        });
}

void MainWindow::finishExport() {
    const std::shared_ptr<ExportRun> run = std::move(export_);
    export_.reset();
    if (!run) return;
    if (run->painter && run->painter->isActive()) run->painter->end();
    run->painter.reset();
    run->writer.reset();  // closes the file
    QString err = run->err;
    if (run->pdf) {
        if (err.isEmpty() && !run->cancelled) {
            if (std::rename(QFile::encodeName(run->part).constData(), QFile::encodeName(run->out).constData()) != 0)
                err = tr("cannot write %1: %2").arg(run->out, QString::fromLocal8Bit(std::strerror(errno)));
        }
        QFile::remove(run->part);
    }
    c_->runTo(run->keep);
    if (run->dark != run->wasDark || run->o.presentation != run->wasPres) setTheme(run->wasDark, run->wasPres);
    setBusy(false);
    if (run->cancelled && err.isEmpty()) {
        err = tr("cancelled");
        stopLabel_->setText(run->pdf ? tr("Export Steps cancelled: %1 was not written").arg(run->out)
                                     : tr("Export Steps cancelled after %n slide(s) in %1", nullptr, int(run->pages))
                                           .arg(run->out));
    } else if (err.isEmpty()) {
        exportWritten(run->out, tr("%n slide(s) (steps %1–%2)", nullptr, int(run->pages))
                                    .arg(run->a)
                                    .arg(run->b)
                                    .replace("(s)", run->pages == 1 ? "" : "s"));
    }
    if (run->then) run->then(err);
}

}  // namespace faultline::gui

namespace faultline::gui {

void MainWindow::startExplore() {
    if (c_->busy() || !c_->hasSession() || exploreJob_->running()) return;
    ExploreOptions o;
    QStringList vs;
    if (const QString e = explore_->request(o, vs); !e.isEmpty()) {
        explore_->setProgress(e);
        return;
    }
    // The search runs on the session as loaded: its tasks, setup, monitor and
    // toggles; the variant's own toggles come from each chosen variant.
    exploreJob_->start(c_->debugger().session(), vs, o);
    explore_->setRunning(true);
    stopLabel_->setText(tr("exploring %n variant(s)…", nullptr, int(vs.size())));
}

void MainWindow::exploreFinished(bool cancelled) {
    explore_->setRunning(false);
    std::vector<views::ExploreRow> rows;
    int found = 0;
    const auto& results = exploreJob_->results();
    for (size_t i = 0; i < results.size(); ++i) {
        const ExploreResult& r = results[i];
        if (!r.error.empty()) {
            views::ExploreRow row;
            row.variant = QString::fromStdString(r.variant);
            row.goal = tr("error");
            row.search = QString::fromStdString(r.error);
            rows.push_back(row);
            continue;
        }
        for (size_t g = 0; g < r.goals.size(); ++g) {
            const GoalResult& gr = r.goals[g];
            views::ExploreRow row;
            row.variant = QString::fromStdString(r.variant);
            row.goal = QString::fromStdString(gr.goal);
            row.found = gr.found;
            row.steps = gr.schedule.size();
            row.preemptions = gr.preemptions;
            row.search = QString::fromStdString(stopReasonText(r.stop));
            row.states = r.states;
            row.seconds = r.seconds;
            row.detail = QString::fromStdString(gr.detail);
            row.result = int(i);
            row.goalIndex = int(g);
            found += gr.found;
            rows.push_back(row);
        }
    }
    const QString summary =
        cancelled ? tr("Cancelled: %n result(s) so far; a search cut short proves nothing.", nullptr, found)
                  : tr("%n goal(s) reached; double-click a result to open its counterexample.", nullptr, found);
    explore_->setResults(std::move(rows), summary);
    stopLabel_->setText(cancelled ? tr("exploration cancelled")
                                  : tr("exploration finished: %n goal(s) reached", nullptr, found));
}

QString MainWindow::runExploreAndWait(const QStringList& vs, bool open) {
    explore_->checkVariants(vs);
    QEventLoop loop;
    connect(exploreJob_, &ExploreJob::finished, &loop, &QEventLoop::quit);
    startExplore();
    if (!exploreJob_->running()) return explore_->findChild<QLabel*>("exploreStatus")->text();
    loop.exec();
    dock("dockExplore")->raise();
    if (!open) return {};
    for (int r = 0; r < explore_->model()->rowCount(); ++r)
        if (explore_->model()->row(r)->found) {
            explore_->table()->selectRow(r);
            return openExploreResult(r);
        }
    return tr("no counterexample found within the bounds");
}

QString MainWindow::openExploreResult(int row, const QString& compareWith) {
    const views::ExploreRow* r = explore_->model()->row(row);
    const auto& results = exploreJob_->results();
    if (!r || !r->found || r->result < 0 || size_t(r->result) >= results.size())
        return tr("no counterexample in that row");
    const ExploreResult& res = results[size_t(r->result)];
    const GoalResult& g = res.goals[size_t(r->goalIndex)];
    if (!settleRecording(tr("opening the counterexample"))) return tr("cancelled");
    const Session cx = counterexampleSession(exploreJob_->session(), res, g);
    // No path: the counterexample is a new, unsaved session (Save asks where).
    if (const QString e = c_->openSession(cx, QString(), QString::fromStdString(res.variant), {}, g.schedule.size());
        !e.isEmpty()) {
        showError(tr("Cannot open the counterexample"), e);
        return e;
    }
    if (!compareWith.isEmpty()) c_->setCompare(true, compareWith);
    stopLabel_->setText(tr("counterexample: %1 under %2 at step %3 (%4 preemption(s))")
                            .arg(r->goal, r->variant)
                            .arg(g.schedule.size())
                            .arg(g.preemptions));
    return {};
}

}  // namespace faultline::gui
