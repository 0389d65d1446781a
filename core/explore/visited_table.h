// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The explorer's visited set: from a state's FutureKey to a node index. Only
// keys are stored, never states. 64 open-addressing segments (chosen by the
// key's top 6 bits) of 16-byte slots, each grown on its own at 75 % load, so
// growing never holds two copies of the whole table.
//
// A slot keeps 96 of the key's bits (lo, and the low half of hi); with the 6
// segment bits, two stored keys are told apart by 102 bits: two different
// states merge with probability about n²/2^103 for n stored states (10^8
// states: < 10^-15), SPIN's hash-compaction argument.
#include <cstdint>
#include <vector>

#include "explore/future_key.h"

namespace faultline {

class VisitedTable {
public:
    VisitedTable() {
        for (auto& s : segs_) s.slots.resize(kInitial);
    }
    // Inserts key -> value if absent (returns true); `where` points at the stored value either way
    // (valid until the next insert).
    bool insert(FutureKey k, uint32_t value, uint32_t*& where) {
        Segment& g = seg(k);
        if ((g.count + 1) * 4 > g.slots.size() * 3) grow(g);
        Slot* s = probe(g, k);
        where = &s->value;
        if (!empty(*s)) return false;
        *s = {k.lo, hiOf(k), value};
        ++g.count;
        ++count_;
        return true;
    }
    uint32_t* find(FutureKey k) {
        Slot* s = probe(seg(k), k);
        return empty(*s) ? nullptr : &s->value;
    }
    // The value stored for k, or nullptr; safe while no thread inserts.
    const uint32_t* lookup(FutureKey k) const {
        const Slot* s = probe(const_cast<Segment&>(segs_[k.hi >> 58]), k);
        return empty(*s) ? nullptr : &s->value;
    }
    uint64_t size() const { return count_; }
    uint64_t bytes() const {
        uint64_t b = 0;
        for (const auto& g : segs_) b += g.slots.capacity() * sizeof(Slot);
        return b;
    }

private:
    static constexpr size_t kSegments = 64, kInitial = 64;
    struct Slot {
        uint64_t lo = 0;
        uint32_t hi = 0;  // lo 0 and hi 0: empty (a key with both 0 is stored with hi 1)
        uint32_t value = 0;
    };
    struct Segment {
        std::vector<Slot> slots;
        uint64_t count = 0;
    };
    static bool empty(const Slot& s) { return s.lo == 0 && s.hi == 0; }
    static uint32_t hiOf(FutureKey k) { return uint32_t(k.hi) | uint32_t(k.lo == 0 && uint32_t(k.hi) == 0); }
    Segment& seg(FutureKey k) { return segs_[k.hi >> 58]; }
    static Slot* probe(Segment& g, FutureKey k) {
        const uint32_t hi = hiOf(k);
        const size_t mask = g.slots.size() - 1;
        for (size_t i = size_t(k.lo ^ (k.lo >> 29)) & mask;; i = (i + 1) & mask) {
            Slot& s = g.slots[i];
            if (empty(s) || (s.lo == k.lo && s.hi == hi)) return &s;
        }
    }
    static void grow(Segment& g) {
        std::vector<Slot> old(g.slots.size() * 2);
        old.swap(g.slots);
        const size_t mask = g.slots.size() - 1;
        for (const Slot& s : old) {
            if (empty(s)) continue;
            size_t i = size_t(s.lo ^ (s.lo >> 29)) & mask;
            while (!empty(g.slots[i])) i = (i + 1) & mask;
            g.slots[i] = s;
        }
    }
    Segment segs_[kSegments];
    uint64_t count_ = 0;
};

}  // namespace faultline
