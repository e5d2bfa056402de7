#!/usr/bin/env bash
# zs-simulate -> zs-push -> zs-monitor on the real Kafka: the committed
# warnings (read_committed) equal the simulator's ground truth exactly, the
# data-quality findings in the audit equal expected-findings.csv, and a
# second run of the monitor over the same topics (state restored from the
# changelog, not rebuilt) writes nothing more.
#   monitor_truth.sh ZS_SIMULATE ZS_PUSH ZS_TOPICS ZS_MONITOR ZS_CAT
# (ZS_SCHEMA_DIR, ZS_DATA_DIR and ZS_KAFKA_BOOTSTRAP set).
set -euo pipefail
sim=$1 push=$2 topics_bin=$3 monitor=$4 cat_bin=$5
. "$(dirname "$0")/../component/lib.sh"
. "$(dirname "$0")/monitor_lib.sh"
cd "$tmp"
bs=${ZS_KAFKA_BOOTSTRAP:?set by tests/run.sh, which starts the real Kafka}
prefix="truth$$."

"$sim" --out a --households "${ZS_TRUTH_HOUSEHOLDS:-2000}" --quarters 8 --from 2023Q1 --seed 11 \
    --inject-share 0.1 --quiet 2>sim.log || fail "zs-simulate: $(cat sim.log)"
"$topics_bin" -b "$bs" -X zs.topic.prefix="$prefix" --partitions 6 >topics.log 2>&1 ||
    fail "zs-topics: $(cat topics.log)"
push_region a 2023Q1 2024Q4
ok "a region of $(($(wc -l <a/households.csv) - 1)) households pushed and 8 quarters closed"

run_monitor first --exit-idle 2000 || fail "zs-monitor: $(tail -20 monitor-first.log)"
read_outputs first
compare_truth first
ok "the committed warnings equal expected-warnings.csv ($(($(wc -l <a/expected-warnings.csv) - 1)) episodes) and the findings expected-findings.csv"

grep -q "restored [0-9]* partitions: 0 households" monitor-first.log || fail "the first run found a state"
run_monitor second --exit-idle 2000 || fail "zs-monitor again: $(tail -20 monitor-second.log)"
grep -q "restored [0-9]* partitions: [1-9][0-9]* households" monitor-second.log ||
    fail "the second run did not restore state: $(grep restored monitor-second.log)"
read_outputs second
cmp -s warnings-first.keys warnings-second.keys ||
    fail "a second run over the same input wrote warnings: $(diff warnings-first.keys warnings-second.keys | head)"
ok "a restart restores the state from the changelog and writes no warning twice"
echo "zs-monitor against the ground truth: $passed passed, 0 failed"
