#!/usr/bin/env bash
# Regression test, "ID numbers in clear": before the fix, a malformed ID
# number (17 or 19 characters, a bad check character) in a rejected row went
# to the rejects file, the dead letter and the audit trail in clear, and an
# ID number typed into free text (a village, a source, a follow-up's note),
# next to letters or in groups with spaces, went everywhere, the messages
# included. Now nothing zs-push writes (rejects file, zs.deadletter,
# zs.audit, zs.household, zs.followup, its log) holds any of them in clear.
#   zs_push_idnumbers_in_clear.sh ZS_BROKER ZS_PUSH ZS_CAT   (ZS_SCHEMA_DIR, ZS_DATA_DIR set)
set -euo pipefail
broker_bin=$1 push=$2 cat_bin=$3
. "$(dirname "$0")/lib.sh"
cd "$tmp"
start_broker "$broker_bin" 3
topic() { "$cat_bin" -b "$b" -t "zs.$1" -e "${@:2}"; }

cat >households.csv <<'CSV'
household_id,county_code,township,village,category,updated_at
H1,451227,城关镇,下坳村ID45012219800101123X号,STABLE,2024-05-03T10:00:00+08:00
H2,451227,城关镇,"上坳村 450122 19800101 1239",STABLE,2024-05-03T10:00:00+08:00
CSV
cat >members.csv <<'CSV'
household_id,person_id,id_number,relation,birth_year,sex,labor_class,disability,in_school,active,updated_at
H1,P1,45012219800101123,HEAD,1980,M,ORDINARY,0,N,Y,2024-05-03T10:00:00Z
H1,P2,4501221980010112341,SPOUSE,1980,F,ORDINARY,0,N,Y,2024-05-03T10:00:00Z
H1,P3,450122198001011235,CHILD,1980,F,ORDINARY,0,N,Y,2024-05-03T10:00:00Z
H1,P4,,CHILD,2010,F,NONE,0,Y,Y,2024-05-03T10:00:00Z
H2,P5,,HEAD,1980,X,ORDINARY,0,N,Y,ID45012219800101123X
H2,P6,,HEAD,1980,M,ORDINARY,0,N,Y,2024-05-03T10:00:00Z
CSV
rc=0
"$push" households --members members.csv households.csv -b "$b" --quiet 2>push.log || rc=$?
[ $rc -eq 3 ] || fail "households: exit $rc, want 3: $(cat push.log)"
[ "$(tail -n +2 households.csv.rejects.csv | wc -l)" -eq 4 ] ||
    fail "want 4 rejected members: $(cat households.csv.rejects.csv)"

cat >followup.jsonl <<'JSONL'
{"event_id":"F1","household_id":"H1","warning_id":"W-1","action":"ACK","note":"户主身份证 4501 2219 8001 0112 3X 已核","officer_id":"o1","at":"2024-07-01T09:00:00+08:00"}
{"event_id":"F2","household_id":"H1","warning_id":"W-1","action":"NOPE","note":"ID45012219800101123X","officer_id":"o1","at":"2024-07-01T09:00:00+08:00"}
JSONL
rc=0
"$push" followup followup.jsonl -b "$b" --quiet 2>>push.log || rc=$?
[ $rc -eq 3 ] || fail "followup: exit $rc, want 3: $(cat push.log)"
cat >income.csv <<'CSV'
event_id,household_id,year,month,component,amount_yuan,source,reported_at
E1,H1,2024,13,WAGE,1,hrss 45012219800101123X,2024-06-01T00:00:00+08:00
CSV
rc=0
"$push" income income.csv -b "$b" --quiet 2>>push.log || rc=$?
[ $rc -eq 3 ] || fail "income: exit $rc, want 3: $(cat push.log)"

for t in household followup deadletter audit; do topic $t >$t.out; done
cat households.csv.rejects.csv followup.jsonl.rejects.csv income.csv.rejects.csv push.log >written.out
# Every digit run of 15 or more in what was written, spaces taken out: none
# may be a piece of the ID numbers above.
python3 - <<'PY' || fail "an ID number in clear"
import glob, re
ids = ["45012219800101123", "4501221980010112341", "450122198001011235", "45012219800101123X",
       "450122198001011239"]
for name in ["household.out", "followup.out", "deadletter.out", "audit.out", "written.out"]:
    text = open(name, encoding="utf-8").read()
    flat = re.sub(r"(?<=\d) (?=\d)", "", text)
    for i in ids:
        # Anything past the last 4 characters of an ID number is in clear.
        assert i[:8] not in flat, (name, i)
hh = open("household.out").read()
assert "下坳村ID**************123X号" in hh, hh
assert "上坳村 ****** ******** 1239" in hh, hh
fu = open("followup.out").read()
assert "户主身份证 **** **** **** **12 3X 已核" in fu, fu
PY
ok "no ID number in clear in the rejects files, dead letters, audit, messages or log"
grep -q '"P1,\*\*\*\*\*\*\*\*\*\*\*\*\*1123,\|H1,P1,\*\*\*\*\*\*\*\*\*\*\*\*\*1123,' households.csv.rejects.csv ||
    fail "a 17-character ID number not masked by position: $(cat households.csv.rejects.csv)"
ok "malformed ID numbers masked by position, keeping their last 4"
echo "zs-push ID numbers: $passed passed, 0 failed"
