// SPDX-License-Identifier: GPL-3.0-or-later
#include "common/snapshot.h"

namespace faultline::views {

RecordLog::RecordLog(const Timeline& tl)
    : done_(tl.doneChunks()), open_(tl.openChunk()), size_(tl.length()), initial_(tl.countsAt(0)), cache_(tl.cache()) {}

std::shared_ptr<const StepRecord> RecordLog::step(uint64_t n) const {
    if (n < 1 || n > size_) return nullptr;
    const uint64_t k = (n - 1) / kChunk;
    auto recs = cache_->get(chunkOf(n - 1), stepsIn(k));
    return std::shared_ptr<const StepRecord>(recs, &(*recs)[(n - 1) % kChunk]);
}

}  // namespace faultline::views
