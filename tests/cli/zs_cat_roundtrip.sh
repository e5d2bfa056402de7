#!/usr/bin/env bash
# zs-cat: JSON lines encoded with --encode read back unchanged with -f; a bad
# line or a cut message is reported with its place and makes the exit status 1.
#   zs_cat_roundtrip.sh ZS_CAT SCHEMA_DIR
set -euo pipefail
cat_bin=$1 dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cat >"$tmp/in.jsonl" <<'JSON'
{"event_id":"e-1","year":2024,"amount_fen":1255000,"kind":"PAID","person_id":{"string":"p-1"},"wants_work":true,"reported_at":1714701600000}
{"event_id":"收入-2","year":2100,"amount_fen":-9223372036854775808,"kind":"DUE","person_id":null,"wants_work":false,"reported_at":0}
JSON
"$cat_bin" --schema-dir "$dir" --encode Flat <"$tmp/in.jsonl" >"$tmp/msgs.bin"
"$cat_bin" --schema-dir "$dir" -f "$tmp/msgs.bin" >"$tmp/out.jsonl"
python3 - "$tmp/in.jsonl" "$tmp/out.jsonl" <<'PY' || fail "decoded JSON differs from the input"
import json, sys
a = [json.loads(l) for l in open(sys.argv[1])]
b = [json.loads(l) for l in open(sys.argv[2])]
sys.exit(0 if a == b else 1)
PY

# A line that does not fit the schema: the good lines still come out.
printf '%s\n' '{"event_id":"e-3"}' >>"$tmp/in.jsonl"
if "$cat_bin" --schema-dir "$dir" --encode Flat <"$tmp/in.jsonl" >"$tmp/msgs2.bin" 2>"$tmp/err"; then
    fail "a bad line was accepted"
fi
grep -q 'stdin:3' "$tmp/err" || fail "the error does not name line 3: $(cat "$tmp/err")"
cmp -s "$tmp/msgs.bin" "$tmp/msgs2.bin" || fail "good lines were lost next to a bad one"

# A file cut inside its last message.
head -c -3 "$tmp/msgs.bin" >"$tmp/cut.bin"
if "$cat_bin" --schema-dir "$dir" -f "$tmp/cut.bin" >"$tmp/out2.jsonl" 2>"$tmp/err"; then
    fail "a cut file was read without complaint"
fi
grep -q 'message 2' "$tmp/err" || fail "the error does not name message 2: $(cat "$tmp/err")"
[ "$(wc -l <"$tmp/out2.jsonl")" -eq 1 ] || fail "the whole first message was not printed"
# Regression, "zs-cat says invalid value without naming the field": a string
# that is not valid UTF-8 cannot be printed as JSON; the error names it.
python3 - "$tmp/msgs.bin" "$tmp/badutf8.bin" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
assert data.count(b"p-1") == 1
open(sys.argv[2], "wb").write(data.replace(b"p-1", b"p\xff1"))
PY
if "$cat_bin" --schema-dir "$dir" -f "$tmp/badutf8.bin" >/dev/null 2>"$tmp/err"; then
    fail "a string that is not UTF-8 was printed"
fi
grep -q 'message 1: cannot print zengshou.test.Flat as JSON: person_id: a string that is not valid UTF-8' "$tmp/err" ||
    fail "the error does not name the field: $(cat "$tmp/err")"
# zs.log.format and zs.log.level take effect.
"$cat_bin" --schema-dir "$tmp/none" --schemas -X zs.log.format=json 2>"$tmp/err" && fail "a missing schema dir was accepted"
python3 -c 'import json,sys; m=json.loads(open(sys.argv[1]).readline()); sys.exit(m["level"] != "error")' "$tmp/err" ||
    fail "zs.log.format=json not applied: $(cat "$tmp/err")"
"$cat_bin" --schema-dir "$dir" --schemas -X zs.log.level=loud 2>"$tmp/err" && fail "a bad log level was accepted"
grep -q "zs.log.level: 'loud' is not one of" "$tmp/err" || fail "bad log level not named: $(cat "$tmp/err")"
echo "zs-cat round trip: 1 passed, 0 failed"
