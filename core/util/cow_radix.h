// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// CowRadix<T>: a persistent (copy-on-write) radix tree from a 64-bit key to T.
//
// Why: the whole engine state must be a value that is cheap to copy (reverse
// stepping keeps checkpoints, the explorer forks states) while a file may have
// 262,144 pages. Copying a CowRadix copies one pointer; a write clones only the
// nodes on one root-to-leaf path, so a step costs what it touches, not the
// file size. A leaf holds 64 entries: the explorer keeps many states alive at
// once and each one that changed an entry owns a copy of that leaf, so small
// leaves keep a stored state small (a 512-entry folio leaf is 20 KB).
//
// Tallies: when T has `unsigned tallyBits() const`, every node also counts
// its live entries with bit 0 and with bit 1 set (for a pte: present, and
// carrying uffd-wp), so tally(i) costs O(1) like the hash: the timeline's
// curves read them after every step.
//
// Entries equal to T{} are "absent": empty subtrees are pruned, which keeps the
// representation canonical (equal contents => equal shape), so operator== can
// compare shapes and share pointers.
//
// The hash is kept incrementally: every node stores the wrapping sum of
// mix(key, value hash) over its live entries. A write adjusts the sums on its
// path by the difference, so hash() is O(1) and never mutates shared nodes
// (safe to call from any thread on a snapshot).
#include <cassert>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "util/access_log.h"
#include "util/hash.h"

namespace faultline {

template <class T>
class CowRadix {
public:
    static constexpr unsigned kLeafBits = 6;
    static constexpr unsigned kInnerBits = 6;
    static constexpr uint64_t kLeafSize = uint64_t{1} << kLeafBits;
    static constexpr uint64_t kInnerSize = uint64_t{1} << kInnerBits;

    // keyBits: keys are in [0, 2^keyBits). The tree is only as deep as its
    // largest live key needs (a root wraps it when a larger key comes, and is
    // unwrapped when the large keys go): ptes of a 48-bit address space near
    // 1 GiB take three inner levels, not five, and a write clones only those.
    // The depth is a function of the contents, so the shape stays canonical.
    explicit CowRadix(unsigned keyBits = kLeafBits) {
        unsigned bits = keyBits < kLeafBits ? kLeafBits : keyBits;
        keyLimit_ = bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << bits);
    }

    uint64_t keyLimit() const { return keyLimit_; }
    uint64_t size() const { return root_ ? root_->live_total : 0; }
    uint64_t hash() const { return root_ ? root_->hash : 0; }
    // A second, independently mixed sum (the explorer's 128-bit state keys).
    uint64_t hash2() const { return root_ ? root_->hash2 : 0; }
    // Live entries whose tallyBits() has bit i set (0 when T has none).
    int64_t tally(unsigned i) const { return root_ ? root_->tally[i] : 0; }

    const T& get(uint64_t key) const {
        if (AccessLog* log = tlsAccessLog) [[unlikely]]
            logRange(log->reads, this, key, key + 1);
        return find(key);
    }

    void set(uint64_t key, const T& value) {
        assert(key < keyLimit_);
        if (AccessLog* log = tlsAccessLog) [[unlikely]] {
            logRange(log->writes, this, key, key + 1);  // even when the value does not change (a blind store)
            logRange(log->reads, this, key, key + 1);   // it compares with the old value
        }
        const T& old = find(key);
        if (old == value) return;
        while (!reaches(key, levels_)) grow();  // only a live value gets here: `old` is absent
        const uint64_t delta = term(key, value) - term(key, old);
        const uint64_t delta2 = term2(key, value) - term2(key, old);
        const bool wasLive = !(old == defaultValue());
        const bool isLive = !(value == defaultValue());
        const unsigned tb = tallyBitsOf(old), ta = tallyBitsOf(value);
        const Tally td{int32_t(ta & 1) - int32_t(tb & 1), int32_t(ta >> 1 & 1) - int32_t(tb >> 1 & 1)};
        setRec(root_, levels_, key, value, delta, delta2, int(isLive) - int(wasLive), td);
        shrink();
    }

