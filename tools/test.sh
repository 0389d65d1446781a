#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs what is missing, builds everything and runs every test (engine,
# CLI, GUI offscreen, sample sessions, the real-kernel probe where allowed),
# then the fuzz targets under clang + ASan + UBSan: their corpus (the crashes
# found so far) and a short run of each (FAULTLINE_FUZZ_SECONDS, default 25).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --parallel "$(nproc)"
export QT_QPA_PLATFORM=offscreen
ctest --preset release --parallel "$(nproc)"
cmake --preset fuzz -DFAULTLINE_FUZZ_SECONDS="${FAULTLINE_FUZZ_SECONDS:-25}" >/dev/null
cmake --build --preset fuzz --parallel "$(nproc)" --target fuzz_session fuzz_journal
ctest --preset fuzz --parallel "$(nproc)"
