// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui/explore_job.h"
#include "process_memory.h"

#include <QLocale>
#include <QMetaObject>
#include <fstream>
#include <unistd.h>

namespace faultline::gui {

ExploreJob::ExploreJob(QObject* parent) : QObject(parent) {}

ExploreJob::~ExploreJob() {
    cancel_ = true;
    if (worker_.joinable()) worker_.join();
}

bool ExploreJob::start(const Session& s, const QStringList& variants, const ExploreOptions& o) {
    if (running_) return false;
    if (worker_.joinable()) worker_.join();
    session_ = s;
    results_.clear();
    cancel_ = false;
    running_ = true;
    worker_ = std::thread([this, variants, o] { run(variants, o); });
    return true;
}

void ExploreJob::cancel() { cancel_ = true; }

void ExploreJob::wait() {
    if (worker_.joinable()) worker_.join();
    // Deliver the queued finished() now, so a caller that waited sees the results.
    QMetaObject::invokeMethod(
        this, [] {}, Qt::DirectConnection);
}

void ExploreJob::run(QStringList variants, ExploreOptions o) {
    std::vector<ExploreResult> out;
    o.cancel = &cancel_;
    o.memoryUsage = residentBytes;
    for (int i = 0; i < variants.size() && !cancel_; ++i) {
        o.variant = variants[i].toStdString();
        const QString who = variants.size() > 1
                                ? QStringLiteral("%1 (%2/%3)").arg(variants[i]).arg(i + 1).arg(variants.size())
                                : variants[i];
        o.progress = [this, who](const ExploreOptions::Progress& p) {
            const QLocale loc;
            const QString text =
                tr("%1: %2 states, %3 transitions, depth %4, %5 MB, %6 s")
                    .arg(who, loc.toString(qulonglong(p.states)), loc.toString(qulonglong(p.transitions)))
                    .arg(p.depth)
                    .arg(loc.toString(double(p.bytes) / 1e6, 'f', 1), loc.toString(p.seconds, 'f', 1));
            QMetaObject::invokeMethod(
                this, [this, text] { Q_EMIT progress(text); }, Qt::QueuedConnection);
        };
        QMetaObject::invokeMethod(
            this, [this, who] { Q_EMIT progress(tr("%1: starting…").arg(who)); }, Qt::QueuedConnection);
        out.push_back(explore(session_, o));
    }
    const bool cancelled = cancel_;
    QMetaObject::invokeMethod(
        this,
        [this, out = std::move(out), cancelled]() mutable {
            results_ = std::move(out);
            running_ = false;
            Q_EMIT finished(cancelled);
        },
        Qt::QueuedConnection);
}

}  // namespace faultline::gui
