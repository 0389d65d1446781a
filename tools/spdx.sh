#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Adds the SPDX licence line to every source file that lacks it:
#   // SPDX-License-Identifier: GPL-3.0-or-later   (C++)
#   # SPDX-License-Identifier: GPL-3.0-or-later    (CMake, shell, Python, YAML)
# as the first line, or right after a #! line. `--check` changes nothing and
# lists the files without it (exit 1 if any), for CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
tag="SPDX-License-Identifier: GPL-3.0-or-later"
check=0
case "${1:-}" in
  --check) check=1 ;;
  "") ;;
  *) echo "usage: tools/spdx.sh [--check]" >&2; exit 2 ;;
esac

# The files this project owns: tracked files in a git checkout, otherwise
# (a source tarball) every file outside build trees and debian/.
list_files() {
  if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files
  else
    find . -type f -not -path './build*' -not -path './.git/*' -not -path './debian/*' -not -path './obj-*' |
      sed 's|^\./||'
  fi
}

comment_for() {
  case "$1" in
    *.cpp | *.h | *.hpp | *.c) echo "//" ;;
    CMakeLists.txt | */CMakeLists.txt | *.cmake | *.sh | *.py | *.yml | *.yaml | .clang-format | .ci/*) echo "#" ;;
    *) echo "" ;;
  esac
}

missing=()
while IFS= read -r f; do
  [[ -f "$f" ]] || continue
  c=$(comment_for "$f")
  [[ -n "$c" ]] || continue
  # The tag belongs in the file's first lines (after a #! line at most).
  head -n 3 "$f" | grep -qF "$tag" && continue
  missing+=("$f")
  ((check)) && continue
  tmp=$(mktemp)
  if head -n 1 "$f" | grep -q '^#!'; then
    { head -n 1 "$f"; echo "$c $tag"; tail -n +2 "$f"; } >"$tmp"
  else
    { echo "$c $tag"; cat "$f"; } >"$tmp"
  fi
  cat "$tmp" >"$f"  # keeps the file's mode (scripts stay executable)
  rm -f "$tmp"
done < <(list_files)

if ((check)); then
  if ((${#missing[@]})); then
    for f in "${missing[@]}"; do echo "$f: no SPDX licence line (tools/spdx.sh adds it)"; done
    exit 1
  fi
  echo "spdx: every source file carries \"$tag\""
else
  ((${#missing[@]})) && printf 'spdx: added to %s\n' "${missing[@]}"
  true
fi
