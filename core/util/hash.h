// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Stable 64-bit hashing for engine state. std::hash is not stable across
// library versions, and recordings store state hashes in session files, so
// the engine uses its own mixing (splitmix64 finaliser over fields).
#include <cstdint>
#include <string>
#include <string_view>
#include <cstdio>

namespace faultline {

constexpr uint64_t mix64(uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

class Hasher {
public:
    Hasher& add(uint64_t v) {
        h_ = mix64(h_ ^ mix64(v + n_++));
        return *this;
    }
    Hasher& add(std::string_view s) {
        add(s.size());
        for (unsigned char c : s) add(c);
        return *this;
    }
    uint64_t value() const { return mix64(h_ ^ n_); }

private:
    uint64_t h_ = 0x6a09e667f3bcc908ULL;
    uint64_t n_ = 0;
};

// 16 lowercase hex digits, as recordings store state hashes.
inline std::string hexHash(uint64_t h) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

}  // namespace faultline
