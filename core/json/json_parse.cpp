// SPDX-License-Identifier: GPL-3.0-or-later
// Strict RFC 8259 parser with positions. Never throws, never recurses deeper
// than kMaxDepth, rejects invalid UTF-8, lone surrogates, duplicate keys.
#include <charconv>
#include <cmath>
#include <optional>
#include <unordered_map>

#include "json/json.h"

namespace faultline::json {
namespace {

class Parser {
public:
    explicit Parser(std::string_view t) : t_(t) {}

    ParseResult run() {
        skipWs();
        if (at_ >= t_.size()) return fail("empty document");
        Value v;
        if (!value(v, 0)) return ParseResult::failure(err_);
        skipWs();
        if (at_ < t_.size()) return fail("unexpected " + found() + " after the document");
        return ParseResult::success(std::move(v));
    }

private:
    std::string_view t_;
    size_t at_ = 0;
    Pos pos_{1, 1};
    ParseError err_;

    ParseResult fail(std::string msg) {
        err_ = {pos_, std::move(msg)};
        return ParseResult::failure(err_);
    }
    bool error(std::string msg) {
        err_ = {pos_, std::move(msg)};
        return false;
    }
    bool errorAt(Pos p, std::string msg) {
        err_ = {p, std::move(msg)};
        return false;
    }
    std::string found() const {
        if (at_ >= t_.size()) return "end of input";
        const unsigned char c = t_[at_];
        if (c < 0x20 || c >= 0x7f) {
            char buf[16];
            std::snprintf(buf, sizeof buf, "byte 0x%02x", c);
            return buf;
        }
        return std::string("'") + char(c) + "'";
    }
    // Advances one byte; a column counts code points, so continuation bytes
    // do not move it.
    void advance() {
        const unsigned char c = t_[at_++];
        if (c == '\n') {
            ++pos_.line;
            pos_.column = 1;
        } else if ((c & 0xC0) != 0x80) {
            ++pos_.column;
        }
    }
    void skipWs() {
        while (at_ < t_.size() && (t_[at_] == ' ' || t_[at_] == '\t' || t_[at_] == '\n' || t_[at_] == '\r')) advance();
    }
    bool literal(std::string_view word) {
        if (t_.substr(at_, word.size()) != word) return error("invalid literal: expected '" + std::string(word) + "'");
        for (size_t i = 0; i < word.size(); ++i) advance();
        return true;
    }

    bool value(Value& out, int depth) {
        if (depth >= kMaxDepth) return error("nesting deeper than " + std::to_string(kMaxDepth));
        const Pos start = pos_;
        if (at_ >= t_.size()) return error("expected a value, found end of input");
        const char c = t_[at_];
        bool ok = true;
        switch (c) {
        case '{': ok = object(out, depth); break;
        case '[': ok = array(out, depth); break;
        case '"': {
            std::string s;
            ok = string(s);
            out = Value(std::move(s));
            break;
        }
        case 't': ok = literal("true"), out = Value(true); break;
        case 'f': ok = literal("false"), out = Value(false); break;
        case 'n': ok = literal("null"), out = Value(); break;
        default:
            if (c == '-' || (c >= '0' && c <= '9')) ok = number(out);
            else return error("expected a value, found " + found());
        }
        if (ok) out.setPos(start);
        return ok;
    }

    bool object(Value& out, int depth) {
        out = Value::object();
        std::unordered_map<std::string, size_t> keys;  // key -> member index, once the object is large
        advance();                                     // {
        skipWs();
        if (at_ < t_.size() && t_[at_] == '}') {
            advance();
            return true;
        }
        for (;;) {
            skipWs();
            if (at_ >= t_.size() || t_[at_] != '"') return error("expected a string key, found " + found());
            const Pos keyPos = pos_;
            std::string key;
            if (!string(key)) return false;
            // Duplicate keys: a linear scan for small objects, an index past
            // that (100,000 keys must not cost minutes).
            const std::vector<Member>& members = out.asObject();
            const Member* dup = nullptr;
            if (members.size() <= 16) {
                for (const Member& m : members)
                    if (m.key == key) dup = &m;
            } else {
                if (keys.empty())
                    for (size_t k = 0; k < members.size(); ++k) keys.emplace(members[k].key, k);
                if (auto it = keys.find(key); it != keys.end()) dup = &members[it->second];
                else keys.emplace(key, members.size());
            }
            if (dup)
                return errorAt(keyPos, "duplicate key '" + key + "' (first at line " +
                                           std::to_string(dup->keyPos.line) + ", column " +
                                           std::to_string(dup->keyPos.column) + ")");
            skipWs();
            if (at_ >= t_.size() || t_[at_] != ':')
                return error("expected ':' after key '" + key + "', found " + found());
            advance();
            skipWs();
            Value v;
            if (!value(v, depth + 1)) return false;
            out.addMember(std::move(key), keyPos, std::move(v));
            skipWs();
            if (at_ < t_.size() && t_[at_] == ',') {
                advance();
                skipWs();
                if (at_ < t_.size() && t_[at_] == '}') return error("trailing comma before '}'");
                continue;
            }
            if (at_ < t_.size() && t_[at_] == '}') {
                advance();
                return true;
            }
            return error("expected ',' or '}' after object member, found " + found());
        }
    }

    bool array(Value& out, int depth) {
        out = Value::array();
        advance();  // [
        skipWs();
        if (at_ < t_.size() && t_[at_] == ']') {
            advance();
            return true;
        }
        for (;;) {
            skipWs();
            Value v;
            if (!value(v, depth + 1)) return false;
            out.push_back(std::move(v));
            skipWs();
            if (at_ < t_.size() && t_[at_] == ',') {
                advance();
                skipWs();
                if (at_ < t_.size() && t_[at_] == ']') return error("trailing comma before ']'");
                continue;
            }
            if (at_ < t_.size() && t_[at_] == ']') {
                advance();
                return true;
            }
            return error("expected ',' or ']' after array element, found " + found());
        }
    }

