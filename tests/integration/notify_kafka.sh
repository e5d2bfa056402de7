#!/usr/bin/env bash
# zs-notify on the real Kafka: a simulated region through zs-push and
# zs-monitor gives the warnings; zs-notify routes them, by county, to two
# local HTTP receivers (notify_receiver.py), a webhook on a closed port, an
# outbox directory, and a default outbox for every other county. Checks:
# every warning record reaches exactly its county's channel, with the
# idempotency key <warning_id>-<status>-<YYYYMM>; the receiver that answers
# 503 for its first seconds still gets everything (duplicates only with the
# same key and body); the closed port's records end in the dead-letter topic
# and the audit (NOTIFICATION_FAILED) while the other counties were delivered
# before; every other record has a NOTIFICATION_SENT; the audit chains
# verify; a second run delivers nothing again (offsets committed); a county
# without a route is dead-lettered and audited; a bad route file is exit 2
# with its line; SIGTERM stops it cleanly.
#   notify_kafka.sh ZS_SIMULATE ZS_PUSH ZS_TOPICS ZS_MONITOR ZS_CAT ZS_NOTIFY ZS_AUDIT
# (ZS_SCHEMA_DIR, ZS_DATA_DIR and ZS_KAFKA_BOOTSTRAP set).
set -euo pipefail
sim=$1 push=$2 topics_bin=$3 monitor=$4 cat_bin=$5 notify=$6 audit_bin=$7
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../component/lib.sh"
. "$here/monitor_lib.sh"
cd "$tmp"
bs=${ZS_KAFKA_BOOTSTRAP:?set by tests/run.sh, which starts the real Kafka}
prefix="notify$$."

receiver_pids=()
stop_receivers() {
    local p
    for p in "${receiver_pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
    receiver_pids=()
}
trap 'stop_receivers; cleanup' EXIT

# start_receiver NAME FAIL_FOR [ARGS...]: a receiver logging to NAME.requests
# (ARGS: more of notify_receiver.py's); its port in $port.
start_receiver() {
    python3 "$here/notify_receiver.py" --port-file "$1.port" --log "$1.requests" \
        --fail-for "$2" "${@:3}" 2>"$1.err" &
    receiver_pids+=($!)
    for _ in $(seq 100); do [ -s "$1.port" ] && break; sleep 0.1; done
    [ -s "$1.port" ] || fail "receiver $1 did not start: $(cat "$1.err")"
    port=$(cat "$1.port")
}

# The warnings: a small region through zs-push and zs-monitor.
"$sim" --out a --households 1000 --quarters 4 --from 2023Q1 --seed 7 --inject-share 0.1 \
    --quiet 2>sim.log || fail "zs-simulate: $(cat sim.log)"
"$topics_bin" -b "$bs" -X zs.topic.prefix="$prefix" --partitions 3 >topics.log 2>&1 ||
    fail "zs-topics: $(cat topics.log)"
push_region a 2023Q1 2023Q4
run_monitor first --exit-idle 2000 || fail "zs-monitor: $(tail -20 monitor-first.log)"
"$cat_bin" -b "$bs" -t "${prefix}warnings" -e -X isolation.level=read_committed \
    >warnings.jsonl 2>cat.log || fail "zs-cat warnings: $(cat cat.log)"
# The four counties with most records get their own channels, the rest the default.
read -r ca cb cc cd nrec ncounties < <(python3 - <<'PY'
import collections, json
c = collections.Counter(json.loads(l)["county_code"] for l in open("warnings.jsonl"))
top = [k for k, _ in c.most_common(4)]
print(*top, sum(c.values()), len(c))
PY
)
[ "$ncounties" -ge 6 ] || fail "the region's warnings span only $ncounties counties"
ok "$nrec warning records in $ncounties counties; own channels for $ca $cb $cc $cd"

