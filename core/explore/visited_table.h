// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The explorer's visited set: an open-addressing hash table from a 128-bit
// FutureKey to a node index, 20 bytes a slot, grown at 70 % load. Only keys
// are stored, never states: two different states with the same 128-bit key
// would be merged (probability about n²/2^129 for n stored states).
#include <cstdint>
#include <vector>

#include "explore/future_key.h"

namespace faultline {

class VisitedTable {
public:
    VisitedTable() { slots_.resize(1u << 12); }
    // Inserts key -> value if absent (returns true); `where` points at the stored value either way.
    bool insert(FutureKey k, uint32_t value, uint32_t*& where) {
        if ((count_ + 1) * 10 > slots_.size() * 7) grow();
        k = fix(k);
        Slot* s = probe(k);
        where = &s->value;
        if (s->lo == k.lo && s->hi == k.hi) return false;
        s->lo = k.lo, s->hi = k.hi, s->value = value;
        ++count_;
        return true;
    }
    uint32_t* find(FutureKey k) {
        k = fix(k);
        Slot* s = probe(k);
        return (s->lo == k.lo && s->hi == k.hi) ? &s->value : nullptr;
    }
    uint64_t size() const { return count_; }
    uint64_t bytes() const { return slots_.capacity() * sizeof(Slot); }

private:
#pragma pack(push, 4)
    struct Slot {
        uint64_t lo = 0, hi = 0;  // 0,0 = empty
        uint32_t value = 0;
    };
#pragma pack(pop)
    static FutureKey fix(FutureKey k) { return (k.lo | k.hi) ? k : FutureKey{1, 0}; }
    Slot* probe(FutureKey k) {
        const size_t mask = slots_.size() - 1;
        for (size_t i = size_t(k.lo) & mask;; i = (i + 1) & mask) {
            Slot& s = slots_[i];
            if ((s.lo == 0 && s.hi == 0) || (s.lo == k.lo && s.hi == k.hi)) return &s;
        }
    }
    void grow() {
        std::vector<Slot> old(slots_.size() * 2);
        old.swap(slots_);
        for (const Slot& s : old)
            if (s.lo | s.hi) *probe({s.lo, s.hi}) = s;
    }
    std::vector<Slot> slots_;
    uint64_t count_ = 0;
};

}  // namespace faultline
