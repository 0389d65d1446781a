// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Reading a schema out of a json::Value with errors that name the place:
// missing keys, wrong types, values out of range and unknown keys.
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "json/json.h"

namespace faultline::json {

struct SchemaError : std::runtime_error {
    SchemaError(Pos p, const std::string& msg) : std::runtime_error(msg), pos(p) {}
    Pos pos;
};

const std::string& expectString(const Value& v, std::string_view what);

// Reads the members of one object. finish() rejects every key not asked for.
class ObjectReader {
public:
    ObjectReader(const Value& v, std::string context);

    const Value& required(std::string_view key);
    const Value* optional(std::string_view key);

    std::string getString(std::string_view key);
    std::optional<std::string> optString(std::string_view key);
    int64_t getInt(std::string_view key);
    std::optional<int64_t> optInt(std::string_view key);
    int64_t getIntInRange(std::string_view key, int64_t lo, int64_t hi);
    std::optional<bool> optBool(std::string_view key);

    void finish();

private:
    const Value& obj_;
    std::string context_;
    std::set<std::string, std::less<>> asked_;
};

}  // namespace faultline::json
