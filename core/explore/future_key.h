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

// The key of a state is combineKeys() of its components' keys, in the order
// tasks, mms, inode, folios, swap, uffd, more uffds, locks, writeback (with
// the state's config and toggles hashes, nextPfn and msgIdKey()): the explorer's state store keeps
// each distinct component's key with it, so a state's key costs one hash of
// its components' keys, not a walk of the state.
FutureKey taskKey(const Task& t);
FutureKey mmKey(const Mm& m);
FutureKey inodeKey(const Inode& in);
FutureKey foliosKey(const CowRadix<Folio>& folios);
FutureKey swapKey(const SwapDevice& swap);
FutureKey uffdKey(const UffdCtx& u);
FutureKey moreUffdsKey(const std::vector<UffdCtx>& v);
FutureKey locksKey(const std::vector<LockHold>& locks);
FutureKey writebackKey(const std::vector<uint32_t>& wb);
// The pattern of the message ids the state holds (their ranks, where each is
// held), which stands for the ids and the id counter in the key (a symmetry:
// see future_key.cpp): of the tasks, context 0 and the further contexts.
FutureKey msgIdKey(const Task* const* tasks, size_t ntasks, const UffdCtx& u0, const std::vector<UffdCtx>& more);
FutureKey combineKeys(uint64_t configHash, uint64_t togglesHash, const FutureKey* parts, size_t n, uint32_t nextPfn,
                      FutureKey msgIds);
// The key with search context mixed in (the last task and preemptions used,
// when a preemption bound makes them part of what decides the future).
FutureKey mixKey(FutureKey k, uint64_t a, uint64_t b);

}  // namespace faultline
