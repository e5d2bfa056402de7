#!/usr/bin/env bash
# zs-desk in a real browser: a small simulated region through zs-push and
# zs-monitor on the embedded broker, zs-desk serving it on loopback, and
# Chromium driven by Selenium (zs_desk_browser.py) as an officer, an officer
# of another county and a province supervisor would use it. Screenshots of
# each page are kept in ARTIFACTS.
#   zs_desk_browser.sh ZS_BROKER ZS_SIMULATE ZS_PUSH ZS_MONITOR ZS_CAT ZS_DESK ZS_AUDIT ARTIFACTS
# (ZS_SCHEMA_DIR, ZS_DATA_DIR set; ZS_KEEP_WORK=1 keeps the work dir)
set -euo pipefail
broker_bin=$1 sim=$2 push=$3 monitor=$4 cat_bin=$5 desk=$6 audit=$7 artifacts=$8
here="$(cd "$(dirname "$0")" && pwd -P)"
. "$here/lib.sh"
command -v sqlite3 >/dev/null 2>&1 || fail "sqlite3 is not installed (deploy/install-deps.sh --dev)"
command -v chromedriver >/dev/null 2>&1 || fail "chromedriver is not installed (deploy/install-deps.sh --dev)"
/usr/bin/python3 -c 'import selenium' 2>/dev/null || fail "python3-selenium is not installed (deploy/install-deps.sh --dev)"
cd "$tmp"
mkdir -p "$artifacts"

start_broker "$broker_bin" 4
bs=$b prefix="zs."
. "$here/../integration/monitor_lib.sh"
"$sim" --out a --households 1000 --from 2023Q1 --quarters 6 --seed 11 --quiet 2>sim.log ||
    fail "zs-simulate: $(cat sim.log)"
# Every fifth household's village is markup, as a registry export could
# carry it: the pages must show it as text and run nothing.
python3 - <<'PY'
import csv
rows = list(csv.reader(open("a/households.csv", encoding="utf-8", newline="")))
for i, r in enumerate(rows[1:]):
    if i % 5 == 0:
        r[3] = "<img src=x onerror=alert(1)>\"'&村"
with open("a/households.csv", "w", encoding="utf-8", newline="") as f:
    csv.writer(f, lineterminator="\n").writerows(rows)
PY
push_region a 2023Q1 2024Q2
run_monitor m --exit-idle 1500 -X zs.monitor.static_membership=false ||
    fail "zs-monitor: $(tail -5 monitor-m.log)"
"$cat_bin" -b "$b" -t zs.warnings -e >warnings.jsonl 2>cat.log || fail "zs-cat: $(cat cat.log)"
[ -s warnings.jsonl ] || fail "the monitor wrote no warnings"
ok "pipeline: $(wc -l <warnings.jsonl) warning records"

# The county with the most open warnings, and another one.
read -r county other < <(python3 - <<'PY'
import collections, json
latest = {}
for l in open("warnings.jsonl"):
    w = json.loads(l)
    latest[w["warning_id"]] = w
n = collections.Counter(w["county_code"] for w in latest.values() if w["status"] != "CLEARED")
c = [k for k, _ in n.most_common()]
print(c[0], c[1])
PY
)
db=$tmp/desk.db
adduser() { printf '%s\n' "$4" | "$desk" user add --db "$db" --login "$1" --role "$2" --scope "$3" 2>>user.log ||
    fail "user add $1: $(cat user.log)"; }
adduser officer1 officer "$county" 'correct horse 1'
adduser officer2 officer "$other" 'correct horse 2'
adduser prov province 45 'correct horse 3'
# A password never on the command line: a user add without stdin fails.
if "$desk" user add --db "$db" --login x --role officer --scope "$county" </dev/null 2>/dev/null; then
    fail "user add without a password succeeded"
fi
"$desk" user list --db "$db" >users.txt
grep -q "^officer1	officer	$county	active" users.txt || fail "user list: $(cat users.txt)"
ok "users: $(wc -l <users.txt) added, listed"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$desk" serve --db "$db" --listen "127.0.0.1:$port" -b "$b" 2>desk.log &
desk_pid=$!
trap '{ kill $desk_pid && wait $desk_pid; } 2>/dev/null || true; cleanup' EXIT
for _ in $(seq 100); do grep -q listening desk.log && break; sleep 0.1; done
grep -q listening desk.log || fail "zs-desk did not start: $(cat desk.log)"

/usr/bin/python3 "$here/zs_desk_browser.py" "http://127.0.0.1:$port" "$county" "$other" warnings.jsonl \
    "$artifacts" "$tmp/chromium" || fail "browser checks (zs-desk log: $(tail -5 desk.log))"
ok "browser checks"

