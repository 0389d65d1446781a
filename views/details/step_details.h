// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The story and the why, as text for the Details dock (and tests): the
// session's name and description, the run's verdict, and the whole "what and
// why" of the step at the current position: each piece with its kernel
// function, step id and code line, the variant rules that decide the
// function, the cells it changed (old → new), the findings and uffd messages
// it raised. Pure functions of a Snapshot.
#include <QString>

#include "common/snapshot.h"
#include "session/timeline.h"

namespace faultline::views {

struct Verdict {
    uint64_t steps = 0;
    int violations = 0, notes = 0;  // C1/C3/C4/engine; C2 (a dropped bit is a cause, not the harm)
    uint64_t firstViolationStep = 0, firstNoteStep = 0;
    QString firstViolationRule, firstNoteRule;
};
Verdict verdictOf(const RecordLog& log);
Verdict verdictOf(const Timeline& tl);
// Adds the findings of records [from, log.size()) to `v` (v covers [0, from)).
void extendVerdict(Verdict& v, const RecordLog& log, uint64_t from);
// "finished: 1 violation (C1 at step 57), 1 note (C2 at step 3)" — `end` is
// how the run ended ("finished", "deadlock", or "" when it goes on).
QString verdictText(const Verdict& v, const QString& end);
// How the recorded run ends, from the snapshot's next-task note at its end.
QString runEndOf(const Snapshot& s);

// HTML for the Details dock: the story is its head (name, kernel, file,
// description) and the verdict paragraph (empty without a log).
QString storyHeadHtml(const Snapshot& s);
QString verdictHtml(const Snapshot& s, const Verdict* known = nullptr);
QString stepDetailsHtml(const Snapshot& s);

}  // namespace faultline::views
