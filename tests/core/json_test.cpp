// SPDX-License-Identifier: GPL-3.0-or-later
#include "json/json.h"

#include <gtest/gtest.h>

#include <random>

#include "json/json_reader.h"

namespace faultline::json {
namespace {

TEST(Json, ParsesValuesWithPositions) {
    const auto r = parse("{\n  \"a\": [1, 2.5, \"x\"],\n  \"b\": {\"c\": null, \"d\": true}\n}");
    ASSERT_TRUE(r.ok()) << r.error().message;
    const Value& v = r.value();
    ASSERT_TRUE(v.isObject());
    const Value* a = v.find("a");
    ASSERT_TRUE(a && a->isArray());
    EXPECT_EQ(a->asArray()[0].asInt(), 1);
    EXPECT_DOUBLE_EQ(a->asArray()[1].asDouble(), 2.5);
    EXPECT_EQ(a->asArray()[2].asString(), "x");
    EXPECT_EQ(a->pos().line, 2);
    EXPECT_EQ(a->pos().column, 8);
    EXPECT_EQ(v.asObject()[1].keyPos.line, 3);
    EXPECT_EQ(v.asObject()[1].keyPos.column, 3);
    EXPECT_TRUE(v.find("b")->find("d")->asBool());
}

struct Bad {
    const char* text;
    int line, column;
    const char* message;
};

TEST(Json, RejectsBadInputWithAPlace) {
    const Bad cases[] = {
        {"", 1, 1, "empty document"},
        {"{\"a\": 1,}", 1, 9, "trailing comma"},
        {"[1 2]", 1, 4, "expected ',' or ']'"},
        {"{\"a\": 1, \"a\": 2}", 1, 10, "duplicate key 'a'"},
        {"{\"a\" 1}", 1, 6, "expected ':'"},
        {"01", 1, 2, "leading zeros"},
        {"\"abc", 1, 5, "unterminated string"},
        {"\"\\ud800\"", 1, 3, "surrogate"},
        {"\"\\q\"", 1, 3, "invalid escape"},
        {"[1]\n x", 2, 2, "after the document"},
        {"NaN", 1, 1, "expected a value"},
        {"\"\xff\"", 1, 2, "invalid UTF-8"},
        {"// no\n{}", 1, 1, "expected a value"},
        {"{\"a\":\n  tru}", 2, 3, "invalid literal"},
    };
    for (const Bad& b : cases) {
        SCOPED_TRACE(b.text);
        const auto r = parse(b.text);
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().pos.line, b.line);
        EXPECT_EQ(r.error().pos.column, b.column);
        EXPECT_NE(r.error().message.find(b.message), std::string::npos) << r.error().message;
    }
}

TEST(Json, NestingIsLimited) {
    std::string deep(600, '[');
    deep += std::string(600, ']');
    const auto r = parse(deep);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("nesting deeper than 512"), std::string::npos);
    std::string ok(100, '[');
    ok += std::string(100, ']');
    EXPECT_TRUE(parse(ok).ok());
}

TEST(Json, EscapesAndUnicodeRoundTrip) {
    const auto r = parse(R"(["a\"b\\c\n\u00e9\ud83d\ude00", "ü"])");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r.value().asArray()[0].asString(), "a\"b\\c\n\xc3\xa9\xf0\x9f\x98\x80");
    const auto back = parse(write(r.value()));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back.value(), r.value());
}

TEST(Json, IntegersStayIntegersAndBigOnesBecomeDoubles) {
    const auto r = parse("[9223372036854775807, -9223372036854775808, 9223372036854775808, 1e3, 1.0]");
    ASSERT_TRUE(r.ok());
    const auto& a = r.value().asArray();
    EXPECT_TRUE(a[0].isInt());
    EXPECT_TRUE(a[1].isInt());
    EXPECT_TRUE(a[2].isDouble());
    EXPECT_TRUE(a[3].isDouble());
    EXPECT_TRUE(a[4].isDouble());
    const auto back = parse(write(r.value()));
    EXPECT_EQ(back.value(), r.value());
}