# What the officer did is on zs.followup: the ACK and the MEASURE, by officer1.
"$cat_bin" -b "$b" -t zs.followup -e >followup.jsonl 2>cat.log || fail "zs-cat: $(cat cat.log)"
python3 - "$artifacts/acted.txt" <<'PY' || fail "zs.followup: $(cat followup.jsonl)"
import json, sys
wid = open(sys.argv[1]).read().strip()
f = [json.loads(l) for l in open("followup.jsonl")]
mine = [x for x in f if x.get("warning_id") == wid]
# The second, identical ACK was sent again with the same event id: one event.
events = {x["event_id"]: x for x in mine}
acts = sorted(x["action"] for x in events.values())
assert acts == ["ACK", "MEASURE"], acts
assert all(x["officer_id"] == "officer1" for x in mine), mine
assert all(x["event_id"].startswith("desk-") and len(x["event_id"]) == 32 for x in mine), mine
m = [x for x in mine if x["action"] == "MEASURE"][0]
assert m["measure"] == {"zengshou.AssistanceMeasure": "EMPLOYMENT"} or m["measure"] == "EMPLOYMENT", m
assert "**************" in m["note"] and "110105194912310021" not in m["note"], m["note"]
PY
ok "zs.followup holds exactly the ACK and the MEASURE, officer from the login, note masked"
"$cat_bin" -b "$b" -t zs.audit -e >audit.jsonl 2>cat.log || fail "zs-cat: $(cat cat.log)"
python3 - <<'PY' || fail "zs-desk's audit records"
import collections, json
recs = [json.loads(l) for l in open("audit.jsonl")]
mine = [r for r in recs if r["chain"].startswith("zs-desk/")]
kinds = collections.Counter(r["kind"] for r in mine)
# officer1 and prov log in once each, officer2 twice (the throttled try fails).
assert kinds["LOGIN_SUCCEEDED"] == 3, kinds
assert kinds["LOGIN_FAILED"] == 8, kinds  # wrong: 1 officer1, 1 unknown user, 5 officer2; 1 throttled
assert kinds["FOLLOWUP_RECORDED"] == 3, kinds  # ACK, MEASURE, the repeated ACK
reasons = collections.Counter(r["detail"].split("reason=")[-1] for r in mine if r["kind"] == "LOGIN_FAILED")
assert reasons == {"wrong password": 6, "unknown user": 1, "throttled": 1}, reasons
PY
"$audit" verify -b "$b" >verify.txt 2>&1 || fail "zs-audit verify: $(cat verify.txt)"
ok "logins, refusals and actions are audit records on zs-desk's chain, and every chain verifies"
# A user disabled while signed in is out at the next request.
jar=$tmp/jar
curl -s -c "$jar" -o login.html "http://127.0.0.1:$port/login"
lt=$(awk '$6 == "zs_login" { print $7 }' "$jar")
curl -s -b "$jar" -c "$jar" -o /dev/null --data-urlencode "csrf=$lt" --data-urlencode login=prov \
    --data-urlencode "password=correct horse 3" "http://127.0.0.1:$port/login"
[ "$(curl -s -b "$jar" -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/inbox")" = 200 ] ||
    fail "prov is not signed in"
"$desk" user disable --db "$db" --login prov 2>>user.log || fail "user disable: $(cat user.log)"
[ "$(curl -s -b "$jar" -o /dev/null -w '%{redirect_url}' "http://127.0.0.1:$port/inbox")" = \
    "http://127.0.0.1:$port/login" ] || fail "a disabled user's session still works"
"$desk" user list --db "$db" | grep -q "^prov	province	45	disabled" || fail "user list does not show prov disabled"
ok "a user disabled while signed in is signed out at the next request"

kill -TERM $desk_pid
wait $desk_pid || fail "zs-desk exit status $?: $(tail -5 desk.log)"
ok "zs-desk stops on SIGTERM with status 0"

# The read model holds every warning once; a restart resumes at the stored
# offsets and applies nothing again.
# (The first sync reads what was written after the server's feed stopped:
# the audit records of the last logins.)
"$desk" sync --db "$db" -b "$b" >sync1.out 2>sync.log || fail "zs-desk sync: $(cat sync.log)"
"$desk" sync --db "$db" -b "$b" >sync.out 2>sync.log || fail "zs-desk sync: $(cat sync.log)"
grep -q '^records=0 ' sync.out || fail "a restart applied records again: $(cat sync.out)"
n_db=$(sqlite3 "$db" "SELECT count(*) FROM warnings")
n_topic=$(python3 -c 'import json; print(len({json.loads(l)["warning_id"] for l in open("warnings.jsonl")}))')
[ "$n_db" = "$n_topic" ] || fail "$n_db warnings in the read model, $n_topic on the topic"
lines=$(sqlite3 "$db" "SELECT count(*) FROM events WHERE source LIKE 'zs.warnings/%'")
[ "$lines" = "$(wc -l <warnings.jsonl)" ] || fail "$lines history lines for $(wc -l <warnings.jsonl) warning records"
ok "read model: $n_db warnings, one history line per record; a restart applies nothing again"

# TLS with --cert/--key: the cookie is Secure; plain HTTP off loopback is refused (exit 2).
openssl req -x509 -newkey rsa:2048 -nodes -keyout tls.key -out tls.pem -days 1 -subj /CN=localhost \
    >/dev/null 2>&1 || fail "openssl could not make a test certificate"
rc=0
"$desk" serve --db "$db" --listen "0.0.0.0:$port" -b "$b" 2>listen.log || rc=$?
[ $rc -eq 2 ] && grep -q "only on loopback" listen.log || fail "plain HTTP on 0.0.0.0: exit $rc: $(cat listen.log)"
"$desk" serve --db "$db" --listen "127.0.0.1:$port" --cert tls.pem --key tls.key -b "$b" 2>tls.log &
desk_pid=$!
for _ in $(seq 100); do grep -q listening tls.log && break; sleep 0.1; done
curl -sk -D headers.txt -o /dev/null "https://127.0.0.1:$port/login" || fail "no answer over TLS: $(cat tls.log)"
grep -qi '^set-cookie: zs_login=.*; Secure' headers.txt || fail "no Secure cookie under TLS: $(cat headers.txt)"
grep -qi '^strict-transport-security:' headers.txt || fail "no HSTS under TLS"
kill -TERM $desk_pid
wait $desk_pid || fail "zs-desk (TLS) exit status $?"
ok "TLS: Secure cookies and HSTS; plain HTTP off loopback refused with exit 2"
echo "zs_desk_browser: $passed checks passed"
