// SPDX-License-Identifier: GPL-3.0-or-later
#include "json/json.h"

namespace faultline::json {

std::string_view Value::kindName() const {
    switch (kind()) {
    case Kind::Null: return "null";
    case Kind::Bool: return "a boolean";
    case Kind::Int: return "an integer";
    case Kind::Double: return "a number";
    case Kind::String: return "a string";
    case Kind::Array: return "an array";
    case Kind::Object: return "an object";
    }
    return "?";
}

const Value* Value::find(std::string_view key) const {
    if (!isObject()) return nullptr;
    for (const Member& m : asObject())
        if (m.key == key) return &m.value;
    return nullptr;
}

void Value::set(std::string key, Value v) {
    auto& members = std::get<std::vector<Member>>(v_);
    for (Member& m : members)
        if (m.key == key) {
            m.value = std::move(v);
            return;
        }
    members.push_back({std::move(key), {}, std::move(v)});
}

void Value::addMember(std::string key, Pos keyPos, Value v) {
    std::get<std::vector<Member>>(v_).push_back({std::move(key), keyPos, std::move(v)});
}

bool operator==(const Value& a, const Value& b) {
    if (a.kind() != b.kind()) return false;
    switch (a.kind()) {
    case Value::Kind::Null: return true;
    case Value::Kind::Bool: return a.asBool() == b.asBool();
    case Value::Kind::Int: return a.asInt() == b.asInt();
    case Value::Kind::Double: return a.asDouble() == b.asDouble();
    case Value::Kind::String: return a.asString() == b.asString();
    case Value::Kind::Array: return a.asArray() == b.asArray();
    case Value::Kind::Object: {
        const auto& x = a.asObject();
        const auto& y = b.asObject();
        if (x.size() != y.size()) return false;
        for (size_t i = 0; i < x.size(); ++i)
            if (x[i].key != y[i].key || !(x[i].value == y[i].value)) return false;
        return true;
    }
    }
    return false;
}

}  // namespace faultline::json
