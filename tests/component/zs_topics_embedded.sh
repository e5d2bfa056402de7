#!/usr/bin/env bash
# zs-topics against the embedded broker: every topic found as wanted, a
# second run changes nothing, a partition mismatch is a clear error.
#   zs_topics_embedded.sh ZS_BROKER ZS_TOPICS
set -euo pipefail
broker_bin=$1 topics_bin=$2
. "$(dirname "$0")/lib.sh"
start_broker "$broker_bin" 12
bootstrap=$b

"$topics_bin" -b "$bootstrap" --describe >"$tmp/describe" 2>/dev/null || fail "--describe failed"
[ "$(grep -c ' ok: 12 partitions' "$tmp/describe")" -eq 10 ] || fail "not 10 topics ok: $(cat "$tmp/describe")"

"$topics_bin" -b "$bootstrap" >"$tmp/run" 2>/dev/null || fail "a run on existing topics failed"
grep -q 'nothing to do' "$tmp/run" || fail "a second run did not say it had nothing to do"

if "$topics_bin" -b "$bootstrap" --partitions 6 >"$tmp/mismatch" 2>/dev/null; then
    fail "a partition mismatch was accepted"
fi
grep -q 'zs.income .*has 12 partitions, want 6' "$tmp/mismatch" || fail "mismatch not named: $(cat "$tmp/mismatch")"

if "$topics_bin" --describe >/dev/null 2>"$tmp/nobroker"; then
    fail "ran without a broker"
fi
grep -q 'no brokers' "$tmp/nobroker" || fail "no clear error without a broker"
echo "zs-topics on the embedded broker: 4 passed, 0 failed"
