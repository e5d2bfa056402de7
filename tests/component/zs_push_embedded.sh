#!/usr/bin/env bash
# zs-push against the embedded broker: rejects with their exact reasons (file
# and dead-letter topic), households joined with their members, JSON Lines
# and stdin, the period-close marker in every partition after the data, and
# a run killed in the middle of a file resumed with nothing lost.
# Every run's audit chain holds, with a record per rejected row and a
# summary per run.
#   zs_push_embedded.sh ZS_BROKER ZS_PUSH ZS_CAT ZS_AUDIT   (ZS_SCHEMA_DIR, ZS_DATA_DIR set)
set -euo pipefail
broker_bin=$1 push=$2 cat_bin=$3 audit_bin=$4
. "$(dirname "$0")/lib.sh"
cd "$tmp"
start_broker "$broker_bin" 12
topic() { "$cat_bin" -b "$b" -t "zs.$1" -e "${@:2}"; }

cat >households.csv <<'CSV'
household_id,county_code,township,village,category,updated_at
H001,451227,城关镇,下坳村,STABLE,2024-05-03T10:00:00+08:00
H002,451227,城关镇,"上坳村, 东",MARGINAL,2024-05-03T10:00:00+08:00
H003,110105,朝阳,某村,STABLE,2024-05-03T10:00:00+08:00
H005,451227,城关镇,下坳村,STABLE,2024-05-03T10:00:00+08:00
H006,451227,城关镇,下坳村,STABLE,2024-05-03T10:00:00+08:00
CSV
cat >members.csv <<'CSV'
household_id,person_id,id_number,relation,birth_year,sex,labor_class,disability,in_school,active,updated_at
H001,P1,11010519491231002X,HEAD,1949,M,ORDINARY,0,N,Y,2024-05-03T10:00:00Z
H001,P2,,SPOUSE,1952,F,WEAK,2,N,Y,2024-05-03T10:00:00Z
H002,P3,,HEAD,1980,M,SKILLED,0,N,Y,2024-05-03T10:00:00Z
H005,P5,,HEAD,1980,M,SKILLED,0,N,Y,2024-05-03T10:00:00Z
H005,P5,,CHILD,2010,M,NONE,0,Y,Y,2024-05-03T10:00:00Z
H009,P9,,HEAD,1980,X,SKILLED,0,N,Y,2024-05-03T10:00:00Z
H010,P10,11010519491231002X,HEAD,1950,M,SKILLED,0,N,Y,2024-05-03T10:00:00Z
CSV
rc=0
"$push" households --members members.csv households.csv -b "$b" --quiet 2>push.log || rc=$?
[ $rc -eq 3 ] || fail "households: exit $rc, want 3 (rows rejected): $(cat push.log)"
cat >want.csv <<'CSV'
file,line,column,reason
members.csv,6,person_id,person_id: P5 is already a member of H005 (line 5)
members.csv,7,sex,"sex: not one of M, F"
members.csv,8,id_number,id_number: ID number birth year does not match birth_year 1950
households.csv,4,county_code,county_code: not a county of the configured region
households.csv,5,household_id,members: person P5 is listed twice (members file lines 5 and 6)
members.csv,5,household_id,"household_id: household H005 was rejected (households.csv line 5, members: person P5 is listed twice (members file lines 5 and 6))"
households.csv,6,household_id,members: none in the members file (a household has 1 to 64)
CSV
python3 - <<'PY' || fail "households rejects differ: $(cat households.csv.rejects.csv)"
import csv, sys
got = [r[:4] for r in csv.reader(open("households.csv.rejects.csv"))]
want = [r for r in csv.reader(open("want.csv"))]
sys.exit(0 if got == want else 1)
PY
grep -q '11010519491231002X' households.csv.rejects.csv && fail "an ID number in clear in the rejects file"
grep -q '\*\*\*\*\*\*\*\*\*\*\*\*\*\*002X' households.csv.rejects.csv || fail "the rejected row's ID number is not masked"
ok "households: each bad member and household rejected with its reason, ID numbers masked"
ok "regression: the members of a rejected household each have a reject line naming its reason"

topic household >households.jsonl
python3 - <<'PY' || fail "joined households wrong: $(cat households.jsonl)"
import json, sys
hh = {h["household_id"]: h for h in map(json.loads, open("households.jsonl"))}
assert set(hh) == {"H001", "H002"}, hh.keys()  # H005: P5 twice; H006: no members
assert [m["person_id"] for m in hh["H001"]["members"]] == ["P1", "P2"]
assert hh["H001"]["members"][0]["id_number_masked"] == {"string": "**************002X"}
assert [m["person_id"] for m in hh["H002"]["members"]] == ["P3"]
assert hh["H002"]["village"] == "上坳村, 东"
PY
ok "households joined with their members"

