#!/usr/bin/env bash
# Regression: an offset committed past an event not yet applied. When a
# transaction's work table was full, zs-monitor took the next record's
# offset, committed (carrying that offset) and only then applied the record
# in the next transaction; a kill before that one committed lost the record
# for good. Here every commit is a full table (zs.monitor.work.max=2, no
# commit by time or count), the monitor is killed between commits several
# times, and a last run finishes: the final household states and the
# warnings must equal an undisturbed run's.
#   monitor_offset_past_unapplied.sh ZS_SIMULATE ZS_PUSH ZS_TOPICS ZS_MONITOR ZS_CAT
# (ZS_SCHEMA_DIR, ZS_DATA_DIR and ZS_KAFKA_BOOTSTRAP set).
set -euo pipefail
sim=$1 push=$2 topics_bin=$3 monitor=$4 cat_bin=$5
. "$(dirname "$0")/../component/lib.sh"
. "$(dirname "$0")/monitor_lib.sh"
cd "$tmp"
bs=${ZS_KAFKA_BOOTSTRAP:?set by tests/run.sh, which starts the real Kafka}
base="unapplied$$"
fast=(-X transaction.timeout.ms=10000 -X session.timeout.ms=6000)

"$sim" --out a --households 1000 --quarters 4 --from 2024Q1 --seed 11 --quiet 2>sim.log ||
    fail "zs-simulate: $(cat sim.log)"
ref_args=(--exit-idle 2000 "${fast[@]}")
push_runs "$base" 2 2024Q1 2024Q4 ref kill

prefix="${base}kill."
tiny=(-X zs.monitor.work.max=2 -X zs.monitor.commit.interval=60s -X zs.monitor.commit.records=10000000)
kills=0
for i in 1 2 3 4; do
    start_monitor "kill$i" "${fast[@]}" "${tiny[@]}"
    pid=$mpid
    # Killed once it has committed a few full tables of this run.
    for _ in $(seq 200); do
        grep -q "restored" "monitor-kill$i.log" 2>/dev/null && break
        sleep 0.05
    done
    sleep 1.5
    kill -0 $pid 2>/dev/null && kills=$((kills + 1))
    kill -9 $pid 2>/dev/null || true
    wait $pid 2>/dev/null || true
done
[ "$kills" -ge 3 ] || fail "only $kills runs were still working when killed"
run_monitor kill-final --exit-idle 2000 "${fast[@]}" ||
    fail "zs-monitor after the kills: $(tail -20 monitor-kill-final.log)"
read_outputs kill
compare_states "$base" ref kill
ok "killed $kills times between full-table commits: the final states equal an undisturbed run's"
cmp -s warnings-ref.keys warnings-kill.keys ||
    fail "the warnings differ from an undisturbed run: $(diff warnings-ref.keys warnings-kill.keys | head -8)"
ok "and so do the committed warnings ($(wc -l <warnings-ref.keys) records)"
echo "monitor_offset_past_unapplied: $passed passed, 0 failed"
