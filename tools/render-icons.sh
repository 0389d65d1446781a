#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Renders resources/icons/faultline.svg to the PNG sizes of the hicolor icon
# theme (resources/icons/hicolor/NxN/apps/faultline.png). The PNGs are kept in
# git so a build needs no SVG renderer; rerun this after changing the SVG.
# Needs rsvg-convert (librsvg2-bin).
set -euo pipefail
cd "$(dirname "$0")/../resources/icons"
for s in 16 22 24 32 48 64 128 256 512; do
  mkdir -p "hicolor/${s}x${s}/apps"
  rsvg-convert -w "$s" -h "$s" faultline.svg -o "hicolor/${s}x${s}/apps/faultline.png"
done
echo "icons: rendered $(ls hicolor | wc -l) sizes"
