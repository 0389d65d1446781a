// SPDX-License-Identifier: GPL-3.0-or-later
#include "json/json_reader.h"

namespace faultline::json {

namespace {
std::string quoted(std::string_view k) { return "'" + std::string(k) + "'"; }
}  // namespace

const std::string& expectString(const Value& v, std::string_view what) {
    if (!v.isString())
        throw SchemaError(v.pos(), std::string(what) + " must be a string, found " + std::string(v.kindName()));
    return v.asString();
}

ObjectReader::ObjectReader(const Value& v, std::string context) : obj_(v), context_(std::move(context)) {
    if (!v.isObject()) throw SchemaError(v.pos(), context_ + " must be an object, found " + std::string(v.kindName()));
}

const Value* ObjectReader::optional(std::string_view key) {
    asked_.emplace(key);
    return obj_.find(key);
}

const Value& ObjectReader::required(std::string_view key) {
    const Value* v = optional(key);
    if (!v) throw SchemaError(obj_.pos(), "missing key " + quoted(key) + " in " + context_);
    return *v;
}

std::string ObjectReader::getString(std::string_view key) { return expectString(required(key), quoted(key)); }

std::optional<std::string> ObjectReader::optString(std::string_view key) {
    const Value* v = optional(key);
    if (!v) return std::nullopt;
    return expectString(*v, quoted(key));
}

int64_t ObjectReader::getInt(std::string_view key) {
    const Value& v = required(key);
    if (!v.isInt()) throw SchemaError(v.pos(), quoted(key) + " must be an integer, found " + std::string(v.kindName()));
    return v.asInt();
}

std::optional<int64_t> ObjectReader::optInt(std::string_view key) {
    if (!obj_.find(key)) {
        asked_.emplace(key);
        return std::nullopt;
    }
    return getInt(key);
}

int64_t ObjectReader::getIntInRange(std::string_view key, int64_t lo, int64_t hi) {
    const int64_t i = getInt(key);
    if (i < lo || i > hi)
        throw SchemaError(obj_.find(key)->pos(), quoted(key) + " must be from " + std::to_string(lo) + " to " +
                                                     std::to_string(hi) + ", found " + std::to_string(i));
    return i;
}

std::optional<bool> ObjectReader::optBool(std::string_view key) {
    const Value* v = optional(key);
    if (!v) return std::nullopt;
    if (!v->isBool())
        throw SchemaError(v->pos(), quoted(key) + " must be true or false, found " + std::string(v->kindName()));
    return v->asBool();
}

void ObjectReader::finish() {
    for (const Member& m : obj_.asObject()) {
        if (asked_.count(m.key)) continue;
        std::string known;
        for (const std::string& k : asked_) known += (known.empty() ? "" : ", ") + k;
        throw SchemaError(m.keyPos,
                          "unknown key " + quoted(m.key) + " in " + context_ + " (expected one of: " + known + ")");
    }
}

}  // namespace faultline::json
