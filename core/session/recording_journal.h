// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The autosave of a recording in progress, as an append-only journal: a step
// costs one short write() whatever the recording's length, so the debugger
// can journal every step as it happens and a crash or kill loses nothing
// (data handed to write() survives the process; a power cut is not covered:
// no fsync per step).
//
// Format (text, one record per line; docs/session-format.md):
//   faultline-journal 1
//   source PATH            the session file the user opened ("-" if none)
//   session N              then N bytes: the session JSON without recording, then "\n"
//   variant ID [T=V ...]   a recording starts under this variant and toggles
//   plan N HASH            the recording so far is the first N steps of the session's own
//                          planned run (its schedule, then the default policy if it says
//                          so) under the variant line's variant; HASH: the state after step N.
//                          Only where the recording is empty (after 'variant' or 't 0'):
//                          the first hand-made step after a planned run of a million steps
//                          writes one line, not a million. Reading runs the plan again.
//   s TASK HASH            one step: task index, state hash after it (16 hex digits)
//   t N                    the recording was cut back to its first N steps
//   at N                   the debugger stood at step N
//   stops JSON             the breakpoints and watchpoints now, on one line:
//                          {"breakpoints": [...], "watchpoints": [...]} (the last one counts)
// A torn last line (the process died inside write()) is ignored on reading;
// a damaged record ends the journal there (the steps before it are kept).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "session/session.h"
#include "session/session_io.h"

namespace faultline {

class RecordingJournal {
public:
    RecordingJournal() = default;
    RecordingJournal(const RecordingJournal&) = delete;
    RecordingJournal& operator=(const RecordingJournal&) = delete;
    ~RecordingJournal() { close(); }

    // Starts a new journal at `path` (replacing any) for `base` (its own
    // recording is not written). Returns an error message or "".
    std::string start(const std::string& path, const Session& base, const std::string& source);
    // Appends what changed since the last sync: new steps, a cut-back, a new
    // variant, the position. Returns an error message or "". After a failure
    // (a full disk) the file holds only whole records and the next sync
    // writes everything still missing.
    std::string sync(const Recording& r, uint64_t position);
    // The same over a recording read in place (no copy of a long run):
    // `sameBefore` says that steps before it are those of the previous call
    // (0: unknown), so a step appended to a million costs one short
    // comparison and one short write.
    struct RecordingSource {
        const std::string& variant;
        const std::vector<std::pair<std::string, std::string>>& toggles;
        const uint8_t* schedule;  // task of step i (0-based), i < steps
        uint64_t steps;
        std::function<uint64_t(uint64_t)> hashAt;  // state hash after step i (0-based)
        // The first `planned` steps are the session's own planned run under
        // this variant (Debugger::plannedSteps()): journaled as one 'plan' record.
        uint64_t planned = 0;
    };
    std::string sync(const RecordingSource& r, uint64_t position, uint64_t sameBefore);
    // Appends a `stops` record when the breakpoints or watchpoints (their
    // enable state and hit counts included) differ from the last one written.
    std::string syncStops(const std::vector<SavedStop>& breakpoints, const std::vector<SavedStop>& watchpoints);
    // Stops writing; the file stays (remove it yourself once saved).
    void close();
    bool active() const { return fd_ >= 0; }
    const std::string& path() const { return path_; }

private:
    std::string append(const std::string& text);

    int fd_ = -1;
    uint64_t size_ = 0;  // the file's length after the last complete append
    bool torn_ = false;  // a failed append left bytes past size_ that could not be cut off yet
    std::string path_;
    bool haveVariant_ = false;
    // What the journal holds now.
    std::string variant_;
    std::vector<std::pair<std::string, std::string>> toggles_;
    uint64_t planned_ = 0;            // the journal's first planned_ steps are the session's plan
    std::vector<uint8_t> schedule_;   // then these steps (step planned_ + i)
    std::vector<uint64_t> hashes_;
    uint64_t sameSince_ = ~uint64_t{0};  // least sameBefore since the last sync that succeeded
    uint64_t position_ = ~uint64_t{0};
    std::vector<SavedStop> bpMirror_, wpMirror_;
};

struct JournalLoad {
    std::optional<Session> session;  // with its recording (if a variant line was written)
    std::string source;              // the session file it came from ("" if none)
    uint64_t position = 0;
    bool tornTail = false;  // the last line was cut off and ignored
    SessionError error;     // meaningful when !session
    // A damaged record after the header: the journal was read up to it, and
    // `session` holds what came before (the line and why; line 0 = none).
    SessionError damage;
    bool cancelled = false;  // the progress callback stopped the reading (nothing else is set)
};

// What readJournal() reports while it reads, for a progress bar: a journal
// of a million steps takes seconds (its lines, or its 'plan' record's run of
// the session's schedule). Returning false cancels the reading.
struct JournalProgress {
    std::function<bool(uint64_t bytesRead, uint64_t fileBytes)> lines;  // every 64 KiB of records
    std::function<bool(uint64_t stepsRun, uint64_t planned)> plan;      // while a 'plan' record runs
};

// The longest planned run a 'plan' record may name (the debugger's own limit
// on a run of the session's schedule).
inline constexpr uint64_t kJournalMaxPlanned = 5'000'000;

// Reads a journal back (a 'plan' record runs the session's schedule again);
// errors name the file and line.
JournalLoad readJournal(const std::string& path, const JournalProgress& progress = {});

}  // namespace faultline
