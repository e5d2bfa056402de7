#!/usr/bin/env bash
# zs-simulate's exports through zs-push onto the embedded broker: every row of
# every file arrives (counted by event id per topic), nothing is rejected but
# the bad rows injected on purpose (exactly those), the same seed gives the
# same bytes, and the ground truth keeps the promises injected.csv makes.
#   zs_simulate_push.sh ZS_SIMULATE ZS_PUSH ZS_BROKER ZS_CAT [ZS_TOPICS]
# (ZS_SCHEMA_DIR, ZS_DATA_DIR set). With ZS_TOPICS it runs on the real Kafka
# named by ZS_KAFKA_BOOTSTRAP instead, under topics of its own.
set -euo pipefail
sim=$1 push=$2 broker_bin=$3 cat_bin=$4 topics_bin=${5:-}
. "$(dirname "$0")/lib.sh"
cd "$tmp"

args=(--households 1000 --quarters 4 --from 2023Q1 --seed 7 --inject-share 0.06 --quiet)
"$sim" --out a "${args[@]}" 2>sim.log || fail "zs-simulate: $(cat sim.log)"
"$sim" --out b "${args[@]}" 2>>sim.log || fail "zs-simulate again: $(cat sim.log)"
for f in a/*; do
    cmp -s "$f" "b/$(basename "$f")" || fail "$(basename "$f") differs between two runs with one seed"
done
"$sim" --out c "${args[@]}" --seed 8 2>>sim.log || fail "zs-simulate seed 8"
cmp -s a/income.csv c/income.csv && fail "another seed gave the same income.csv"
ok "the same seed gives byte-identical files ($(ls a | wc -l) files), another seed others"

# --live: the same records as a monthly feed; the same seed, the same feed.
"$sim" --out la "${args[@]}" --live 2>>sim.log || fail "zs-simulate --live: $(cat sim.log)"
"$sim" --out lb "${args[@]}" --live 2>>sim.log || fail "zs-simulate --live again: $(cat sim.log)"
diff -r la lb >/dev/null || fail "two --live runs with one seed differ: $(diff -rq la lb | head -3)"
[ ! -e la/income.csv ] || fail "--live also wrote the batch exports"
python3 - <<'PY' || fail "the live feed does not hold the batch's records, or its schedule is wrong"
import csv, glob, os, sys
def rows(pattern):
    out = set()
    for f in glob.glob(pattern):
        out |= {tuple(r) for r in list(csv.reader(open(f)))[1:]}
    return out
for kind in ("employment", "hardship"):  # --live adds late records to income and subsidy only
    batch, live = rows("a/%s.csv" % kind), rows("la/live/*/%s.csv" % kind)
    if batch != live:
        sys.exit("%s: %d rows in the batch, %d in the feed" % (kind, len(batch), len(live)))
steps = [l.split() for l in open("la/live/schedule.txt") if not l.startswith("#")]
closes = [s for s in steps if s[0] == "close"]
if len(closes) != 6 * 4:
    sys.exit("%d closes, want 24" % len(closes))
for s in steps:
    if s[0] == "push" and not os.path.exists("la/live/%s/%s.csv" % (s[1], s[2])):
        sys.exit("no file for %s" % s)
last = {}  # each topic closes its quarters in order
for s in steps:
    if s[0] == "close":
        if last.get(s[1], "") >= s[2]:
            sys.exit("%s closed out of order" % s)
        last[s[1]] = s[2]
PY
ok "--live: the same seed gives the same feed, with the batch's records and every close in order"

grep -q '^Injected cases ([0-9]* households; 0 not confirmed)' a/README.txt ||
    fail "injected cases not all confirmed: $(grep -A40 '^Injected' a/README.txt)"
python3 - <<'PY' || fail "the ground truth breaks a promise of injected.csv"
import csv, sys
warn = {tuple(r) for r in list(csv.reader(open("a/expected-warnings.csv")))[1:]}
opened = {(h, r, s) for h, r, s, _ in warn}
found = {tuple(r) for r in list(csv.reader(open("a/expected-findings.csv")))[1:]}
rows = list(csv.DictReader(open("a/injected.csv")))
cases = {r["case"] for r in rows}
bad = []
for r in rows:
    head, _, _ = r["detail"].partition(":")
    kind, *f = head.split(" ")
    h = r["household_id"]
    if kind == "expect" and (h, f[0], f[1], f[2]) not in warn:
        bad.append(r)
    elif kind == "absent" and (h, f[0], f[1]) in opened:
        bad.append(r)
    elif kind == "finding" and (h, f[0], f[1]) not in found:
        bad.append(r)
