#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds the Debian package from debian/ and checks it with lintian:
#   tools/package.sh                          # build, run the tests, package
#   DEB_BUILD_OPTIONS=nocheck tools/package.sh  # without the tests (faster)
# The build runs in a copy of the tracked files (the working tree's versions)
# under a temporary folder, so neither the source tree nor its parent folder
# gets dpkg-buildpackage's output; the .deb ends up in build/deb/.
# Install it with: sudo apt install ./build/deb/faultline_*.deb
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh --package
src=$PWD
version=$(sed -n '1s/^faultline (\([^)]*\)).*/\1/p' debian/changelog)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/faultline-$version"
git ls-files -z | xargs -0 tar -cf - | tar -xf - -C "$work/faultline-$version"

export DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:-} parallel=$(nproc)"
(cd "$work/faultline-$version" && dpkg-buildpackage -b -us -uc)

mkdir -p "$src/build/deb"
rm -f "$src"/build/deb/faultline*
cp "$work"/*.deb "$work"/*.changes "$work"/*.buildinfo "$src/build/deb/"
deb=$(ls "$src"/build/deb/faultline_"$version"_*.deb)
changes=$(ls "$src"/build/deb/faultline_"$version"_*.changes)
echo "== lintian $changes"
lintian --info --display-info "$changes" || true
echo "package: $deb"
