// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Reading and writing session files (docs/session-format.md).
#include <optional>
#include <string>

#include "json/json.h"
#include "session/session.h"

namespace faultline {

struct SessionError {
    std::string file;
    int line = 0;  // 1-based; 0 when the error is not about one place
    int column = 0;
    std::string message;
    std::string text() const;  // "file:line:column: message"
};

struct LoadResult {
    std::optional<Session> session;
    SessionError error;  // meaningful when !session
};

constexpr int kSchemaVersion = 1;

// The format's limits (docs/session-format.md): a file past one is refused
// with an error naming the place, before any work is done.
constexpr uint64_t kMaxSessionBytes = 64ull << 20;  // a session or journal file
constexpr int64_t kMaxFilePages = 262144;           // pages of the shmem file, and of a VMA
constexpr size_t kMaxVmaNames = 256;        // distinct VMA names (stored in 8 bits); an mm's VMAs have distinct names
constexpr size_t kMaxOps = kMaxProgramOps;  // operations of one program, and of 'setup' (1,048,576)
constexpr uint64_t kMaxUffdContexts = 8;    // userfaultfd contexts a session names ("uffd": 0 … 7)
constexpr uint64_t kMaxRecordingSteps = 10'000'000;  // steps of a recording

// Parses session JSON; `file` names the source in errors.
LoadResult parseSession(const std::string& text, const std::string& file);
LoadResult loadSession(const std::string& path);

// A recording's "breakpoints" / "watchpoints" array: each entry is a spec
// string or {"at": spec, "enabled"?: bool, "hits"?: int}. An entry that
// cannot be read is kept with its error and place (the rest still loads);
// `what` names the list in errors. Throws json::SchemaError only when `v`
// is not an array.
std::vector<SavedStop> readSavedStops(const json::Value& v, const std::string& what);
json::Value savedStopsValue(const std::vector<SavedStop>& stops);

// Serialises a session (including its recording, if any).
std::string writeSession(const Session& s);
// The "recording" member of `s` (which has one).
json::Value recordingValue(const Session& s);
// Writes atomically: on failure the previous file is untouched. Returns an
// error message, or "" on success.
std::string saveSession(const Session& s, const std::string& path);

// The session file `original` (the text the user wrote) with `s`'s recording
// as its "recording" member (replaced, added, or removed when `s` has none),
// everything else kept byte for byte. Returns "" unless `original` is a
// session that reads back as `s` without its recording, and the result as `s`.
std::string spliceRecording(const std::string& original, const Session& s);
// Saves `s`; keeps the user's text of its session when `original` is it.
std::string saveSessionKeepingText(const Session& s, const std::string& original, const std::string& path);

}  // namespace faultline