# Bad route files: exit 2, the line and why.
notify_base=(-b "$bs" -X zs.topic.prefix="$prefix" -X zs.notify.instance=t1)
printf '# comment\n%s outbox %s\n%s webhook ftp://x/\n' "$ca" "$tmp" "$cb" >bad.routes
rc=0
"$notify" "${notify_base[@]}" --routes bad.routes 2>bad.log || rc=$?
[ $rc -eq 2 ] && grep -q "bad.routes:3: a webhook URL must start with https://" bad.log ||
    fail "a bad webhook URL: exit $rc: $(cat bad.log)"
printf '* outbox %s/missing\n' "$tmp" >bad2.routes
rc=0
"$notify" "${notify_base[@]}" --routes bad2.routes 2>bad2.log || rc=$?
[ $rc -eq 2 ] && grep -q "bad2.routes:1: outbox $tmp/missing: No such file" bad2.log ||
    fail "a missing outbox: exit $rc: $(cat bad2.log)"
printf '459999 outbox %s\n' "$tmp" >bad3.routes
rc=0
"$notify" "${notify_base[@]}" --routes bad3.routes 2>bad3.log || rc=$?
[ $rc -eq 2 ] && grep -q "bad3.routes:1: 459999 is not a county of the region" bad3.log ||
    fail "an unknown county: exit $rc: $(cat bad3.log)"
rc=0
"$notify" --bogus 2>usage.log || rc=$?
[ $rc -eq 2 ] || fail "a bad option: exit $rc"
ok "bad route files and options are exit 2, naming the line and why"

# The routes: A a good receiver, B one answering 503 for 6 s from its first request, C a
# closed port, D an outbox, the rest the default outbox.
closed=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir outd outdefault
start_receiver good 0
port_a=$port
start_receiver flaky 6
port_b=$port
cat >routes.conf <<EOF
# test routes
$ca webhook http://127.0.0.1:$port_a/county/$ca
$cb webhook http://user:secret@127.0.0.1:$port_b/county/$cb?token=secret
$cc webhook http://127.0.0.1:$closed/county/$cc
$cd outbox $tmp/outd
* outbox $tmp/outdefault
EOF
"$notify" --check-routes --routes routes.conf -X zs.log.level=error >check.out 2>&1 ||
    fail "--check-routes: $(cat check.out)"
grep -q secret check.out && fail "--check-routes printed a credential: $(cat check.out)"
notify_args=("${notify_base[@]}" -X zs.notify.group="n$prefix" --routes routes.conf
    -X zs.notify.retry.initial=200ms -X zs.notify.retry.max=2s -X zs.notify.retry.budget=15s
    -X zs.notify.http.timeout=5s -X zs.notify.commit.interval=200ms)
rc=0
"$notify" "${notify_args[@]}" --exit-idle 2000 2>notify-1.log || rc=$?
[ $rc -eq 0 ] || fail "zs-notify: exit $rc: $(tail -20 notify-1.log)"
grep -q secret notify-1.log && fail "the log shows a credential of a webhook URL"
"$cat_bin" -b "$bs" -t "${prefix}deadletter" -e -X isolation.level=read_committed \
    >dead-1.jsonl 2>cat.log || fail "zs-cat deadletter: $(cat cat.log)"
"$cat_bin" -b "$bs" -t "${prefix}audit" -e -X isolation.level=read_committed \
    >audit-1.jsonl 2>cat.log || fail "zs-cat audit: $(cat cat.log)"

python3 - "$ca" "$cb" "$cc" "$cd" "$prefix" <<'PY' || fail "deliveries differ from the routes"
import collections, glob, json, os, sys
ca, cb, cc, cd, prefix = sys.argv[1:]
def key(w):
    return "%s-%s-%04d%02d" % (w["warning_id"], w["status"], w["year"], w["month"])
want = collections.defaultdict(dict)  # county group -> key -> record
for l in open("warnings.jsonl"):
    w = json.loads(l)
    c = w["county_code"]
    g = c if c in (ca, cb, cc, cd) else "*"
    k = key(w)
    assert k not in want[g], "two records with the key %s" % k
    want[g][k] = w
