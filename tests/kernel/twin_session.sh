#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# One sample session through the kernel twin (CTest label `kernel`):
#   1. `faultline-cli kernel SESSION` agrees with the simulation everywhere;
#   2. the reproducer `--emit-c` writes compiles with cc -Wall -Werror and
#      prints the same observations as `faultline-cli kernel --raw`;
#   3. no swap file and no process of either run is left behind.
# Exit 77 (skipped) where the kernel or the permissions do not allow it.
# usage: twin_session.sh CLI SESSION WORKDIR
cli=$1 session=$2 dir=$3
mkdir -p "$dir" || exit 1
cd "$dir" || exit 1
fail() { echo "FAIL: $*"; exit 1; }

# Runs a command in its own session and checks that nothing of it survives.
in_session() {
    setsid -w bash -c 'echo $$ > sid; exec "$@"' bash "$@"
    local rc=$? sid
    sid=$(cat sid)
    sleep 0.1
    if pgrep -s "$sid" > /dev/null; then pgrep -s "$sid" -a; fail "processes left behind by: $*"; fi
    return $rc
}
check_swap_gone() {
    ls /var/tmp/faultline-twin-*.swap 2> /dev/null && fail "swap file left behind"
    grep -q faultline-twin /proc/swaps && fail "swap file still swapped on"
    return 0
}

in_session "$cli" kernel "$session" > twin.txt 2>&1
rc=$?
check_swap_gone
[ $rc = 77 ] && { cat twin.txt; exit 77; }
grep -E '^(note|agreement|first disagreement)' twin.txt
[ $rc = 0 ] || fail "faultline-cli kernel exited $rc"
grep -Eq '^agreement: ([0-9]+)/\1 observations$' twin.txt || fail "no full agreement line"

"$cli" kernel "$session" --emit-c repro.c --force > /dev/null || fail "--emit-c"
cc -O2 -Wall -Werror -pthread -o repro repro.c || fail "the reproducer does not compile"
in_session ./repro > repro.txt 2>&1
rc=$?
check_swap_gone
[ $rc = 77 ] && exit 77
tail -1 repro.txt
[ $rc = 0 ] || fail "the reproducer exited $rc"
in_session "$cli" kernel "$session" --raw > raw.txt 2>&1 || fail "--raw"
check_swap_gone
diff <(grep -E '^(op|result|msgs|cell) ' raw.txt) <(grep -E '^(op|result|msgs|cell) ' repro.txt) > diff.txt ||
    { head -20 diff.txt; fail "the reproducer's observations differ from faultline-cli kernel's"; }
echo "same observations: $(grep -c '^cell ' raw.txt) cells"
exit 0
