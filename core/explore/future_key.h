// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The explorer's visited-set key: a 128-bit hash of exactly the parts of a
// State that decide its future. It differs from State::hash() (which the
// recordings store and replay checks) by leaving out history counters that
// change no behaviour; see future_key.cpp for each exclusion and why.
#include <cstdint>

#include "model/state.h"

namespace faultline {

struct FutureKey {
    uint64_t lo = 0, hi = 0;
    friend bool operator==(const FutureKey&, const FutureKey&) = default;
    friend auto operator<=>(const FutureKey&, const FutureKey&) = default;
};

FutureKey futureKey(const State& s);
// The key with search context mixed in (the last task and preemptions used,
// when a preemption bound makes them part of what decides the future).
FutureKey mixKey(FutureKey k, uint64_t a, uint64_t b);

}  // namespace faultline