bad = []
def check_webhook(name, county):
    got = {}
    statuses = collections.Counter()
    for l in open(name + ".requests"):
        r = json.loads(l)
        statuses[r["status"]] += 1
        if r["content_type"] != "application/json":
            bad.append("%s: Content-Type %r" % (name, r["content_type"]))
        if r["path"] != "/county/%s" % county and not r["path"].startswith("/county/%s?" % county):
            bad.append("%s: path %s" % (name, r["path"]))
        body = json.loads(r["body"])
        if key(body) != r["key"]:
            bad.append("%s: Idempotency-Key %s for a body of key %s" % (name, r["key"], key(body)))
        if r["key"] in got and got[r["key"]] != body:
            bad.append("%s: %s sent twice with different bodies" % (name, r["key"]))
        if r["status"] == 200:
            got[r["key"]] = body
    if set(got) != set(want[county]):
        bad.append("%s: %d keys delivered, %d wanted; missing %s, extra %s" % (
            name, len(got), len(want[county]), sorted(set(want[county]) - set(got))[:3],
            sorted(set(got) - set(want[county]))[:3]))
    for k, b in got.items():
        if k in want[county] and b != want[county][k]:
            bad.append("%s: %s body differs from the warning" % (name, k))
    return statuses
s = check_webhook("good", ca)
print("good receiver:", dict(s))
s = check_webhook("flaky", cb)
print("flaky receiver:", dict(s))
if s[503] == 0:
    bad.append("the flaky receiver never answered 503: nothing was retried")
def check_outbox(d, g):
    got = {}
    for p in glob.glob(d + "/*"):
        name = os.path.basename(p)
        if not name.endswith(".json"):
            bad.append("%s: a stray file %s" % (d, name))
            continue
        got[name[:-5]] = json.load(open(p))
    if set(got) != set(want[g]):
        bad.append("%s: %d files, %d wanted; missing %s, extra %s" % (
            d, len(got), len(want[g]), sorted(set(want[g]) - set(got))[:3],
            sorted(set(got) - set(want[g]))[:3]))
    for k, b in got.items():
        if k in want[g] and b != want[g][k]:
            bad.append("%s: %s differs from the warning" % (d, k))
check_outbox("outd", cd)
check_outbox("outdefault", "*")
# The closed port: every record dead-lettered, nothing else is.
dead = [d for d in map(json.loads, open("dead-1.jsonl")) if d["producer"].startswith("zs-notify@t1/")]
dkeys = set()
for d in dead:
    if d["source_topic"] != {"string": prefix + "warnings"}:
        bad.append("a dead letter from %s" % d["source_topic"])
    if "127.0.0.1" not in d["reason"] or "failed" not in d["reason"]:
        bad.append("dead letter reason: %s" % d["reason"])
    if "secret" in d["reason"]:
        bad.append("a dead letter shows a credential")
    dkeys.add((d["source_partition"]["int"], d["source_offset"]["long"]))
if len(dead) != len(want[cc]) or len(dkeys) != len(dead):
    bad.append("%d dead letters (%d distinct), want %d" % (len(dead), len(dkeys), len(want[cc])))
# The audit: one NOTIFICATION_SENT per delivered record, one FAILED per dead letter.
sent, failed = collections.Counter(), collections.Counter()
first_failed_at = None
for l in open("audit-1.jsonl"):
    a = json.loads(l)
    if a["kind"] not in ("NOTIFICATION_SENT", "NOTIFICATION_FAILED"):
        continue
    if not a["chain"].startswith("zs-notify/t1/p"):
        bad.append("audit chain %s" % a["chain"])
    k = [f[4:] for f in a["detail"].split(";") if f.startswith("key=")][0]
    if a["kind"] == "NOTIFICATION_SENT":
        sent[k] += 1
    else:
        failed[k] += 1
        first_failed_at = min(first_failed_at or a["at"], a["at"])
        if a["county_code"] != {"string": cc}:
            bad.append("NOTIFICATION_FAILED for county %s" % a["county_code"])
    if "secret" in a["detail"]:
        bad.append("an audit record shows a credential")
delivered = set().union(*(set(want[g]) for g in (ca, cb, cd, "*")))
if set(sent) != delivered or any(n != 1 for n in sent.values()):
    bad.append("NOTIFICATION_SENT for %d keys (%d records), want %d" % (
        len(sent), sum(sent.values()), len(delivered)))
