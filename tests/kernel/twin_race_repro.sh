#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The reproducer's race loop (CTest label `kernel`): `--emit-c` of SESSION,
# compiled with cc -Wall -Werror, run as `./repro --race 0 SECONDS`, must
# reach the simulated violation (its verdict: C1 in a nonzero number of
# iterations, exit 0) and leave no process behind. 77 where not allowed.
# usage: twin_race_repro.sh CLI SESSION WORKDIR SECONDS
cli=$1 session=$2 dir=$3 seconds=$4
mkdir -p "$dir" && cd "$dir" || exit 1
"$cli" kernel "$session" --emit-c repro.c --force > /dev/null || { echo "FAIL: --emit-c"; exit 1; }
cc -O2 -Wall -Werror -pthread -o repro repro.c || { echo "FAIL: the reproducer does not compile"; exit 1; }
setsid -w bash -c 'echo $$ > sid; exec "$@"' bash ./repro --race 0 "$seconds" > race.txt 2>&1
rc=$?
grep -E '^(# calibration|race iterations|verdict)' race.txt
sleep 0.1
if pgrep -s "$(cat sid)" > /dev/null; then echo "FAIL: processes left behind"; exit 1; fi
[ $rc = 77 ] && exit 77
[ $rc = 0 ] || { echo "FAIL: exit $rc"; exit 1; }
grep -Eq '^verdict: C1 \(a silent write\) in [1-9][0-9]* of ' race.txt || { echo "FAIL: no C1 in the verdict"; exit 1; }
exit 0
