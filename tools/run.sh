#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs what is missing, builds, and starts Faultline on the default sample
# session (the seed race). Without a display it runs the session headless and
# prints the trace of the race and the verdicts instead.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --parallel "$(nproc)"
session=sample_sessions/s1-seed-race.json
if [[ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" && -x build/release/app/gui/faultline ]]; then
  exec build/release/app/gui/faultline "$session" "$@"
fi
echo "== no display: running $session headless =="
build/release/app/cli/faultline-cli run "$session" --kernel baseline-2020 --trace
echo
build/release/app/cli/faultline-cli run "$session" --kernel upstream
echo
exec build/release/app/cli/faultline-cli check sample_sessions/*.json
