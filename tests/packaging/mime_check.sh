#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds a MIME database with Faultline's entry in a temporary folder and asks
# GIO what a session file, a plain JSON file and a *.faultline.json file are.
# usage: mime_check.sh MIME_XML SESSION_FILE
set -euo pipefail
xml=$1 session=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/share/mime/packages"
cp "$xml" "$tmp/share/mime/packages/faultline.xml"
update-mime-database "$tmp/share/mime" 2>/dev/null
cp "$session" "$tmp/session.json"
cp "$session" "$tmp/named.faultline.json"
echo '{"format": "something-else", "a": 1}' >"$tmp/plain.json"
type_of() { XDG_DATA_DIRS="$tmp/share:/usr/share" XDG_DATA_HOME="$tmp/none" gio info -a standard::content-type "$1" |
            sed -n 's/.*content-type: //p'; }
fail=0
expect() {
  local got; got=$(type_of "$1")
  [[ $got == "$2" ]] && echo "$(basename "$1"): $got" || { echo "FAIL: $(basename "$1"): $got, expected $2"; fail=1; }
}
expect "$tmp/session.json" application/x-faultline-session+json
expect "$tmp/named.faultline.json" application/x-faultline-session+json
expect "$tmp/plain.json" application/json
exit $fail
