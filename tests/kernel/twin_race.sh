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
[ $rc = 77 ] && exit 77
# A real race: how often the window is hit depends on the machine's timing and
# load (on an idle 2-CPU machine S10 can go thousands of iterations without a
# hit; under load it hits in about 2 %). A run that did not hit it proves
# nothing either way: skipped, not passed. A silent write the simulation does
# not predict ("DISAGREES") still fails.
if [[ $match == "^reproduced: " ]] && grep -q "^not reproduced in these iterations" race.txt; then
    echo "SKIP: the race was not hit in this run (figures above)"
    exit 77
fi
# Interrupted: what counts is the partial report, hit or not (exit 0 or 1).
if [ -n "$INTERRUPT_AFTER" ] && [ $rc = 1 ] && grep -q "^not reproduced in these iterations" race.txt; then rc=0; fi
[ $rc = 0 ] || { echo "FAIL: exit $rc"; exit 1; }
grep -Eq "$match" race.txt || { echo "FAIL: no line matching $match"; exit 1; }
exit 0
