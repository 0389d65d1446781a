// SPDX-License-Identifier: GPL-3.0-or-later
// Hand-made hostile session files: each is refused with file:line:column and
// a message, never an exception that escapes or an abort.
#include <gtest/gtest.h>

#include <chrono>

#include "session/runner.h"
#include "session/session_io.h"

namespace faultline {
namespace {

LoadResult parse(const std::string& body) {
    return parseSession(R"({"format": "faultline-session", "schema_version": 1, "file": {"pages": 4}, )" + body + "}",
                        "h.json");
}

// An mm without VMAs and an operation that names its VMA by a number: the
// error message used to read the number as a string (bad_variant_access).
TEST(HostileInput, AVmaNamedByANumberInAnMmWithoutVmas) {
    const LoadResult r = parse(R"("mms": [{"name": "A", "vmas": []}],
        "tasks": [{"name": "A1", "mm": "A", "program": [{"op": "read", "page": 0, "vma": 5}]}])");
    ASSERT_FALSE(r.session);
    EXPECT_GT(r.error.line, 0);
    EXPECT_NE(r.error.message.find("'vma'"), std::string::npos) << r.error.text();
}

TEST(HostileInput, AVmaNamedByANumberInAnMmWithVmas) {
    const LoadResult r = parse(R"("mms": [{"name": "A", "vmas": [{"start": 4096, "pages": 4}]}],
        "tasks": [{"name": "A1", "mm": "A", "program": [{"op": "read", "page": 0, "vma": 5}]}])");
    ASSERT_FALSE(r.session);
    EXPECT_NE(r.error.message.find("'vma'"), std::string::npos) << r.error.text();
}

TEST(HostileInput, AVmaKindThatIsNotAString) {
    const LoadResult r = parse(R"("mms": [{"name": "A", "vmas": [{"start": 4096, "pages": 4, "kind": 3}]}],
        "tasks": [{"name": "A1", "mm": "A"}])");
    ASSERT_FALSE(r.session);
    EXPECT_NE(r.error.message.find("'kind'"), std::string::npos) << r.error.text();
}

std::string task(const std::string& program) {
    return R"("tasks": [{"name": "A1", "mm": "A", "program": )" + program + "}]";
}
const std::string kMm = R"("mms": [{"name": "A", "vmas": [{"start": 4096, "pages": 4}]}], )";

void expectRefused(const std::string& body, const std::string& what) {
    const LoadResult r = parse(body);
    ASSERT_FALSE(r.session) << what;
    EXPECT_NE(r.error.message.find(what), std::string::npos) << r.error.text();
    EXPECT_GT(r.error.line, 0) << r.error.text();
}

// More than 256 VMA names no longer wrap to 8 bits: refused.
TEST(HostileInput, MoreVmaNamesThanFitAreRefused) {
    std::string vmas;
    for (int i = 0; i < 300; ++i)
        vmas += (i ? "," : "") + std::string(R"({"name": "v)") + std::to_string(i) + R"(", "kind": "anon", "start": )" +
                std::to_string(4096 * (1 + 2 * i)) + R"(, "pages": 1})";
    expectRefused(R"("mms": [{"name": "A", "vmas": [)" + vmas + "]}], " + task("[]"), "at most 256 distinct VMA names");
}

TEST(HostileInput, NumbersOutOfRangeAreRefused) {
    expectRefused(R"("mms": [{"name": "A", "vmas": [{"start": 4096, "pages": 4, "pgoff": -32}]}], )" + task("[]"),
                  "'pgoff'");
    expectRefused(kMm + task(R"([{"op": "write", "page": 0, "tag": ""}])"), "'tag'");
    expectRefused(kMm + task("[]") + R"(, "monitor": {"copy_tag": "m{i}xyz"})", "'copy_tag'");
    EXPECT_TRUE(parse(kMm + task("[]") + R"(, "monitor": {"copy_tag": "m{i}"})").session);
    for (const char* count : {"2147483647", "4294967297", "-1"})
        expectRefused(kMm + task("[]") +
                          R"(, "expect": [{"variant": "upstream", "findings": [{"rule": "C1", "count": )" + count +
                          "}]}]",
                      "'count'");
}

// Two VMAs of one name in one mm: an operation's "vma" could not tell them
// apart (a save that dropped "vma" then named the other one).
TEST(HostileInput, TwoVmasOfOneNameInAnMmAreRefused) {
    expectRefused(
        R"("mms": [{"name": "A", "vmas": [{"name": "f", "start": 4096, "pages": 2}, {"name": "f", "start": 65536, "pages": 2, "pgoff": 2}]}], )" +
            task("[]"),
        "two VMAs named 'f'");
}

// A few bytes must not cost gigabytes or minutes: every limit is checked
// before the work it bounds.
TEST(HostileInput, CostlyInputsAreRefusedBeforeTheWork) {
    const auto t0 = std::chrono::steady_clock::now();
    // A recording's run lengths are counted against its hashes before expanding.
    std::string runs;
    for (int i = 0; i < 60; ++i) runs += (i ? "," : "") + std::string(R"(["A1", 1000000])");
    expectRefused(
        kMm + task("[]") + R"(, "recording": {"variant": "upstream", "schedule": [)" + runs + R"(], "hashes": []})",
        "more than 10000000 steps");
    expectRefused(
        kMm + task("[]") + R"(, "recording": {"variant": "upstream", "schedule": [["A1", 9000000]], "hashes": []})",
        "9000000 steps but 0 hashes");
    // Setup operations that expand one per page.
    std::string setup;
    for (int i = 0; i < 50; ++i)
        setup += (i ? "," : "") + std::string(R"({"task": "A1", "op": "read", "page": 0, "pages": 262144})");
    const LoadResult big =
        parseSession(R"({"format": "faultline-session", "schema_version": 1, "file": {"pages": 262144},
        "mms": [{"name": "A", "vmas": [{"start": 4096, "pages": 262144}]}], )" +
                         task("[]") + R"(, "setup": [)" + setup + "]}",
                     "big.json");
    ASSERT_FALSE(big.session);
    EXPECT_NE(big.error.message.find("more than " + std::to_string(kMaxOps) + " operations"), std::string::npos)
        << big.error.text();
    // 100,000 VMAs (the overlap check is quadratic in them): an mm's VMAs
    // have distinct names, of which there are at most 256.
    std::string many, named;
    for (int i = 0; i < 100000; ++i) {
        const std::string start = std::to_string(4096 * (1 + i));
        many += (i ? "," : "") + std::string(R"({"kind": "anon", "start": )") + start + R"(, "pages": 1})";
        named += (i ? "," : "") + std::string(R"({"kind": "anon", "name": "v)") + std::to_string(i) +
                 R"(", "start": )" + start + R"(, "pages": 1})";
    }
    expectRefused(R"("mms": [{"name": "A", "vmas": [)" + many + "]}], " + task("[]"), "two VMAs named 'file'");
    expectRefused(R"("mms": [{"name": "A", "vmas": [)" + named + "]}], " + task("[]"),
                  "at most 256 distinct VMA names");
    // 100,000 keys (the duplicate check used to be quadratic).
    std::string keys = "{";
    for (int i = 0; i < 100000; ++i) keys += (i ? ",\"k" : "\"k") + std::to_string(i) + "\": 1";
    expectRefused(kMm + task("[]") + R"(, "toggles": )" + keys + "}", "toggle");
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(20));  // minutes before; a hang guard only
}

// "steps" directives count against the run's step limit.
TEST(HostileInput, ScheduleStepsObeyTheStepLimit) {
    const LoadResult r = parse(
        kMm +
        R"("tasks": [{"name": "A1", "mm": "A", "program": [{"op": "read", "page": 0}]}, {"name": "M", "role": "monitor", "program": [{"op": "serve"}]}],
        "schedule": [{"task": "M", "steps": 10000000}])");
    ASSERT_TRUE(r.session) << r.error.text();
    RunOptions o;
    o.stepLimit = 1000;
    const RunResult rr = runSession(*r.session, o);
    ASSERT_TRUE(rr.timeline);
    EXPECT_LE(rr.timeline->length(), 1000u);
}

}  // namespace
}  // namespace faultline
