#!/usr/bin/env bash
# zs-topics against the real local Kafka: creates every topic with its
# settings, a second run changes nothing, --describe shows the settings as
# wanted, a topic with other partitions is a clear error.
#   zs_topics_kafka.sh ZS_TOPICS    (ZS_KAFKA_BOOTSTRAP names the broker)
set -euo pipefail
topics_bin=$1
: "${ZS_KAFKA_BOOTSTRAP:?set by tests/run.sh, which starts the real Kafka}"
b=$ZS_KAFKA_BOOTSTRAP
prefix="it$$."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$topics_bin" -b "$b" -X zs.topic.prefix="$prefix" --partitions 3 >"$tmp/first" 2>&1 ||
    fail "first run: $(cat "$tmp/first")"
[ "$(grep -c ' created: 3 partitions' "$tmp/first")" -eq 10 ] || fail "not 10 created: $(cat "$tmp/first")"

"$topics_bin" -b "$b" -X zs.topic.prefix="$prefix" --partitions 3 >"$tmp/second" 2>&1 ||
    fail "second run: $(cat "$tmp/second")"
grep -q 'nothing to do' "$tmp/second" || fail "second run changed something: $(cat "$tmp/second")"

"$topics_bin" -b "$b" -X zs.topic.prefix="$prefix" --partitions 3 --describe >"$tmp/describe" 2>&1 ||
    fail "--describe: $(cat "$tmp/describe")"
[ "$(grep -c 'ok: 3 partitions, replication 1, settings as wanted' "$tmp/describe")" -eq 10 ] ||
    fail "settings not as wanted: $(cat "$tmp/describe")"

if "$topics_bin" -b "$b" -X zs.topic.prefix="$prefix" --partitions 5 >"$tmp/mismatch" 2>&1; then
    fail "a partition mismatch was accepted"
fi
grep -q "${prefix}income .*has 3 partitions, want 5" "$tmp/mismatch" || fail "mismatch not named: $(cat "$tmp/mismatch")"
echo "zs-topics on Kafka: 4 passed, 0 failed"
