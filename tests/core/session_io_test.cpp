// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>

#include <dirent.h>

#include <fstream>

#include "io/atomic_file.h"
#include "model/variants.h"
#include "session/runner.h"
#include "session/session_io.h"

namespace faultline {
namespace {

std::vector<std::string> sampleFiles() {
    std::vector<std::string> out;
    DIR* d = ::opendir(FAULTLINE_SAMPLE_DIR);
    while (dirent* e = ::readdir(d)) {
        const std::string n = e->d_name;
        if (n.size() > 5 && n.substr(n.size() - 5) == ".json")
            out.push_back(std::string(FAULTLINE_SAMPLE_DIR) + "/" + n);
    }
    ::closedir(d);
    std::sort(out.begin(), out.end());
    return out;
}

const std::string kMinimal = R"({
  "format": "faultline-session",
  "schema_version": 1,
  "name": "minimal",
  "file": {"pages": 4},
  "mms": [{"name": "A", "vmas": [{"start": "0x40000000", "pages": 4}]}],
  "tasks": [{"name": "A1", "mm": "A", "program": [{"op": "read", "page": 1}]}]
})";

TEST(SessionIo, EverySampleSessionLoadsAndMeetsItsExpectations) {
    const auto files = sampleFiles();
    ASSERT_GE(files.size(), 11u);
    for (const std::string& f : files) {
        SCOPED_TRACE(f);
        const LoadResult r = loadSession(f);
        ASSERT_TRUE(r.session) << r.error.text();
        // One per variant; a variant without one (S20: UFFDIO_MOVE, upstream
        // only) must refuse the session's setup as its kernel did.
        EXPECT_LE(r.session->expectations.size(), 7u);
        for (const Variant& v : variants()) {
            bool expected = false;
            for (const Expectation& e : r.session->expectations) expected |= e.variant == v.id;
            if (expected) continue;
            RunOptions o;
            o.variant = std::string(v.id);
            const RunResult run = runSession(*r.session, o);
            EXPECT_NE(run.error.find("not supported by this kernel variant"), std::string::npos) << v.id << ": " << run.error;
        }
        for (const CheckLine& l : checkSession(*r.session)) EXPECT_TRUE(l.pass) << l.variant << ": " << l.detail;
    }
}

TEST(SessionIo, WriteThenReadIsIdentity) {
    for (const std::string& f : sampleFiles()) {
        SCOPED_TRACE(f);
        const LoadResult a = loadSession(f);
        ASSERT_TRUE(a.session);
        const std::string once = writeSession(*a.session);
        const LoadResult b = parseSession(once, "round-trip");
        ASSERT_TRUE(b.session) << b.error.text();
        EXPECT_EQ(writeSession(*b.session), once);
    }
}

TEST(SessionIo, DefaultSessionIsTheSeedRace) {
    const LoadResult r = loadSession(std::string(FAULTLINE_SAMPLE_DIR) + "/s1-seed-race.json");
    ASSERT_TRUE(r.session);
    EXPECT_NE(r.session->name.find("seed race"), std::string::npos);
}

struct BadCase {
    std::string find, replace;
    int line;
    std::string message;
};

