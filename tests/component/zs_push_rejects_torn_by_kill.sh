#!/usr/bin/env bash
# Regression test, "a killed zs-push tears its rejects file": zs-push is
# killed (SIGKILL) in the middle of a file with many bad rows, then resumed
# with its checkpoint. Before the fix the rejects file went through stdio's
# buffer, so the kill left half a record and the resumed run appended to it.
# Now every record is one write(2) and a resumed run cuts a torn tail (one
# is added by hand after the kill, as a short write leaves it): every
# record of the rejects file parses as CSV with its 5 columns, and every bad
# row of the file has its record.
#   zs_push_rejects_torn_by_kill.sh ZS_BROKER ZS_PUSH   (ZS_SCHEMA_DIR, ZS_DATA_DIR set)
set -euo pipefail
broker_bin=$1 push=$2
. "$(dirname "$0")/lib.sh"
cd "$tmp"
start_broker "$broker_bin" 3

# 40,000 rows, every other one bad (month 13), each bad row carrying a
# quoted field with a line end and quotes, as registry exports do.
python3 - <<'PY'
with open("bad.csv", "w") as f:
    f.write("event_id,household_id,year,month,component,amount_yuan,source,reported_at\n")
    for i in range(40000):
        if i % 2:
            f.write('R%d,H%d,2024,13,WAGE,1,"line\nend ""%d""",2024-07-01T00:00:00+08:00\n' % (i, i % 500, i))
        else:
            f.write("R%d,H%d,2024,5,WAGE,1,hrss,2024-07-01T00:00:00+08:00\n" % (i, i % 500))
PY
kills=0
for attempt in 1 2 3; do
    rm -f bad.ckpt bad.rejects.csv
    "$push" income bad.csv -b "$b" --quiet --checkpoint bad.ckpt --rejects bad.rejects.csv \
        -X zs.push.checkpoint.interval=10ms -X queue.buffering.max.messages=1000 -X linger.ms=50 2>kill.log &
    pid=$!
    for _ in $(seq 1000); do grep -qs 'line=[1-9][0-9][0-9]' bad.ckpt && break; sleep 0.01; done
    kill -9 $pid 2>/dev/null && kills=$((kills + 1)) || true
    wait $pid 2>/dev/null || true
    line=$(sed -n 's/^line=//p' bad.ckpt 2>/dev/null || true)
    [ -n "$line" ] && [ "$line" -lt 40001 ] && break
done
[ $kills -gt 0 ] && [ -n "$line" ] && [ "$line" -lt 40001 ] ||
    fail "could not kill zs-push in the middle of the file: $(cat bad.ckpt 2>/dev/null)"
# A write cut short (a full disk) leaves half a record, a quoted line end
# inside it: the resumed run must cut it, not append to it.
printf '"bad.csv","99","month","month: not a month from 1 to 12","R99,H99,2024,13,WAGE,1,""line\nend' >>bad.rejects.csv
rc=0
"$push" income bad.csv -b "$b" --quiet --checkpoint bad.ckpt --rejects bad.rejects.csv 2>resume.log || rc=$?
[ $rc -eq 3 ] || fail "resume: exit $rc, want 3: $(cat resume.log)"
grep -q 'cut a torn last record' resume.log || fail "resume did not say it cut a torn record: $(cat resume.log)"
python3 - <<'PY' || fail "the rejects file is torn"
import csv
# The line each row starts at: a bad row takes two.
start, line = {}, 2
for i in range(40000):
    start[i] = line
    line += 2 if i % 2 else 1
with open("bad.rejects.csv", newline="") as f:
    recs = list(csv.reader(f))
assert recs[0] == ["file", "line", "column", "reason", "row"], recs[0]
for r in recs[1:]:
    assert len(r) == 5, r
    assert r[2] == "month" and r[3] == "month: not a month from 1 to 12", r
    i = int(r[4].split(",")[0][1:])
    assert int(r[1]) == start[i], (r[1], start[i])
    raw = 'R%d,H%d,2024,13,WAGE,1,"line\nend ""%d""",2024-07-01T00:00:00+08:00' % (i, i % 500, i)
    assert r[4] == raw, (r[4], raw)
# Every bad row has a record (a row past the checkpoint may have two: its
# first run wrote it, the resumed run sent it again).
lines = {int(r[1]) for r in recs[1:]}
want = {start[i] for i in range(40000) if i % 2}
assert lines == want, (len(lines), len(want), sorted(want - lines)[:5])
PY
ok "killed after line $line and resumed: every rejects record whole, with 5 columns, none missing"
echo "zs-push rejects after a kill: $passed passed, 0 failed"