    template <class F>
    void update(uint64_t key, F&& f) {
        T v = get(key);
        f(v);
        set(key, v);
    }

    // First live key in [from, to), if any; skips empty subtrees.
    std::optional<uint64_t> nextLive(uint64_t from, uint64_t to) const {
        const auto k = findNext(from, to);
        // The answer depends on the keys up to the one found (that they are
        // empty, and that it is live), not on those after it.
        if (AccessLog* log = tlsAccessLog) [[unlikely]]
            logRange(log->reads, this, from, k ? *k + 1 : to);
        return k;
    }

    // Visits live entries with from <= key < to in key order: f(key, const T&).
    // The log's test is made once, not per entry; a log sees every lookup
    // of the walk as before.
    template <class F>
    void forEach(uint64_t from, uint64_t to, F&& f) const {
        if (tlsAccessLog) [[unlikely]] {
            for (auto k = nextLive(from, to); k; k = nextLive(*k + 1, to)) f(*k, get(*k));
            return;
        }
        for (auto k = findNext(from, to); k; k = findNext(*k + 1, to)) f(*k, find(*k));
    }

    // Number of leaves in use (for memory figures).
    uint64_t leafCount() const { return root_ ? root_->leaves : 0; }
    // Inner levels above the leaves: the least that holds the largest live key.
    unsigned depth() const { return levels_; }

    friend bool operator==(const CowRadix& a, const CowRadix& b) {
        return a.levels_ == b.levels_ && a.keyLimit_ == b.keyLimit_ && eqRec(a.root_.get(), b.root_.get(), a.levels_);
    }

private:
    // Whether a tree of `levels` inner levels holds `key`.
    static bool reaches(uint64_t key, unsigned levels) {
        const unsigned bits = kLeafBits + levels * kInnerBits;
        return bits >= 64 || (key >> bits) == 0;
    }
    // One level more: the root becomes child 0 of a new root (same sums).
    void grow() {
        if (root_) {
            auto r = std::make_shared<Node>(false);
            r->live = 1;
            r->live_total = root_->live_total;
            r->leaves = root_->leaves;
            r->hash = root_->hash;
            r->hash2 = root_->hash2;
            r->tally[0] = root_->tally[0];
            r->tally[1] = root_->tally[1];
            r->kids[0] = std::move(root_);
            root_ = std::move(r);
        }
        ++levels_;
    }
    // Down to the least depth that holds every live key (the canonical shape).
    void shrink() {
        if (!root_) levels_ = 0;
        while (levels_ > 0 && root_->live == 1 && root_->kids[0]) {
            std::shared_ptr<Node> k = root_->kids[0];  // may be shared: taken as it is
            root_ = std::move(k);
            --levels_;
        }
    }
    // get() and nextLive() without the access log.
    const T& find(uint64_t key) const {
        if (!reaches(key, levels_)) return defaultValue();
        const Node* n = root_.get();
        for (unsigned lvl = levels_; n && lvl > 0; --lvl) n = n->kids[childIndex(key, lvl)].get();
        if (!n) return defaultValue();
        return n->vals[key & (kLeafSize - 1)];
    }
    std::optional<uint64_t> findNext(uint64_t from, uint64_t to) const {
        if (!root_ || from >= to) return std::nullopt;
        return nextRec(root_.get(), levels_, 0, from, to);
    }

    struct Node {
        explicit Node(bool leaf) {
            if (leaf) vals.resize(kLeafSize);
            else kids.resize(kInnerSize);
        }
        std::vector<std::shared_ptr<Node>> kids;  // inner nodes only
        std::vector<T> vals;                      // leaves only
        uint64_t live = 0;                        // live entries (leaf) or non-null kids (inner)
        uint64_t live_total = 0;                  // live entries in the subtree
        uint64_t leaves = 0;                      // leaves in the subtree
        uint64_t hash = 0;                        // wrapping sum of terms in the subtree
        uint64_t hash2 = 0;                       // the same with term2
        int64_t tally[2] = {0, 0};                // live entries with tallyBits() bit 0 / bit 1
    };
    struct Tally {
        int32_t d0 = 0, d1 = 0;
    };
    static unsigned tallyBitsOf(const T& v) {
        if constexpr (requires { v.tallyBits(); }) return v.tallyBits();
        else return 0;
    }

