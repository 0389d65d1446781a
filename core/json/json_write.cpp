// SPDX-License-Identifier: GPL-3.0-or-later
// Deterministic pretty printer: 2-space indent, keys in insertion order,
// short arrays of scalars on one line, shortest round-trip doubles.
#include <charconv>
#include <cmath>

#include "json/json.h"

namespace faultline::json {
namespace {

void escape(std::string& out, const std::string& s) {
    out += '"';
    for (unsigned char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
            if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out += buf;
            } else {
                out += char(c);
            }
        }
    }
    out += '"';
}

void scalar(std::string& out, const Value& v) {
    switch (v.kind()) {
    case Value::Kind::Null: out += "null"; break;
    case Value::Kind::Bool: out += v.asBool() ? "true" : "false"; break;
    case Value::Kind::Int: out += std::to_string(v.asInt()); break;
    case Value::Kind::Double: {
        const double d = v.asDouble();
        if (!std::isfinite(d)) {
            out += "null";  // JSON has no NaN/Infinity
            break;
        }
        char buf[32];
        auto [p, ec] = std::to_chars(buf, buf + sizeof buf, d);
        std::string s(buf, p);
        // Keep it a double on the way back in.
        if (s.find_first_of(".eE") == std::string::npos) s += ".0";
        out += s;
        break;
    }
    case Value::Kind::String: escape(out, v.asString()); break;
    default: break;
    }
}

bool isScalar(const Value& v) { return !v.isArray() && !v.isObject(); }

void writeValue(std::string& out, const Value& v, int depth, const WriteOptions& opt) {
    const std::string pad(size_t(depth + 1) * size_t(opt.indent), ' ');
    const std::string close(size_t(depth) * size_t(opt.indent), ' ');
    if (v.isArray()) {
        const auto& a = v.asArray();
        if (a.empty()) {
            out += "[]";
            return;
        }
        bool flat = true;
        for (const Value& e : a) flat &= isScalar(e);
        if (flat) {
            std::string line = "[";
            for (size_t i = 0; i < a.size(); ++i) {
                if (i) line += ", ";
                scalar(line, a[i]);
                if (line.size() > opt.inlineArrayWidth) break;
            }
            if (line.size() <= opt.inlineArrayWidth) {
                out += line + "]";
                return;
            }
        }
        out += "[\n";
        for (size_t i = 0; i < a.size(); ++i) {
            out += pad;
            writeValue(out, a[i], depth + 1, opt);
            out += i + 1 < a.size() ? ",\n" : "\n";
        }
        out += close + "]";
        return;
    }
    if (v.isObject()) {
        const auto& o = v.asObject();
        if (o.empty()) {
            out += "{}";
            return;
        }
        out += "{\n";
        for (size_t i = 0; i < o.size(); ++i) {
            out += pad;
            escape(out, o[i].key);
            out += ": ";
            writeValue(out, o[i].value, depth + 1, opt);
            out += i + 1 < o.size() ? ",\n" : "\n";
        }
        out += close + "}";
        return;
    }
    scalar(out, v);
}

}  // namespace

std::string write(const Value& v, const WriteOptions& opt) {
    std::string out;
    writeValue(out, v, 0, opt);
    out += '\n';
    return out;
}

}  // namespace faultline::json
