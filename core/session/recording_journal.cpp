// SPDX-License-Identifier: GPL-3.0-or-later
#include "session/recording_journal.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <sstream>
#include <vector>

#include "io/atomic_file.h"
#include "io/file_ops.h"
#include "json/json.h"
#include "json/json_reader.h"
#include "model/variants.h"
#include "session/runner.h"
#include "util/hash.h"

namespace faultline {

namespace {

constexpr const char* kMagic = "faultline-journal 1";
constexpr uint64_t kReportEvery = 64 * 1024;  // bytes of records between readJournal's progress reports

std::string variantLine(const std::string& variant, const std::vector<std::pair<std::string, std::string>>& toggles) {
    std::string l = "variant " + variant;
    for (const auto& [k, v] : toggles) l += " " + k + "=" + v;
    return l + "\n";
}

}  // namespace

std::string RecordingJournal::start(const std::string& path, const Session& base, const std::string& source) {
    close();
    if (source.find('\n') != std::string::npos) return "journal: the session path contains a newline";
    Session s = base;
    s.recording.reset();
    const std::string json = writeSession(s);
    std::string head = std::string(kMagic) + "\nsource " + (source.empty() ? "-" : source) + "\nsession " +
                       std::to_string(json.size()) + "\n" + json + "\n";
    // The header is written atomically: a previous journal is replaced only
    // by a complete new one.
    std::string err;
    if (!io::writeFileAtomically(path, head, &err)) return err;
    fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd_ < 0) return path + ": " + std::strerror(errno);
    size_ = head.size();
    torn_ = false;
    path_ = path;
    haveVariant_ = false;
    variant_.clear();
    toggles_.clear();
    planned_ = 0;
    schedule_.clear();
    hashes_.clear();
    sameSince_ = ~uint64_t{0};
    position_ = ~uint64_t{0};
    bpMirror_.clear();
    wpMirror_.clear();
    return "";
}

std::string RecordingJournal::syncStops(const std::vector<SavedStop>& bps, const std::vector<SavedStop>& wps) {
    if (fd_ < 0) return "journal: not started";
    if (bps == bpMirror_ && wps == wpMirror_) return "";
    if (torn_) {
        if (io::fileOps().ftruncate(fd_, off_t(size_)) != 0)
            return path_ + ": cannot remove a half-written record: " + std::strerror(errno);
        torn_ = false;
    }
    json::Value v = json::Value::object();
    v.set("breakpoints", savedStopsValue(bps));
    v.set("watchpoints", savedStopsValue(wps));
    // One line: the writer's newlines are only between tokens (strings escape theirs).
    std::string line = json::write(v, {0, 100000});
    std::replace(line.begin(), line.end(), '\n', ' ');
    if (std::string e = append("stops " + line + "\n"); !e.empty()) return e;
    bpMirror_ = bps;
    wpMirror_ = wps;
    return "";
}

std::string RecordingJournal::sync(const Recording& r, uint64_t position) {
    const size_t n = std::min(r.schedule.size(), r.hashes.size());
    return sync({r.variant, r.toggles, r.schedule.data(), n, [&](uint64_t i) { return r.hashes[i]; }}, position, 0);
}

