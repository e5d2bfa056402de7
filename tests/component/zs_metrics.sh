#!/usr/bin/env bash
# The daemons' Prometheus metrics (zs.metrics.listen, common/zs_metrics.c)
# on the embedded broker: a small simulated region through zs-push; then
# zs-monitor, zs-notify and zs-audit archive each serve /metrics on
# 127.0.0.1 (a free port, read from their log) and a scrape over loopback
# must agree with what each says of itself: the monitor's last stats line
# (events, lag, transactions, dead letters, warnings, households), the
# outbox files zs-notify wrote, the audit records zs-audit archived. Every
# sample line must be well formed with a # TYPE before it. Also: a
# non-loopback address is refused at start (exit 2, before any connection),
# and the listener answers only GET /metrics.
#   zs_metrics.sh ZS_BROKER ZS_SIMULATE ZS_PUSH ZS_MONITOR ZS_CAT ZS_NOTIFY ZS_AUDIT
set -euo pipefail
broker_bin=$1 sim=$2 push=$3 monitor=$4 cat_bin=$5 notify=$6 audit_bin=$7
here="$(cd "$(dirname "$0")" && pwd -P)"
. "$here/lib.sh"
cd "$tmp"
pids=()
stop_all() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap 'stop_all; cleanup' EXIT

# A bad address is refused before anything else happens: the broker named
# does not exist (.invalid), so getting as far as Kafka would show.
for addr in 0.0.0.0:9464 192.0.2.1:9464 '[::]:9464' metrics.invalid:9464 127.0.0.1 127.0.0.1:99999; do
    for prog in monitor notify audit; do
        rc=0
        case $prog in
        monitor) "$monitor" -b kafka.invalid:9092 -X zs.metrics.listen="$addr" 2>bad.log || rc=$? ;;
        notify)
            echo "* outbox $tmp" >bad-routes
            "$notify" -b kafka.invalid:9092 --routes bad-routes -X zs.metrics.listen="$addr" \
                2>bad.log || rc=$?
            ;;
        audit) "$audit_bin" archive --db bad.db -b kafka.invalid:9092 \
            -X zs.metrics.listen="$addr" 2>bad.log || rc=$? ;;
        esac
        [ $rc -eq 2 ] || fail "zs-$prog with zs.metrics.listen=$addr: exit $rc, want 2: $(tail -3 bad.log)"
        grep -qF "zs.metrics.listen $addr" bad.log || fail "zs-$prog: no reason given: $(cat bad.log)"
        if grep -qi "kafka.invalid" bad.log; then fail "zs-$prog tried Kafka first: $(cat bad.log)"; fi
    done
done
ok "non-loopback or malformed zs.metrics.listen refused at start by all three daemons (exit 2)"

start_broker "$broker_bin" 4
bs=$b prefix="zs."
. "$here/../integration/monitor_lib.sh"
"$sim" --out a --households 1000 --from 2023Q1 --quarters 6 --seed 5 --quiet 2>sim.log ||
    fail "zs-simulate: $(cat sim.log)"
push_region a 2023Q1 2024Q2

# port LOG: the port a daemon logged it serves metrics on.
port() {
    local p=
    for _ in $(seq 100); do
        p=$(sed -n 's|.*metrics: http://127.0.0.1:\([0-9]*\)/metrics.*|\1|p' "$1" | tail -1)
        [ -n "$p" ] && break
        sleep 0.1
    done
    [ -n "$p" ] || fail "no metrics line in $1: $(tail -5 "$1")"
    echo "$p"
}

# scrape PORT: the text, checked for form; one "name{labels} value" per line.
scrape() {
    python3 - "$1" <<'PY'
import re, sys, urllib.request
text = urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=10).read().decode()
typed = set()
for line in text.splitlines():
    if line.startswith("# TYPE "):
        name, kind = line.split()[2:4]
        assert kind in ("counter", "gauge"), line
        assert not (kind == "counter") or name.endswith("_total"), "counter without _total: " + line
        typed.add(name)
        continue
    if line.startswith("# HELP "):
        continue
    m = re.fullmatch(r'(zengshou_[a-z_]+)(\{[a-z_]+="(?:[^"\\]|\\.)*"(?:,[a-z_]+="(?:[^"\\]|\\.)*")*\})? (-?[0-9]+)', line)
    assert m, "malformed sample: %r" % line
    assert m.group(1) in typed, "no # TYPE before " + line
    print(line)
