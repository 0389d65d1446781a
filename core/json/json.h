// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A small JSON DOM that remembers where every value and key came from, so a
// session file's errors can say file:line:column. Strict RFC 8259 parsing;
// deterministic pretty printing. No dependencies.
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace faultline::json {

// 1-based line and column; the column counts UTF-8 code points.
struct Pos {
    int line = 0;
    int column = 0;
};

struct Member;

class Value {
public:
    enum class Kind { Null, Bool, Int, Double, String, Array, Object };

    // Bodies after Member: std::variant needs every alternative complete
    // where it is instantiated (clang with libstdc++ insists).
    Value();
    Value(std::nullptr_t);
    Value(bool b);
    Value(int i);
    Value(int64_t i);
    Value(double d);
    Value(std::string s);
    Value(const char* s);
    static Value array();
    static Value object();

    Kind kind() const;
    std::string_view kindName() const;  // "an integer", "a string", ...
    Pos pos() const { return pos_; }
    void setPos(Pos p) { pos_ = p; }

    bool isNull() const { return kind() == Kind::Null; }
    bool isBool() const { return kind() == Kind::Bool; }
    bool isInt() const { return kind() == Kind::Int; }
    bool isDouble() const { return kind() == Kind::Double; }
    bool isNumber() const { return isInt() || isDouble(); }
    bool isString() const { return kind() == Kind::String; }
    bool isArray() const { return kind() == Kind::Array; }
    bool isObject() const { return kind() == Kind::Object; }

    bool asBool() const;
    int64_t asInt() const;
    double asDouble() const;
    const std::string& asString() const;
    const std::vector<Value>& asArray() const;
    const std::vector<Member>& asObject() const;

    // Object member by key, or nullptr.
    const Value* find(std::string_view key) const;
    // Builders.
    void push_back(Value v);
    void set(std::string key, Value v);                    // replaces an existing key, keeps order
    void addMember(std::string key, Pos keyPos, Value v);  // parser: no duplicate check

    friend bool operator==(const Value& a, const Value& b);  // positions ignored

private:
    std::variant<std::monostate, bool, int64_t, double, std::string, std::vector<Value>, std::vector<Member>> v_;
    Pos pos_;
};

struct Member {
    std::string key;
    Pos keyPos;
    Value value;
};

inline Value::Value() = default;
inline Value::Value(std::nullptr_t) {}
inline Value::Value(bool b) : v_(b) {}
inline Value::Value(int i) : v_(int64_t(i)) {}
inline Value::Value(int64_t i) : v_(i) {}
inline Value::Value(double d) : v_(d) {}
inline Value::Value(std::string s) : v_(std::move(s)) {}
inline Value::Value(const char* s) : v_(std::string(s)) {}
inline Value Value::array() {
    Value v;
    v.v_ = std::vector<Value>{};
    return v;
}
inline Value Value::object() {
    Value v;
    v.v_ = std::vector<Member>{};
    return v;
}
inline Value::Kind Value::kind() const { return Kind(v_.index()); }
inline bool Value::asBool() const { return std::get<bool>(v_); }
inline int64_t Value::asInt() const { return std::get<int64_t>(v_); }
inline double Value::asDouble() const { return isInt() ? double(asInt()) : std::get<double>(v_); }
inline const std::string& Value::asString() const { return std::get<std::string>(v_); }
inline const std::vector<Value>& Value::asArray() const { return std::get<std::vector<Value>>(v_); }
inline const std::vector<Member>& Value::asObject() const { return std::get<std::vector<Member>>(v_); }
inline void Value::push_back(Value v) { std::get<std::vector<Value>>(v_).push_back(std::move(v)); }

struct ParseError {
    Pos pos;
    std::string message;
};

class ParseResult {
public:
    static ParseResult success(Value v) {
        ParseResult r;
        r.ok_ = true;
        r.value_ = std::move(v);
        return r;
    }
    static ParseResult failure(ParseError e) {
        ParseResult r;
        r.error_ = std::move(e);
        return r;
    }
    bool ok() const { return ok_; }
    const Value& value() const { return value_; }
    const ParseError& error() const { return error_; }

private:
    bool ok_ = false;
    Value value_;
    ParseError error_;
};

inline constexpr int kMaxDepth = 512;

ParseResult parse(std::string_view text);

struct WriteOptions {
    int indent = 2;
    size_t inlineArrayWidth = 100;  // arrays of scalars stay on one line up to this width
};
std::string write(const Value& v, const WriteOptions& opt = {});

}  // namespace faultline::json
