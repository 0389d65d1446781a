// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The controller: owns the debugger (core/debug, which owns the Timeline),
// turns every command into a new immutable Snapshot for the views (sharing
// the run's stored steps, never copying them), and runs compare mode (a
// second debugger on the same schedule under another variant).
#include <QObject>
#include <QString>
#include <functional>
#include <memory>
#include <optional>

#include "common/snapshot.h"
#include "debug/debugger.h"
#include "debug/saved_stops.h"
#include "session/recording_journal.h"
#include "session/session.h"
#include "session/session_io.h"

namespace faultline::gui {

class WorkerJob;

// What publishing a run costs beyond sharing its chunks -- re-executing the
// state before the current step from a checkpoint, replaying the schedule
// under the compare variant -- done in the worker at the end of a job, so
// that publishing the job's result on the GUI thread only installs these
// immutable parts (see Controller::publish).
struct PublishAhead {
    uint64_t position = ~uint64_t{0};    // the main run's position it was made at
    std::shared_ptr<const State> before;  // the state before step `position` (position >= 1)
    bool compare = false;                 // a compare run was made (compare mode was on)
    std::optional<debug::Debugger> cmp;   // at `position` (or its end); empty: the variant failed or cancelled
    bool cmpCancelled = false;            // Cancel stopped the compare run's replay
    debug::Divergence div;
    std::shared_ptr<const views::RecordLog> cmpLog;
};

// A session read and run in the worker, not yet shown (see Controller::startOpen).
struct PreparedSession {
    LoadResult file;         // the parsed file (file.session empty: file.error says why)
    std::string text;        // the file's text as written
    debug::Debugger dbg;     // loaded when `error` is empty
    QString error;           // the run could not start ("cancelled" when cancelled)
    QString stopsNote;       // breakpoints / watchpoints of the file that could not be restored
    bool stopsRestored = false;               // the file kept stops: they replace the current ones
    std::vector<debug::LeftOutStop> leftOut;  // its entries that cannot be used, as read
    PublishAhead ahead;      // made in the worker for adopt()
};

class Controller : public QObject {
    Q_OBJECT
public:
    explicit Controller(QObject* parent = nullptr);

    // Loads a session (see Debugger::load). On error nothing changes and the
    // error text is returned.
    // `wholeSchedule`: a recording is never cut short at a divergence (see
    // Debugger::loadWholeSchedule); for recovered autosaves.
    // Breakpoints and watchpoints kept with its recording replace the current
    // ones (entries that do not parse are left out and named, with their
    // place in `stopsFile`, default `path`, in lastStopText()).
    QString openSession(const Session& s, const QString& path, const QString& variant = {},
                        const debug::Overrides& ov = {}, uint64_t position = 0, bool wholeSchedule = false,
                        const QString& stopsFile = {});
    // Reads the session file `path` and runs it (replays its recording to its
    // end) in the worker, leaving the current session untouched; `then` gets
    // the result on the GUI thread (cancelled: the user cancelled; nothing
    // changed). adopt() then makes it the current session. False if busy.
    bool startOpen(const QString& path, std::function<void(std::shared_ptr<PreparedSession>, bool cancelled)> then);
    // Restores a recording read from an autosave journal (`journal`, where the
    // saved stops are named from) in the worker: its whole schedule replayed
    // (see Debugger::loadWholeSchedule) to `position`. As startOpen: `then`
    // gets the result, adopt() makes it current. False if busy.
    bool startRecover(Session s, const QString& source, uint64_t position, const QString& journal,
                      std::function<void(std::shared_ptr<PreparedSession>, bool cancelled)> then);
    // Makes a prepared session the current one (what openSession does after its load).
    void adopt(PreparedSession&& p, const QString& path);
    // How often publishing re-executed steps on the GUI thread (the state
    // before the step from a checkpoint, the compare run's replay); a job's
    // result comes with them made in the worker (tests).
    uint64_t guiReexecutions() const { return guiReexecutions_; }
    bool hasSession() const { return dbg_.loaded(); }
    const QString& sessionPath() const { return path_; }
    void setSessionPath(const QString& p) { path_ = p; }
    const debug::Debugger& debugger() const { return dbg_; }
    const views::Snapshot& snapshot() const { return snap_; }

