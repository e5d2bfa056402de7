# monitor_lib.sh: what the zs-monitor integration tests share (sourced after
# tests/component/lib.sh, with sim, push, topics_bin, monitor, cat_bin, bs and prefix
# set, in the work directory).

# push_region DIR FROM TO: pushes DIR's exports, then closes the quarters
# FROM..TO on every input topic.
push_region() {
    local dir=$1 rc
    "$push" households --members "$dir/members.csv" "$dir/households.csv" -b "$bs" --quiet \
        -X zs.topic.prefix="$prefix" 2>push.log || fail "zs-push households: $(cat push.log)"
    for kind in income employment subsidy hardship followup; do
        rc=0
        "$push" "$kind" "$dir/$kind.csv" -b "$bs" --quiet -X zs.topic.prefix="$prefix" \
            2>>push.log || rc=$?
        [ $rc -eq 0 ] || [ $rc -eq 3 ] || fail "zs-push $kind: exit $rc: $(tail -5 push.log)"
    done
    local q
    for q in $(python3 -c "
f, t = '$2', '$3'
y, n = int(f[:4]), int(f[5])
while (y, n) <= (int(t[:4]), int(t[5])):
    print('%dQ%d' % (y, n)); y, n = (y, n + 1) if n < 4 else (y + 1, 1)"); do
        for t in household income employment subsidy hardship followup; do
            "$push" close --topic "$t" --period "$q" -b "$bs" --quiet -X zs.topic.prefix="$prefix" >>push.log \
                2>>push.log || fail "zs-push close $t $q: $(tail -5 push.log)"
        done
    done
}

# push_step LOG ACTION X Y: one step of a zs-simulate --live schedule
# (a/live/schedule.txt) under $prefix; a run that fails (exit 1: delivery)
# is rerun from its checkpoint, each rerun a line of reruns.txt.
push_step() {
    local log=$1 action=$2 x=$3 y=$4 rc try
    for try in 1 2 3 4 5; do
        rc=0
        case $action in
        push)
            local files=("a/live/$x/$y.csv")
            [ "$y" = households ] && files=(--members "a/live/$x/members.csv" "a/live/$x/households.csv")
            "$push" "$y" "${files[@]}" -b "$bs" --quiet -X zs.topic.prefix="$prefix" \
                --checkpoint "ckpt-$prefix$x-$y" --rejects-dir . >>"$log" 2>&1 || rc=$?
            [ $rc -eq 3 ] && rc=0 ;; # some rows rejected (the injected bad rows)
        close)
            "$push" close --topic "$x" --period "$y" -b "$bs" --quiet -X zs.topic.prefix="$prefix" \
                >>"$log" 2>&1 || rc=$? ;;
        esac
        [ $rc -eq 0 ] && return 0
        echo "$action $x $y: exit $rc, rerun" >>reruns.txt
        sleep 2
    done
    return 1
}
# push_feed LOG [PACE]: every step of a/live/schedule.txt, in order; PACE
# seconds between one month's pushes and the next's.
push_feed() {
    local action x y month=
    while read -r action x y; do
        if [ "$action" = push ] && [ -n "${2:-}" ] && [ -n "$month" ] && [ "$x" != "$month" ]; then
            sleep "$2"
        fi
        [ "$action" = push ] && month=$x
        push_step "$1" "$action" "$x" "$y" || { echo "FAILED: $action $x $y" >>"$1"; return 1; }
    done < <(grep -v '^#' a/live/schedule.txt)
}

# push_runs BASE PARTITIONS FROM TO RUN...: the region in a/ pushed once per
# RUN under the topic prefix BASE<run>. (topics of PARTITIONS partitions),
# quarters FROM..TO closed; then a ref run of zs-monitor with ARGS from
# $ref_args to --exit-idle, its outputs read (prefix left at BASEref.).
push_runs() {
    local base=$1 parts=$2 from=$3 to=$4 run
    shift 4
    for run in "$@"; do
        prefix="$base$run."
        "$topics_bin" -b "$bs" -X zs.topic.prefix="$prefix" --partitions "$parts" >topics.log 2>&1 ||
            fail "zs-topics: $(cat topics.log)"
        push_region a "$from" "$to"
    done
    ok "one region pushed under $# prefixes"
    prefix="${base}ref."
    run_monitor ref "${ref_args[@]}" || fail "zs-monitor ref: $(tail -20 monitor-ref.log)"
    read_outputs ref
}

# run_monitor NAME ARGS...: runs zs-monitor in the foreground (log
# monitor-NAME.log); start_monitor NAME ARGS... in the background, its pid
# in $mpid (the program's own, so that kill -9 kills it).
monitor_args() {
    margs=(-b "$bs" -X zs.topic.prefix="$prefix" -X zs.monitor.group="g$prefix"
        -X zs.monitor.instance="${ZS_INSTANCE:-i1}-$prefix" -X zs.monitor.stats.interval=5s)
    # The instance names the transactional.id: tests running side by side on
    # one Kafka must not share one, or they fence each other.
}
run_monitor() {
    local name=$1
    shift
    monitor_args
    "$monitor" "${margs[@]}" "$@" 2>"monitor-$name.log"
}
start_monitor() {
    local name=$1
    shift
    monitor_args
    "$monitor" "${margs[@]}" "$@" 2>"monitor-$name.log" &
    mpid=$!
}

