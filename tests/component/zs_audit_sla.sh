#!/usr/bin/env bash
# zs-audit sla and query on a simulated region, on the embedded broker: the
# monitor opens warnings, a county follows some of them up, and 40 days later
# exactly the warnings without ACK (and without MEASURE) are escalated, once;
# a rerun writes nothing new, the audit chains still verify, query shows the
# follow-ups and escalations, and each county gets its supervision report.
#   zs_audit_sla.sh ZS_BROKER ZS_PUSH ZS_AUDIT ZS_SIMULATE ZS_MONITOR   (ZS_SCHEMA_DIR, ZS_DATA_DIR set)
set -euo pipefail
broker_bin=$1 push=$2 audit_bin=$3 sim=$4 monitor=$5
. "$(dirname "$0")/lib.sh"
cd "$tmp"
start_broker "$broker_bin" 12
q() { sqlite3 a.db "$@"; }
runs=0
archive() {
    runs=$((runs + 1))
    "$audit_bin" archive --db "$1" --once -b "$b" -X group.id="zs-audit-$runs" 2>>archive.log ||
        fail "archive $1: $(tail -3 archive.log)"
}

# A small region through zs-push and zs-monitor, as deploy/quickstart.sh does.
"$sim" --out region --households 1000 --from 2023Q1 --quarters 4 --seed 1 --quiet 2>sim.log ||
    fail "zs-simulate: $(cat sim.log)"
p() { "$push" "$@" -b "$b" --quiet 2>>push.log; }
p households --members region/members.csv region/households.csv || fail "push households: $(tail -3 push.log)"
for kind in income employment subsidy hardship; do
    rc=0
    p "$kind" "region/$kind.csv" || rc=$?
    [ $rc -eq 0 ] || [ $rc -eq 3 ] || fail "push $kind exited $rc: $(tail -3 push.log)"
done
p close --through 2023Q4 --from 2023Q1 >closed.out || fail "close: $(tail -3 push.log)"
[ "$(grep -c 'closed 2023Q1 to 2023Q4' closed.out)" -eq 6 ] || fail "not every topic closed: $(cat closed.out)"
# A member that left is only forgotten after its session timeout on the
# embedded broker: short ones, and a new archive group per run (a replay,
# which the archive ignores), keep reruns from waiting 45 s each.
run_monitor() {
    "$monitor" -b "$b" --exit-idle 2000 -X zs.monitor.static_membership=false \
        -X session.timeout.ms=6000 2>>monitor.log ||
        fail "zs-monitor: $(tail -5 monitor.log)"
}
run_monitor
archive a.db

# The warnings still open, in id order; the county follows up some of them:
# ACK and MEASURE for the first 10, ACK only for the next 10, MEASURE only
# for the 5 after (a MEASURE in time shows the household identified too).
q "SELECT warning_id, household_id FROM audit WHERE kind = 'WARNING_OPENED' AND warning_id NOT IN
   (SELECT warning_id FROM audit WHERE kind = 'WARNING_CLEARED') ORDER BY warning_id" >open.txt
open=$(wc -l <open.txt)
[ "$open" -ge 100 ] || fail "want at least 100 open warnings, got $open"
now_iso=$(date -u +%Y-%m-%dT%H:%M:%SZ)
{
    echo "event_id,household_id,warning_id,action,note,officer_id,at"
    n=0
    while IFS='|' read -r wid hh; do
        n=$((n + 1))
        if [ $n -le 20 ]; then echo "FA$n,$hh,$wid,ACK,identified,O-$n,$now_iso"; fi
        if [ $n -le 10 ] || { [ $n -gt 20 ] && [ $n -le 25 ]; }; then
            echo "FM$n,$hh,$wid,MEASURE,job training,O-$n,$now_iso"
        fi
    done <open.txt
} >followup.csv
p followup followup.csv || fail "push followup: $(tail -3 push.log)"
run_monitor
archive a.db
[ "$(q "SELECT count(*) FROM audit WHERE kind = 'FOLLOWUP_RECORDED'")" -eq 35 ] ||
    fail "want 35 FOLLOWUP_RECORDED, got $(q "SELECT count(*) FROM audit WHERE kind = 'FOLLOWUP_RECORDED'")"
ok "$open open warnings; 35 follow-ups recorded by the monitor"

