// SPDX-License-Identifier: GPL-3.0-or-later
#include "common/snapshot.h"

namespace faultline::views {

void RecordLog::truncate(uint64_t n) {
    if (n >= size_) return;
    const uint64_t full = n / kChunk, rest = n % kChunk;
    chunks_.resize(full + (rest ? 1 : 0));
    if (rest) {
        auto part = std::make_shared<std::vector<StepRecord>>(chunks_.back()->begin(), chunks_.back()->begin() + rest);
        chunks_.back() = std::move(part);
    }
    size_ = n;
}

void RecordLog::append(const StepRecord* first, uint64_t count) {
    uint64_t i = 0;
    while (i < count) {
        const uint64_t inLast = size_ % kChunk;
        std::shared_ptr<std::vector<StepRecord>> chunk;
        if (inLast) {
            chunk = std::make_shared<std::vector<StepRecord>>(*chunks_.back());
            chunks_.pop_back();
        } else {
            chunk = std::make_shared<std::vector<StepRecord>>();
        }
        chunk->reserve(kChunk);
        while (i < count && chunk->size() < kChunk) chunk->push_back(first[i++]);
        size_ += chunk->size() - inLast;
        chunks_.push_back(std::move(chunk));
    }
}

}  // namespace faultline::views