for r in bad:
    print("broken:", r, file=sys.stderr)
assert len(cases) >= 25, sorted(cases)
lines = open("a/expected-warnings.csv").read().splitlines()
assert lines[0] == "household_id,rule,subject,opened" and lines[1:] == sorted(lines[1:]), "not sorted"
sys.exit(1 if bad else 0)
PY
ok "every injected case shows in the ground truth as promised ($(tail -n +2 a/injected.csv | wc -l) cases)"

if [ -n "$topics_bin" ]; then
    bs=${ZS_KAFKA_BOOTSTRAP:?set by tests/run.sh, which starts the real Kafka}
    prefix="sim$$."
    "$topics_bin" -b "$bs" -X zs.topic.prefix="$prefix" --partitions 6 >topics.log 2>&1 ||
        fail "zs-topics: $(cat topics.log)"
else
    start_broker "$broker_bin" 12
    bs=$b
    prefix="zs."
fi

# Households first, joined with their members; then the event exports. Exit 3
# (rows rejected) is expected exactly where bad rows were injected.
pushed() { # kind file
    local rc=0 want=0
    grep -q "reject $2 " a/injected.csv && want=3
    if [ "$1" = households ]; then
        "$push" households --members a/members.csv a/households.csv -b "$bs" --quiet \
            --rejects-dir a -X zs.topic.prefix="$prefix" 2>"push-$1.log" || rc=$?
    else
        "$push" "$1" "a/$2" -b "$bs" --quiet --rejects-dir a -X zs.topic.prefix="$prefix" \
            2>"push-$1.log" || rc=$?
    fi
    [ $rc -eq $want ] || fail "zs-push $1: exit $rc, want $want: $(cat "push-$1.log")"
}
pushed households households.csv
for kind in income employment subsidy hardship followup; do
    pushed "$kind" "$kind.csv"
done
ok "zs-push took every file (exit 3 only for files with injected bad rows)"

python3 - <<'PY' || fail "the rejects are not exactly the injected bad rows"
import csv, glob, os
want = set()
for r in csv.DictReader(open("a/injected.csv")):
    if r["detail"].startswith("reject "):
        _, f, eid = r["detail"].partition(":")[0].split(" ")
        want.add((f, eid))
got = set()
for path in glob.glob("a/*.rejects.csv"):
    for r in csv.DictReader(open(path)):
        got.add((os.path.basename(r["file"]), r["row"].split(",")[0]))
assert got == want, (sorted(got - want)[:5], sorted(want - got)[:5])
print(len(want), "bad rows rejected")
PY
ok "the rejects are exactly the injected bad rows"

for t in household income employment subsidy hardship followup; do
    "$cat_bin" -b "$bs" -t "$prefix$t" -e >"$t.jsonl" 2>"cat-$t.log" || fail "zs-cat $prefix$t: $(cat "cat-$t.log")"
done
python3 - <<'PY' || fail "a topic does not hold every row of its file"
import csv, collections, json
rejected = set()
for r in csv.DictReader(open("a/injected.csv")):
    if r["detail"].startswith("reject "):
        rejected.add(r["detail"].partition(":")[0].split(" ")[2])
def topic(name):
    return [json.loads(l) for l in open(name + ".jsonl")]
for name in ("income", "employment", "subsidy", "hardship", "followup"):
    rows = [r["event_id"] for r in csv.DictReader(open("a/%s.csv" % name))]
    want = collections.Counter(e for e in rows if e not in rejected)
    got = collections.Counter(m["event_id"] for m in topic(name))
    assert got == want, (name, sum(got.values()), sum(want.values()),
                         list((want - got).items())[:3], list((got - want).items())[:3])
    print("%-10s %8d messages, %8d event ids" % (name, sum(got.values()), len(got)))
members = collections.Counter(r["household_id"] for r in csv.DictReader(open("a/members.csv")))
hh = {m["household_id"]: m for m in topic("household")}
assert set(hh) == {r["household_id"] for r in csv.DictReader(open("a/households.csv"))}
for h, m in hh.items():
    assert len(m["members"]) == members[h], (h, len(m["members"]), members[h])
print("household  %8d snapshots, %8d members" % (len(hh), sum(members.values())))
PY
ok "every row of every file is on its topic (event ids counted per topic)"
[ -z "$topics_bin" ] && grep -q DATA.LOST broker.log && fail "the embedded broker dropped records: $(cat broker.log)"
echo "zs-simulate through zs-push: $passed passed, 0 failed"
