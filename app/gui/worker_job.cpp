// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui/worker_job.h"

#include <QMetaObject>

namespace faultline::gui {

WorkerJob::WorkerJob(QObject* parent) : QObject(parent) {}

WorkerJob::~WorkerJob() {
    cancel_ = true;
    if (worker_.joinable()) worker_.join();
}

bool WorkerJob::start(const QString& what, std::function<void()> work, std::function<void(bool)> done) {
    if (running_) return false;
    if (worker_.joinable()) worker_.join();
    what_ = what;
    {
        std::lock_guard<std::mutex> l(m_);
        phase_.clear();
    }
    done_ = std::move(done);
    cancel_ = false;
    running_ = true;
    workReturned_ = false;
    lastReport_ = std::chrono::steady_clock::now();
    const uint64_t gen = ++generation_;
    Q_EMIT started(what_);
    worker_ = std::thread([this, gen, work = std::move(work)] {
        work();
        {
            std::lock_guard<std::mutex> l(m_);
            workReturned_ = true;
        }
        cv_.notify_all();
        QMetaObject::invokeMethod(this, [this, gen] { deliver(gen); }, Qt::QueuedConnection);
    });
    return true;
}

bool WorkerJob::waitFor(int ms) {
    if (!running_) return true;
    {
        std::unique_lock<std::mutex> l(m_);
        if (ms < 0) cv_.wait(l, [this] { return workReturned_; });
        else if (!cv_.wait_for(l, std::chrono::milliseconds(ms), [this] { return workReturned_; })) return false;
    }
    deliver(generation_);
    return true;
}

void WorkerJob::deliver(uint64_t generation) {
    // The queued delivery of a job already delivered by waitFor() (or of an
    // older job) does nothing.
    if (generation != generation_ || !running_) return;
    if (worker_.joinable()) worker_.join();
    running_ = false;
    const bool c = cancel_;
    auto done = std::move(done_);
    done_ = nullptr;
    if (done) done(c);
    Q_EMIT finished(c);
}

void WorkerJob::setPhase(const QString& phase) {
    std::lock_guard<std::mutex> l(m_);
    phase_ = phase;
    lastReport_ = {};  // the new part shows at once
}

bool WorkerJob::report(uint64_t done, uint64_t total, Unit unit) {
    const auto now = std::chrono::steady_clock::now();
    if (now - lastReport_ >= std::chrono::milliseconds(100)) {
        lastReport_ = now;
        QString w;
        {
            std::lock_guard<std::mutex> l(m_);
            w = phase_.isEmpty() ? what_ : phase_;
        }
        QMetaObject::invokeMethod(
            this,
            [this, w, done, total, unit, gen = generation_.load()] {
                // A late report of a job that ended is not shown under the next one.
                if (gen == generation_ && running_) Q_EMIT progress(w, qulonglong(done), qulonglong(total), int(unit));
            },
            Qt::QueuedConnection);
    }
    return !cancel_;
}

}  // namespace faultline::gui