Value randomValue(std::mt19937_64& rng, int depth) {
    switch (depth > 3 ? rng() % 5 : rng() % 7) {
    case 0: return Value();
    case 1: return Value(bool(rng() % 2));
    case 2: return Value(int64_t(rng()));
    case 3: return Value(double(int64_t(rng() % 100000)) / 7.0);
    case 4: {
        std::string s;
        for (int i = 0, n = int(rng() % 8); i < n; ++i) s += char(rng() % 2 ? 'a' + rng() % 26 : rng() % 32);
        return Value(s);
    }
    case 5: {
        Value a = Value::array();
        for (int i = 0, n = int(rng() % 5); i < n; ++i) a.push_back(randomValue(rng, depth + 1));
        return a;
    }
    default: {
        Value o = Value::object();
        for (int i = 0, n = int(rng() % 5); i < n; ++i)
            o.set("k" + std::to_string(rng() % 10), randomValue(rng, depth + 1));
        return o;
    }
    }
}

TEST(Json, WriteThenParseIsIdentityForRandomValues) {
    std::mt19937_64 rng(7);
    for (int i = 0; i < 500; ++i) {
        const Value v = randomValue(rng, 0);
        const auto r = parse(write(v));
        ASSERT_TRUE(r.ok()) << r.error().message << "\n" << write(v);
        EXPECT_EQ(r.value(), v);
    }
}

TEST(Json, NeverCrashesOnGarbageOrMutations) {
    std::mt19937_64 rng(11);
    const std::string valid = R"({"format": "faultline-session", "a": [1, 2, {"b": "c\u00e9"}], "d": -0.5e3})";
    for (int i = 0; i < 4000; ++i) {
        std::string s = valid;
        if (i % 2) {
            for (int k = 0, n = 1 + int(rng() % 4); k < n; ++k) s[rng() % s.size()] = char(rng() % 256);
        } else {
            s.resize(rng() % 64);
            for (char& c : s) c = char(rng() % 256);
        }
        const auto r = parse(s);
        if (!r.ok()) {
            EXPECT_GE(r.error().pos.line, 1);
            EXPECT_GE(r.error().pos.column, 1);
            EXPECT_FALSE(r.error().message.empty());
        }
    }
}

TEST(Json, LongNumberArraysWriteOnePerLine) {
    Value a = Value::array();
    for (int i = 0; i < 100000; ++i) a.push_back(Value(int64_t(i)));
    const std::string s = write(a);
    EXPECT_GT(std::count(s.begin(), s.end(), '\n'), 100000);
    Value small = Value::array();
    small.push_back(Value("A1"));
    small.push_back(Value(int64_t(12)));
    EXPECT_EQ(write(small), "[\"A1\", 12]\n");
}

TEST(JsonReader, ReportsMissingWrongAndUnknownKeys) {
    const auto r = parse("{\n \"name\": 3,\n \"pages\": 40,\n \"extra\": true\n}");
    ASSERT_TRUE(r.ok());
    try {
        ObjectReader o(r.value(), "the file");
        o.getString("name");
        FAIL();
    } catch (const SchemaError& e) {
        EXPECT_EQ(e.pos.line, 2);
        EXPECT_STREQ(e.what(), "'name' must be a string, found an integer");
    }
    try {
        ObjectReader o(r.value(), "the file");
        o.getIntInRange("pages", 1, 32);
        FAIL();
    } catch (const SchemaError& e) {
        EXPECT_EQ(e.pos.line, 3);
        EXPECT_NE(std::string(e.what()).find("from 1 to 32"), std::string::npos);
    }
    try {
        ObjectReader o(r.value(), "the file");
        o.optional("name");
        o.optional("pages");
        o.finish();
        FAIL();
    } catch (const SchemaError& e) {
        EXPECT_EQ(e.pos.line, 4);
        EXPECT_STREQ(e.what(), "unknown key 'extra' in the file (expected one of: name, pages)");
    }
    try {
        ObjectReader o(r.value(), "the file");
        o.required("missing");
        FAIL();
    } catch (const SchemaError& e) {
        EXPECT_EQ(e.pos.line, 1);
        EXPECT_STREQ(e.what(), "missing key 'missing' in the file");
    }
}

}  // namespace
}  // namespace faultline::json
