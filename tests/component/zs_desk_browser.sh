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
command -v chromedriver >/dev/null 2>&1 || fail "chromedriver is not installed (deploy/install-deps.sh --dev)"
/usr/bin/python3 -c 'import selenium' 2>/dev/null || fail "python3-selenium is not installed (deploy/install-deps.sh --dev)"
cd "$tmp"
mkdir -p "$artifacts"

start_broker "$broker_bin" 4
bs=$b prefix="zs."
. "$here/../integration/monitor_lib.sh"
"$sim" --out a --households 1000 --from 2023Q1 --quarters 6 --seed 11 --quiet 2>sim.log ||
    fail "zs-simulate: $(cat sim.log)"
push_region a 2023Q1 2024Q2
run_monitor m --exit-idle 3000 -X zs.monitor.static_membership=false ||
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
assert kinds["LOGIN_FAILED"] == 7, kinds  # 1 wrong officer1, 5 wrong officer2, 1 throttled
assert kinds["FOLLOWUP_RECORDED"] == 3, kinds  # ACK, MEASURE, the repeated ACK
reasons = collections.Counter(r["detail"].split("reason=")[-1] for r in mine if r["kind"] == "LOGIN_FAILED")
assert reasons == {"wrong password": 6, "throttled": 1}, reasons
PY
"$audit" verify -b "$b" >verify.txt 2>&1 || fail "zs-audit verify: $(cat verify.txt)"
ok "logins, refusals and actions are audit records on zs-desk's chain, and every chain verifies"
kill -TERM $desk_pid
wait $desk_pid || fail "zs-desk exit status $?: $(tail -5 desk.log)"
ok "zs-desk stops on SIGTERM with status 0"
echo "zs_desk_browser: $passed checks passed"