std::string RecordingJournal::sync(const RecordingSource& r, uint64_t position, uint64_t sameBefore) {
    if (fd_ < 0) return "journal: not started";
    sameSince_ = std::min(sameSince_, sameBefore);
    // A failed append left part of a record: cut it off before anything else,
    // so the file never holds a torn record in its middle.
    if (torn_) {
        if (io::fileOps().ftruncate(fd_, off_t(size_)) != 0)
            return path_ + ": cannot remove a half-written record: " + std::strerror(errno);
        torn_ = false;
    }
    // What the journal lacks, computed against what it holds; the mirror only
    // changes once the records are in the file, so a failed write is retried
    // from its first unwritten record on the next sync.
    std::string out;
    const bool newVariant = !haveVariant_ || r.variant != variant_ || r.toggles != toggles_;
    if (newVariant) out += variantLine(r.variant, r.toggles);
    const uint64_t held = planned_ + schedule_.size();  // steps the journal holds
    uint64_t common = 0;
    if (!newVariant) {
        const uint64_t n = std::min<uint64_t>(held, r.steps);
        // Steps that both the journal and the recording take from the plan are
        // the same; so are those before sameSince_ (the last sync that
        // succeeded). Compare from there (everything when nothing is known).
        common = std::max(std::min({planned_, r.planned, n}), std::min(sameSince_, n));
        while (common < n && common >= planned_ && schedule_[common - planned_] == r.schedule[common] &&
               hashes_[common - planned_] == r.hashAt(common))
            ++common;
    }
    // The recording's plan reaches past what the journal has in common with
    // it: start the recording again with one 'plan' record.
    const bool usePlan = r.planned > common && r.planned <= r.steps && r.planned <= kJournalMaxPlanned;
    if (usePlan) common = 0;
    if (!newVariant && common < held) out += "t " + std::to_string(common) + "\n";
    uint64_t from = common;
    if (usePlan) {
        char line[64];
        char* p = line;
        p = std::to_chars(p, line + sizeof line, r.planned).ptr;
        *p++ = ' ';
        const uint64_t h = r.hashAt(r.planned - 1);
        for (int k = 15; k >= 0; --k) *p++ = "0123456789abcdef"[(h >> (4 * k)) & 15];
        out += "plan ";
        out.append(line, size_t(p - line));
        out += "\n";
        from = r.planned;
    }
    // "s TASK HASH" lines, formatted by hand: a long hand-made recording
    // (a recovered one) writes them all at its first sync.
    out.reserve(out.size() + (r.steps - from) * 24 + 32);
    for (uint64_t i = from; i < r.steps; ++i) {
        char line[32];
        char* p = line;
        *p++ = 's';
        *p++ = ' ';
        p = std::to_chars(p, line + sizeof line, int(r.schedule[i])).ptr;
        *p++ = ' ';
        const uint64_t h = r.hashAt(i);
        for (int k = 15; k >= 0; --k) *p++ = "0123456789abcdef"[(h >> (4 * k)) & 15];
        *p++ = '\n';
        out.append(line, size_t(p - line));
    }
    if (position != position_) out += "at " + std::to_string(position) + "\n";
    if (out.empty()) {
        sameSince_ = ~uint64_t{0};
        return "";
    }
    if (std::string e = append(out); !e.empty()) return e;
    if (newVariant) {
        variant_ = r.variant;
        toggles_ = r.toggles;
        haveVariant_ = true;
    }
    if (usePlan || newVariant || common < planned_) {
        planned_ = usePlan ? r.planned : std::min(planned_, common);
        schedule_.clear();
        hashes_.clear();
        if (newVariant && !usePlan) planned_ = 0;
    } else {
        schedule_.resize(common - planned_);
        hashes_.resize(common - planned_);
    }
    for (uint64_t i = from; i < r.steps; ++i) {
        schedule_.push_back(r.schedule[i]);
        hashes_.push_back(r.hashAt(i));
    }
    position_ = position;
    sameSince_ = ~uint64_t{0};
    return "";
}

std::string RecordingJournal::append(const std::string& text) {
    int err = 0;
    const size_t done = io::writeAll(fd_, text, &err);
    if (done == text.size()) {
        size_ += done;
        return "";
    }
    std::string msg = path_ + ": " + std::strerror(err);
    // Cut the partial write off now; if that fails too, before the next append.
    if (done > 0 && io::fileOps().ftruncate(fd_, off_t(size_)) != 0) torn_ = true;
    return msg;
}

void RecordingJournal::close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