if set(failed) != set(want[cc]):
    bad.append("NOTIFICATION_FAILED for %d keys, want %d" % (len(failed), len(want[cc])))
# Meanwhile: the good receiver and the outboxes had everything before the
# first record of the closed port was given up.
last_good = max(json.loads(l)["time"] for l in open("good.requests")) * 1000
last_file = max(os.path.getmtime(p) for p in glob.glob("outdefault/*.json")) * 1000
if first_failed_at is None or not (last_good < first_failed_at and last_file < first_failed_at):
    bad.append("the other counties waited for the failing channel (%s %s %s)" % (
        last_good, last_file, first_failed_at))
for b in bad[:20]:
    print(b, file=sys.stderr)
if bad:
    sys.exit(1)
print({g: len(v) for g, v in want.items()}, len(dead), "dead letters")
PY
ok "every record reached exactly its county's channel; the 503 receiver got everything once up; the closed port's records are dead letters and NOTIFICATION_FAILED, the rest NOTIFICATION_SENT, the others delivered first"

"$audit_bin" verify -b "$bs" -X zs.topic.prefix="$prefix" >verify.log 2>&1 ||
    fail "zs-audit verify: $(tail -5 verify.log)"
ok "the audit chains verify: $(tail -1 verify.log)"

# Again: everything was committed, so nothing is delivered twice.
good_before=$(wc -l <good.requests)
files_before=$(find outdefault -type f | wc -l)
rc=0
"$notify" "${notify_args[@]}" --exit-idle 1500 2>notify-2.log || rc=$?
[ $rc -eq 0 ] || fail "zs-notify again: exit $rc: $(tail -20 notify-2.log)"
grep -q " 0 records read" notify-2.log || fail "a second run read records again: $(grep 'records read' notify-2.log)"
[ "$(wc -l <good.requests)" -eq "$good_before" ] || fail "a second run posted again"
[ "$(find outdefault -type f | wc -l)" -eq "$files_before" ] || fail "a second run wrote files"
ok "a second run of the group reads nothing again (offsets were committed)"

# No route for a county, and no default: dead letter and audit, never dropped.
mkdir outa
printf '%s outbox %s/outa\n' "$ca" "$tmp" >only-a.routes
rc=0
"$notify" "${notify_base[@]}" -X zs.notify.group="x$prefix" -X zs.notify.instance=t2 \
    --routes only-a.routes --exit-idle 1500 2>notify-3.log || rc=$?
[ $rc -eq 0 ] || fail "zs-notify without a default route: exit $rc: $(tail -20 notify-3.log)"
"$cat_bin" -b "$bs" -t "${prefix}deadletter" -e -X isolation.level=read_committed \
    >dead-3.jsonl 2>cat.log || fail "zs-cat deadletter: $(cat cat.log)"
"$cat_bin" -b "$bs" -t "${prefix}audit" -e -X isolation.level=read_committed \
    >audit-3.jsonl 2>cat.log || fail "zs-cat audit: $(cat cat.log)"
python3 - "$ca" <<'PY' || fail "records without a route were not all dead-lettered and audited"
import json, sys
ca = sys.argv[1]
ws = [json.loads(l) for l in open("warnings.jsonl")]
others = sum(1 for w in ws if w["county_code"] != ca)
mine = sum(1 for w in ws if w["county_code"] == ca)
dl = [json.loads(l) for l in open("dead-3.jsonl")]
noroute = [d for d in dl if d["reason"].startswith("no route for county")
           and d["producer"].startswith("zs-notify@t2/")]
au = [json.loads(l) for l in open("audit-3.jsonl")]
failed = [a for a in au if a["kind"] == "NOTIFICATION_FAILED" and a["chain"].startswith("zs-notify/t2/")
          and "reason=no route" in a["detail"]]
sent = [a for a in au if a["kind"] == "NOTIFICATION_SENT" and a["chain"].startswith("zs-notify/t2/")]
import os
files = len(os.listdir("outa"))
print(others, "without a route:", len(noroute), "dead letters,", len(failed), "audited;", files, "files")
if len(noroute) != others or len(failed) != others or len(sent) != mine or files != mine:
    sys.exit(1)
