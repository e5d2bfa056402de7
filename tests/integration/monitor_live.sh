#!/usr/bin/env bash
# zs-monitor on a live feed, on the real Kafka. zs-simulate --live delivers a
# region the way registries do: a push a month of what was reported the month
# before, registries in a random order, each topic's close marker at its own
# moment, late corrections and payments after their quarter's close,
# snapshots pushed again mid-quarter. Its ground truth follows that order of
# arrival. The feed is pushed twice, under two topic prefixes:
#   once: every push and close first, then one monitor reads it in one go;
#   live: the monitor runs while the feed is pushed, with a work table of 64
#         households, killed with SIGKILL at random moments (10 times), then a
#         second instance joins and the first leaves.
# Both runs' committed OPEN records equal expected-warnings.csv and their
# findings expected-findings.csv, once each; live's warnings equal once's
# record for record with every figure and source; the final household
# states are byte-identical; every audit chain verifies.
#   monitor_live.sh ZS_SIMULATE ZS_PUSH ZS_TOPICS ZS_MONITOR ZS_CAT ZS_AUDIT
# (ZS_SCHEMA_DIR, ZS_DATA_DIR and ZS_KAFKA_BOOTSTRAP set).
set -euo pipefail
sim=$1 push=$2 topics_bin=$3 monitor=$4 cat_bin=$5 audit_bin=$6
. "$(dirname "$0")/../component/lib.sh"
. "$(dirname "$0")/monitor_lib.sh"
cd "$tmp"
bs=${ZS_KAFKA_BOOTSTRAP:?set by tests/run.sh, which starts the real Kafka}
kills=${ZS_LIVE_KILLS:-10}
base="live$$"
fast=(-X transaction.timeout.ms=10000 -X session.timeout.ms=6000)
# The live run commits every 64 households at most: many transactions to cut.
small=("${fast[@]}" -X zs.monitor.work.max=64)

"$sim" --out a --live --households "${ZS_LIVE_HOUSEHOLDS:-3000}" --quarters 8 --from 2023Q1 \
    --seed 3 --inject-share 0.1 --quiet 2>sim.log || fail "zs-simulate --live: $(cat sim.log)"
steps=$(grep -vc '^#' a/live/schedule.txt)
ok "a live feed of $(grep -c '^push' a/live/schedule.txt) pushes and $(grep -c '^close' a/live/schedule.txt) closes; $(grep -o '[0-9]* records in all' a/README.txt)"

for run in once live; do
    prefix="$base$run."
    "$topics_bin" -b "$bs" -X zs.topic.prefix="$prefix" --partitions 6 >topics.log 2>&1 ||
        fail "zs-topics: $(cat topics.log)"
done

# once: the whole feed, then one monitor.
prefix="${base}once."
push_feed push-once.log || fail "pushing the feed: $(tail -5 push-once.log)"
[ ! -s reruns.txt ] || fail "zs-push runs failed on a healthy broker: $(cat reruns.txt)"
run_monitor once --exit-idle 2000 "${fast[@]}" || fail "zs-monitor once: $(tail -20 monitor-once.log)"
read_outputs once
compare_truth once
ok "read in one go, the committed warnings equal the truth for this order of arrival"

# live: the monitor runs while the feed arrives.
prefix="${base}live."
push_feed push-live.log "${ZS_LIVE_PACE:-1.5}" &
pusher=$!
RANDOM=17
for i in $(seq "$kills"); do
    start_monitor "live$i" "${small[@]}"
    pid=$mpid
    wait_assigned "monitor-live$i.log" $pid || fail "run $i never got partitions: $(tail monitor-live$i.log)"
    sleep "$((1 + RANDOM % 3)).$((RANDOM % 10))"
    kill -9 $pid 2>/dev/null || true
    wait $pid 2>/dev/null || true
