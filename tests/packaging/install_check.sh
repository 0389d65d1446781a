#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the build tree to a fresh temporary prefix and runs what was
# installed: faultline-cli check on the installed samples, the installed window
# headless on its default session (found only through the install layout: an
# empty working folder and no XDG data folders), the man pages, the completion.
# usage: install_check.sh BUILD_DIR PREFIX APP_ID SOURCE_DIR
set -euo pipefail
build=$1 prefix=$2 app_id=$3 src=$4
rm -rf "$prefix"
cmake --install "$build" --prefix "$prefix" >/dev/null

fail=0
need() { [[ -e "$prefix/$1" ]] || { echo "FAIL: not installed: $1"; fail=1; }; }
need bin/faultline
need bin/faultline-cli
need bin/faultline-probe
need share/faultline/sample_sessions/s1-seed-race.json
need "share/applications/$app_id.desktop"
need "share/metainfo/$app_id.metainfo.xml"
need "share/icons/hicolor/16x16/apps/$app_id.png"
need "share/icons/hicolor/256x256/apps/$app_id.png"
need "share/icons/hicolor/scalable/apps/$app_id.svg"
need share/mime/packages/faultline.xml
need share/man/man1/faultline.1
need share/man/man1/faultline-cli.1
need share/man/man1/faultline-probe.1
need share/bash-completion/completions/faultline-cli
need share/doc/faultline/LICENSE
need share/doc/faultline/README.md
need share/doc/faultline/docs/session-format.md
((fail)) && exit 1

echo "== installed faultline-cli check on the installed samples"
"$prefix/bin/faultline-cli" check "$prefix"/share/faultline/sample_sessions/*.json | tail -n 2

echo "== installed window, headless, default session"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && env QT_QPA_PLATFORM=offscreen XDG_DATA_DIRS="$work/none" XDG_DATA_HOME="$work/none" \
    "$prefix/bin/faultline" --screenshot shot.png --size 800x500)
head -c 8 "$work/shot.png" | od -An -c | grep -q 'P   N   G' || { echo "FAIL: no PNG written"; exit 1; }
echo "screenshot: $(stat -c %s "$work/shot.png") bytes"

echo "== man pages"
for m in "$prefix"/share/man/man1/*.1; do
  out=$(LC_ALL=C.UTF-8 man --warnings -l "$m" 2>&1 >/dev/null) || true
  [[ -z $out ]] || { echo "FAIL: man $m: $out"; fail=1; }
  LC_ALL=C.UTF-8 man -l "$m" 2>/dev/null | grep -q "EXIT STATUS\|SEE ALSO" || { echo "FAIL: $m has no hand-written sections"; fail=1; }
done

echo "== bash completion of the installed faultline-cli"
bash "$src/tests/packaging/completion_test.sh" "$prefix/share/bash-completion/completions/faultline-cli" "$prefix/bin" || fail=1

echo "== desktop entry and metainfo as installed"
desktop-file-validate "$prefix/share/applications/$app_id.desktop" || fail=1
appstreamcli validate --no-net "$prefix/share/metainfo/$app_id.metainfo.xml" >/dev/null || fail=1
exit $fail