# A household has 1 to 64 members: 64 go, 65 are refused with the household.
python3 - <<'PY'
with open("hh64.csv", "w") as f:
    f.write("household_id,county_code,township,village,category,updated_at\n")
    for h in ("H64", "H65"):
        f.write("%s,451227,城关镇,下坳村,STABLE,2024-05-03T10:00:00+08:00\n" % h)
with open("m64.csv", "w") as f:
    f.write("household_id,person_id,id_number,relation,birth_year,sex,labor_class,disability,in_school,active,updated_at\n")
    for h, n in (("H64", 64), ("H65", 65)):
        for i in range(n):
            f.write("%s,%s-%d,,OTHER,1980,M,SKILLED,0,N,Y,2024-05-03T10:00:00Z\n" % (h, h, i))
PY
rc=0
"$push" households --members m64.csv hh64.csv -b "$b" --quiet 2>push.log || rc=$?
[ $rc -eq 3 ] || fail "64/65 members: exit $rc, want 3: $(cat push.log)"
grep -q '^"hh64.csv","3","household_id","members: 65 in the members file, more than 64",' hh64.csv.rejects.csv ||
    fail "65 members not refused: $(cat hh64.csv.rejects.csv)"
# The household and each of its 65 members.
[ "$(tail -n +2 hh64.csv.rejects.csv | wc -l)" -eq 66 ] || fail "64/65 rejects: $(cat hh64.csv.rejects.csv)"
topic household >households.jsonl
python3 - <<'PY' || fail "the household of 64 members not delivered whole"
import json
hh = {h["household_id"]: h for h in map(json.loads, open("households.jsonl"))}
assert "H65" not in hh and len(hh["H64"]["members"]) == 64
PY
ok "households: none, a person twice or more than 64 members refused; 64 delivered"

cat >income.csv <<'CSV'
event_id,household_id,year,month,component,amount_yuan,source,reported_at
E1,H001,2024,5,WAGE,1200.50,hrss,2024-06-01T00:00:00+08:00
E2,H001,2024,13,WAGE,1200.50,hrss,2024-06-01T00:00:00+08:00
E3,H002,2024,5,TRANSFER,12.345,civil,2024-06-01T00:00:00+08:00
E4,H002,2024,5
E5,H002,2024,5,OPERATING,300,agri,2024-06-01T00:00:00+08:00
CSV
rc=0
"$push" income income.csv -b "$b" --quiet 2>push.log || rc=$?
[ $rc -eq 3 ] || fail "income: exit $rc, want 3: $(cat push.log)"
[ "$(tail -n +2 income.csv.rejects.csv | wc -l)" -ge 3 ] || fail "income rejects: $(cat income.csv.rejects.csv)"
grep -q '"3","month","month: not a month from 1 to 12"' income.csv.rejects.csv || fail "month reject"
grep -q '"4","amount_yuan","amount_yuan: more than two decimals"' income.csv.rejects.csv || fail "amount reject"
printf '%s\n' '{"event_id":"J1","household_id":"H001","year":2024,"month":6,"component":"EXPENSE","amount_yuan":99.5,"source":"agri","reported_at":"2024-07-01T00:00:00Z"}' \
    '{"event_id":"J2","household_id":"H001","year":2024,"month":6,"component":"WAGE"}' \
    '{"event_id":"J3","household_id":"H001","year":2024,"month":6,"component":"WAGE","amount_yuan":1,"source":true,"reported_at":"2024-07-01T00:00:00Z"}' >income.jsonl
rc=0
"$push" income income.jsonl -b "$b" --quiet 2>push.log || rc=$?
[ $rc -eq 3 ] || fail "jsonl: exit $rc, want 3: $(cat push.log)"
# Regression: "source": true was taken as the text "true".
grep -q '"3","source","source: not a JSON string (text goes in quotes)"' income.jsonl.rejects.csv ||
    fail "a JSON true taken as text: $(cat income.jsonl.rejects.csv)"

# Regression: a file that is not an export is bad usage (2), not a delivery
# failure to rerun (1): empty, or a header that does not fit.
: >empty.csv
printf 'event_id,household_id,colour\nE1,H1,red\n' >badheader.csv
for f in empty.csv badheader.csv; do
    rc=0
    "$push" income $f -b "$b" --quiet 2>push.log || rc=$?
    [ $rc -eq 2 ] || fail "$f: exit $rc, want 2: $(cat push.log)"
done
printf 'event_id,household_id,year,month,component,amount_yuan,source,reported_at\nS1,H002,2024,6,PROPERTY,10,agri,2024-07-01T00:00:00Z\n' |
    "$push" income - -b "$b" --quiet --rejects stdin.rejects.csv 2>push.log || fail "stdin: $(cat push.log)"