# 20 days after the last warning opened, ACK is overdue for every warning
# without it; 40 days after, MEASURE too. The second run's chain goes on from
# the first's.
at_days() {
    python3 -c "import datetime as d; print((d.datetime(1970,1,1) + d.timedelta(milliseconds=$(q "SELECT max(at) FROM audit WHERE kind = 'WARNING_OPENED'")) + d.timedelta(days=$1)).strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3] + 'Z')"
}
now20=$(at_days 20) now=$(at_days 40)
cp a.db before.db
want_ack=$((open - 25)) want_measure=$((open - 15))
"$audit_bin" sla --db a.db -b "$b" --now "$now20" >sla.out 2>sla.log || fail "sla: $(cat sla.log)"
grep -q "; $want_ack escalations written (zs-audit/sla/[^ ]* seq 0-$((want_ack - 1)))" sla.out || fail "sla at 20 days: $(cat sla.out)"
"$audit_bin" sla --db a.db -b "$b" --now "$now" --report rep >sla.out 2>sla.log || fail "sla: $(cat sla.log)"
grep -q "; $want_measure escalations written (zs-audit/sla/[^ ]* seq $want_ack-$((want_ack + want_measure - 1)))" sla.out ||
    fail "sla at 40 days: $(cat sla.out)"
# Rerun before the archive has read them back: the archive's table stops them.
"$audit_bin" sla --db a.db -b "$b" --now "$now" >sla2.out 2>&1 || fail "sla rerun: $(cat sla2.out)"
grep -q "; 0 escalations written" sla2.out || fail "a rerun wrote again: $(cat sla2.out)"
archive a.db
cut -d'|' -f1 open.txt | sed -n '26,$p' | sort >want_ack.txt
cut -d'|' -f1 open.txt | sed -n '11,20p;26,$p' | sort >want_measure.txt
q "SELECT warning_id FROM audit WHERE kind = 'ESCALATION' AND action = 'ACK' ORDER BY 1" >got_ack.txt
q "SELECT warning_id FROM audit WHERE kind = 'ESCALATION' AND action = 'MEASURE' ORDER BY 1" >got_measure.txt
diff want_ack.txt got_ack.txt >/dev/null || fail "ACK escalations differ: $(diff want_ack.txt got_ack.txt | head -5)"
diff want_measure.txt got_measure.txt >/dev/null || fail "MEASURE escalations differ: $(diff want_measure.txt got_measure.txt | head -5)"
ok "$want_ack ACK and $want_measure MEASURE escalations: exactly the warnings not followed up"
[ "$(q "SELECT count(*) FROM audit WHERE kind = 'ESCALATION' AND (county_code IS NULL OR household_id IS NULL
        OR rule IS NULL OR detail NOT LIKE 'overdue=' || action || ';limit_days=%;days_overdue=%')")" -eq 0 ] ||
    fail "escalations without county, household, rule or detail"
q "SELECT detail FROM audit WHERE kind = 'ESCALATION' AND action = 'ACK' LIMIT 1" | grep -q 'limit_days=15;.*days_overdue=5;days_without=20;state=still_missing;' ||
    fail "ACK detail: $(q "SELECT detail FROM audit WHERE kind = 'ESCALATION' LIMIT 1")"
ok "escalations carry county, household, rule and which deadline passed by how many days"

# Reruns, later too, write nothing; so does an archive that has the
# ESCALATION records but not sla's table of them.
later=$(python3 -c "print('$now'.replace('T', ' ')[:10])")
"$audit_bin" sla --db a.db -b "$b" --now "${later}T23:59:59Z" >sla3.out 2>&1 || fail "sla: $(cat sla3.out)"
grep -q "; 0 escalations written" sla3.out || fail "a later rerun wrote again: $(cat sla3.out)"
archive before.db
"$audit_bin" sla --db before.db -b "$b" --now "$now" >sla4.out 2>&1 || fail "sla: $(cat sla4.out)"
grep -q "; 0 escalations written" sla4.out || fail "archived escalations written again: $(cat sla4.out)"
archive a.db
total=$((want_ack + want_measure))
[ "$(q "SELECT count(*) FROM audit WHERE kind = 'ESCALATION'")" -eq $total ] || fail "escalations repeated"
ok "reruns (the same day, later, on an archive without sla's table) write nothing new"

"$audit_bin" verify --db a.db >verify.out 2>&1 || fail "verify --db: $(cat verify.out)"
grep -q 'every link holds' verify.out || fail "$(cat verify.out)"
"$audit_bin" verify -b "$b" >verify.out 2>&1 || fail "verify: $(cat verify.out)"
ok "every audit chain verifies, in the archive and on the topic, the sla chain included"

# query: the county's quarter, warning by warning.
IFS='|' read -r wid1 hh1 <<<"$(sed -n 1p open.txt)"
IFS='|' read -r wid15 hh15 <<<"$(sed -n 15p open.txt)"
IFS='|' read -r wid30 _ <<<"$(sed -n 30p open.txt)"
county=$(q "SELECT county_code FROM audit WHERE warning_id = '$wid1' AND kind = 'WARNING_OPENED'")
"$audit_bin" query --db a.db --county "$county" --quarter 2023Q4 >qc.txt 2>&1 || fail "query: $(cat qc.txt)"
grep "^$wid1 " qc.txt | grep -q "ACK [0-9T:.-]*Z by O-1; MEASURE [0-9T:.-]*Z by O-1  -$" ||
    fail "followed-up warning: $(grep "^$wid1 " qc.txt)"
