// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui/autosave.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

#include "debug/saved_stops.h"
#include "gui/controller.h"

namespace faultline::gui {

QString Autosave::folder() {
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    QDir().mkpath(dir);
    return dir;
}

QString Autosave::record(Controller& c, bool force) {
    if (!c.hasSession() || (!force && !c.debugger().manual())) return {};
    if (!journal_.active()) {
        if (!lock_) {
            // Unique even when a restarted process gets the dead one's pid
            // (containers restart with the same pids).
            static int serial = 0;
            path_ = QStringLiteral("%1/autosave-%2-%3-%4.journal")
                        .arg(folder())
                        .arg(QCoreApplication::applicationPid())
                        .arg(QDateTime::currentMSecsSinceEpoch())
                        .arg(++serial);
            lock_ = std::make_unique<QLockFile>(path_ + ".lock");
            lock_->setStaleLockTime(0);  // only a dead owner makes it stale, never age
            if (!lock_->tryLock(0)) {
                lock_.reset();
                return QStringLiteral("cannot lock %1.lock").arg(path_);
            }
        }
        const std::string e =
            journal_.start(path_.toStdString(), c.debugger().session(), c.sessionPath().toStdString());
        if (!e.empty()) return QString::fromStdString(e);
    }
    // Read in place: a step appended to a long run costs one short comparison
    // and one short write, not a copy of the run.
    const debug::Debugger& d = c.debugger();
    const Timeline& tl = d.timeline();
    std::string e = journal_.sync({d.variant(), d.overrides(), tl.schedule().data(), tl.length(),
                                         [&tl](uint64_t i) { return tl.hashAfter(i + 1); }, d.plannedSteps()},
                                        d.position(), c.takeRecordingSameBefore());
    if (e.empty())
        e = journal_.syncStops(c.savedBreakpoints(), c.savedWatchpoints());  // unusable saved entries too
    return QString::fromStdString(e);
}

void Autosave::discard() {
    journal_.close();
    if (!path_.isEmpty()) QFile::remove(path_);
}

void Autosave::abandon() {
    journal_.close();
    if (lock_) lock_->unlock();
    lock_.reset();
    path_.clear();
}

QStringList Autosave::orphans() {
    QDir d(folder());
    QStringList out;
    const QFileInfoList files = d.entryInfoList({"autosave-*.journal"}, QDir::Files, QDir::Time);
    for (const QFileInfo& f : files) {
        QLockFile probe(f.absoluteFilePath() + ".lock");
        probe.setStaleLockTime(0);
        if (probe.tryLock(0)) out << f.absoluteFilePath();  // unlocked again when probe goes
    }
    return out;
}

bool Autosave::claim(const QString& journal, std::unique_ptr<QLockFile>* lock) {
    auto l = std::make_unique<QLockFile>(journal + ".lock");
    l->setStaleLockTime(0);
    if (!l->tryLock(0)) return false;
    *lock = std::move(l);
    return true;
}

}  // namespace faultline::gui