# wait_assigned FILE PID: waits until log FILE says the instance holds
# partitions (or PID died).
wait_assigned() {
    for _ in $(seq 300); do
        grep -q "assigned [0-9]* partitions" "$1" 2>/dev/null && return 0
        kill -0 "$2" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

# read_outputs NAME: the committed warnings and audit records, as JSON lines
# (warnings-NAME.jsonl, audit-NAME.jsonl) and the warnings reduced to
# "household rule subject opened status period id sources" lines
# (warnings-NAME.keys; sources as topic-without-prefix/partition/offset,
# then "+" when sources_truncated: the same input gives the same sources).
read_outputs() {
    "$cat_bin" -b "$bs" -t "${prefix}warnings" -e -X isolation.level=read_committed \
        >"warnings-$1.jsonl" 2>cat.log || fail "zs-cat warnings: $(cat cat.log)"
    "$cat_bin" -b "$bs" -t "${prefix}audit" -e -X isolation.level=read_committed \
        >"audit-$1.jsonl" 2>cat.log || fail "zs-cat audit: $(cat cat.log)"
    python3 - "$1" "$prefix" <<'PY'
import json, sys
name, prefix = sys.argv[1], sys.argv[2]
out = []
for line in open("warnings-%s.jsonl" % name):
    w = json.loads(line)
    subject = w["person_id"]["string"] if w["person_id"] else "-"
    if w["rule"].startswith("SUBSIDY_"):
        subject += "/" + w["evidence"]["program"]["zengshou.SubsidyProgram"]
    sources = " ".join("%s/%d/%d" % (s["topic"][len(prefix):] if s["topic"].startswith(prefix)
                                     else s["topic"], s["partition"], s["offset"])
                       for s in w["sources"])
    out.append("%s %s %s %04d-%02d %s %04d-%02d %s %s%s" % (
        w["household_id"], w["rule"], subject, w["opened_year"], w["opened_month"],
        w["status"], w["year"], w["month"], w["warning_id"], sources,
        " +" if w["sources_truncated"] else ""))
open("warnings-%s.keys" % name, "w").write("".join(sorted(l + "\n" for l in out)))
PY
}

# compare_truth NAME: OPEN records against expected-warnings.csv, findings
# against expected-findings.csv.
compare_truth() {
    python3 - "$1" <<'PY' || fail "the monitor's output differs from the ground truth"
import csv, json, sys
name = sys.argv[1]
want = sorted(tuple(r) for r in list(csv.reader(open("a/expected-warnings.csv")))[1:])
got = []
for line in open("warnings-%s.jsonl" % name):
    w = json.loads(line)
    if w["status"] != "OPEN":
        continue
    subject = w["person_id"]["string"] if w["person_id"] else "-"
    if w["rule"].startswith("SUBSIDY_"):
        subject += "/" + w["evidence"]["program"]["zengshou.SubsidyProgram"]
    got.append((w["household_id"], w["rule"], subject, "%04d-%02d" % (w["opened_year"], w["opened_month"])))
got.sort()
missing = sorted(set(want) - set(got))
extra = sorted(set(got) - set(want))
dups = len(got) - len(set(got))
for m in missing[:10]:
    print("missing:", m, file=sys.stderr)
for e in extra[:10]:
    print("not in the truth:", e, file=sys.stderr)
if dups:
    print("OPEN written twice:", dups, file=sys.stderr)
if missing or extra or dups:
    sys.exit(1)
fw = sorted(tuple(r) for r in list(csv.reader(open("a/expected-findings.csv")))[1:])
written = []
for line in open("audit-%s.jsonl" % name):
    a = json.loads(line)
    if a["kind"] != "DATA_QUALITY" or a["finding"] is None:
        continue
    h = a["household_id"]["string"]
    written.append((h, a["finding"]["zengshou.DataQualityFinding"], "%04d-%02d" % (a["year"]["int"], a["month"]["int"])))
fg = sorted(set(written))
# Each finding once per (household, kind, period): counts, not sets.
if len(written) != len(fg):
    import collections
    again = [k for k, n in collections.Counter(written).items() if n > 1]
    print("findings written more than once:", len(written) - len(fg), sorted(again)[:5], file=sys.stderr)
    sys.exit(1)
if fg != fw:
    print("findings differ:", sorted(set(fw) - set(fg))[:5], sorted(set(fg) - set(fw))[:5], file=sys.stderr)
    sys.exit(1)
print(len(got), "episodes opened,", len(fg), "findings")
PY
}

# compare_states BASE REF RUN...: the last state record of each household in
# the changelog BASE<run>.monitor.state of every RUN equals REF's, byte for
# byte.
compare_states() {
    local base=$1 run
    shift
    for run in "$@"; do
        "$cat_bin" -b "$bs" -t "$base$run.monitor.state" -e -J >"state-$run.jsonl" 2>cat.log ||
            fail "zs-cat state: $(cat cat.log)"
    done
    python3 - "$@" <<'PY' || fail "the final household states differ"
import json, sys
def final(run):
    last = {}
    for line in open("state-%s.jsonl" % run):
        v = json.loads(line)["value"]
        if v["scope"] == "HOUSEHOLD":
            last[v["household_id"]] = v["state"]
    return last
ref = final(sys.argv[1])
for run in sys.argv[2:]:
    got = final(run)
    diff = sorted(h for h in set(ref) | set(got) if ref.get(h) != got.get(h))
    if diff:
        sys.exit("%s: %d of %d household states differ from %s's, e.g. %s"
                 % (run, len(diff), len(ref), sys.argv[1], diff[:3]))
print(len(ref), "household states equal")
PY
}