    // ---- long commands in the worker (WorkerJob): the debugger is handed to
    // the worker and comes back when it ends; meanwhile every command below is
    // refused (returns a Stop of reason None / an error), hasSession() is false
    // and the views keep the last snapshot. Cancel stops a forward command at
    // the step it reached and leaves a reverse one where it started. A job that
    // ends within inlineBudget() ms completes before the call returns.
    bool busy() const;
    WorkerJob* job() const { return job_; }
    bool startContinue();
    bool startStepOver();
    bool startStepOut();
    bool startReverseContinue();
    bool startReverseStepOver();
    bool startReverseStepOut();
    bool startRunTo(uint64_t n);
    // Compare mode on: the schedule replayed under `variant` in the worker,
    // with progress and Cancel. `then` (GUI thread) gets the error text (""
    // when it is on) and whether it was cancelled; a failed or cancelled
    // replay leaves compare mode as it was. False if busy or no session.
    bool startCompare(const QString& variant, std::function<void(QString error, bool cancelled)> then = {});
    // Reads an autosave journal (readJournal: its records and a 'plan'
    // record's run of the session) in the worker with progress and Cancel;
    // `then` gets it on the GUI thread. False if busy.
    bool startReadJournal(const QString& path, std::function<void(std::shared_ptr<JournalLoad>, bool cancelled)> then);
    void setInlineBudget(int ms) { inlineMs_ = ms; }
    int inlineBudget() const { return inlineMs_; }

    // ---- commands (each publishes a new snapshot)
    debug::Stop stepInto();
    debug::Stop stepOver();
    debug::Stop stepOut();
    debug::Stop continueRun();
    debug::Stop reverseStep();
    debug::Stop reverseStepOver();
    debug::Stop reverseStepOut();
    debug::Stop reverseContinue();
    debug::Stop runTo(uint64_t n);
    debug::Stop restart();
    void chooseTask(std::optional<uint8_t> t);
    void selectTask(int task);
    void selectFrame(int task, int frame);
    bool toggleBreakpoint(Fn fn, int pc);
    QString addBreakpoint(const QString& spec);
    QString addWatchpoint(const QString& spec);
    void removeBreakpoint(int i);
    void removeWatchpoint(int i);
    // Saved entries that cannot be used (an unknown function, a cell the
    // session lacks): kept as read, shown in the list, saved back unchanged
    // until removed.
    const std::vector<debug::LeftOutStop>& leftOutStops() const { return leftOut_; }
    void removeLeftOutStop(int i);
    // The breakpoints / watchpoints as Save and the journal keep them (left-out ones included).
    std::vector<SavedStop> savedBreakpoints() const;
    std::vector<SavedStop> savedWatchpoints() const;
    void setBreakpointEnabled(int i, bool on);
    void setWatchpointEnabled(int i, bool on);
    void setStopOnFindings(bool on);
    QString setVariant(const QString& variant, const debug::Overrides& ov);
    // Compare mode: a second run of the same schedule under `variant`
    // (startCompare, waited for: for scripts and tests); off at once.
    QString setCompare(bool on, const QString& variant = {});
    bool comparing() const { return cmp_.has_value(); }
    const views::Snapshot& compareSnapshot() const { return cmpSnap_; }
    const debug::Divergence& divergence() const { return div_; }
    QString compareVariant() const { return cmp_ ? QString::fromStdString(cmp_->variant()) : QString(); }