done
pushing=no
kill -0 $pusher 2>/dev/null && pushing=yes
ZS_INSTANCE=i1 start_monitor join1 "${small[@]}"
pid1=$mpid
wait_assigned monitor-join1.log $pid1 || fail "instance 1 never got partitions: $(tail monitor-join1.log)"
sleep 1.5
ZS_INSTANCE=i2 start_monitor join2 "${small[@]}"
pid2=$mpid
for _ in $(seq 300); do
    [ "$(grep -c "assigned [0-9]* partitions" monitor-join1.log)" -ge 2 ] && break
    sleep 0.1
done
grep -q "assigned [0-9]* partitions of" monitor-join2.log || sleep 3
kill -TERM $pid1 2>/dev/null || true
wait $pid1 || fail "instance 1 did not leave cleanly: $(tail -5 monitor-join1.log)"
for _ in $(seq 600); do
    grep -q "assigned 6 partitions of 6" monitor-join2.log && break
    sleep 0.1
done
wait $pusher || fail "pushing the live feed: $(tail -5 push-live.log)"
[ ! -s reruns.txt ] || fail "zs-push runs failed on a healthy broker: $(cat reruns.txt)"
kill -TERM $pid2 2>/dev/null || true
wait $pid2 || fail "instance 2 did not stop cleanly: $(tail -5 monitor-join2.log)"
run_monitor live-final --exit-idle 2000 "${small[@]}" || fail "zs-monitor after the feed: $(tail -20 monitor-live-final.log)"
grep -q "final:" monitor-live[0-9]*.log && fail "a run meant to be killed ended by itself"
[ "$(grep -c "assigned [0-9]* partitions" monitor-join1.log)" -ge 2 ] ||
    fail "instance 1 saw no rebalance when instance 2 joined: $(grep assigned monitor-join1.log)"
grep -q "assigned 6 partitions of 6" monitor-join2.log ||
    fail "instance 2 never took over every partition: $(grep assigned monitor-join2.log)"
progress=$(grep -l "restored [0-9]* partitions: [1-9]" monitor-live[0-9]*.log | wc -l)
[ "$progress" -ge $((kills / 2)) ] || fail "only $progress of $kills killed runs found a state to restore: the kills tested little"
txns=$(cat monitor-live*.log monitor-join*.log | grep -o "transactions [0-9]* committed" | awk '{n += $2} END {print n}')
ok "monitored while the feed arrived (still pushing after the kills: $pushing): $kills kills ($progress restored a state), a join and a leave, $txns transactions committed"

read_outputs live
compare_truth live
python3 - "$base" <<'PY' || fail "the live run's warnings differ from the run that read everything in one go"
import json, sys
base = sys.argv[1]
def load(run):
    out = []
    for line in open("warnings-%s.jsonl" % run):
        w = json.loads(line)
        w.pop("emitted_at", None)  # the only field that may differ (Warning.v1.avsc)
        # sources name the records that decided the warning: the same
        # offsets in both runs' topics, whose names differ by their prefix.
        prefix = "%s%s." % (base, run)
        for s in w["sources"]:
            assert s["topic"].startswith(prefix), s["topic"]
            s["topic"] = s["topic"][len(prefix):]
        out.append(json.dumps(w, sort_keys=True))
    return sorted(out)
once, live = load("once"), load("live")
if once != live:
    a, b = set(once), set(live)
    for x in sorted(a - b)[:3]:
        print("once only:", x[:400], file=sys.stderr)
    for x in sorted(b - a)[:3]:
        print("live only:", x[:400], file=sys.stderr)
    sys.exit("%d records once, %d live" % (len(once), len(live)))
print(len(once), "warning records equal, every figure and source")
PY
ok "live's warnings equal the one-go run's record for record, with their figures and sources"

compare_states "$base" once live
ok "the final household states are byte-identical to the one-go run's"
for run in once live; do
    "$audit_bin" verify -b "$bs" -t "$base$run.audit" >"verify-$run.log" 2>&1 ||
        fail "zs-audit verify $run: $(tail -5 "verify-$run.log")"
done
ok "every audit chain verifies"
echo "zs-monitor on a live feed ($steps steps): $passed passed, 0 failed"
