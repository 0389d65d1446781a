// SPDX-License-Identifier: GPL-3.0-or-later
// Saving a recording into the user's own session text: only the top-level
// "recording" member changes; the rest (comments aside, JSON has none) keeps
// the user's spelling, order, defaults and layout.
#include <string_view>

#include "io/atomic_file.h"
#include "json/json.h"
#include "session/session_io.h"

namespace faultline {

namespace {

// Byte offsets of one top-level member: [keyStart, valueEnd), and the
// separator before it. Found by a scanner that only tracks strings and depth
// (the text has already been parsed as JSON by the caller).
struct MemberSpan {
    size_t keyStart = std::string::npos;  // the key's opening quote
    size_t valueEnd = 0;                  // one past the value
    size_t commaBefore = std::string::npos;
    size_t commaAfter = std::string::npos;
};

size_t skipString(std::string_view t, size_t i) {  // i at '"'; returns one past the closing quote
    for (++i; i < t.size(); ++i) {
        if (t[i] == '\\') ++i;
        else if (t[i] == '"') return i + 1;
    }
    return t.size();
}

size_t skipSpace(std::string_view t, size_t i) {
    while (i < t.size() && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r')) ++i;
    return i;
}

// One past a value starting at i.
size_t skipValue(std::string_view t, size_t i) {
    if (i >= t.size()) return i;
    if (t[i] == '"') return skipString(t, i);
    if (t[i] == '{' || t[i] == '[') {
        int depth = 0;
        for (; i < t.size(); ++i) {
            const char c = t[i];
            if (c == '"') {
                i = skipString(t, i) - 1;
            } else if (c == '{' || c == '[') {
                ++depth;
            } else if (c == '}' || c == ']') {
                if (--depth == 0) return i + 1;
            }
        }
        return t.size();
    }
    while (i < t.size() && t[i] != ',' && t[i] != '}' && t[i] != ']' && t[i] != ' ' && t[i] != '\n' && t[i] != '\t' &&
           t[i] != '\r')
        ++i;
    return i;
}

// Finds the member `key` of the top-level object; sets *close to its '}'.
bool findMember(std::string_view t, std::string_view key, MemberSpan* out, size_t* close) {
    size_t i = skipSpace(t, 0);
    if (i >= t.size() || t[i] != '{') return false;
    i = skipSpace(t, i + 1);
    size_t lastComma = std::string::npos;
    bool found = false;
    while (i < t.size() && t[i] != '}') {
        if (t[i] != '"') return false;
        const size_t ks = i;
        const size_t ke = skipString(t, i);
        const std::string_view k = t.substr(ks + 1, ke - ks - 2);
        i = skipSpace(t, ke);
        if (i >= t.size() || t[i] != ':') return false;
        i = skipSpace(t, i + 1);
        const size_t ve = skipValue(t, i);
        if (!found && k == key) {
            found = true;
            out->keyStart = ks;
            out->valueEnd = ve;
            out->commaBefore = lastComma;
        }
        i = skipSpace(t, ve);
        if (i < t.size() && t[i] == ',') {
            if (found && out->commaAfter == std::string::npos && out->valueEnd == ve) out->commaAfter = i;
            lastComma = i;
            i = skipSpace(t, i + 1);
        }
    }
    if (i >= t.size()) return false;
    *close = i;
    if (!found) out->commaBefore = lastComma;
    return true;
}

std::string sessionText(Session s) {
    s.recording.reset();
    return writeSession(s);
}

}  // namespace

std::string spliceRecording(const std::string& original, const Session& s) {
    const LoadResult before = parseSession(original, "original");
    if (!before.session || sessionText(*before.session) != sessionText(s)) return "";
    MemberSpan m;
    size_t close = 0;
    if (!findMember(original, "recording", &m, &close)) return "";
    std::string rec;
    if (s.recording) {
        rec = json::write(recordingValue(s));
        while (!rec.empty() && rec.back() == '\n') rec.pop_back();
        for (size_t p = rec.find('\n'); p != std::string::npos; p = rec.find('\n', p + 3)) rec.replace(p, 1, "\n  ");
    }
    std::string out;
    if (m.keyStart != std::string::npos) {
        if (s.recording) {
            out = original.substr(0, m.keyStart) + "\"recording\": " + rec + original.substr(m.valueEnd);
        } else if (m.commaAfter != std::string::npos) {  // drop "recording": …, up to the next key
            out = original.substr(0, m.keyStart) + original.substr(skipSpace(original, m.commaAfter + 1));
        } else if (m.commaBefore != std::string::npos) {  // the last member: drop the comma before it
            out = original.substr(0, m.commaBefore) + original.substr(m.valueEnd);
        } else {
            out = original.substr(0, m.keyStart) + original.substr(m.valueEnd);
        }
    } else if (s.recording) {
        // After the last member, on a line of its own.
        size_t end = close;
        while (end > 0 && (original[end - 1] == ' ' || original[end - 1] == '\n' || original[end - 1] == '\t' ||
                           original[end - 1] == '\r'))
            --end;
        const bool empty = original[end - 1] == '{';
        out = original.substr(0, end) + (empty ? "\n  " : ",\n  ") + "\"recording\": " + rec + "\n" +
              original.substr(close);
    } else {
        out = original;
    }
    const LoadResult after = parseSession(out, "spliced");
    if (!after.session || writeSession(*after.session) != writeSession(s)) return "";
    return out;
}

std::string saveSessionKeepingText(const Session& s, const std::string& original, const std::string& path) {
    std::string text = original.empty() ? std::string() : spliceRecording(original, s);
    if (text.empty()) text = writeSession(s);
    std::string err;
    if (!io::writeFileAtomically(path, text, &err)) return err;
    return "";
}

}  // namespace faultline
