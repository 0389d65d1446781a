// SPDX-License-Identifier: GPL-3.0-or-later
#include "session/step_chunk.h"

#include "engine/engine.h"

namespace faultline {

std::vector<StepRecord> StepChunk::replay(uint32_t n) const {
    std::vector<StepRecord> out;
    out.reserve(n);
    State s = start;
    for (uint32_t i = 0; i < n; ++i) out.push_back(step(s, briefs[i].task));
    return out;
}

std::shared_ptr<const std::vector<StepRecord>> RecordCache::get(const std::shared_ptr<const StepChunk>& c,
                                                                  uint32_t n) {
    if (c->records) return c->records;  // kept: readers use their own count n
    {
        std::lock_guard lock(mutex_);
        for (auto it = lru_.begin(); it != lru_.end(); ++it)
            if (it->key == c.get() && it->n >= n && it->chunk.lock() == c) {
                lru_.splice(lru_.begin(), lru_, it);
                return it->records;
            }
    }
    // Replayed outside the lock: another thread may read other chunks meanwhile.
    auto recs = std::make_shared<const std::vector<StepRecord>>(c->replay(n));
    std::lock_guard lock(mutex_);
    lru_.push_front({c, c.get(), n, recs});
    while (lru_.size() > kChunks) lru_.pop_back();
    return recs;
}

}  // namespace faultline