TEST(SessionIo, BadInputIsRefusedWithFileLineAndColumn) {
    ASSERT_TRUE(parseSession(kMinimal, "m.json").session);
    const BadCase cases[] = {
        {"\"pages\": 4}", "\"pages\": 4,}", 5, "trailing comma"},
        {"\"schema_version\": 1", "\"schema_version\": 2", 3, "newer than this Faultline understands"},
        {"\"schema_version\": 1", "\"schema_version\": \"1\"", 3, "must be an integer"},
        {"\"name\": \"minimal\"", "\"nmae\": \"minimal\"", 4, "unknown key 'nmae'"},
        {"\"page\": 1", "\"page\": 9", 7, "outside VMA"},
        {"\"op\": \"read\"", "\"op\": \"fly\"", 7, "unknown operation 'fly'"},
        {"\"op\": \"read\", \"page\": 1", "\"op\": \"write\", \"page\": 1", 7, "needs a 'tag'"},
        {"\"format\": \"faultline-session\"", "\"format\": \"other\"", 2, "must be \"faultline-session\""},
        {"\"mm\": \"A\"", "\"mm\": \"Z\"", 7, "no mm named 'Z'"},
        {"\"pages\": 4}", "\"pages\": 300000}", 5, "from 1 to 262144"},
    };
    for (const BadCase& c : cases) {
        SCOPED_TRACE(c.replace);
        std::string text = kMinimal;
        const auto at = text.find(c.find);
        ASSERT_NE(at, std::string::npos);
        text.replace(at, c.find.size(), c.replace);
        const LoadResult r = parseSession(text, "bad.json");
        ASSERT_FALSE(r.session);
        EXPECT_EQ(r.error.file, "bad.json");
        EXPECT_EQ(r.error.line, c.line) << r.error.text();
        EXPECT_GT(r.error.column, 0);
        EXPECT_NE(r.error.message.find(c.message), std::string::npos) << r.error.text();
        EXPECT_EQ(r.error.text().rfind("bad.json:" + std::to_string(c.line) + ":", 0), 0u);
    }
}

TEST(SessionIo, MissingFileIsAClearError) {
    const LoadResult r = loadSession("/nonexistent/x.json");
    ASSERT_FALSE(r.session);
    EXPECT_NE(r.error.text().find("/nonexistent/x.json"), std::string::npos);
}

TEST(SessionIo, ARecordingReplaysAndATamperedOneDiverges) {
    const LoadResult lr = loadSession(std::string(FAULTLINE_SAMPLE_DIR) + "/s1-seed-race.json");
    ASSERT_TRUE(lr.session);
    Session s = *lr.session;
    RunOptions o;
    o.variant = "baseline-2020";
    const RunResult r = runSession(s, o);
    s.recording = makeRecording(r);
    // Through the file format and back.
    const LoadResult again = parseSession(writeSession(s), "rec.json");
    ASSERT_TRUE(again.session) << again.error.text();
    ASSERT_TRUE(again.session->recording);
    const ReplayResult ok = replayRecording(*again.session);
    EXPECT_TRUE(ok.error.empty()) << ok.error;
    EXPECT_EQ(ok.divergedAt, 0u) << ok.detail;
    EXPECT_EQ(ok.steps, r.timeline->length());
    // The same schedule under another kernel diverges where the variants do.
    Session other = *again.session;
    other.recording->variant = "upstream";
    const ReplayResult d = replayRecording(other);
    EXPECT_GT(d.divergedAt, 0u);
    // A tampered hash is caught at its step.
    Session tampered = *again.session;
    tampered.recording->hashes[10] ^= 1;
    EXPECT_EQ(replayRecording(tampered).divergedAt, 11u);
}

TEST(SessionIo, SavingFailsWithoutLosingTheOldFile) {
    char tmpl[] = "/tmp/faultline-save-XXXXXX";
    const std::string dir = ::mkdtemp(tmpl);
    const LoadResult lr = parseSession(kMinimal, "m.json");
    ASSERT_TRUE(lr.session);
    const std::string path = dir + "/s.json";
    ASSERT_EQ(saveSession(*lr.session, path), "");
    std::string before, err;
    ASSERT_TRUE(io::readFile(path, &before, &err));
    EXPECT_NE(saveSession(*lr.session, dir + "/s.json/x"), "");
    std::string after;
    ASSERT_TRUE(io::readFile(path, &after, &err));
    EXPECT_EQ(before, after);
    EXPECT_TRUE(loadSession(path).session);
}

}  // namespace
}  // namespace faultline

