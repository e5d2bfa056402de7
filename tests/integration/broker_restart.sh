#!/usr/bin/env bash
# Drill: the Kafka broker stops for about 20 s while registries push a live
# feed and zs-monitor reads it, then starts again with its data. A broker of
# its own (deploy/kafka/start.sh on ZS_KAFKA_RESTART_PORT, default 19292),
# not the suite's shared one, so other tests do not see the outage.
#   ref:     the zs-simulate --live feed pushed, then read in one go;
#   restart: the same feed pushed a month at a time while a monitor reads
#            it; the broker is stopped mid-feed and started 20 s later.
# zs-push rides the outage out (librdkafka retries; a run that fails anyway
# is rerun with its --checkpoint and counted); a monitor that exits is
# restarted and counted. Afterwards every accepted row is on its topic once
# (distinct event ids = rows accepted), the committed warnings equal ref's
# record for record, the final states are byte-identical, and no process is
# left running.
#   broker_restart.sh ZS_SIMULATE ZS_PUSH ZS_TOPICS ZS_MONITOR ZS_CAT
# (ZS_SCHEMA_DIR, ZS_DATA_DIR set).
set -euo pipefail
sim=$1 push=$2 topics_bin=$3 monitor=$4 cat_bin=$5
. "$(dirname "$0")/../component/lib.sh"
. "$(dirname "$0")/monitor_lib.sh"
kafka=$(cd "$(dirname "$0")/../../deploy/kafka" && pwd)
port=${ZS_KAFKA_RESTART_PORT:-19292}
kdir="$tmp/kafka"
stop_kafka() { "$kafka/stop.sh" --dir "$kdir" >/dev/null 2>&1 || true; }
trap 'stop_kafka; cleanup' EXIT
cd "$tmp"
"$kafka/start.sh" --dir "$kdir" --port "$port" >kafka.log 2>&1 || fail "Kafka: $(tail -5 kafka.log)"
bs=$(cat "$kdir/bootstrap")
fast=(-X transaction.timeout.ms=10000 -X session.timeout.ms=6000)

"$sim" --out a --live --households "${ZS_RESTART_HOUSEHOLDS:-1000}" --quarters 4 --from 2024Q1 \
    --seed 9 --inject-share 0.1 --quiet 2>sim.log || fail "zs-simulate --live: $(cat sim.log)"
for run in ref restart; do
    "$topics_bin" -b "$bs" -X zs.topic.prefix="$run." --partitions 3 >topics.log 2>&1 ||
        fail "zs-topics: $(cat topics.log)"
done

prefix=ref.
push_feed push-ref.log || fail "pushing the feed: $(tail -5 push-ref.log)"
run_monitor ref --exit-idle 2000 "${fast[@]}" || fail "zs-monitor ref: $(tail -20 monitor-ref.log)"
read_outputs ref
ok "ref: the feed pushed and read in one go ($(wc -l <warnings-ref.keys) warning records)"

prefix=restart.
: >reruns.txt
push_feed push-restart.log 0.7 &
pusher=$!
restarts=0
start_monitor r0 "${fast[@]}"
wait_assigned monitor-r0.log $mpid || fail "the monitor never got partitions: $(tail monitor-r0.log)"
sleep 4
stop_kafka
ok "broker stopped while pushing and monitoring"
sleep 20
"$kafka/start.sh" --dir "$kdir" --port "$port" >>kafka.log 2>&1 || fail "Kafka again: $(tail -5 kafka.log)"
ok "broker started again after 20 s"
# Supervise: a monitor that exits (3: Kafka unusable) is restarted.
while kill -0 $pusher 2>/dev/null; do
    if ! kill -0 $mpid 2>/dev/null; then
        rc=0
        wait $mpid || rc=$?
        restarts=$((restarts + 1))
        echo "monitor exit $rc, restarted" >>reruns.txt
        start_monitor "r$restarts" "${fast[@]}"
    fi
    sleep 1
done
wait $pusher || fail "the feed after the restart: $(tail -5 push-restart.log)"
kill -TERM $mpid 2>/dev/null || true
rc=0
wait $mpid || rc=$?
[ $rc -eq 0 ] || [ $rc -eq 3 ] || fail "the monitor stopped with exit $rc: $(tail -5 monitor-r$restarts.log)"
run_monitor final --exit-idle 2000 "${fast[@]}" || fail "zs-monitor after the feed: $(tail -20 monitor-final.log)"
ok "the feed finished: $(grep -c rerun reruns.txt || true) zs-push runs rerun from their checkpoint, $restarts monitor restarts"

# Every accepted row on its topic once.
for kind in income employment subsidy hardship; do
    "$cat_bin" -b "$bs" -t "restart.$kind" -e -J >"in-$kind.jsonl" 2>cat.log || fail "zs-cat: $(cat cat.log)"
done
python3 - <<'PY' || fail "rows lost by the outage"
import csv, glob, json
for kind in ("income", "employment", "subsidy", "hardship"):
    rows = []  # a repeated event_id is injected on purpose: rows, not ids
    for f in glob.glob("a/live/*/%s.csv" % kind):
        rows += [r[0] for r in list(csv.reader(open(f)))[1:]]
    rejected = set()
    for f in glob.glob("%s.csv.rejects.csv" % kind):
        rejected |= {r[4].split(",")[0] for r in list(csv.reader(open(f)))[1:] if r[4]}
    accepted = [r for r in rows if r not in rejected]
    msgs = [json.loads(l) for l in open("in-%s.jsonl" % kind)]
    ids = [m["value"]["event_id"] for m in msgs if m["schema"] != "zengshou.PeriodClose"]
    if set(ids) != set(accepted):
        raise SystemExit("%s: %d ids accepted, %d on the topic (missing %s)"
                         % (kind, len(set(accepted)), len(set(ids)),
                            sorted(set(accepted) - set(ids))[:3]))
    print("%s: %d rows accepted, %d messages, %d sent again" % (kind, len(accepted), len(ids),
                                                                len(ids) - len(accepted)))
PY
ok "every accepted row is on its topic (distinct event ids = rows accepted)"

read_outputs restart
cmp -s warnings-ref.keys warnings-restart.keys ||
    fail "after the outage the warnings differ: $(diff warnings-ref.keys warnings-restart.keys | head -6)"
ok "the committed warnings equal ref's record for record ($(wc -l <warnings-ref.keys))"
compare_states "" ref restart
ok "the final household states are byte-identical to ref's"
pgrep -f "zs.topic.prefix=restart\." >/dev/null && fail "a process was left running: $(pgrep -af 'zs.topic.prefix=restart\.')"
ok "no process left running"
echo "broker restart drill: $passed passed, 0 failed"
