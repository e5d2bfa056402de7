#!/usr/bin/env bash
# Regression test, "zs-push writes FILE.rejects.csv next to the input even
# when nothing is rejected": an export directory that may not be writable got
# an empty rejects file on every run. Now the rejects file is made only when a
# row is rejected, in the current directory or --rejects-dir, named after the
# input without its directory (no input name can put it anywhere else), and
# zs-push says where; a missing --rejects-dir is bad usage (exit 2).
#   zs_push_rejects_place.sh ZS_BROKER ZS_PUSH   (ZS_SCHEMA_DIR, ZS_DATA_DIR set)
set -euo pipefail
broker_bin=$1 push=$2
. "$(dirname "$0")/lib.sh"
cd "$tmp"
start_broker "$broker_bin" 3
mkdir -p exports run out
head='event_id,household_id,year,month,component,amount_yuan,source,reported_at'
printf '%s\nE1,H1,2024,5,WAGE,1,hrss,2024-06-01T00:00:00+08:00\n' "$head" >exports/good.csv
printf '%s\nE2,H1,2024,13,WAGE,1,hrss,2024-06-01T00:00:00+08:00\n' "$head" >exports/bad.csv
cp exports/bad.csv bad-up.csv
cd run

"$push" income ../exports/good.csv -b "$b" --quiet 2>push.log || fail "good: $(cat push.log)"
[ -z "$(find .. -name '*.rejects.csv')" ] || fail "a rejects file with nothing rejected: $(find .. -name '*.rejects.csv')"
grep -q rejects push.log && fail "a rejects file named with nothing rejected: $(cat push.log)"
ok "nothing rejected: no rejects file anywhere"

rc=0
"$push" income ../exports/bad.csv -b "$b" --quiet 2>push.log || rc=$?
[ $rc -eq 3 ] || fail "bad: exit $rc: $(cat push.log)"
[ -s bad.csv.rejects.csv ] || fail "no rejects file in the current directory: $(ls)"
[ ! -e ../exports/bad.csv.rejects.csv ] || fail "a rejects file beside the input"
grep -q '^rejected rows and why: ./bad.csv.rejects.csv$' push.log || fail "not said where: $(cat push.log)"
ok "a row rejected: FILE.rejects.csv in the current directory, and said where"

rc=0
"$push" income ../bad-up.csv -b "$b" --quiet --rejects-dir ../out 2>push.log || rc=$?
[ $rc -eq 3 ] && [ -s ../out/bad-up.csv.rejects.csv ] || fail "--rejects-dir: exit $rc: $(ls ../out)"
[ ! -e ../bad-up.csv.rejects.csv ] || fail "a rejects file beside the input"
grep -q '^rejected rows and why: ../out/bad-up.csv.rejects.csv$' push.log || fail "$(cat push.log)"
# An input named through other directories still lands in the one given.
rc=0
"$push" income ../exports/../run/../exports/bad.csv -b "$b" --quiet --rejects-dir ../out 2>push.log || rc=$?
[ $rc -eq 3 ] && [ -s ../out/bad.csv.rejects.csv ] || fail "dotted input: exit $rc: $(ls ../out)"
[ "$(find .. -name '*.rejects.csv' | LC_ALL=C sort | tr '\n' ' ')" = "../out/bad-up.csv.rejects.csv ../out/bad.csv.rejects.csv ../run/bad.csv.rejects.csv " ] ||
    fail "rejects files elsewhere: $(find .. -name '*.rejects.csv')"
ok "--rejects-dir: the input's name without its directory, there and nowhere else"

rc=0
"$push" income ../exports/bad.csv -b "$b" --quiet --rejects-dir ../missing 2>push.log || rc=$?
[ $rc -eq 2 ] && grep -q -- '--rejects-dir ../missing: No such file or directory' push.log ||
    fail "missing --rejects-dir: exit $rc: $(cat push.log)"
rc=0
"$push" income ../exports/bad.csv -b "$b" --quiet --rejects-dir ../exports/good.csv 2>push.log || rc=$?
[ $rc -eq 2 ] && grep -q 'not a directory' push.log || fail "a file as --rejects-dir: exit $rc: $(cat push.log)"
ok "a --rejects-dir that is missing or not a directory: exit 2"

cp ../exports/good.csv bad.csv
"$push" income bad.csv -b "$b" --quiet 2>push.log || fail "good rows: $(cat push.log)"
grep -q '^no row rejected; ./bad.csv.rejects.csv is from an earlier run$' push.log ||
    fail "an earlier run's rejects file not pointed out: $(cat push.log)"
ok "an earlier run's rejects file left alone, and said so"
echo "zs-push rejects file place: $passed passed, 0 failed"