    std::optional<uint32_t> hex4() {
        if (at_ + 4 > t_.size()) return std::nullopt;
        uint32_t v = 0;
        for (int i = 0; i < 4; ++i) {
            const char c = t_[at_];
            v <<= 4;
            if (c >= '0' && c <= '9') v |= uint32_t(c - '0');
            else if (c >= 'a' && c <= 'f') v |= uint32_t(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F') v |= uint32_t(c - 'A' + 10);
            else return std::nullopt;
            advance();
        }
        return v;
    }

    static void appendUtf8(std::string& s, uint32_t cp) {
        if (cp < 0x80) s += char(cp);
        else if (cp < 0x800) s += char(0xC0 | (cp >> 6)), s += char(0x80 | (cp & 0x3F));
        else if (cp < 0x10000)
            s += char(0xE0 | (cp >> 12)), s += char(0x80 | ((cp >> 6) & 0x3F)), s += char(0x80 | (cp & 0x3F));
        else
            s += char(0xF0 | (cp >> 18)), s += char(0x80 | ((cp >> 12) & 0x3F)), s += char(0x80 | ((cp >> 6) & 0x3F)),
                s += char(0x80 | (cp & 0x3F));
    }

    // One UTF-8 sequence, validated (no overlongs, no surrogates, <= U+10FFFF).
    bool utf8(std::string& out) {
        const unsigned char c = t_[at_];
        int n = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : -1;
        if (n < 0 || at_ + size_t(n) >= t_.size()) return error("invalid UTF-8 in string");
        uint32_t cp = n == 0 ? c : n == 1 ? (c & 0x1F) : n == 2 ? (c & 0x0F) : (c & 0x07);
        for (int i = 1; i <= n; ++i) {
            const unsigned char d = t_[at_ + i];
            if ((d & 0xC0) != 0x80) return error("invalid UTF-8 in string");
            cp = (cp << 6) | (d & 0x3F);
        }
        static const uint32_t minimum[] = {0, 0x80, 0x800, 0x10000};
        if (cp < minimum[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return error("invalid UTF-8 in string");
        for (int i = 0; i <= n; ++i) {
            out += t_[at_];
            advance();
        }
        return true;
    }

    bool string(std::string& out) {
        advance();  // "
        for (;;) {
            if (at_ >= t_.size()) return error("unterminated string");
            const unsigned char c = t_[at_];
            if (c == '"') {
                advance();
                return true;
            }
            if (c < 0x20) return error("control character in string (escape it)");
            if (c != '\\') {
                if (!utf8(out)) return false;
                continue;
            }
            advance();
            if (at_ >= t_.size()) return error("unterminated escape");
            const char e = t_[at_];
            const Pos escPos = pos_;
            advance();
            switch (e) {
            case '"': out += '"'; break;
            case '\\': out += '\\'; break;
            case '/': out += '/'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'n': out += '\n'; break;
            case 'r': out += '\r'; break;
            case 't': out += '\t'; break;
            case 'u': {
                auto u = hex4();
                if (!u) return errorAt(escPos, "\\u needs four hex digits");
                uint32_t cp = *u;
                if (cp >= 0xDC00 && cp <= 0xDFFF) return errorAt(escPos, "lone low surrogate in \\u escape");
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    if (t_.substr(at_, 2) != "\\u") return errorAt(escPos, "high surrogate without a low surrogate");
                    advance(), advance();
                    auto lo = hex4();
                    if (!lo || *lo < 0xDC00 || *lo > 0xDFFF)
                        return errorAt(escPos, "high surrogate without a low surrogate");
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (*lo - 0xDC00);
                }
                appendUtf8(out, cp);
                break;
            }
            default: return errorAt(escPos, std::string("invalid escape '\\") + e + "'");
            }
        }
    }

    bool number(Value& out) {
        const size_t start = at_;
        auto digits = [&] {
            size_t n = 0;
            while (at_ < t_.size() && t_[at_] >= '0' && t_[at_] <= '9') advance(), ++n;
            return n;
        };
        if (t_[at_] == '-') advance();
        if (at_ >= t_.size()) return error("expected digits after '-'");
        if (t_[at_] == '0') {
            advance();
            if (at_ < t_.size() && t_[at_] >= '0' && t_[at_] <= '9') return error("leading zeros are not allowed");
        } else if (!digits()) {
            return error("expected digits, found " + found());
        }
        bool integral = true;
        if (at_ < t_.size() && t_[at_] == '.') {
            integral = false;
            advance();
            if (!digits()) return error("expected digits after '.'");
        }
        if (at_ < t_.size() && (t_[at_] == 'e' || t_[at_] == 'E')) {
            integral = false;
            advance();
            if (at_ < t_.size() && (t_[at_] == '+' || t_[at_] == '-')) advance();
            if (!digits()) return error("expected digits in the exponent");
        }
        const std::string_view num = t_.substr(start, at_ - start);
        if (integral) {
            int64_t i = 0;
            auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), i);
            if (ec == std::errc() && p == num.data() + num.size()) {
                out = Value(i);
                return true;
            }
        }
        double d = 0;
        auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), d);
        if (ec != std::errc() || !std::isfinite(d)) return error("number out of range");
        out = Value(d);
        return true;
    }
};

}  // namespace

ParseResult parse(std::string_view text) { return Parser(text).run(); }

}  // namespace faultline::json
