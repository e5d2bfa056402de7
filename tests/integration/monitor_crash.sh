#!/usr/bin/env bash
# zs-monitor under crashes and rebalances on the real Kafka. One simulated
# region is pushed three times under three topic prefixes:
#   ref:       one monitor, never disturbed;
#   crash:     a monitor killed with SIGKILL at random moments (at least 10
#              times), restarted each time, then left to finish;
#   rebalance: a second instance joins mid-run, then the first is killed.
# The committed warnings of each must equal ref's record for record (none
# lost, none doubled), the households' final states in the changelog must be
# byte-identical to ref's, and every audit chain must verify (no gap, no
# repeat, no edit) although transactions were cut in the middle.
#   monitor_crash.sh ZS_SIMULATE ZS_PUSH ZS_TOPICS ZS_MONITOR ZS_CAT ZS_AUDIT
# (ZS_SCHEMA_DIR, ZS_DATA_DIR and ZS_KAFKA_BOOTSTRAP set).
set -euo pipefail
sim=$1 push=$2 topics_bin=$3 monitor=$4 cat_bin=$5 audit_bin=$6
. "$(dirname "$0")/../component/lib.sh"
. "$(dirname "$0")/monitor_lib.sh"
cd "$tmp"
bs=${ZS_KAFKA_BOOTSTRAP:?set by tests/run.sh, which starts the real Kafka}
kills=${ZS_CRASH_KILLS:-10}
base="crash$$"
# A killed instance's open transaction blocks read_committed readers until
# the broker aborts it: keep that short here.
fast=(-X transaction.timeout.ms=10000 -X session.timeout.ms=6000)

"$sim" --out a --households "${ZS_CRASH_HOUSEHOLDS:-2000}" --quarters 8 --from 2023Q1 --seed 5 \
    --inject-share 0.1 --quiet 2>sim.log || fail "zs-simulate: $(cat sim.log)"
ref_args=(--exit-idle 2000 "${fast[@]}")
push_runs "$base" 6 2023Q1 2024Q4 ref crash rebalance

prefix="${base}crash."
RANDOM=42
for i in $(seq "$kills"); do
    start_monitor "crash$i" "${fast[@]}"
    pid=$mpid
    wait_assigned "monitor-crash$i.log" $pid || fail "run $i never got partitions: $(tail monitor-crash$i.log)"
    sleep "$((RANDOM % 30 / 10)).$((RANDOM % 10))"
    kill -9 $pid 2>/dev/null || true
    wait $pid 2>/dev/null || true
done
run_monitor crash-final --exit-idle 2000 "${fast[@]}" || fail "zs-monitor after the crashes: $(tail -20 monitor-crash-final.log)"
grep -q "final:" monitor-crash[0-9]*.log && fail "a run meant to be killed ended by itself: $(grep -l final: monitor-crash[0-9]*.log)"
progress=$(grep -l "restored [0-9]* partitions: [1-9]" monitor-crash[0-9]*.log | wc -l)
[ "$progress" -ge $((kills / 2)) ] || fail "only $progress of $kills killed runs found a state to restore: the kills tested little"
read_outputs crash
cmp -s warnings-ref.keys warnings-crash.keys ||
    fail "after $kills kills the warnings differ from an undisturbed run: $(diff warnings-ref.keys warnings-crash.keys | head -8)"
ok "killed $kills times at random: the committed warnings equal an undisturbed run's ($(wc -l <warnings-ref.keys) records)"

prefix="${base}rebalance."
ZS_INSTANCE=i1 start_monitor reb1 "${fast[@]}"
pid1=$mpid
wait_assigned monitor-reb1.log $pid1 || fail "instance 1 never got partitions: $(tail monitor-reb1.log)"
sleep 1.5
ZS_INSTANCE=i2 start_monitor reb2 --exit-idle 15000 "${fast[@]}"
pid2=$mpid
for _ in $(seq 300); do
    [ "$(grep -c "assigned [0-9]* partitions" monitor-reb1.log)" -ge 2 ] && break
    sleep 0.1
done
grep -q "assigned [0-9]* partitions of" monitor-reb2.log || sleep 3
kill -9 $pid1 2>/dev/null || true
wait $pid1 2>/dev/null || true
wait $pid2 || fail "instance 2: $(tail -20 monitor-reb2.log)"
grep -q "assigned 6 partitions of 6" monitor-reb2.log ||
    fail "instance 2 never took over every partition: $(grep assigned monitor-reb2.log)"
read_outputs rebalance
cmp -s warnings-ref.keys warnings-rebalance.keys ||
    fail "after a join and a kill the warnings differ: $(diff warnings-ref.keys warnings-rebalance.keys | head -8)"
ok "a second instance joined, the first was killed: the warnings equal an undisturbed run's"
# The partitions instance 1 kept through the join needed no restore.
grep -q "kept the state of [1-9][0-9]* partitions held before the rebalance" monitor-reb1.log ||
    fail "instance 1 restored every partition it kept: $(grep -E 'kept|restored|assigned' monitor-reb1.log | head -5)"
ok "instance 1 kept the state of the partitions it still held, without a restore"

compare_states "$base" ref crash rebalance
ok "the changelog's final household states are byte-identical to the undisturbed run's"

for run in crash rebalance; do
    "$audit_bin" verify -b "$bs" -t "$base$run.audit" >"verify-$run.log" 2>&1 ||
        fail "zs-audit verify $run: $(tail -5 "verify-$run.log")"
done
ok "every audit chain verifies after the kills"
echo "zs-monitor under crashes and rebalances: $passed passed, 0 failed"
