// SPDX-License-Identifier: GPL-3.0-or-later
// A session file from hostile bytes: load -> validate -> run with a step limit
// -> record -> save -> reload -> save again (identical) -> replay.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace faultline;
    if (size > (1u << 20)) return 0;
    const LoadResult r = parseSession(std::string(reinterpret_cast<const char*>(data), size), "fuzz.json");
    if (!r.session) {
        if (r.error.message.empty()) fuzz::broken("a refusal without a message", r.error.text());
        return 0;
    }
    if (!fuzz::cheap(*r.session)) return 0;
    // A recording in the input replays (or diverges) without harm.
    if (r.session->recording && r.session->recording->schedule.size() <= 5000) {
        debug::Debugger d;
        (void)d.load(*r.session, "", {}, ~uint64_t{0});
        debug::Debugger w;
        (void)w.loadWholeSchedule(*r.session);
    }
    Session plain = *r.session;
    plain.recording.reset();
    fuzz::roundTrip(plain, 3000);
    return 0;
}
