#!/usr/bin/env bash
# Regression test, "a resumed households push rejects the members of the
# households it skips": zs-push households --checkpoint skips the households
# delivered before the checkpoint, but their members stayed in the members
# index and were reported at the end as members of no household (exit 3, a
# rejects record each). Now a skipped household's members go with it.
# Then the drill: zs-push killed with SIGKILL five times at random moments
# and resumed each time: every household arrives (distinct keys on the
# topic), none is rejected, and the rows sent twice are counted.
#   zs_push_checkpoint_members.sh ZS_BROKER ZS_PUSH ZS_CAT
# (ZS_SCHEMA_DIR, ZS_DATA_DIR set).
set -euo pipefail
broker_bin=$1 push=$2 cat_bin=$3
. "$(dirname "$0")/lib.sh"
cd "$tmp"
start_broker "$broker_bin" 3

python3 - <<'PY'
with open("households.csv", "w") as h, open("members.csv", "w") as m:
    h.write("household_id,county_code,township,village,category,updated_at\n")
    m.write("household_id,person_id,id_number,relation,birth_year,sex,labor_class,"
            "disability,in_school,active,updated_at\n")
    for i in range(20000):
        h.write("H%05d,451227,Town,Village,STABLE,2024-01-05T10:00:00+08:00\n" % i)
        for k in range(3):
            m.write("H%05d,P%05d%d,,%s,%d,M,ORDINARY,0,N,Y,2024-01-05T10:00:00+08:00\n"
                    % (i, i, k, "HEAD" if k == 0 else "CHILD", 1970 + 20 * (k > 0)))
PY

# A checkpoint after line 10,001 (households H00000-H09999 delivered before).
printf 'zs-push checkpoint 1\nkind=households\ninput=households.csv\nline=10001\n' >hh.ckpt
rc=0
"$push" households --members members.csv households.csv -b "$b" --quiet --checkpoint hh.ckpt \
    --rejects resumed.rejects.csv 2>resume.log || rc=$?
[ $rc -eq 0 ] || fail "resumed after line 10,001: exit $rc (3: rows rejected): $(tail -3 resume.log)"
[ ! -s resumed.rejects.csv ] || [ "$(wc -l <resumed.rejects.csv)" -le 1 ] ||
    fail "members of the skipped households rejected: $(sed -n 2,3p resumed.rejects.csv)"
grep -q "10000 skipped as sent before" resume.log || fail "no skip counted: $(tail -3 resume.log)"
ok "resumed after 10,000 households: their 30,000 members are not rejected"

# The drill: five kills at random moments, each resumed from the checkpoint.
rm -f drill.ckpt
RANDOM=5
kills=0
for i in 1 2 3 4 5; do
    before=$(sed -n 's/^line=//p' drill.ckpt 2>/dev/null || echo 0)
    "$push" households --members members.csv households.csv -b "$b" --quiet \
        --checkpoint drill.ckpt --rejects drill.rejects.csv -X zs.topic.prefix=drill. \
        -X zs.push.checkpoint.interval=10ms -X queue.buffering.max.messages=500 \
        -X linger.ms=20 2>>drill.log &
    pid=$!
    # once it has moved on from where it resumed, at a random moment
    for _ in $(seq 500); do
        now=$(sed -n 's/^line=//p' drill.ckpt 2>/dev/null || echo 0)
        [ "${now:-0}" -gt "${before:-0}" ] && break
        sleep 0.01
    done
    sleep "0.0$((RANDOM % 10))"
    kill -9 $pid 2>/dev/null && kills=$((kills + 1)) || true
    wait $pid 2>/dev/null || true
done
rc=0
"$push" households --members members.csv households.csv -b "$b" --quiet --checkpoint drill.ckpt \
    --rejects drill.rejects.csv -X zs.topic.prefix=drill. 2>>drill.log || rc=$?
[ $rc -eq 0 ] || fail "the last resumed run: exit $rc: $(tail -3 drill.log)"
[ "$kills" -ge 3 ] || fail "only $kills of 5 runs were still running when killed"
"$cat_bin" -b "$b" -t drill.household -e -J >drill.jsonl 2>cat.log || fail "zs-cat: $(cat cat.log)"
read -r sent distinct members < <(python3 - <<'PY'
import json
keys, members = [], 0
for line in open("drill.jsonl"):
    v = json.loads(line)["value"]
    keys.append(v["household_id"])
    members += len(v["members"])
print(len(keys), len(set(keys)), members)
PY
)
[ "$distinct" -eq 20000 ] || fail "$distinct of 20,000 households arrived after $kills kills"
if [ -s drill.rejects.csv ] && [ "$(wc -l <drill.rejects.csv)" -gt 1 ]; then
    fail "rows rejected after the kills: $(sed -n 2,3p drill.rejects.csv)"
fi
ok "killed $kills times and resumed: 20,000 of 20,000 households, none rejected, $((sent - distinct)) sent twice (a snapshot sent again replaces itself)"
echo "zs-push households with --checkpoint: $passed passed, 0 failed"
