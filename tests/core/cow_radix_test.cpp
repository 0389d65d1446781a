// SPDX-License-Identifier: GPL-3.0-or-later
#include "util/cow_radix.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

namespace faultline {
namespace {

struct V {
    int x = 0;
    uint64_t stableHash() const { return uint64_t(x) * 0x9e3779b97f4a7c15ULL; }
    friend bool operator==(const V&, const V&) = default;
};

TEST(CowRadix, GetSetDefault) {
    CowRadix<V> r(20);
    EXPECT_EQ(r.get(5).x, 0);
    r.set(5, {7});
    r.set(600000, {9});
    EXPECT_EQ(r.get(5).x, 7);
    EXPECT_EQ(r.get(600000).x, 9);
    EXPECT_EQ(r.size(), 2u);
    r.set(5, {});
    EXPECT_EQ(r.size(), 1u);
    EXPECT_EQ(r.get(5).x, 0);
}

TEST(CowRadix, DepthIsWhatTheLargestLiveKeyNeeds) {
    // A write clones one node per level: a tree of 36-bit keys whose keys sit
    // near 2^19 (ptes near 1 GiB) has three inner levels, not five.
    CowRadix<V> r(36), fresh(36);
    EXPECT_EQ(r.depth(), 0u);
    r.set(5, {1});
    EXPECT_EQ(r.depth(), 0u);
    r.set(0x40000, {2});  // 19 bits: 6 + 3 * 6 = 24 reach it
    EXPECT_EQ(r.depth(), 3u);
    EXPECT_EQ(r.get(5).x, 1);
    EXPECT_EQ(r.get(0x40000).x, 2);
    EXPECT_EQ(r.get(uint64_t{1} << 30).x, 0) << "beyond the tree's reach: absent";
    EXPECT_EQ(r.nextLive(6, uint64_t{1} << 36), std::optional<uint64_t>(0x40000));
    const CowRadix<V> at3 = r;
    r.set((uint64_t{1} << 36) - 1, {3});  // the largest key: every level
    EXPECT_EQ(r.depth(), 5u);
    EXPECT_EQ(r.size(), 3u);
    EXPECT_EQ(at3.get((uint64_t{1} << 36) - 1).x, 0) << "a copy keeps its own depth";
    r.set((uint64_t{1} << 36) - 1, {});
    EXPECT_EQ(r.depth(), 3u) << "the root is unwrapped when the large key goes";
    EXPECT_EQ(r, at3);
    EXPECT_EQ(r.hash(), at3.hash());
    r.set(0x40000, {});
    EXPECT_EQ(r.depth(), 0u);
    fresh.set(5, {1});
    EXPECT_EQ(r, fresh);
    EXPECT_EQ(r.hash(), fresh.hash());
    EXPECT_EQ(r.leafCount(), 1u);
    r.set(5, {});
    EXPECT_EQ(r, CowRadix<V>(36));
}

TEST(CowRadix, CopiesAreIndependent) {
    CowRadix<V> a(18);
    for (int i = 0; i < 2000; ++i) a.set(i * 97 % 262144, {i + 1});
    CowRadix<V> b = a;
    EXPECT_EQ(a, b);
    b.set(97, {-1});
    EXPECT_EQ(a.get(97).x, 2);
    EXPECT_EQ(b.get(97).x, -1);
    EXPECT_FALSE(a == b);
    EXPECT_NE(a.hash(), b.hash());
    b.set(97, {2});
    EXPECT_EQ(a, b);
    EXPECT_EQ(a.hash(), b.hash());
}

TEST(CowRadix, ShapeIsCanonical) {
    // The same contents reached in different orders (and through a set and a
    // reset that empties a leaf) compare and hash equal.
    CowRadix<V> a(30), b(30);
    a.set(1, {1});
    a.set(1u << 25, {2});
    b.set(1u << 25, {2});
    b.set(12345678, {3});
    b.set(12345678, {});
    b.set(1, {1});
    EXPECT_EQ(a, b);
    EXPECT_EQ(a.hash(), b.hash());
    EXPECT_EQ(a.leafCount(), b.leafCount());
}

TEST(CowRadix, NextLiveAndForEachMatchAMap) {
    std::mt19937_64 rng(42);
    CowRadix<V> r(24);
    std::map<uint64_t, int> ref;
    for (int i = 0; i < 5000; ++i) {
        const uint64_t k = rng() % (1u << 24);
        const int v = int(rng() % 4);
        r.set(k, {v});
        if (v) ref[k] = v;
        else ref.erase(k);
    }
    std::vector<std::pair<uint64_t, int>> got;
    r.forEach(0, 1u << 24, [&](uint64_t k, const V& v) { got.emplace_back(k, v.x); });
    const std::vector<std::pair<uint64_t, int>> want(ref.begin(), ref.end());
    EXPECT_EQ(got, want);
    const uint64_t from = 1u << 20, to = 3u << 20;
    auto it = ref.lower_bound(from);
    auto n = r.nextLive(from, to);
    if (it != ref.end() && it->first < to) {
        ASSERT_TRUE(n);
        EXPECT_EQ(*n, it->first);
    } else {
        EXPECT_FALSE(n);
    }
    EXPECT_EQ(r.size(), ref.size());
}

TEST(CowRadix, HashDependsOnPosition) {
    CowRadix<V> a(18), b(18);
    a.set(3, {1});
    b.set(4, {1});
    EXPECT_NE(a.hash(), b.hash());
}

}  // namespace
}  // namespace faultline
