// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Runs the explorer off the GUI thread: one search per chosen variant, one
// after the other, in a worker thread; live counts come back to the window
// through queued signals (at most four a second), Cancel stops the running
// search at its next check and skips the rest. The results stay here so the
// window can build a counterexample session from any of them.
#include <QObject>
#include <QString>
#include <QStringList>
#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "explore/explorer.h"
#include "session/session.h"

namespace faultline::gui {

class ExploreJob final : public QObject {
    Q_OBJECT
public:
    explicit ExploreJob(QObject* parent = nullptr);
    ~ExploreJob() override;  // cancels and joins a running search

    // Starts a search; false if one is running already.
    bool start(const Session& s, const QStringList& variants, const ExploreOptions& o);
    void cancel();
    bool running() const { return running_; }
    const Session& session() const { return session_; }
    const std::vector<ExploreResult>& results() const { return results_; }
    // Blocks until the worker has finished (tests, shutdown).
    void wait();

Q_SIGNALS:
    void progress(const QString& text);
    void finished(bool cancelled);

private:
    void run(QStringList variants, ExploreOptions o);
    Session session_;
    std::vector<ExploreResult> results_;  // written by the worker, read after finished()
    std::atomic<bool> cancel_{false};
    bool running_ = false;
    std::thread worker_;
};

}  // namespace faultline::gui
