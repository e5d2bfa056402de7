#!/usr/bin/env bash
# zs-audit archive and verify --db on the embedded broker: every audit record
# archived once (a replay by another group adds nothing), the archive's chains
# hold, and an edited or a deleted archived record is named.
#   zs_audit_archive.sh ZS_BROKER ZS_PUSH ZS_AUDIT   (ZS_SCHEMA_DIR, ZS_DATA_DIR set)
set -euo pipefail
broker_bin=$1 push=$2 audit_bin=$3
. "$(dirname "$0")/lib.sh"
cd "$tmp"
start_broker "$broker_bin" 3

{
    echo "event_id,household_id,year,month,component,amount_yuan,source,reported_at"
    for i in $(seq 1 40); do
        if [ $((i % 4)) -eq 0 ]; then month=13; else month=5; fi
        echo "A$i,H$i,2024,$month,WAGE,100.00,hrss,2024-06-01T00:00:00Z"
    done
} >income.csv
"$push" income income.csv -b "$b" --quiet 2>/dev/null && fail "rejects expected"
"$push" income income.csv -b "$b" --quiet 2>/dev/null && fail "rejects expected"
# Two runs: 2 chains of 10 rejects and 1 summary each.

"$audit_bin" archive --db a.db --once -b "$b" 2>archive.log || fail "archive: $(cat archive.log)"
[ "$(sqlite3 a.db 'SELECT count(*) FROM audit')" -eq 22 ] || fail "want 22 archived, got $(sqlite3 a.db 'SELECT count(*) FROM audit')"
[ "$(sqlite3 a.db "SELECT count(*) FROM audit WHERE kind='ROW_REJECTED' AND detail LIKE 'month:%'")" -eq 20 ] ||
    fail "rejected rows not archived with their reason"
"$audit_bin" archive --db a.db --once -b "$b" -X group.id=replay 2>/dev/null || fail "replay"
[ "$(sqlite3 a.db 'SELECT count(*) FROM audit')" -eq 22 ] || fail "a replay changed the archive"
ok "22 records archived once; a replay by another group added nothing"

"$audit_bin" verify --db a.db >verify.out 2>&1 || fail "verify --db: $(cat verify.out)"
grep -q '22 records in 2 chains; every link holds' verify.out || fail "$(cat verify.out)"
ok "the archive's chains hold"

cp a.db edited.db
sqlite3 edited.db "UPDATE audit SET raw = substr(raw, 1, length(raw) - 1) || X'58' WHERE seq = 3"
"$audit_bin" verify --db edited.db >verify.out 2>&1 && fail "an edited record went unnoticed"
grep -q 'seq 4 does not carry the hash of seq 3' verify.out || fail "edit not named: $(cat verify.out)"
cp a.db deleted.db
sqlite3 deleted.db "DELETE FROM audit WHERE seq = 5"
"$audit_bin" verify --db deleted.db >verify.out 2>&1 && fail "a deleted record went unnoticed"
grep -q 'seq 6 follows 4: 1 records are missing' verify.out || fail "deletion not named: $(cat verify.out)"
grep -q 'BROKEN zs.audit \[[0-9]*\] offset [0-9]* (archived)' verify.out || fail "no coordinates: $(cat verify.out)"
ok "an edited and a deleted archived record are named with their coordinates"
"$audit_bin" query --db a.db --household H4 >q.txt 2>&1 || fail "query: $(cat q.txt)"
grep -q '(2 records)' q.txt && [ "$(grep -c 'ROW_REJECTED' q.txt)" -eq 2 ] || fail "household H4: $(cat q.txt)"
"$audit_bin" query --db a.db --household H4 --format json >q.json 2>&1 || fail "query json"
python3 -c 'import json,sys; r=[json.loads(l) for l in open("q.json")]; sys.exit(not (len(r)==2 and all(x["household_id"]=="H4" and x["detail"].startswith("month:") for x in r)))' ||
    fail "json: $(cat q.json)"
"$audit_bin" query --db a.db --household H4 --format csv | head -1 | grep -q '^at,kind,actor,household_id' || fail "csv header"
"$audit_bin" query --db a.db --county 451227 --quarter 2024Q2 | grep -q '(0 records)' || fail "county query"
"$audit_bin" query --db a.db --household H4 --county 451227 2>/dev/null && fail "two selectors accepted"
ok "query: a household's history as a table, CSV or JSON; a county's quarter"
echo "zs-audit archive: $passed passed, 0 failed"
