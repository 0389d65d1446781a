// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The controller: owns the debugger (core/debug, which owns the Timeline),
// turns every command into a new immutable Snapshot for the views (sharing
// the run's stored steps, never copying them), and runs compare mode (a
// second debugger on the same schedule under another variant).
#include <QObject>
#include <QString>
#include <memory>
#include <optional>

#include "common/snapshot.h"
#include "debug/debugger.h"
#include "session/session.h"

namespace faultline::gui {

class Controller : public QObject {
    Q_OBJECT
public:
    explicit Controller(QObject* parent = nullptr);

    // Loads a session (see Debugger::load). On error nothing changes and the
    // error text is returned.
    // `wholeSchedule`: a recording is never cut short at a divergence (see
    // Debugger::loadWholeSchedule); for recovered autosaves.
    QString openSession(const Session& s, const QString& path, const QString& variant = {},
                        const debug::Overrides& ov = {}, uint64_t position = 0, bool wholeSchedule = false);
    bool hasSession() const { return dbg_.loaded(); }
    const QString& sessionPath() const { return path_; }
    void setSessionPath(const QString& p) { path_ = p; }
    const debug::Debugger& debugger() const { return dbg_; }
    const views::Snapshot& snapshot() const { return snap_; }

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
    void setBreakpointEnabled(int i, bool on);
    void setWatchpointEnabled(int i, bool on);
    void setStopOnFindings(bool on);
    QString setVariant(const QString& variant, const debug::Overrides& ov);
    // Compare mode: a second run of the same schedule under `variant`.
    QString setCompare(bool on, const QString& variant = {});
    bool comparing() const { return cmp_.has_value(); }
    const views::Snapshot& compareSnapshot() const { return cmpSnap_; }
    const debug::Divergence& divergence() const { return div_; }
    QString compareVariant() const { return cmp_ ? QString::fromStdString(cmp_->variant()) : QString(); }

    // The session with the current run as its recording (what Save writes).
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

private:
    debug::Stop done(const debug::Stop& st);
    // Forward commands: keep the run before a possible branch, and say so when
    // the command dropped the planned future.
    template <class F>
    debug::Stop forward(F&& cmd);
    std::optional<debug::Debugger> beforeBranch_;
    void publish();
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
    std::optional<debug::Debugger> cmp_;
    views::Snapshot cmpSnap_;
    std::shared_ptr<const views::RecordLog> cmpLog_;
    debug::Divergence div_;
    uint64_t cmpSyncedLen_ = ~uint64_t{0};
};

}  // namespace faultline::gui
