// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui/controller.h"

#include <QFileInfo>
#include <algorithm>

#include "debug/saved_stops.h"
#include "details/step_details.h"
#include "engine/engine.h"
#include "gui/worker_job.h"
#include "io/atomic_file.h"

namespace faultline::gui {

using debug::Stop;

Controller::Controller(QObject* parent) : QObject(parent), job_(new WorkerJob(this)) {}

namespace {
// A recording that keeps breakpoints or watchpoints brings them back (they
// replace the current ones); a session without them keeps the current ones.
// Entries that cannot be used are kept in `p` as read and named in its note.
void restoreSavedStops(PreparedSession& p, const Session& s, const std::string& file) {
    if (!s.recording || (s.recording->breakpoints.empty() && s.recording->watchpoints.empty())) return;
    p.stopsRestored = true;
    const std::vector<std::string> errors = debug::restoreStops(p.dbg, *s.recording, file, &p.leftOut);
    if (errors.empty()) return;
    QStringList l;
    for (const std::string& e : errors) l << QString::fromStdString(e);
    p.stopsNote = Controller::tr("⚠ %n saved breakpoint(s) or watchpoint(s) cannot be used (kept, shown disabled "
                                 "in the list and saved back unchanged): %1",
                                 nullptr, int(errors.size()))
                      .arg(l.join(QStringLiteral("; ")));
}
}  // namespace

QString Controller::openSession(const Session& s, const QString& path, const QString& variant,
                                const debug::Overrides& ov, uint64_t position, bool wholeSchedule,
                                const QString& stopsFile) {
    if (busy()) return tr("busy: %1 is running").arg(job_->what());
    PreparedSession p;
    debug::Debugger& d = p.dbg;
    d.stopOnFindings = dbg_.stopOnFindings;
    d.breakpoints() = dbg_.breakpoints();
    d.watchpoints() = dbg_.watchpoints();
    const std::string e = wholeSchedule && variant.isEmpty() && ov.empty()
                              ? d.loadWholeSchedule(s, position)
                              : d.load(s, variant.toStdString(), ov, position);
    if (!e.empty()) return QString::fromStdString(e);
    restoreSavedStops(p, s, (stopsFile.isEmpty() ? path : stopsFile).toStdString());
    adopt(std::move(p), path);
    return {};
}

bool Controller::startPrepare(const QString& what, std::function<void(PreparedSession&)> load,
                              std::function<void(std::shared_ptr<PreparedSession>, bool cancelled)> then) {
    if (busy()) return false;
    auto p = std::make_shared<PreparedSession>();
    p->dbg.stopOnFindings = dbg_.stopOnFindings;
    p->dbg.breakpoints() = dbg_.breakpoints();
    p->dbg.watchpoints() = dbg_.watchpoints();
    WorkerJob* j = job_;
    // Compare mode stays on across a load: its run is made in the worker too.
    std::optional<std::string> cmpVariant;
    if (cmp_) cmpVariant = cmp_->variant();
    job_->start(
        what,
        [p, j, cmpVariant, load = std::move(load)] {
            p->dbg.setProgress([j](uint64_t done, uint64_t total) { return j->report(done, total); });
            // A big file's setup takes a while before the first step: shown as such.
            p->dbg.setSetupProgress(
                [j](uint64_t done, uint64_t total) { return j->report(done, total, WorkerJob::Setup); });
            load(*p);
            p->dbg.setProgress({});
            p->dbg.setSetupProgress({});
            // In compare mode the compare run is part of the load: Cancel there cancels the load.
            if (p->dbg.loaded() && p->error.isEmpty() && !j->cancelled())
                p->ahead = prepareAhead(p->dbg, cmpVariant, {}, j);
        },
        [this, p, then](bool cancelled) {
            Q_EMIT busyChanged(false);
            then(p, cancelled || p->error == QLatin1String("cancelled"));
        });
    Q_EMIT busyChanged(true);
    job_->waitFor(inlineMs_);
    return true;
}

bool Controller::startOpen(const QString& path,
                           std::function<void(std::shared_ptr<PreparedSession>, bool cancelled)> then) {
    WorkerJob* j = job_;
    const std::string file = path.toStdString();
    return startPrepare(
        tr("Loading %1").arg(QFileInfo(path).fileName()),
        [j, file](PreparedSession& p) {
            p.file = loadSession(file);
            if (!p.file.session || j->cancelled()) return;
            std::string readError;
            io::readFile(file, &p.text, &readError);
            // A recording replays to its end; a plain session starts at step 0.
            const uint64_t pos = p.file.session->recording ? ~uint64_t{0} : 0;
            p.error = QString::fromStdString(p.dbg.load(*p.file.session, "", {}, pos));
            if (p.error.isEmpty()) restoreSavedStops(p, *p.file.session, file);
        },
        std::move(then));
}

bool Controller::startRecover(Session s, const QString& source, uint64_t position, const QString& journal,
                              std::function<void(std::shared_ptr<PreparedSession>, bool cancelled)> then) {
    auto session = std::make_shared<const Session>(std::move(s));
    const std::string stopsFile = journal.toStdString();
    return startPrepare(
        tr("Recovering %1").arg(source.isEmpty() ? tr("an unsaved session") : QFileInfo(source).fileName()),
        [session, position, stopsFile](PreparedSession& p) {
            // The whole recorded schedule comes back even when the engine no
            // longer reproduces its hashes: re-executed as a hand-made run.
            p.error = QString::fromStdString(p.dbg.loadWholeSchedule(*session, position));
            if (p.error.isEmpty()) restoreSavedStops(p, *session, stopsFile);
        },
        std::move(then));
}

void Controller::adopt(PreparedSession&& p, const QString& path) {
    dbg_ = std::move(p.dbg);
    if (p.stopsRestored) leftOut_ = std::move(p.leftOut);
    beforeBranch_.reset();
    path_ = path;
    sharedLog_.reset();
    selectedTask_ = -1;
    selectedFrame_ = -1;
    lastStop_ = QString::fromStdString(dbg_.loadNote());
    if (!p.stopsNote.isEmpty()) lastStop_ += QStringLiteral(" — ") + p.stopsNote;
    const bool wasComparing = cmp_.has_value();
    const QString cmpVariant = compareVariant();
    cmp_.reset();
    if (p.ahead.position != ~uint64_t{0}) {
        // Made in the worker: publishing installs it (no replay here).
        syncLog();
        installAhead(std::move(p.ahead));
    }
    publish();
    if (wasComparing && !cmp_) setCompare(true, cmpVariant);
    Q_EMIT sessionLoaded();
    Q_EMIT recordingChanged();
    Q_EMIT stopped(lastStop_);
}

bool Controller::busy() const { return job_->running(); }

Stop Controller::refused() const {
    return {debug::StopReason::None, snap_.position,
            tr("busy: %1 is running (Cancel stops it)").arg(job_->what()).toStdString()};
}

bool Controller::startOnDebugger(const QString& what, std::function<Stop(debug::Debugger&)> cmd,
                                 std::function<void(Stop)> finish) {
    if (busy() || !hasSession()) return false;
    // The worker owns the debugger until it ends: nothing here can touch it.
    auto work = std::make_shared<debug::Debugger>(std::move(dbg_));
    dbg_ = debug::Debugger{};
    auto result = std::make_shared<Stop>();
    auto ahead = std::make_shared<PublishAhead>();
    WorkerJob* j = job_;
    work->setProgress([j](uint64_t done, uint64_t total) { return j->report(done, total); });
    // The compare run is replayed (in the worker) only when the main run's
    // steps change; else a copy of it is moved to the new position there.
    std::shared_ptr<PublishAhead> cmpNow;
    if (cmp_) {
        cmpNow = std::make_shared<PublishAhead>();
        cmpNow->cmp = cmp_;
        cmpNow->div = div_;
        cmpNow->cmpLog = cmpLog_;
    }
    job_->start(
        what,
        [work, result, ahead, cmpNow, j, cmd = std::move(cmd)] {
            *result = cmd(*work);
            work->setProgress({});
            const bool replay = cmpNow && work->dirtyFrom() != ~uint64_t{0};
            if (replay) {
                // The run changed: the compare run is replayed, a part of its own
                // (a Cancel that stopped the command does not stop it; one now does,
                // and compare mode goes off rather than show a run of another schedule).
                j->rearm();
                j->setPhase(tr("Compare with %1").arg(QString::fromStdString(cmpNow->cmp->variant())));
            }
            *ahead = prepareAhead(*work, replay ? std::optional(cmpNow->cmp->variant()) : std::nullopt,
                                  replay ? cmpNow->cmp->overrides() : debug::Overrides{}, j);
            if (cmpNow && !replay) {
                ahead->compare = true;
                ahead->cmp = std::move(cmpNow->cmp);
                ahead->cmp->runTo(std::min(ahead->position, ahead->cmp->length()));
                ahead->div = std::move(cmpNow->div);
                ahead->cmpLog = std::move(cmpNow->cmpLog);
            }
        },
        [this, work, result, ahead, finish = std::move(finish)](bool) {
            dbg_ = std::move(*work);
            syncLog();
            const QString cmpWas = compareVariant();
            const bool cmpDropped = ahead->cmpCancelled;
            installAhead(std::move(*ahead));
            if (cmpDropped)
                result->text += " — " + tr("compare mode is off: the replay under %1 was cancelled").arg(cmpWas).toStdString();
            Q_EMIT busyChanged(false);
            finish(*result);
            if (cmpDropped) Q_EMIT compareChanged();  // the window hides the compare map
        });
    Q_EMIT busyChanged(true);
    job_->waitFor(inlineMs_);
    return true;
}

bool Controller::startForward(const QString& what, std::function<Stop(debug::Debugger&)> cmd) {
    if (busy() || !hasSession()) return false;
    // As forward(): only a chosen task can leave the plan while there is a planned future.
    const uint64_t pos = dbg_.position(), len = dbg_.length();
    auto keep = std::make_shared<std::optional<debug::Debugger>>();
    if (dbg_.chosenTask() && pos < len) *keep = dbg_;
    return startOnDebugger(what, std::move(cmd), [this, what, keep, pos, len](Stop st) {
        if (st.reason == debug::StopReason::Cancelled) st.text = what.toStdString() + " " + st.text;
        done(noteBranch(std::move(*keep), pos, len, std::move(st)));
    });
}

bool Controller::startReverse(const QString& what, std::function<Stop(debug::Debugger&)> cmd) {
    return startOnDebugger(what, std::move(cmd), [this, what](Stop st) {
        if (st.reason == debug::StopReason::Cancelled) st.text = what.toStdString() + " " + st.text;
        done(st);
    });
}

bool Controller::startContinue() {
    return startForward(tr("Continue"), [](debug::Debugger& d) { return d.continueRun(); });
}

bool Controller::startStepOver() {
    return startForward(tr("Step Over"), [](debug::Debugger& d) { return d.stepOver(); });
}

bool Controller::startStepOut() {
    return startForward(tr("Step Out"), [](debug::Debugger& d) { return d.stepOut(); });
}

bool Controller::startReverseContinue() {
    return startReverse(tr("Reverse Continue"), [](debug::Debugger& d) { return d.reverseContinue(); });
}

bool Controller::startReverseStepOver() {
    return startReverse(tr("Reverse Step Over"), [](debug::Debugger& d) { return d.reverseStepOver(); });
}

bool Controller::startReverseStepOut() {
    return startReverse(tr("Reverse Step Out"), [](debug::Debugger& d) { return d.reverseStepOut(); });
}

bool Controller::startRunTo(uint64_t n) {
    if (busy() || !hasSession()) return false;
    if (n <= dbg_.length()) {  // within the run: a seek
        runTo(n);
        return true;
    }
    return startOnDebugger(
        tr("Run to step %1").arg(n), [n](debug::Debugger& d) { return d.runTo(n); },
        [this](Stop st) {
            if (st.reason == debug::StopReason::Cancelled) st.text = "Run to Step " + st.text;
            done(st);
        });
}

void Controller::syncLog() {
    const uint64_t dirty = dbg_.takeDirtyFrom();
    const Timeline& tl = dbg_.timeline();
    if (dirty == ~uint64_t{0} && sharedLog_ && sharedLog_->size() == tl.length()) return;
    const uint64_t from = std::min<uint64_t>(dirty, sharedLog_ ? sharedLog_->size() : 0);
    logSameBefore_ = sharedLog_ ? from : 0;
    recordingSame_ = std::min(recordingSame_, from);
    // The views share the run's own chunks (records, briefs, the curves'
    // counts): nothing is copied or re-executed, whatever the run's length.
    sharedLog_ = std::make_shared<const views::RecordLog>(tl);
    if (cmp_) cmpSyncedLen_ = ~uint64_t{0};  // recompute divergence
    Q_EMIT recordingChanged();
}

uint64_t Controller::takeRecordingSameBefore() {
    const uint64_t r = recordingSame_;
    recordingSame_ = ~uint64_t{0};
    return r;
}

void Controller::publish() {
    syncLog();
    views::Snapshot s;
    s.state = dbg_.current();
    s.position = dbg_.position();
    // The state before the step, for the details' "old → new": the previous
    // snapshot's when we just stepped from it, else re-executed from a checkpoint.
    if (s.position >= 1) {
        const Timeline& tl = dbg_.timeline();
        const bool prevIsBefore = snap_.valid() && snap_.position + 1 == s.position && s.position >= 2 &&
                                  tl.hashAfter(s.position - 1) == snap_.state.hash();
        // Published again at the same step (a task selected, a stop edited): the same state before.
        const bool samePlace = snap_.valid() && snap_.before && snap_.position == s.position &&
                               snap_.state.hash() == s.state.hash() &&
                               snap_.before->hash() == (s.position >= 2 ? tl.hashAfter(s.position - 1) : snap_.before->hash());
        if (aheadBefore_ && aheadPos_ == s.position) {
            s.before = aheadBefore_;  // made by the worker that ran the command
        } else if (samePlace) {
            s.before = snap_.before;
        } else if (prevIsBefore) {
            s.before = std::make_shared<const State>(snap_.state);
        } else {
            s.before = std::make_shared<const State>(tl.stateAt(s.position - 1));
            ++guiReexecutions_;
        }
    }
    aheadBefore_.reset();
    aheadPos_ = ~uint64_t{0};
    s.sessionName = dbg_.session().name;
    s.sessionDescription = dbg_.session().description;
    s.sessionFile = path_.toStdString();
    s.length = dbg_.length();
    s.log = sharedLog_;
    s.logSameBefore = logSameBefore_;
    s.nextTask = dbg_.nextTask();
    s.nextTaskWhy = dbg_.nextTaskWhy();
    s.chosenTask = dbg_.chosenTask();
    s.variant = dbg_.variant();
    for (const auto& [k, v] : dbg_.overrides()) s.variant += " " + k + "=" + v;
    s.breakpoints = dbg_.breakpoints();
    s.watchpoints = dbg_.watchpoints();
    s.leftOutStops = leftOut_;
    // The task the Tasks and Code views follow: the user's selection, else the
    // one that took the last step, else the next one.
    int sel = selectedTask_;
    if (sel < 0 || sel >= int(s.state.tasks.size())) {
        if (s.position >= 1 && s.position <= dbg_.length()) sel = dbg_.timeline().schedule()[s.position - 1];
        else if (s.nextTask) sel = *s.nextTask;
        else sel = 0;
    }
    s.selectedTask = s.state.tasks.empty() ? -1 : sel;
    s.selectedFrame = selectedFrame_;
    if (s.selectedTask >= 0 && s.selectedFrame >= int(s.state.tasks[s.selectedTask].stack.size())) s.selectedFrame = -1;
    syncCompare();
    s.divergence = cmp_ && div_.found ? div_.step : 0;
    snap_ = std::move(s);
    Q_EMIT snapshotChanged(snap_);
    if (cmp_) Q_EMIT compareChanged();
}

std::optional<debug::Debugger> Controller::compareRunOf(const debug::Debugger& main, const std::string& variant,
                                                        const debug::Overrides& ov, std::string* err, WorkerJob* j) {
    debug::Debugger c = main;
    c.watchpoints().clear();
    c.breakpoints().clear();
    c.chooseTask(std::nullopt);
    c.setProgress(j ? debug::Debugger::Progress([j](uint64_t done, uint64_t total) { return j->report(done, total); })
                    : debug::Debugger::Progress{});
    c.setSetupProgress(j ? debug::Debugger::Progress([j](uint64_t done, uint64_t total) {
        return j->report(done, total, WorkerJob::Setup);
    })
                         : debug::Debugger::Progress{});
    std::string e = c.setVariant(variant, ov);
    c.setProgress({});
    c.setSetupProgress({});
    if (!e.empty() || (j && j->cancelled())) {
        if (err) *err = e.empty() ? "cancelled" : e;
        return std::nullopt;
    }
    return c;
}

void Controller::prepareCompare(PublishAhead& a, const debug::Debugger& d, const std::string& variant,
                                const debug::Overrides& ov, WorkerJob* j, std::string* err) {
    a.compare = true;
    a.cmp = compareRunOf(d, variant, ov, err, j);
    a.cmpCancelled = !a.cmp && j && j->cancelled();
    if (!a.cmp) return;
    a.div = debug::firstDivergence(d.timeline(), a.cmp->timeline());
    a.cmpLog = std::make_shared<const views::RecordLog>(a.cmp->timeline());
    a.cmp->runTo(std::min(d.position(), a.cmp->length()));
}

PublishAhead Controller::prepareAhead(const debug::Debugger& d, const std::optional<std::string>& cmpVariant,
                                      const debug::Overrides& cmpOv, WorkerJob* j) {
    PublishAhead a;
    a.position = d.position();
    if (a.position >= 1) a.before = std::make_shared<const State>(d.timeline().stateAt(a.position - 1));
    if (cmpVariant) prepareCompare(a, d, *cmpVariant, cmpOv, j, nullptr);
    return a;
}

void Controller::installAhead(PublishAhead&& a) {
    if (a.position != dbg_.position()) return;  // not the run it was made from
    aheadBefore_ = std::move(a.before);
    aheadPos_ = a.position;
    if (a.cmpCancelled) {
        // No compare run of the new schedule: off, not a run of another schedule.
        cmp_.reset();
        div_ = {};
        cmpLog_.reset();
        cmpSnap_ = {};
    }
    if (a.compare && a.cmp) {
        cmp_ = std::move(a.cmp);
        div_ = std::move(a.div);
        cmpLog_ = std::move(a.cmpLog);
        cmpSyncedLen_ = dbg_.length();
    }
}

void Controller::syncCompare() {
    if (!cmp_) return;
    if (cmpSyncedLen_ != dbg_.length()) {
        // The main run changed: replay its schedule under the compare variant.
        std::string err;
        if (auto c = compareRunOf(dbg_, cmp_->variant(), cmp_->overrides(), &err)) cmp_ = std::move(c);
        ++guiReexecutions_;
        div_ = debug::firstDivergence(dbg_.timeline(), cmp_->timeline());
        cmpSyncedLen_ = dbg_.length();
        cmpLog_ = std::make_shared<const views::RecordLog>(cmp_->timeline());
    }
    cmp_->runTo(std::min(dbg_.position(), cmp_->length()));
    views::Snapshot s;
    s.state = cmp_->current();
    s.position = cmp_->position();
    s.length = cmp_->length();
    s.log = cmpLog_;
    s.variant = cmp_->variant();
    s.selectedTask = snap_.selectedTask;
    s.divergence = div_.found ? div_.step : 0;
    cmpSnap_ = std::move(s);
}

Stop Controller::done(const Stop& st) {
    lastStop_ = QString::fromStdString(st.text);
    if (st.reason == debug::StopReason::End) {
        // The verdict of the run, also when there is none to report.
        const views::Verdict v = views::verdictOf(dbg_.timeline());
        const QString end = dbg_.nextTaskWhy().find("deadlock") != std::string::npos ? tr("deadlock") : tr("finished");
        lastStop_ += QStringLiteral(" — ") + views::verdictText(v, tr("%1 after %2 steps").arg(end).arg(v.steps));
    }
    publish();
    Q_EMIT stopped(lastStop_);
    return st;
}

template <class F>
Stop Controller::forward(F&& cmd) {
    if (busy()) return refused();
    // Only a chosen task can leave the plan while there is a planned future.
    const uint64_t pos = dbg_.position(), len = dbg_.length();
    std::optional<debug::Debugger> keep;
    if (dbg_.chosenTask() && pos < len) keep = dbg_;
    Stop st = cmd();
    return done(noteBranch(std::move(keep), pos, len, std::move(st)));
}

Stop Controller::noteBranch(std::optional<debug::Debugger> keep, uint64_t pos, uint64_t len, Stop st) {
    if (keep) {
        // Where the schedule now departs from the plan (if it does).
        const auto& a = keep->timeline().schedule();
        const auto& b = dbg_.timeline().schedule();
        uint64_t at = pos;
        while (at < len && at < b.size() && a[at] == b[at]) ++at;
        if (at < len) {
            beforeBranch_ = std::move(keep);
            st.text += " — branched at step " + std::to_string(at + 1) + ": the planned future (steps " +
                       std::to_string(at + 1) + "–" + std::to_string(len) +
                       ") was dropped; Edit ▸ Undo Branch (Ctrl+Z) brings it back";
        }
    }
    return st;
}

bool Controller::undoBranch() {
    if (busy() || !beforeBranch_) return false;
    debug::Debugger d = std::move(*beforeBranch_);
    beforeBranch_.reset();
    d.breakpoints() = dbg_.breakpoints();
    d.watchpoints() = dbg_.watchpoints();
    d.stopOnFindings = dbg_.stopOnFindings;
    d.chooseTask(std::nullopt);
    dbg_ = std::move(d);
    dbg_.takeDirtyFrom();
    sharedLog_.reset();
    if (cmp_) cmpSyncedLen_ = ~uint64_t{0};
    lastStop_ =
        tr("undid the branch: the planned run (%1 steps) is back, at step %2").arg(dbg_.length()).arg(dbg_.position());
    publish();
    Q_EMIT recordingChanged();
    Q_EMIT stopped(lastStop_);
    return true;
}

Stop Controller::stepInto() {
    return forward([this] { return dbg_.stepInto(); });
}
Stop Controller::stepOver() {
    return forward([this] { return dbg_.stepOver(); });
}
Stop Controller::stepOut() {
    return forward([this] { return dbg_.stepOut(); });
}
Stop Controller::continueRun() {
    return forward([this] { return dbg_.continueRun(); });
}
Stop Controller::reverseStep() { return busy() ? refused() : done(dbg_.reverseStep()); }
Stop Controller::reverseStepOver() { return busy() ? refused() : done(dbg_.reverseStepOver()); }
Stop Controller::reverseStepOut() { return busy() ? refused() : done(dbg_.reverseStepOut()); }
Stop Controller::reverseContinue() { return busy() ? refused() : done(dbg_.reverseContinue()); }
Stop Controller::runTo(uint64_t n) { return busy() ? refused() : done(dbg_.runTo(n)); }
Stop Controller::restart() { return busy() ? refused() : done(dbg_.restart()); }

void Controller::chooseTask(std::optional<uint8_t> t) {
    if (busy()) return;
    dbg_.chooseTask(t);
    if (t) selectedTask_ = *t, selectedFrame_ = -1;
    publish();
}

void Controller::selectTask(int task) {
    if (busy()) return;
    selectedTask_ = task;
    selectedFrame_ = -1;
    publish();
}

void Controller::selectFrame(int task, int frame) {
    if (busy()) return;
    selectedTask_ = task;
    selectedFrame_ = frame;
    publish();
}

bool Controller::toggleBreakpoint(Fn fn, int pc) {
    if (busy()) return false;
    const bool on = dbg_.toggleBreakpoint({fn, pc, true, {}});
    publish();
    Q_EMIT stopsEdited();
    return on;
}

QString Controller::addBreakpoint(const QString& spec) {
    if (busy()) return QString::fromStdString(refused().text);
    std::string err;
    auto b = debug::parseBreakpoint(spec.trimmed().toStdString(), &err);
    if (!b) return QString::fromStdString(err);
    auto& bps = dbg_.breakpoints();
    if (std::none_of(bps.begin(), bps.end(), [&](const debug::Breakpoint& x) { return x.sameAs(*b); }))
        bps.push_back(*b);
    publish();
    Q_EMIT stopsEdited();
    return {};
}

QString Controller::addWatchpoint(const QString& spec) {
    if (busy()) return QString::fromStdString(refused().text);
    if (!hasSession()) return tr("no session");
    std::string err;
    auto w = debug::parseWatchpoint(*dbg_.current().config, spec.trimmed().toStdString(), &err);
    if (!w) return QString::fromStdString(err);
    // Only cells the session has: file pages, swap slots.
    const bool slot = w->where == debug::Watchpoint::Where::Slot;
    const uint64_t limit = slot ? dbg_.session().swapSlots : dbg_.session().filePages;
    if (w->index >= limit)
        return tr("watchpoint '%1': index %2 is beyond the session's %3 %4")
            .arg(spec.trimmed())
            .arg(w->index)
            .arg(limit)
            .arg(slot ? tr("swap slots") : tr("file pages"));
    if (std::find(dbg_.watchpoints().begin(), dbg_.watchpoints().end(), *w) == dbg_.watchpoints().end())
        dbg_.watchpoints().push_back(*w);
    publish();
    Q_EMIT stopsEdited();
    return {};
}

void Controller::removeBreakpoint(int i) {
    if (busy()) return;
    if (i >= 0 && i < int(dbg_.breakpoints().size())) dbg_.breakpoints().erase(dbg_.breakpoints().begin() + i);
    publish();
    Q_EMIT stopsEdited();
}

void Controller::removeWatchpoint(int i) {
    if (busy()) return;
    if (i >= 0 && i < int(dbg_.watchpoints().size())) dbg_.watchpoints().erase(dbg_.watchpoints().begin() + i);
    publish();
    Q_EMIT stopsEdited();
}

void Controller::setBreakpointEnabled(int i, bool on) {
    if (busy()) return;
    if (i >= 0 && i < int(dbg_.breakpoints().size())) dbg_.breakpoints()[i].enabled = on;
    publish();
    Q_EMIT stopsEdited();
}

void Controller::setWatchpointEnabled(int i, bool on) {
    if (busy()) return;
    if (i >= 0 && i < int(dbg_.watchpoints().size())) dbg_.watchpoints()[i].enabled = on;
    publish();
    Q_EMIT stopsEdited();
}

void Controller::setStopOnFindings(bool on) {
    if (!busy()) dbg_.stopOnFindings = on;
}

QString Controller::setVariant(const QString& variant, const debug::Overrides& ov) {
    if (busy()) return QString::fromStdString(refused().text);
    if (std::string e = dbg_.setVariant(variant.toStdString(), ov); !e.empty()) return QString::fromStdString(e);
    lastStop_ = dbg_.scheduleNote().empty() ? tr("variant %1: same schedule, step %2").arg(variant).arg(dbg_.position())
                                            : QString::fromStdString(dbg_.scheduleNote());
    if (cmp_) cmpSyncedLen_ = ~uint64_t{0};
    publish();
    Q_EMIT stopped(lastStop_);
    return {};
}

QString Controller::setCompare(bool on, const QString& variant) {
    if (busy()) return QString::fromStdString(refused().text);
    if (!on) {
        cmp_.reset();
        div_ = {};
        publish();
        Q_EMIT compareChanged();
        return {};
    }
    if (!hasSession()) return tr("no session");
    auto err = std::make_shared<QString>();
    if (!startCompare(variant, [err](const QString& e, bool cancelled) { *err = cancelled ? tr("cancelled") : e; }))
        return QString::fromStdString(refused().text);
    job_->wait();
    return *err;
}

bool Controller::startCompare(const QString& variant, std::function<void(QString, bool)> then) {
    if (busy() || !hasSession()) return false;
    // The worker replays a copy (it shares the run's chunks); the GUI keeps
    // the debugger, and every command is refused while the job runs.
    auto base = std::make_shared<const debug::Debugger>(dbg_);
    auto made = std::make_shared<PublishAhead>();
    auto err = std::make_shared<std::string>();
    WorkerJob* j = job_;
    const std::string v = variant.toStdString();
    job_->start(
        tr("Compare with %1").arg(variant),
        [base, made, err, j, v] { prepareCompare(*made, *base, v, {}, j, err.get()); },
        [this, made, err, variant, then = std::move(then)](bool cancelled) {
            cancelled = cancelled || made->cmpCancelled;
            if (made->cmp && !cancelled) {
                cmp_ = std::move(made->cmp);
                div_ = std::move(made->div);
                cmpLog_ = std::move(made->cmpLog);
                cmpSyncedLen_ = dbg_.length();
            }
            Q_EMIT busyChanged(false);
            if (cancelled) {
                lastStop_ = comparing() ? tr("compare with %1 cancelled: still comparing with %2").arg(variant, compareVariant())
                                        : tr("compare with %1 cancelled: compare mode stays off").arg(variant);
            }
            if (!cancelled && err->empty())
                lastStop_ = div_.found ? tr("comparing with %1: the states first differ at step %2").arg(variant).arg(div_.step)
                                       : tr("comparing with %1: no divergence").arg(variant);
            publish();
            Q_EMIT compareChanged();  // the toggle and the maps show what is, also after a cancel
            if (cancelled || err->empty()) Q_EMIT stopped(lastStop_);  // replaces "Compare with …… (Esc …)"
            if (then) then(cancelled ? QString() : QString::fromStdString(*err), cancelled);
        });
    Q_EMIT busyChanged(true);
    job_->waitFor(inlineMs_);
    return true;
}

bool Controller::startReadJournal(const QString& path,
                                  std::function<void(std::shared_ptr<JournalLoad>, bool cancelled)> then) {
    if (busy()) return false;
    auto out = std::make_shared<JournalLoad>();
    WorkerJob* j = job_;
    const std::string file = path.toStdString();
    job_->start(
        tr("Reading the journal %1").arg(QFileInfo(path).fileName()),
        [out, j, file] {
            JournalProgress p;
            p.lines = [j](uint64_t done, uint64_t total) { return j->report(done, total, WorkerJob::Bytes); };
            p.plan = [j](uint64_t done, uint64_t total) { return j->report(done, total); };
            *out = readJournal(file, p);
        },
        [this, out, then = std::move(then)](bool cancelled) {
            Q_EMIT busyChanged(false);
            then(out, cancelled || out->cancelled);
        });
    Q_EMIT busyChanged(true);
    job_->waitFor(inlineMs_);
    return true;
}

Session Controller::sessionWithRecording() const {
    Session s = dbg_.session();
    s.recording = dbg_.recording();
    s.recording->breakpoints = savedBreakpoints();
    s.recording->watchpoints = savedWatchpoints();
    return s;
}

std::vector<SavedStop> Controller::savedBreakpoints() const {
    return debug::savedBreakpoints(dbg_.breakpoints(), leftOut_);
}

std::vector<SavedStop> Controller::savedWatchpoints() const {
    return debug::savedWatchpoints(dbg_.watchpoints(), *dbg_.current().config, leftOut_);
}

void Controller::removeLeftOutStop(int i) {
    if (busy() || i < 0 || i >= int(leftOut_.size())) return;
    leftOut_.erase(leftOut_.begin() + i);
    publish();
    Q_EMIT stopsEdited();
}

}  // namespace faultline::gui
