// SPDX-License-Identifier: GPL-3.0-or-later
// An autosave journal from hostile bytes: read -> recover (the whole schedule,
// re-executed) -> journal it anew -> read back the same recording.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>

#include "fuzz_common.h"
#include "session/recording_journal.h"

namespace {
std::string scratch(const char* what) { return "/tmp/faultline-fuzz-" + std::to_string(::getpid()) + "." + what; }
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace faultline;
    if (size > (1u << 20)) return 0;
    const std::string in = scratch("in.journal"), out = scratch("out.journal");
    std::ofstream(in, std::ios::binary | std::ios::trunc)
        .write(reinterpret_cast<const char*>(data), std::streamsize(size));
    const JournalLoad j = readJournal(in);
    ::unlink(in.c_str());
    if (!j.session) {
        if (j.error.message.empty()) fuzz::broken("a refusal without a message", j.error.text());
        return 0;
    }
    if (!fuzz::cheap(*j.session) || (j.session->recording && j.session->recording->schedule.size() > 5000)) return 0;
    if (!j.session->recording) return 0;
    debug::Debugger d;
    if (!d.loadWholeSchedule(*j.session).empty()) return 0;  // refused with a message (bad variant toggles): fine
    if (!d.replayDivergedAt() && d.length() != j.session->recording->schedule.size())
        fuzz::broken("a recovery lost steps", d.loadNote());
    // Journal what was recovered, as the window does, and read it back.
    {
        RecordingJournal w;
        Session base = *j.session;
        base.recording.reset();
        if (const std::string e = w.start(out, base, j.source); !e.empty()) fuzz::broken("cannot start a journal", e);
        const Recording rec = d.recording();
        if (const std::string e = w.sync(rec, d.position()); !e.empty()) fuzz::broken("cannot write a journal", e);
        w.close();
        const JournalLoad back = readJournal(out);
        ::unlink(out.c_str());
        if (!back.session || !back.session->recording)
            fuzz::broken("a written journal does not read back", back.error.text());
        if (back.damage.line) fuzz::broken("a written journal is damaged", back.damage.text());
        if (back.session->recording->schedule != rec.schedule || back.session->recording->hashes != rec.hashes)
            fuzz::broken("a written journal reads back another recording", "");
    }
    return 0;
}