tail -1 qc.txt | grep -q "^[1-9][0-9]* warnings ([1-9][0-9]* records)$" || fail "no count: $(tail -1 qc.txt)"
"$audit_bin" query --db a.db --county "$county" --quarter 2023Q4 --format json >qc.json 2>&1 || fail "query json"
python3 - "$wid1" "$county" <<'PY' || fail "json: $(head -3 qc.json)"
import json, sys
rows = [json.loads(l) for l in open("qc.json")]
w = {r["warning_id"]: r for r in rows}
one = w[sys.argv[1]]
assert [f["action"] for f in one["followups"]] == ["ACK", "MEASURE"], one
assert one["followups"][0]["officer"] == "O-1" and one["escalated"] == [], one
assert one["status"] == "OPEN" and one["opened"] <= "2023-12", one
escalated = [r for r in rows if r["escalated"]]
assert escalated and all(
    {e["overdue"] for e in r["escalated"]} <= {"ACK", "MEASURE"} and e["days_overdue"] > 0
    for r in escalated for e in r["escalated"]), escalated[:2]
PY
"$audit_bin" query --db a.db --county "$county" --quarter 2023Q4 --format csv | head -1 |
    grep -q '^warning_id,rule,household_id,person_id,opened,opened_at,status,cleared,cleared_at,updates,notified,notified_at,followups,escalated$' ||
    fail "csv header"
c30=$(q "SELECT county_code FROM audit WHERE warning_id = '$wid30' AND kind = 'WARNING_OPENED'")
"$audit_bin" query --db a.db --county "$c30" --quarter 2023Q4 | grep "^$wid30 " |
    grep -q -- "-  ACK [0-9T:.-]*Z (+5 days); MEASURE [0-9T:.-]*Z (+10 days)$" || fail "escalated warning: $(grep "^$wid30 " qc.txt)"
# A notification as zs-notify records it (no zs-notify here: the row goes
# straight into a copy of the archive).
cp a.db n.db
sqlite3 n.db "INSERT INTO audit (topic, partition, offset, chain, seq, kind, actor, at, household_id,
  county_code, warning_id, detail, raw) VALUES ('zs.audit', 0, 999999, 'zs-notify/t/p0/1', 0,
  'NOTIFICATION_SENT', 'zs-notify@t', 1800000000000, '$hh1', '$county', '$wid1', 'channel=outbox', X'00')"
"$audit_bin" query --db n.db --county "$county" --quarter 2023Q4 | grep "^$wid1 " |
    grep -q "  SENT  2027-01-15T08:00:00.000Z  ACK " || fail "notification not shown: $(grep "^$wid1 " qc.txt)"
ok "query --county --quarter: each warning with its notification, follow-ups (dates, officers) and escalations, as table, CSV, JSON"

"$audit_bin" query --db a.db --household "$hh15" >qh.txt 2>&1 || fail "query household"
grep -q "FOLLOWUP_RECORDED .*$wid15 .* ACK  " qh.txt || fail "household history without its follow-up: $(cat qh.txt)"
grep -q "ESCALATION .*$wid15 .* MEASURE  .*overdue=MEASURE;" qh.txt || fail "household history without its escalation"
grep -q "WARNING_OPENED .*$wid15" qh.txt || fail "household history without its warning"
ok "query --household: the warning, its follow-up and its escalation in the history"

# Reports: one per county, its own overdue warnings only, escaped, Chinese by default.
[ -s "rep/sla-$c30.html" ] || fail "no report for $c30: $(ls rep | head)"
grep -q '<th>县</th><th>预警编号</th><th>规则</th><th>户编号</th><th>预警时间</th><th>未核实天数</th><th>未落实措施天数</th>' \
    "rep/sla-$c30.html" || fail "report headings"
grep -q "<td>$wid30</td>" "rep/sla-$c30.html" || fail "$wid30 not in its county's report"
grep -q "<td>$wid1</td>" "rep/sla-$county.html" && fail "a followed-up warning in the report"
for f in rep/sla-*.html; do
    c=${f#rep/sla-}
    c=${c%.html}
    want=$(q "SELECT count(DISTINCT warning_id) FROM audit WHERE kind = 'ESCALATION' AND county_code = '$c'")
    [ "$(grep -c '^<tr><td>' "$f")" -eq "$want" ] || fail "$f: want $want rows"
    grep -o '<tr><td>[0-9]*</td>' "$f" | grep -v "<td>$c</td>" && fail "$f shows another county"
done
"$audit_bin" sla --db a.db -b "$b" --now "$now" --report rep-en --lang en >/dev/null 2>&1 || fail "sla --lang en"
grep -q '<th>Days without ACK</th>' "rep-en/sla-$c30.html" || fail "English report"
ok "supervision reports: $(ls rep | wc -l) counties, each its own overdue warnings, Chinese or English"
echo "zs-audit sla: $passed passed, 0 failed"