JournalLoad readJournal(const std::string& path, const JournalProgress& progress) {
    JournalLoad out;
    auto cancelled = [&] {
        out = JournalLoad{};
        out.cancelled = true;
        return out;
    };
    auto fail = [&](int line, const std::string& msg) {
        out.session.reset();
        out.error = SessionError{path, line, 0, msg};
        return out;
    };
    std::string text, err;
    if (!io::readFile(path, &text, &err)) return fail(0, err);
    size_t at = 0;
    int lineNo = 0;
    // Next complete line (without '\n'); false at the end or on a torn tail.
    auto next = [&](std::string* l) {
        if (at >= text.size()) return false;
        const size_t e = text.find('\n', at);
        if (e == std::string::npos) {
            out.tornTail = true;
            at = text.size();
            return false;
        }
        *l = text.substr(at, e - at);
        at = e + 1;
        ++lineNo;
        return true;
    };
    std::string l;
    if (!next(&l) || l != kMagic) return fail(1, "not a Faultline journal (expected '" + std::string(kMagic) + "')");
    if (!next(&l) || l.rfind("source ", 0) != 0) return fail(2, "expected 'source PATH'");
    out.source = l.substr(7) == "-" ? "" : l.substr(7);
    if (!next(&l) || l.rfind("session ", 0) != 0) return fail(3, "expected 'session N'");
    size_t n = 0;
    {
        const auto [p, ec] = std::from_chars(l.data() + 8, l.data() + l.size(), n);
        if (ec != std::errc() || p != l.data() + l.size() || at >= text.size() || n >= text.size() - at ||
            text[at + n] != '\n')
            return fail(3, "the session block is cut off or its length is wrong");
    }
    LoadResult base = parseSession(text.substr(at, n), path + " (session block)");
    if (!base.session) {
        out.error = base.error;
        return out;
    }
    for (char c : text.substr(at, n)) lineNo += c == '\n';
    at += n + 1;
    ++lineNo;
    Session s = std::move(*base.session);
    std::optional<Recording> rec;
    const auto taskCount = s.config.tasks.size();
    // A damaged record ends the journal: what came before it is recovered.
    std::optional<std::pair<std::vector<SavedStop>, std::vector<SavedStop>>> stops;  // the last 'stops' record
    auto attachStops = [&] {
        if (rec && stops) rec->breakpoints = stops->first, rec->watchpoints = stops->second;
    };
    auto stop = [&](int line, const std::string& msg) {
        out.damage = SessionError{path, line, 0, msg};
        attachStops();
        s.recording = std::move(rec);
        out.session = std::move(s);
        return out;
    };
    uint64_t reportedAt = 0;
    while (next(&l)) {
        if (progress.lines && at - reportedAt >= kReportEvery) {
            reportedAt = at;
            if (!progress.lines(at, text.size())) return cancelled();
        }
        std::istringstream in(l);
        std::string kind;
        in >> kind;
        if (kind == "variant") {
            Recording r;
            in >> r.variant;
            if (!findVariant(r.variant)) return stop(lineNo, "unknown kernel variant '" + r.variant + "'");
            std::string tv;
            while (in >> tv) {
                const size_t eq = tv.find('=');
                if (eq == std::string::npos) return stop(lineNo, "a toggle is NAME=VALUE, not '" + tv + "'");
                r.toggles.emplace_back(tv.substr(0, eq), tv.substr(eq + 1));
            }
            rec = std::move(r);
        } else if (kind == "s") {
            unsigned task = 0;
            std::string h, extra;
            if (!rec) return stop(lineNo, "a step before any 'variant' line");
            if (!(in >> task >> h) || task >= taskCount || (in >> extra))
                return stop(lineNo, "expected 's TASK HASH' with a task index below " + std::to_string(taskCount));
            uint64_t x = 0;
            const auto [p, ec] = std::from_chars(h.data(), h.data() + h.size(), x, 16);
            if (h.size() != 16 || ec != std::errc() || p != h.data() + h.size())
                return stop(lineNo, "a hash is 16 hex digits, not '" + h + "'");
            rec->schedule.push_back(uint8_t(task));
            rec->hashes.push_back(x);
        } else if (kind == "plan") {
            uint64_t k = 0;
            std::string h, extra;
            if (!rec) return stop(lineNo, "a 'plan' record before any 'variant' line");
            if (!rec->schedule.empty())
                return stop(lineNo, "a 'plan' record starts a recording: it follows 'variant' or 't 0'");
            if (!(in >> k >> h) || (in >> extra) || k == 0 || k > kJournalMaxPlanned)
                return stop(lineNo, "expected 'plan N HASH' with N from 1 to " + std::to_string(kJournalMaxPlanned));
            uint64_t x = 0;
            const auto [p, ec] = std::from_chars(h.data(), h.data() + h.size(), x, 16);
            if (h.size() != 16 || ec != std::errc() || p != h.data() + h.size())
                return stop(lineNo, "a hash is 16 hex digits, not '" + h + "'");
            // The planned run again, exactly as the debugger made it (runSession
            // under the recording's variant and toggles), to its step k.
            RunOptions o;
            o.variant = rec->variant;
            o.toggles = rec->toggles;
            o.stepLimit = k;
            o.keepRecords = false;
            if (progress.plan) {
                o.progress = [&progress, k](uint64_t n) { return progress.plan(n, k); };
                // A big file's setup comes first: still step 0 of the plan, and cancellable.
                o.setupProgress = [&progress, k](uint64_t, uint64_t) { return progress.plan(0, k); };
            }
            const RunResult run = runSession(s, o);
            if (run.end == RunEnd::Cancelled || (progress.plan && run.error == "cancelled")) return cancelled();
            if (!run.error.empty() || !run.timeline)
                return stop(lineNo, "the session's planned run cannot start: " + run.error);
            const Timeline& tl = *run.timeline;
            if (tl.length() < k)
                return stop(lineNo, "the session's planned run ends after " + std::to_string(tl.length()) +
                                        " steps, not " + std::to_string(k));
            if (tl.hashAfter(k) != x)
                return stop(lineNo, "the session's planned run no longer reaches the journaled state at step " +
                                        std::to_string(k) + " (another engine version?)");
            rec->schedule.assign(tl.schedule().begin(), tl.schedule().begin() + std::ptrdiff_t(k));
            rec->hashes.reserve(k);
            for (uint64_t n = 1; n <= k; ++n) rec->hashes.push_back(tl.hashAfter(n));
        } else if (kind == "t") {
            uint64_t k = 0;
            if (!rec || !(in >> k) || k > rec->schedule.size())
                return stop(lineNo, "'t N' cuts back to more steps than recorded");
            rec->schedule.resize(k);
            rec->hashes.resize(k);
        } else if (kind == "stops") {
            const size_t off = 6;  // "stops "
            auto parsed = json::parse(std::string_view(l).substr(std::min(off, l.size())));
            if (!parsed.ok() || !parsed.value().isObject())
                return stop(lineNo, "a 'stops' record is not a JSON object" +
                                        (parsed.ok() ? std::string() : ": " + parsed.error().message));
            try {
                json::ObjectReader r(parsed.value(), "'stops'");
                std::vector<SavedStop> b, w;
                if (const json::Value* x = r.optional("breakpoints")) b = readSavedStops(*x, "'breakpoints'");
                if (const json::Value* x = r.optional("watchpoints")) w = readSavedStops(*x, "'watchpoints'");
                r.finish();
                // Places in the journal: this line, the column past "stops ".
                for (auto* list : {&b, &w})
                    for (SavedStop& st : *list) st.line = lineNo, st.column += int(off);
                stops = std::make_pair(std::move(b), std::move(w));
            } catch (const json::SchemaError& e) {
                return stop(lineNo, e.what());
            }
        } else if (kind == "at") {
            uint64_t p = 0;
            if (!(in >> p)) return stop(lineNo, "expected 'at N'");
            out.position = p;
        } else {
            return stop(lineNo, "unknown journal record '" + kind.substr(0, 40) + "'");
        }
    }
    attachStops();
    s.recording = std::move(rec);
    out.session = std::move(s);
    return out;
}

}  // namespace faultline
