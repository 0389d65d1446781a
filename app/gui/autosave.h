// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The autosave of the recording in progress: each running window journals
// its hand-made recording step by step (core/session/recording_journal.h)
// into a file of its own, `autosave-<pid>-<ms>-<n>.journal` in the application data
// folder, guarded by a lock file. A journal whose lock is free belongs to a
// process that died: that is what the next start offers to recover. Two
// windows never share a journal, and a running window's journal is never
// offered to another.
#include <QLockFile>
#include <QString>
#include <memory>

#include "session/recording_journal.h"

namespace faultline::gui {

class Controller;

class Autosave {
public:
    // Journals `c`'s recording, breakpoints and watchpoints if it is
    // hand-made, or always with `force` (a recovered recording, edited
    // breakpoints). Starts the journal on the first call after
    // discard(). Returns an error message or "".
    QString record(Controller& c, bool force = false);
    // The session was opened anew or saved: the journal is done with.
    void discard();
    // This window's journal file ("" before the first hand-made step).
    QString path() const { return path_; }
    // Whether a journal is open (between the first record() and discard()).
    bool active() const { return journal_.active(); }

    // Journals of dead processes, newest first.
    static QStringList orphans();
    // Locks an orphan so nobody else recovers it at the same time; false if taken.
    static bool claim(const QString& journal, std::unique_ptr<QLockFile>* lock);
    // The folder of the journals.
    static QString folder();

    // Stops journaling and leaves the file behind unlocked, as a kill does
    // (tests of recovery run both windows in one process).
    void abandon();

private:
    RecordingJournal journal_;
    std::unique_ptr<QLockFile> lock_;
    QString path_;
};

}  // namespace faultline::gui
