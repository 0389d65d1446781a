// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Content tag of a page: what a user wrote ("b0", "a1", "m8"). Fixed size so a
// page-table leaf of 512 entries stays a flat array that copies with memcpy.
#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace faultline {

struct Tag {
    static constexpr size_t kMax = 7;
    std::array<char, kMax + 1> s{};  // NUL-terminated; empty = zero-filled page

    Tag() = default;
    static bool valid(std::string_view v) {
        return v.size() <= kMax && std::all_of(v.begin(), v.end(), [](char c) { return c > ' ' && c < 127; });
    }
    explicit Tag(std::string_view v) { std::copy_n(v.begin(), std::min(v.size(), kMax), s.begin()); }
    bool zero() const { return s[0] == 0; }
    std::string str() const { return zero() ? std::string("0") : std::string(s.data()); }
    uint64_t bits() const {
        uint64_t b = 0;
        for (char c : s) b = (b << 8) | uint8_t(c);
        return b;
    }
    friend bool operator==(const Tag&, const Tag&) = default;
};

}  // namespace faultline