PY
ok "a county without a route is dead-lettered with NOTIFICATION_FAILED, never dropped"

# Webhooks over TLS: a receiver whose certificate a private CA signed is
# refused (no request reaches it, its records are dead letters) until that
# CA is given in zs.notify.http.ca; then everything is delivered.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=zengshou test CA" \
    -keyout ca.key -out ca.pem >openssl.log 2>&1 || fail "openssl: $(cat openssl.log)"
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout tls.key -out tls.csr \
    >>openssl.log 2>&1 || fail "openssl: $(cat openssl.log)"
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >san.ext
openssl x509 -req -in tls.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile san.ext \
    -out tls.pem >>openssl.log 2>&1 || fail "openssl: $(cat openssl.log)"
start_receiver tls 0 --tls tls.pem tls.key
mkdir outtls outtls2
printf '%s webhook https://127.0.0.1:%s/county/%s\n* outbox %s/outtls\n' "$ca" "$port" "$ca" "$tmp" >tls.routes
tls_args=("${notify_base[@]}" --routes tls.routes -X zs.notify.retry.initial=200ms
    -X zs.notify.retry.max=1s -X zs.notify.retry.budget=3s -X zs.notify.http.timeout=5s)
rc=0
"$notify" "${tls_args[@]}" -X zs.notify.group="tls1$prefix" -X zs.notify.instance=t5 \
    --exit-idle 1500 2>notify-tls1.log || rc=$?
[ $rc -eq 0 ] || fail "zs-notify, TLS without the CA: exit $rc: $(tail -10 notify-tls1.log)"
[ -s tls.requests ] && fail "a request reached the receiver over an unverified certificate"
"$cat_bin" -b "$bs" -t "${prefix}deadletter" -e -X isolation.level=read_committed \
    >dead-tls.jsonl 2>cat.log || fail "zs-cat deadletter: $(cat cat.log)"
mine=$(python3 -c "import json,sys; print(sum(json.loads(l)['county_code'] == sys.argv[1] for l in open('warnings.jsonl')))" "$ca")
refused=$(python3 -c "import json; print(sum(json.loads(l)['producer'].startswith('zs-notify@t5/') for l in open('dead-tls.jsonl')))")
[ "$refused" -eq "$mine" ] || fail "$refused dead letters for $mine records refused over TLS: $(tail -3 notify-tls1.log)"
rc=0
"$notify" "${tls_args[@]}" -X zs.notify.group="tls2$prefix" -X zs.notify.instance=t6 \
    -X zs.notify.http.ca="$tmp/ca.pem" --exit-idle 1500 2>notify-tls2.log || rc=$?
[ $rc -eq 0 ] || fail "zs-notify, TLS with the CA: exit $rc: $(tail -10 notify-tls2.log)"
posted=$(grep -c '"method": "POST"' tls.requests || true)
[ "$posted" -eq "$mine" ] || fail "$posted of $mine records delivered over TLS with the CA"
ok "TLS: a certificate of an unknown CA refused ($refused dead letters, no request), accepted with zs.notify.http.ca ($posted delivered)"

# SIGTERM: a clean stop (exit 0) while deliveries are pending.
stop_receivers
start_receiver slow 1000
printf '* webhook http://127.0.0.1:%s/all\n' "$port" >slow.routes
"$notify" "${notify_base[@]}" -X zs.notify.group="s$prefix" --routes slow.routes \
    -X zs.notify.retry.initial=100ms 2>notify-4.log &
npid=$!
for _ in $(seq 150); do [ -s slow.requests ] && break; sleep 0.1; done
[ -s slow.requests ] || fail "zs-notify did not try the receiver: $(tail -5 notify-4.log)"
kill -TERM $npid
rc=0
wait $npid || rc=$?
[ $rc -eq 0 ] || fail "SIGTERM: exit $rc: $(tail -10 notify-4.log)"
ok "SIGTERM stops it cleanly (exit 0)"
echo "zs-notify on Kafka: $passed passed, 0 failed"
