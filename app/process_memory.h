// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The process's resident memory, for the explorer's memory limit and its
// progress line. The engine makes no syscalls, so the programs that run it
// hand it this reader (ExploreOptions::memoryUsage).
#include <unistd.h>

#include <cstdint>
#include <fstream>

namespace faultline {

inline uint64_t residentBytes() {
    std::ifstream in("/proc/self/statm");
    uint64_t size = 0, rss = 0;
    in >> size >> rss;
    return rss * uint64_t(sysconf(_SC_PAGESIZE));
}

}  // namespace faultline
