// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// One long piece of work off the GUI thread (loading a session, Continue or
// Reverse Continue over a long range, Run to Step beyond the run), in the
// manner of ExploreJob: the work runs in a worker thread and reports its
// progress through report(), which the window shows in a progress bar at most
// ten times a second; Cancel makes report() return false, so the work stops
// at its next check. Its completion runs on the GUI thread.
//
// A short job should not flash a progress bar: waitFor() lets the GUI thread
// wait a little for the worker and, if it finished, runs the completion at
// once (the command then behaves as a synchronous one).
#include <QObject>
#include <QString>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace faultline::gui {

class WorkerJob final : public QObject {
    Q_OBJECT
public:
    explicit WorkerJob(QObject* parent = nullptr);
    ~WorkerJob() override;  // cancels and joins a running job (its completion does not run)

    // Starts `work` in a worker thread; `done(cancelled)` runs on the GUI
    // thread once it has returned. False if a job is running already.
    bool start(const QString& what, std::function<void()> work, std::function<void(bool cancelled)> done);
    void cancel() { cancel_ = true; }
    bool running() const { return running_; }
    const QString& what() const { return what_; }
    // Waits up to `ms` for the worker; if it finished, runs the completion now
    // and returns true.
    bool waitFor(int ms);
    // Waits for the worker and runs the completion (tests, headless runs).
    void wait() { waitFor(-1); }

    // What report() counts.
    enum Unit : int {
        Steps = 0,  // steps of the run
        Setup = 1,  // the session's setup: pages written and setup operations (SetupProgress)
        Bytes = 2,  // bytes of a file read (an autosave journal)
    };
    // For the worker: the job goes on with another part (the compare run's
    // replay after a command), which its reports name instead of what().
    void setPhase(const QString& phase);
    // For the worker: the part that was cancelled has ended; the next part
    // (which Cancel stops again) goes on.
    void rearm() { cancel_ = false; }
    // For the worker: `done` of `total` (0: unknown) units. Returns false once
    // cancelled. Thread-safe; signals at most ten times a second.
    bool report(uint64_t done, uint64_t total, Unit unit = Steps);
    bool cancelled() const { return cancel_; }

Q_SIGNALS:
    void started(const QString& what);
    void progress(const QString& what, qulonglong done, qulonglong total, int unit);
    void finished(bool cancelled);

private:
    void deliver(uint64_t generation);

    QString what_;
    QString phase_;  // guarded by m_; empty: what_
    std::function<void(bool)> done_;
    std::atomic<bool> cancel_{false};
    bool running_ = false;
    std::atomic<uint64_t> generation_{0};  // read by the worker's reports
    std::thread worker_;
    std::mutex m_;
    std::condition_variable cv_;
    bool workReturned_ = false;  // guarded by m_
    std::chrono::steady_clock::time_point lastReport_;  // worker only
};

}  // namespace faultline::gui
