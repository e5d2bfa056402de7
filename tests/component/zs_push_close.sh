#!/usr/bin/env bash
# zs-push close on the embedded broker. Before, a quarter was closed one
# topic at a time (six commands a quarter, easy to forget one, and a quarter
# still running could be closed by a typo). Now:
# - --period closes the quarter on all six input topics, or on the --topic
#   ones (comma-separated or repeated), and says per topic what it closed;
# - --through closes, in order, every quarter after the latest one closed
#   on each topic (found from the markers on the topics), --from where none is;
# - a quarter that has not ended (+08:00) is refused, nothing written,
#   unless --force; an unknown topic is refused.
#   zs_push_close.sh ZS_BROKER ZS_PUSH ZS_CAT   (ZS_SCHEMA_DIR, ZS_DATA_DIR set)
set -euo pipefail
broker_bin=$1 push=$2 cat_bin=$3
. "$(dirname "$0")/lib.sh"
cd "$tmp"
start_broker "$broker_bin" 3
inputs="household income employment subsidy hardship followup"
# markers TOPIC: the close markers of TOPIC, "partition quarter" per line, in order.
markers() {
    "$cat_bin" -b "$b" -t "zs.$1" -e -J 2>/dev/null >markers.json
    python3 -c '
import json, sys
for l in sys.stdin:
    m = json.loads(l)
    if m["schema"] == "zengshou.PeriodClose":
        v = m["value"]
        print(m["partition"], "%dQ%d" % (v["year"], v["quarter"]))' <markers.json
}
# has_marker TOPIC QUARTER
has_marker() { markers "$1" >m.txt && grep -q " $2\$" m.txt; }
close() { "$push" close -b "$b" --quiet "$@" 2>close.log; }

# A topic never closed: --through needs --from to know where to start.
rc=0
close --through 2024Q1 --topic hardship >out.txt || rc=$?
[ $rc -eq 2 ] && grep -q 'zs.hardship has no close marker on every partition yet: give --from' close.log ||
    fail "--through on a topic never closed: exit $rc: $(cat close.log)"
close --through 2024Q1 --from 2024Q1 --topic hardship >out.txt || fail "--from: $(cat close.log)"
grep -qx "zs.hardship: closed 2024Q1 in 3 partitions" out.txt || fail "--from: $(cat out.txt)"
ok "--through on a topic never closed asks for --from, and starts there"

close --period 2024Q2 >out.txt || fail "close --period: $(cat close.log)"
for t in $inputs; do
    [ "$(markers $t | grep 2024Q2 | sort)" = "$(printf '0 2024Q2\n1 2024Q2\n2 2024Q2')" ] || fail "$t: $(markers $t)"
    grep -qx "zs.$t: closed 2024Q2 in 3 partitions" out.txt || fail "not said for $t: $(cat out.txt)"
done
ok "--period closes the quarter on every partition of all six input topics, and says so per topic"

close --period 2024Q3 --topic income,zs.subsidy --topic followup >out.txt || fail "close --topic: $(cat close.log)"
[ "$(wc -l <out.txt)" -eq 3 ] || fail "want 3 topics: $(cat out.txt)"
for t in income subsidy followup; do has_marker $t 2024Q3 || fail "$t not closed for 2024Q3"; done
for t in household employment hardship; do has_marker $t 2024Q3 && fail "$t closed for 2024Q3"; done
ok "--topic picks topics, by suffix or full name, comma-separated or repeated"

close --through 2025Q1 >out.txt || fail "close --through: $(cat close.log)"
for t in household employment hardship; do
    grep -qx "zs.$t: closed 2024Q3 to 2025Q1 in 3 partitions" out.txt || fail "$t: $(cat out.txt)"
    want="2024Q2 2024Q3 2024Q4 2025Q1 "
    [ $t = hardship ] && want="2024Q1 $want"
    [ "$(markers $t | grep '^1 ' | cut -d' ' -f2 | tr '\n' ' ')" = "$want" ] ||
        fail "$t: not closed in order: $(markers $t)"
done
for t in income subsidy followup; do
    grep -qx "zs.$t: closed 2024Q4 to 2025Q1 in 3 partitions" out.txt || fail "$t: $(cat out.txt)"
    [ "$(markers $t | grep '^2 ' | cut -d' ' -f2 | tr '\n' ' ')" = "2024Q2 2024Q3 2024Q4 2025Q1 " ] ||
        fail "$t: not closed in order: $(markers $t)"
done
close --through 2025Q1 --topic income >out.txt || fail "close --through again: $(cat close.log)"
grep -qx "zs.income: already closed through 2025Q1, nothing to close" out.txt || fail "$(cat out.txt)"
[ "$(markers income | grep -c 2025Q1)" -eq 3 ] || fail "2025Q1 closed twice on income"
ok "--through closes each topic's quarters not closed yet, in order, and nothing twice"

# Quarters by the registries' clock (+08:00): the current one has not ended.
read -r now prev <<<"$(python3 -c '
import datetime
t = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8)))
q = t.year * 4 + (t.month - 1) // 3
print("%dQ%d %dQ%d" % (q // 4, q % 4 + 1, (q - 1) // 4, (q - 1) % 4 + 1))')"
rc=0
close --period "$now" --topic hardship >out.txt || rc=$?
[ $rc -eq 2 ] || fail "the current quarter $now: exit $rc, want 2"
grep -q "$now has not ended yet" close.log || fail "refusal not explained: $(cat close.log)"
has_marker hardship "$now" && fail "a marker was written for $now"
[ -s out.txt ] && fail "something said closed: $(cat out.txt)"
rc=0
close --through "$now" --topic hardship >out.txt || rc=$?
[ $rc -eq 2 ] || fail "--through the current quarter: exit $rc, want 2"
close --period "$prev" --topic hardship >out.txt || fail "the last quarter $prev refused: $(cat close.log)"
close --period "$now" --topic hardship --force >out.txt || fail "--force: $(cat close.log)"
has_marker hardship "$now" || fail "--force wrote no marker for $now"
ok "the quarter not ended yet ($now) refused, nothing written; $prev closes; --force closes $now"

rc=0
close --period 2024Q2 --topic warnings >out.txt || rc=$?
[ $rc -eq 2 ] && grep -q 'not an input topic' close.log || fail "--topic warnings: exit $rc: $(cat close.log)"
rc=0
close --period 2024Q5 >out.txt || rc=$?
[ $rc -eq 2 ] || fail "--period 2024Q5: exit $rc"
rc=0
"$push" close --period 2024Q2 --through 2024Q3 -b "$b" 2>close.log || rc=$?
[ $rc -eq 2 ] || fail "--period with --through: exit $rc"
ok "unknown topics, bad quarters and --period with --through refused"
echo "zs-push close: $passed passed, 0 failed"
