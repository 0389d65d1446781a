// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Whole-file reads with clear errors, and writes that never leave a half-
// written file: write a temporary file beside the target, fsync, rename.
#include <cstdint>
#include <string>
#include <string_view>

namespace faultline::io {

// Only regular files (a FIFO or a device is refused, never waited on), of at
// most `maxBytes`.
bool readFile(const std::string& path, std::string* out, std::string* error, uint64_t maxBytes = 64ull << 20);
// On failure the existing target is untouched and no temporary file is left.
bool writeFileAtomically(const std::string& path, std::string_view content, std::string* error);

}  // namespace faultline::io