    static const T& defaultValue() {
        static const T v{};
        return v;
    }
    static uint64_t term(uint64_t key, const T& v) {
        if (v == defaultValue()) return 0;
        return Hasher().add(key).add(v.stableHash()).value();
    }
    static uint64_t term2(uint64_t key, const T& v) {
        if (v == defaultValue()) return 0;
        return Hasher().add(0x243f6a8885a308d3ULL).add(v.stableHash()).add(key).value();
    }
    static unsigned childIndex(uint64_t key, unsigned lvl) {
        return unsigned((key >> (kLeafBits + (lvl - 1) * kInnerBits)) & (kInnerSize - 1));
    }

    // Returns the change in leaf count of the subtree.
    static int64_t setRec(std::shared_ptr<Node>& slot, unsigned lvl, uint64_t key, const T& value, uint64_t delta,
                          uint64_t delta2, int liveDelta, Tally td) {
        int64_t leafDelta = 0;
        if (!slot) {
            slot = std::make_shared<Node>(lvl == 0);
            if (lvl == 0) leafDelta = 1, slot->leaves = 1;
        } else if (slot.use_count() > 1) {
            slot = std::make_shared<Node>(*slot);  // copy-on-write: clone this node only
        }
        Node& n = *slot;
        if (lvl == 0) {
            n.vals[key & (kLeafSize - 1)] = value;
            n.live += liveDelta;
        } else {
            auto& kid = n.kids[childIndex(key, lvl)];
            const bool had = bool(kid);
            leafDelta = setRec(kid, lvl - 1, key, value, delta, delta2, liveDelta, td);
            n.live += int(bool(kid)) - int(had);
            n.leaves += leafDelta;
        }
        n.live_total += liveDelta;
        n.hash += delta;
        n.hash2 += delta2;
        n.tally[0] += td.d0;
        n.tally[1] += td.d1;
        if (n.live_total == 0) {  // prune: keeps the shape canonical
            leafDelta -= int64_t(n.leaves);
            slot.reset();
        }
        return leafDelta;
    }

    static std::optional<uint64_t> nextRec(const Node* n, unsigned lvl, uint64_t base, uint64_t from, uint64_t to) {
        if (lvl == 0) {
            for (uint64_t i = from > base ? from - base : 0; i < kLeafSize && base + i < to; ++i)
                if (!(n->vals[i] == defaultValue())) return base + i;
            return std::nullopt;
        }
        const unsigned shift = kLeafBits + (lvl - 1) * kInnerBits;
        const uint64_t span = uint64_t{1} << shift;
        uint64_t first = from > base ? (from - base) >> shift : 0;
        for (uint64_t i = first; i < kInnerSize; ++i) {
            const uint64_t kidBase = base + i * span;
            if (kidBase >= to) break;
            if (const Node* k = n->kids[i].get())
                if (auto r = nextRec(k, lvl - 1, kidBase, from, to)) return r;
        }
        return std::nullopt;
    }

    static bool eqRec(const Node* a, const Node* b, unsigned lvl) {
        if (a == b) return true;
        if (!a || !b) return false;
        if (a->hash != b->hash || a->live_total != b->live_total) return false;
        if (lvl == 0) return a->vals == b->vals;
        for (uint64_t i = 0; i < kInnerSize; ++i)
            if (!eqRec(a->kids[i].get(), b->kids[i].get(), lvl - 1)) return false;
        return true;
    }

    std::shared_ptr<Node> root_;
    unsigned levels_ = 0;
    uint64_t keyLimit_ = kLeafSize;
};

}  // namespace faultline