    // The session with the current run as its recording, breakpoints and
    // watchpoints included (what Save writes).
    Session sessionWithRecording() const;
    const QString& lastStopText() const { return lastStop_; }
    // A hand-made step off the planned schedule drops the planned future; the
    // run as it was before is kept, and this brings it back (false: nothing to undo).
    bool undoBranch();
    bool canUndoBranch() const { return beforeBranch_.has_value(); }
    // Steps of the recording before this index are unchanged since the last
    // call (the autosave journal compares only the rest); ~0: none changed.
    uint64_t takeRecordingSameBefore();

Q_SIGNALS:
    void snapshotChanged(const faultline::views::Snapshot& s);
    void compareChanged();
    void sessionLoaded();
    // The recorded schedule changed (autosave it).
    void recordingChanged();
    void stopped(const QString& text);
    // The user added, removed, enabled or disabled a breakpoint or watchpoint.
    void stopsEdited();
    // A long command started (true) or ended (false) in the worker.
    void busyChanged(bool busy);

private:
    // Runs `cmd` on the debugger in the worker; `finish` gets its Stop on the GUI thread.
    bool startOnDebugger(const QString& what, std::function<debug::Stop(debug::Debugger&)> cmd,
                         std::function<void(debug::Stop)> finish);
    // A forward command in the worker (kept for Undo Branch as forward() does) / a reverse one.
    bool startForward(const QString& what, std::function<debug::Stop(debug::Debugger&)> cmd);
    bool startReverse(const QString& what, std::function<debug::Stop(debug::Debugger&)> cmd);
    debug::Stop refused() const;
    WorkerJob* job_ = nullptr;
    int inlineMs_ = 150;
    debug::Stop done(const debug::Stop& st);
    // Forward commands: keep the run before a possible branch, and say so when
    // the command dropped the planned future.
    template <class F>
    debug::Stop forward(F&& cmd);
    // After a forward command from `pos` of a run of `len` steps: when it left
    // the plan, keep the run as it was (`keep`) for Undo Branch and say so.
    debug::Stop noteBranch(std::optional<debug::Debugger> keep, uint64_t pos, uint64_t len, debug::Stop st);
    std::optional<debug::Debugger> beforeBranch_;
    void publish();
    // Makes what publish() would re-execute, from `d` (any thread); `cmpVariant`
    // (with `cmpOv`) if compare mode is on and its run must be replayed, with
    // the progress and Cancel of `j` (if given).
    static PublishAhead prepareAhead(const debug::Debugger& d, const std::optional<std::string>& cmpVariant,
                                     const debug::Overrides& cmpOv, WorkerJob* j = nullptr);
    // The compare part of prepareAhead: the run, its divergence and log, at d's position.
    static void prepareCompare(PublishAhead& a, const debug::Debugger& d, const std::string& variant,
                               const debug::Overrides& ov, WorkerJob* j, std::string* err);
    // Hands over what a worker made (after dbg_ is the run it was made from).
    void installAhead(PublishAhead&& a);
    // A compare run of `main`'s schedule under `variant` (no stops, no chosen
    // task); error text in *err ("cancelled" when `j` was cancelled).
    static std::optional<debug::Debugger> compareRunOf(const debug::Debugger& main, const std::string& variant,
                                                       const debug::Overrides& ov, std::string* err,
                                                       WorkerJob* j = nullptr);
    // Loads a session in the worker (`load` fills the PreparedSession) with progress and Cancel.
    bool startPrepare(const QString& what, std::function<void(PreparedSession&)> load,
                      std::function<void(std::shared_ptr<PreparedSession>, bool cancelled)> then);
    std::shared_ptr<const State> aheadBefore_;  // installAhead's state before step aheadPos_
    uint64_t aheadPos_ = ~uint64_t{0};
    uint64_t guiReexecutions_ = 0;
    void syncLog();
    uint64_t logSameBefore_ = 0;  // Snapshot::logSameBefore of the next snapshot
    void syncCompare();

    debug::Debugger dbg_;
    QString path_;
    views::Snapshot snap_;
    std::shared_ptr<const views::RecordLog> sharedLog_;
    uint64_t recordingSame_ = 0;  // see takeRecordingSameBefore()
    int selectedTask_ = -1, selectedFrame_ = -1;
    QString lastStop_;
    std::vector<debug::LeftOutStop> leftOut_;
    std::optional<debug::Debugger> cmp_;
    views::Snapshot cmpSnap_;
    std::shared_ptr<const views::RecordLog> cmpLog_;
    debug::Divergence div_;
    uint64_t cmpSyncedLen_ = ~uint64_t{0};
};

}  // namespace faultline::gui
