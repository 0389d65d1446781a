#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the Debian 12 packages Faultline needs, if any are missing. The list
# is debian/control's (the package build reads the same one): Build-Depends,
# whatever their build profile, and X-Faultline-Dev-Depends, what only the
# development scripts use. `--package` adds what tools/package.sh needs.
set -euo pipefail
cd "$(dirname "$0")/.."

# Prints the packages of the named fields of debian/control's source stanza,
# one a line: no versions, architectures or profiles; the first of
# alternatives; debhelper-compat only with --package (as debhelper).
control_packages() {
  awk -v fields="$1" '
    BEGIN { n = split(fields, f, " "); for (i = 1; i <= n; i++) want[f[i]] = 1 }
    /^$/ { exit }                                   # end of the source stanza
    /^#/ { next }
    /^[^ \t]/ { split($0, kv, ":"); cur = kv[1]; if (cur in want) print substr($0, length(cur) + 2); next }
    /^[ \t]/ { if (cur in want) print }
  ' debian/control | tr ',' '\n' | sed -e 's/|.*//' -e 's/([^)]*)//g' -e 's/\[[^]]*\]//g' -e 's/<[^>]*>//g' |
    awk 'NF { print $1 }'
}

packages=(build-essential)
while IFS= read -r p; do
  if [[ $p == debhelper-compat ]]; then
    [[ ${1:-} == --package ]] && packages+=(debhelper)
    continue
  fi
  packages+=("$p")
done < <(control_packages "Build-Depends X-Faultline-Dev-Depends")
[[ ${1:-} == --package ]] && packages+=(dpkg-dev lintian)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "faultline: installing ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
