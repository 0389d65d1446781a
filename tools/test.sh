#!/usr/bin/env bash
# Installs what is missing, builds everything and runs every test (engine,
# CLI, GUI offscreen, sample sessions, the real-kernel probe where allowed).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --parallel "$(nproc)"
export QT_QPA_PLATFORM=offscreen
ctest --preset release --parallel "$(nproc)"