topic income >income.out
python3 - <<'PY' || fail "income topic wrong: $(cat income.out)"
import json
ids = sorted(json.loads(l)["event_id"] for l in open("income.out"))
assert ids == ["E1", "E5", "J1", "S1"], ids
j1 = [json.loads(l) for l in open("income.out") if "J1" in l][0]
assert j1["amount_fen"] == 9950 and j1["component"] == "EXPENSE", j1
PY
topic deadletter >dead.out
[ "$(wc -l <dead.out)" -eq 78 ] || fail "dead letters: want 78 (7+66 households, 3 income, 2 jsonl), got $(wc -l <dead.out)"
ok "income from CSV, JSON Lines and stdin: good rows delivered, every bad row a dead letter"

"$push" close --topic income --period 2024Q2 -b "$b" 2>push.log || fail "close: $(cat push.log)"
topic income -J >income.out
python3 - <<'PY' || fail "close markers wrong"
import json
last = {}
for l in open("income.out"):
    m = json.loads(l)
    last[m["partition"]] = max(last.get(m["partition"], (-1, None)), (m["offset"], m))
assert len(last) == 12, last.keys()
for p, (_, m) in last.items():
    assert m["schema"] == "zengshou.PeriodClose", m
    assert m["value"]["partition"] == p and m["value"]["year"] == 2024 and m["value"]["quarter"] == 2
PY
ok "period close: a marker at the end of every partition"

# 100,000 rows, killed in the middle, resumed: every row arrives.
python3 -c '
import sys
w = sys.stdout.write
w("event_id,household_id,year,month,component,amount_yuan,source,reported_at\n")
for i in range(100000):
    w("R%d,H%d,2024,%d,WAGE,%d.%02d,hrss,2024-07-01T00:00:00+08:00\n" % (i, i % 5000, i % 12 + 1, i % 3000, i % 100))
' >big.csv
# A small producer queue slows the first run down enough to kill it midway.
"$push" income big.csv -b "$b" --quiet --checkpoint big.ckpt -X zs.push.checkpoint.interval=10ms \
    -X queue.buffering.max.messages=2000 -X linger.ms=100 2>kill.log &
ppid=$!
for _ in $(seq 500); do [ -s big.ckpt ] && grep -q 'line=[1-9][0-9][0-9]' big.ckpt && break; sleep 0.01; done
kill -9 $ppid 2>/dev/null || true
wait $ppid 2>/dev/null || true
first=$(sed -n 's/^line=//p' big.ckpt)
[ -n "$first" ] && [ "$first" -lt 100001 ] || fail "no checkpoint in the middle: $(cat big.ckpt 2>/dev/null)"
"$push" income big.csv -b "$b" --quiet --checkpoint big.ckpt 2>resume.log || fail "resume: $(cat resume.log)"
grep -q 'skipped as sent before' resume.log || fail "resume did not skip: $(cat resume.log)"
topic income >income.out
python3 - <<'PY' || fail "rows lost after the kill"
import json
ids = {json.loads(l).get("event_id") for l in open("income.out")}
missing = [i for i in range(100000) if "R%d" % i not in ids]
assert not missing, "%d missing, first R%d" % (len(missing), missing[0])
PY
ok "killed after line $first, resumed: all 100000 rows delivered"
"$audit_bin" verify -b "$b" >verify.out 2>&1 || fail "audit chains broken: $(cat verify.out)"
grep -q 'records in 7 chains; every link holds' verify.out || fail "not 7 runs' chains: $(cat verify.out)"
topic audit >audit.out
python3 - <<'PY' || fail "audit records wrong"
import json
recs = [json.loads(l) for l in open("audit.out")]
kinds = [r["kind"] for r in recs]
assert kinds.count("ROW_REJECTED") == 78, kinds.count("ROW_REJECTED")
assert kinds.count("BATCH_SUMMARY") == 6, kinds.count("BATCH_SUMMARY")  # the killed run wrote none
assert kinds.count("PERIOD_CLOSED") == 1, kinds
assert all("11010519491231002X" not in json.dumps(r, ensure_ascii=False) for r in recs)
summary = [r for r in recs if r["kind"] == "BATCH_SUMMARY" and "big.csv" in r["detail"]][0]
assert summary["digest"] is not None and "100000 rows read" in summary["detail"], summary
PY
ok "every run's audit chain holds: a record per rejected row, a summary per run with the file's digest, the close"
grep -q DATA.LOST broker.log && fail "the embedded broker dropped records: $(cat broker.log)"
echo "zs-push on the embedded broker: $passed passed, 0 failed"
