#pragma once
// Reading and writing session files (docs/session-format.md).
#include <optional>
#include <string>

#include "session/session.h"

namespace faultline {

struct SessionError {
    std::string file;
    int line = 0;    // 1-based; 0 when the error is not about one place
    int column = 0;
    std::string message;
    std::string text() const;  // "file:line:column: message"
};

struct LoadResult {
    std::optional<Session> session;
    SessionError error;  // meaningful when !session
};

constexpr int kSchemaVersion = 1;

// Parses session JSON; `file` names the source in errors.
LoadResult parseSession(const std::string& text, const std::string& file);
LoadResult loadSession(const std::string& path);

// Serialises a session (including its recording, if any).
std::string writeSession(const Session& s);
// Writes atomically: on failure the previous file is untouched. Returns an
// error message, or "" on success.
std::string saveSession(const Session& s, const std::string& path);

}  // namespace faultline