PY
}

# value FILE NAME [LABEL-REGEX]: the sum of the samples of NAME (matching).
value() {
    awk -v n="$2" -v l="${3:-}" '{ split($1, a, "{"); if (a[1] == n && (l == "" || $1 ~ l)) s += $2 } END { print s + 0 }' "$1"
}

# --- zs-monitor ---
start_monitor m -X zs.metrics.listen=127.0.0.1:0 -X zs.monitor.stats.interval=1s \
    -X zs.monitor.static_membership=false
pids+=("$mpid")
mport=$(port monitor-m.log)
# Wait until it is idle: two stats lines in a row with lag 0 and the same events.
stats=
for _ in $(seq 120); do
    mapfile -t last < <(grep -o 'events [0-9]* .*aborted' monitor-m.log | tail -2)
    if [ ${#last[@]} -eq 2 ] && [ "${last[0]%%(*}" = "${last[1]%%(*}" ] &&
        [[ ${last[1]} == *", lag 0,"* ]] && [[ ${last[1]} != "events 0 "* ]]; then
        stats=${last[1]}
        break
    fi
    sleep 1
done
[ -n "$stats" ] || fail "zs-monitor did not settle: $(tail -3 monitor-m.log)"
sleep 1.5 # one more publication
scrape "$mport" >monitor.prom || fail "scraping zs-monitor"
python3 - "$stats" monitor.prom <<'PY' || fail "zs-monitor's metrics against its stats line"
import re, sys
stats, prom = sys.argv[1], open(sys.argv[2]).read()
def want(pat):
    return int(re.search(pat, stats).group(1))
def got(name, label=""):
    return sum(int(l.split()[-1]) for l in prom.splitlines()
               if re.match(re.escape(name) + r"(\{|\s)", l) and label in l)
pairs = [("events", want(r"events (\d+)"), got("zengshou_monitor_events_total")),
         ("lag", want(r"lag (\d+)"), got("zengshou_monitor_lag_records")),
         ("households", want(r"households (\d+)"), got("zengshou_monitor_households")),
         ("open warnings", want(r"open warnings (\d+)"), got("zengshou_monitor_open_warnings")),
         ("warnings written", want(r"warnings written (\d+)"), got("zengshou_monitor_warnings_written_total")),
         ("dead letters", want(r"dead letters (\d+)"), got("zengshou_monitor_dead_letters_total")),
         ("committed", want(r"transactions (\d+) committed"), got("zengshou_monitor_transactions_total", 'outcome="committed"')),
         ("aborted", want(r"(\d+) aborted"), got("zengshou_monitor_transactions_total", 'outcome="aborted"'))]
bad = ["%s: stats %d, metrics %d" % p for p in pairs if p[1] != p[2]]
wm = [int(l.split()[-1]) for l in prom.splitlines() if l.startswith("zengshou_monitor_watermark_quarter{")]
if len(wm) != 4 or set(wm) != {20242}:
    bad.append("watermarks %s, want 20242 (2024Q2) for each of 4 partitions" % wm)
closes = [int(l.split()[-1]) for l in prom.splitlines() if l.startswith("zengshou_monitor_last_close_quarter{")]
if len(closes) != 4 * 6 or set(closes) != {20242}:
    bad.append("last closes %s" % sorted(set(closes)))
if got("zengshou_monitor_resident_memory_bytes") <= 0:
    bad.append("no resident memory")
if got("zengshou_monitor_events_total") == 0:
    bad.append("no events")
# One instance holds every partition: the per-partition counts add up.
if got("zengshou_monitor_input_events_total") != got("zengshou_monitor_events_total"):
    bad.append("input events per partition add up to %d, not %d"
               % (got("zengshou_monitor_input_events_total"), got("zengshou_monitor_events_total")))
if len([l for l in prom.splitlines() if l.startswith("zengshou_monitor_input_events_total{")]) != 4 * 6:
    bad.append("input events: not one sample per topic partition")
if bad:
    print("; ".join(bad), file=sys.stderr)
    sys.exit(1)
print("events %d, committed %d" % (pairs[0][2], pairs[6][2]))
PY
ok "zs-monitor's /metrics equals its stats line: $(value monitor.prom zengshou_monitor_events_total) events, lag $(value monitor.prom zengshou_monitor_lag_records)"

# Only GET /metrics.
python3 - "$mport" <<'PY' || fail "the listener's other answers"
import sys, urllib.request, urllib.error
base = "http://127.0.0.1:%s" % sys.argv[1]
for path, method, want in (("/", "GET", 404), ("/metrics/x", "GET", 404), ("/metrics", "POST", 405)):
    try:
        urllib.request.urlopen(urllib.request.Request(base + path, method=method, data=b"" if method == "POST" else None), timeout=10)
        code = 200
    except urllib.error.HTTPError as e:
        code = e.code
    assert code == want, "%s %s: %d, want %d" % (method, path, code, want)
PY
ok "the listener answers 404 elsewhere and 405 to POST"
kill "$mpid"
wait "$mpid" || fail "zs-monitor did not stop cleanly on SIGTERM"

# --- zs-notify ---
"$cat_bin" -b "$b" -t zs.warnings -e >warnings.jsonl 2>cat.log || fail "zs-cat: $(cat cat.log)"
nwarn=$(wc -l <warnings.jsonl)
[ "$nwarn" -gt 0 ] || fail "no warnings"
mkdir outbox
echo "* outbox $tmp/outbox" >routes
"$notify" -b "$b" --routes routes -X zs.metrics.listen=127.0.0.1:0 2>notify.log &
npid=$!
pids+=("$npid")
nport=$(port notify.log)
for _ in $(seq 60); do
    scrape "$nport" >notify.prom || fail "scraping zs-notify"
    [ "$(value notify.prom zengshou_notify_deliveries_total)" -eq "$nwarn" ] &&
        [ "$(value notify.prom zengshou_notify_lag_records)" -eq 0 ] && break
    sleep 1
done
files=$(ls outbox | wc -l)
[ "$(value notify.prom zengshou_notify_deliveries_total)" -eq "$nwarn" ] && [ "$files" -eq "$nwarn" ] ||
    fail "zs-notify: deliveries_total $(value notify.prom zengshou_notify_deliveries_total), outbox files $files, warnings $nwarn"
[ "$(value notify.prom zengshou_notify_records_read_total)" -eq "$nwarn" ] ||
    fail "zs-notify: records_read_total $(value notify.prom zengshou_notify_records_read_total), want $nwarn"
for reason in undecodable no_route channel_failed; do
    grep -q "^zengshou_notify_dead_letters_total{reason=\"$reason\"} 0$" notify.prom ||
        fail "zs-notify: no dead_letters_total for $reason: $(grep dead notify.prom)"
done
grep -q "^zengshou_notify_retries_total{kind=\"outbox\",channel=\"$tmp/outbox\"} 0$" notify.prom ||
    fail "zs-notify: retries per channel: $(grep retries notify.prom)"
kill "$npid"
wait "$npid" || fail "zs-notify did not stop cleanly on SIGTERM"
ok "zs-notify's /metrics: $nwarn deliveries = $files outbox files, lag 0, dead letters by reason"

# --- zs-audit archive ---
"$cat_bin" -b "$b" -t zs.audit -e >audit.jsonl 2>cat.log || fail "zs-cat: $(cat cat.log)"
naudit=$(wc -l <audit.jsonl)
"$audit_bin" archive --db audit.db -b "$b" -X zs.metrics.listen=127.0.0.1:0 2>audit.log &
apid=$!
pids+=("$apid")
aport=$(port audit.log)
for _ in $(seq 60); do
    scrape "$aport" >audit.prom || fail "scraping zs-audit"
    [ "$(value audit.prom zengshou_audit_records_archived_total)" -eq "$naudit" ] &&
        [ "$(value audit.prom zengshou_audit_lag_records)" -eq 0 ] && break
    sleep 1
done
[ "$(value audit.prom zengshou_audit_records_archived_total)" -eq "$naudit" ] ||
    fail "zs-audit: records_archived_total $(value audit.prom zengshou_audit_records_archived_total), want $naudit"
[ "$(value audit.prom zengshou_audit_transactions_total 'committed')" -gt 0 ] ||
    fail "zs-audit: no committed transaction: $(grep transactions audit.prom)"
kill "$apid"
wait "$apid" || fail "zs-audit archive did not stop cleanly on SIGTERM"
grep -q "audit.db: $naudit records archived" audit.log || fail "zs-audit's own count: $(tail -2 audit.log)"
ok "zs-audit archive's /metrics: $naudit records archived, as it says itself, lag 0"
echo "zs_metrics: $passed passed, 0 failed"
