#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Rebuilds the screenshots in docs/screenshots/ with the faultline executable's
# headless options (no display needed): the seed race stepped to the moments
# a user looks at, under baseline-2020 and upstream, and the slides of the
# race's first steps as a PDF. Run after a release build:
#   tools/screenshots.sh [build/release/app/gui/faultline]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/release/app/gui/faultline}
out=docs/screenshots
session=sample_sessions/s1-seed-race.json
mkdir -p "$out"
export QT_QPA_PLATFORM=offscreen
shot() { "$bin" "$session" --no-recovery "$@" 2> >(grep -v propagateSizeHints >&2); }
watch=(--watch 'A.pte[8].uffd_wp')

# Watch A's uffd-wp bit of page 8, stand on A1's silent write (C1), then run
# back to the step that cleared the bit: the pre-unmap of the hole punch.
shot --kernel baseline-2020 "${watch[@]}" --step 57 --screenshot "$out/seed-race-baseline-step57-c1.png"
shot --kernel baseline-2020 "${watch[@]}" --step 57 --reverse-continue --screenshot "$out/seed-race-baseline-step03-preunmap.png"
# Fault-around re-maps page 8 writable, without the bit.
shot --kernel baseline-2020 "${watch[@]}" --step 33 --task A1 --screenshot "$out/seed-race-baseline-step33-faultaround.png"
# The same schedule under today's kernel: the pre-unmap leaves a marker.
shot --kernel upstream "${watch[@]}" --step 3 --screenshot "$out/seed-race-upstream-step03-marker.png"
# Both side by side, the first divergent step marked.
shot --kernel baseline-2020 --step 3 --compare upstream --size 1920x1080 --screenshot "$out/seed-race-compare-baseline-upstream.png"
# Presentation mode (large fonts, colour-blind-safe palette), dark theme, one view.
shot --kernel baseline-2020 "${watch[@]}" --step 3 --presentation --theme dark --view memoryMap --scale 1 \
     --screenshot "$out/seed-race-presentation-dark-memorymap.png"
# A 1280x720 window: the compact layout gives the memory map the height.
shot --kernel baseline-2020 --step 3 --size 1280x720 --screenshot "$out/seed-race-1280x720-compact-layout.png"
# A write to a write-protected page made read-only by mprotect: SIGSEGV, the
# signal's label beside the cell's WP badge, and the legend's entry for it.
QT_QPA_PLATFORM=offscreen "$bin" tests/data/signal-on-protected-page.json --no-recovery --step 3 --view memoryMap \
     --scale 1 --size 1000x420 --screenshot "$out/signal-on-protected-page.png" 2> >(grep -v propagateSizeHints >&2)
# (long-load-progress-cancel.png, step-over-progress.png, recovery-progress.png,
# breakpoints-left-out-kept.png and race-summary-small.png come from the GUI
# tests under xvfb-run: FAULTLINE_TEST_SHOTS=DIR, tests LongWork.*,
# RecoveryJob.*, SavedStops.EntriesThatCannotBeUsed* and
# Window.TheRaceSummaryKeeps*; breakpoints-restored-from-the-recording.png is
# the Breakpoints dock of a recording saved with breakpoints, --view
# dockBreakpoints; timeline-million-steps.png a session of 64 reads of 4,096
# pages, --size 1280x720.)
# Slides: one page per step, from the punch to fault-around's first pages.
shot --kernel baseline-2020 "${watch[@]}" --export-steps 1-8 --out "$out/seed-race-baseline-steps-1-8.pdf"
ls -l "$out"
