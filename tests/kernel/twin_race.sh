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
[ $rc = 0 ] || { echo "FAIL: exit $rc"; exit 1; }
grep -Eq "$match" race.txt || { echo "FAIL: no line matching $match"; exit 1; }
exit 0
