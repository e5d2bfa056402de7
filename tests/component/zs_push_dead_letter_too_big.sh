#!/usr/bin/env bash
# Regression test, "a dead letter too big to send halts everything": a bad
# row of 1 MB (a 1,000,000-byte source) and one of 10 MB (past the reader's
# row limit), each followed by a good row. Before the fix, the dead letter
# copied the whole row, the broker refused it as too large, zs-push exited 1
# and every --checkpoint rerun stopped at the same line. Now the dead letter
# carries the row's first bytes (at most ZS_DEAD_PAYLOAD_MAX, 64 KiB) and
# says in its reason that it was cut, with the SHA-256 of the whole; the
# rejects file keeps the row; the good rows are delivered; exit 3.
#   zs_push_dead_letter_too_big.sh ZS_BROKER ZS_PUSH ZS_CAT   (ZS_SCHEMA_DIR, ZS_DATA_DIR set)
set -euo pipefail
broker_bin=$1 push=$2 cat_bin=$3
. "$(dirname "$0")/lib.sh"
cd "$tmp"
start_broker "$broker_bin" 3
topic() { "$cat_bin" -b "$b" -t "zs.$1" -e "${@:2}"; }

# big.csv SIZE: a header, a row whose source is SIZE bytes, a good row.
python3 - <<'PY'
for name, size in (("mb1.csv", 1000000), ("mb10.csv", 10000000)):
    with open(name, "w") as f:
        f.write("event_id,household_id,year,month,component,amount_yuan,source,reported_at\n")
        f.write("B%d,H1,2024,5,WAGE,1,%s,2024-06-01T00:00:00+08:00\n" % (size, "s" * size))
        f.write("G%d,H1,2024,5,WAGE,1,hrss,2024-06-01T00:00:00+08:00\n" % size)
PY
for f in mb1 mb10; do
    rc=0
    "$push" income $f.csv -b "$b" --quiet --checkpoint $f.ckpt --rejects $f.rejects.csv 2>$f.log || rc=$?
    [ $rc -eq 3 ] || fail "$f: exit $rc, want 3 (a row rejected, the rest delivered): $(cat $f.log)"
    grep -q '^line=3$' $f.ckpt || fail "$f: checkpoint not past the bad row: $(cat $f.ckpt)"
    # A rerun with the checkpoint has nothing left to do and succeeds.
    rc=0
    "$push" income $f.csv -b "$b" --quiet --checkpoint $f.ckpt --rejects $f.rejects.csv 2>$f.log2 || rc=$?
    [ $rc -eq 0 ] || fail "$f: rerun exit $rc, want 0: $(cat $f.log2)"
done
ok "1 MB and 10 MB bad rows: exit 3, checkpoint past them, the rerun finishes"

topic income >income.out
grep -q '"G1000000"' income.out && grep -q '"G10000000"' income.out ||
    fail "the good rows after the big ones were not delivered: $(cat income.out)"
ok "the good row after each big one delivered"

topic deadletter >dead.out
python3 - <<'PY' || fail "dead letters wrong"
import hashlib, json
dead = [json.loads(l) for l in open("dead.out")]
assert len(dead) == 2, len(dead)
rows = {}
for name in ("mb1.csv", "mb10.csv"):
    rows[name] = open(name, "rb").read().split(b"\n")[1]
for d in dead:
    payload = d["payload"].encode("latin-1")
    name = d["source_file"]["string"]
    row = rows[name]
    assert len(payload) <= 65536, (name, len(payload))
    assert row.startswith(payload), name
    assert d["redacted"] is True, d["redacted"]
    assert "payload cut to its first %d of " % len(payload) in d["reason"], d["reason"]
    if name == "mb1.csv":
        # The whole row was read: its digest is the row's.
        assert "longer than 65536 bytes" in d["reason"], d["reason"]
        assert "of %d bytes" % len(row) in d["reason"], d["reason"]
        assert hashlib.sha256(row).hexdigest() in d["reason"], d["reason"]
    else:
        # Only the row's first MiB is read: the digest is of that, and said so.
        assert "only the row's first 1048576 bytes were read" in d["reason"], d["reason"]
        assert hashlib.sha256(row[:1048576]).hexdigest() in d["reason"], d["reason"]
PY
ok "each dead letter carries the row's first 64 KiB at most, says it was cut, with the digest"

python3 - <<'PY' || fail "rejects file does not keep the 1 MB row whole"
import csv
csv.field_size_limit(1 << 26)
rows = list(csv.reader(open("mb1.rejects.csv", newline="")))
assert len(rows) == 2 and len(rows[1][4]) > 1000000, [len(r) for r in rows]
PY
ok "the rejects file keeps the 1 MB row whole"
grep -q DATA.LOST broker.log && fail "the embedded broker dropped records: $(cat broker.log)"
echo "zs-push dead letters of big rows: $passed passed, 0 failed"
