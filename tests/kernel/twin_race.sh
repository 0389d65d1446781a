#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The race twin on one session (CTest label `kernel`): runs
# `faultline-cli kernel SESSION --race ARGS...`, expects exit 0 and a line
# matching MATCH, and that no process is left behind. With INTERRUPT_AFTER
# set, sends SIGINT after that many seconds and expects the partial report.
# usage: twin_race.sh CLI SESSION WORKDIR MATCH [ARGS...]
cli=$1 session=$2 dir=$3 match=$4
shift 4
mkdir -p "$dir" && cd "$dir" || exit 1
setsid -w bash -c 'echo $$ > sid; exec "$@"' bash "$cli" kernel "$session" --race "$@" > race.txt 2>&1 &
waiter=$!
if [ -n "$INTERRUPT_AFTER" ]; then
    sleep "$INTERRUPT_AFTER"
    kill -INT "$(cat sid)"
fi
wait $waiter
rc=$?
cat race.txt
sleep 0.1
if pgrep -s "$(cat sid)" > /dev/null; then echo "FAIL: processes left behind"; exit 1; fi
# 77 only when the kernel or the permissions do not allow the twin.
[ $rc = 77 ] && exit 77
# The race loop starts the racers within a microsecond of their planned
# offsets and aims at the offsets that hit, so S10's C1 comes in well over
# 10 % of iterations, idle or loaded: a run that misses it over the budget
# fails ("not reproduced in these iterations", exit 1), as does a silent
# write the simulation does not predict ("DISAGREES").
# Interrupted: what counts is the partial report, hit or not (exit 0 or 1).
if [ -n "$INTERRUPT_AFTER" ] && [ $rc = 1 ] && grep -q "^not reproduced in these iterations" race.txt; then rc=0; fi
[ $rc = 0 ] || { echo "FAIL: exit $rc"; exit 1; }
grep -Eq "$match" race.txt || { echo "FAIL: no line matching $match"; exit 1; }
exit 0