namespace faultline {
namespace {

// Saving a recording into the user's text keeps every other byte.
TEST(SessionIo, SpliceRecordingKeepsTheUsersText) {
    const std::string text =
        "{ \"format\": \"faultline-session\",\"schema_version\":1,\n\"name\":\"minimal\", \"file\": {\"pages\": 4},\n"
        "  \"mms\": [{\"name\": \"A\", \"vmas\": [{\"start\": \"0x40000000\", \"pages\": 4}]}],\n"
        "  \"tasks\": [{\"name\": \"A1\", \"mm\": \"A\", \"program\": [{\"op\": \"read\", \"page\": 1, \"pages\": "
        "2}]}]\n}\n";
    const LoadResult r = parseSession(text, "m.json");
    ASSERT_TRUE(r.session) << r.error.text();
    Session s = *r.session;
    s.recording = Recording{"upstream", {}, {0, 0}, {0x1111, 0x2222}, {}, {}};
    const std::string once = spliceRecording(text, s);
    ASSERT_FALSE(once.empty());
    const size_t close = text.rfind('}');
    EXPECT_EQ(once.substr(0, close - 1), text.substr(0, close - 1));  // all but the last newline and brace
    const LoadResult back = parseSession(once, "once");
    ASSERT_TRUE(back.session) << back.error.text() << "\n" << once;
    ASSERT_TRUE(back.session->recording);
    EXPECT_EQ(back.session->recording->hashes, s.recording->hashes);
    // A second save replaces the recording where it is.
    s.recording->schedule.push_back(0);
    s.recording->hashes.push_back(0x3333);
    const std::string twice = spliceRecording(once, s);
    ASSERT_FALSE(twice.empty());
    EXPECT_EQ(twice.substr(0, close - 1), text.substr(0, close - 1));
    EXPECT_EQ(parseSession(twice, "twice").session->recording->schedule.size(), 3u);
    // No recording: the member goes, the rest stays.
    s.recording.reset();
    const std::string none = spliceRecording(twice, s);
    ASSERT_FALSE(none.empty());
    EXPECT_FALSE(parseSession(none, "none").session->recording);
    EXPECT_EQ(none.substr(0, close - 1), text.substr(0, close - 1));
    // Another session's text is not used.
    Session other = s;
    other.name = "other";
    EXPECT_EQ(spliceRecording(text, other), "");
}

}  // namespace
}  // namespace faultline

namespace faultline {
namespace {

// Two mms whose VMAs share names in a different order: an operation's VMA is
// resolved in its own mm, both when it is written and when it is read back,
// so save → load → save is identical and every op still means the same pages.
TEST(SessionIo, VmaNamesSharedByTwoMmsRoundTrip) {
    const std::string text = R"json({
  "format": "faultline-session", "schema_version": 1, "name": "two mms, same names",
  "file": {"pages": 32},
  "mms": [{"name": "A", "vmas": [{"name": "f", "start": "0x40000000", "pages": 16},
                                 {"name": "g", "start": "0x40100000", "pgoff": 16, "pages": 16}]},
          {"name": "B", "vmas": [{"name": "g", "start": "0x80000000", "pgoff": 16, "pages": 16},
                                 {"name": "f", "start": "0x80100000", "pages": 16}]}],
  "tasks": [{"name": "A1", "mm": "A", "program": [{"op": "write", "page": 20, "vma": "g", "tag": "a"},
                                                    {"op": "read", "page": 3}]},
            {"name": "B1", "mm": "B", "program": [{"op": "write", "page": 3, "vma": "f", "tag": "b"},
                                                    {"op": "read", "page": 20}]}],
  "expect": [{"variant": "upstream", "cells": {"xa[20]": "F(a)", "xa[3]": "F(b)"}}]
})json";
    const LoadResult a = parseSession(text, "two.json");
    ASSERT_TRUE(a.session) << a.error.text();
    const std::string once = writeSession(*a.session);
    const LoadResult b = parseSession(once, "once.json");
    ASSERT_TRUE(b.session) << b.error.text() << "\n" << once;
    EXPECT_EQ(writeSession(*b.session), once);
    for (const CheckLine& l : checkSession(*b.session)) EXPECT_TRUE(l.pass) << l.variant << ": " << l.detail;
    RunResult r = runSession(*b.session);
    ASSERT_TRUE(r.error.empty()) << r.error;
    Session rec = *b.session;
    rec.recording = makeRecording(r);
    const LoadResult c = parseSession(writeSession(rec), "rec.json");
    ASSERT_TRUE(c.session) << c.error.text();
    const ReplayResult rr = replayRecording(*c.session);
    EXPECT_TRUE(rr.error.empty()) << rr.error;
    EXPECT_EQ(rr.divergedAt, 0u) << rr.detail;
}

}  // namespace
}  // namespace faultline
