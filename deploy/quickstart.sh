#!/usr/bin/env bash
# quickstart.sh: the whole pipeline on one machine, on a synthetic region:
# installs what is missing, builds, starts the embedded broker, simulates a
# region, pushes its registry exports, closes its quarters, runs the monitor,
# and shows what a county would see; then checks the warnings against the
# simulator's ground truth, verifies the audit trail, and checks that an
# officer's inbox in zs-desk lists the county's warnings (--serve: keeps
# zs-desk running for a browser until Ctrl-C).
set -euo pipefail

usage() {
    cat <<USAGE
Usage: ${0##*/} [--households N] [--quarters Q] [--kafka embedded|local]
                [--bootstrap HOST:PORT] [-X KEY=VALUE]... [--county CODE]
                [--build DIR] [--work DIR] [--no-install] [--serve [--port N]]
                [--help]

  --households N  households in the synthetic region (default 10000 on the
                  embedded broker, 20000 on a real Kafka; 1000 or more)
  --quarters Q    quarters simulated and closed, from 2023Q1 (default 8)
  --kafka MODE    embedded (default): zs-broker, in memory, 64 partitions;
                  local: a real Apache Kafka started here (deploy/kafka/)
  --bootstrap H:P an existing cluster instead (topics made by zs-topics;
                  -X passes any property, e.g. SASL settings, to every program)
  --county CODE   the county whose warnings are shown (default: the one with
                  the most)
  --build DIR     build directory (default build/ at the top); built if needed
  --work DIR      where the region's files and logs go (default: a temp dir,
                  kept and named at the end)
  --no-install    do not install missing packages (they must be there)
  --serve         at the end, keep the officials' workbench (zs-desk) running
                  on the region until Ctrl-C: an officer per county and a
                  province supervisor, their logins and passwords printed,
                  with the URL to open (without it, zs-desk is started, an
                  officer's inbox checked over HTTP, and zs-desk stopped)
  --port N        the port zs-desk listens on, on 127.0.0.1 (default 8080,
                  or a free one when 8080 is taken)

Takes a minute or two. Exit status 0: the pipeline ran, the monitor's
warnings equal the ground truth, the audit trail verifies and an officer's
inbox lists the county's open warnings.
USAGE
}

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
root="$(cd "$here/.." && pwd -P)"
households="" quarters=8 kafka=embedded bootstrap="" county="" build="$root/build" work=""
install=1 xargs=() serve=0 desk_port=
die() {
    echo "quickstart: $*" >&2
    exit 1
}
while (($#)); do
    case "$1" in
    --households) [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] && (($2 >= 1000)) ||
        die "--households needs a number from 1000"; households=$2; shift ;;
    --quarters) [[ "${2:-}" =~ ^[1-8]$ ]] || die "--quarters needs 1 to 8"; quarters=$2; shift ;;
    --kafka) [[ "${2:-}" =~ ^(embedded|local)$ ]] || die "--kafka needs embedded or local"; kafka=$2; shift ;;
    --bootstrap) [[ -n "${2:-}" ]] || die "--bootstrap needs HOST:PORT"; bootstrap=$2; kafka=external; shift ;;
    -X) [[ "${2:-}" == *=* ]] || die "-X needs KEY=VALUE"; xargs+=(-X "$2"); shift ;;
    --county) [[ "${2:-}" =~ ^[0-9]{6}$ ]] || die "--county needs a 6-digit code"; county=$2; shift ;;
    --build) [[ -n "${2:-}" ]] || die "--build needs a dir"; build=$2; shift ;;
    --work) [[ -n "${2:-}" ]] || die "--work needs a dir"; work=$2; shift ;;
    --no-install) install=0 ;;
    --serve) serve=1 ;;
    --port) [[ "${2:-}" =~ ^[1-9][0-9]{0,4}$ ]] && (($2 < 65536)) || die "--port needs 1 to 65535"
        desk_port=$2; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
    esac
    shift
done
say() { printf '\n== %s ==\n' "$*"; }
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if ((install)); then
    say "packages"
    "$root/deploy/install-deps.sh"
fi
say "build ($build)"
bins=(producers/zs-simulate producers/zs-push consumers/zs-monitor consumers/zs-notify consumers/zs-cat
    consumers/zs-audit consumers/zs-desk deploy/zs-broker deploy/zs-topics)
need_build=0
for b in "${bins[@]}"; do [[ -x "$build/$b" ]] || need_build=1; done
if ((need_build)); then
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
    cmake --build "$build" --target zs-simulate zs-push zs-monitor zs-notify zs-cat zs-audit zs-desk \
        zs-broker zs-topics
else
    echo "up to date"
fi
sim=$build/producers/zs-simulate push=$build/producers/zs-push monitor=$build/consumers/zs-monitor
notify=$build/consumers/zs-notify desk=$build/consumers/zs-desk
cat_bin=$build/consumers/zs-cat audit=$build/consumers/zs-audit broker=$build/deploy/zs-broker
export ZS_SCHEMA_DIR="$root/schemas" ZS_DATA_DIR="$root/data"

[[ -n "$work" ]] || work="$(mktemp -d "${TMPDIR:-/tmp}/zengshou-quickstart.XXXXXX")"
mkdir -p "$work"
work="$(cd "$work" && pwd -P)"
broker_pid="" kdir="" desk_pid=""
cleanup() {
    local rc=$?
    [[ -n "$desk_pid" ]] && kill "$desk_pid" 2>/dev/null && wait "$desk_pid" 2>/dev/null
    [[ -n "$broker_pid" ]] && kill "$broker_pid" 2>/dev/null && wait "$broker_pid" 2>/dev/null
    [[ -n "$kdir" ]] && "$root/deploy/kafka/stop.sh" --dir "$kdir" >/dev/null 2>&1
    ((rc == 0)) || echo "quickstart: stopped (exit $rc); logs in $work" >&2
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Three ways to a broker. The embedded one keeps ~5 MiB per partition and
# drops what is older: 64 partitions hold the default region with room to
# spare, and zs-broker reports any deletion, which fails the run below.
partitions=12
case "$kafka" in
embedded)
    say "embedded broker (zs-broker)"
    partitions=64
    [[ -n "$households" ]] || households=10000
    rm -f "$work/bootstrap"
    "$broker" --partitions "$partitions" --bootstrap-file "$work/bootstrap" >/dev/null 2>"$work/broker.log" &
    broker_pid=$!
    for _ in $(seq 100); do [[ -s "$work/bootstrap" ]] && break; sleep 0.1; done
    [[ -s "$work/bootstrap" ]] || die "zs-broker did not start: $(cat "$work/broker.log")"
    bootstrap=$(cat "$work/bootstrap")
    echo "zs-broker at $bootstrap: in memory, $partitions partitions, for demos (--kafka local runs a real Kafka)"
    ;;
local)
    say "a real Apache Kafka (deploy/kafka/)"
    kdir=$work/kafka
    port=29092
    while ((port + 2 < 32768)) && ! { port_free "$port" && port_free $((port + 2)); }; do port=$((port + 10)); done
    "$root/deploy/kafka/start.sh" --dir "$kdir" --port "$port" 2>&1 | tail -2
    bootstrap=$(cat "$kdir/bootstrap")
    ;;
external)
    say "the cluster at $bootstrap"
    ;;
esac
[[ -n "$households" ]] || households=20000
if [[ "$kafka" != embedded ]]; then
    "$build/deploy/zs-topics" -b "$bootstrap" --partitions "$partitions" "${xargs[@]}" 2>&1 | tail -3 ||
        die "zs-topics failed"
fi
common=(-b "$bootstrap" "${xargs[@]}")

last=$(python3 -c "q = 2023 * 4 + $quarters - 1; print('%dQ%d' % (q // 4, q % 4 + 1))")
say "a synthetic region: $households households, 2023Q1-$last"
"$sim" --out "$work/region" --households "$households" --from 2023Q1 --quarters "$quarters" --seed 1 \
    --quiet 2>&1 | tail -1

say "registry exports onto Kafka (zs-push), quarters closed"
: >"$work/push.log"
p() { "$push" "$@" "${common[@]}" --quiet 2>>"$work/push.log"; }
p households --members "$work/region/members.csv" "$work/region/households.csv" --rejects-dir "$work/region" || die "zs-push households: $(tail -3 "$work/push.log")"
for kind in income employment subsidy hardship followup; do
    rc=0
    p "$kind" "$work/region/$kind.csv" --rejects-dir "$work/region" || rc=$?
    # 3: some rows rejected; the simulator plants a few bad rows on purpose.
    [[ $rc -eq 0 || $rc -eq 3 ]] || die "zs-push $kind exited $rc: $(tail -3 "$work/push.log")"
    grep -h "$kind.csv: .* rows read" "$work/push.log" | sed "s|$work/region/||"
done
# One quarter at a time on every input topic (close --through would first
# read every topic to find what is closed: nothing is, on a fresh cluster).
for q in $(python3 -c "print(' '.join('%dQ%d' % ((2023 * 4 + i) // 4, (2023 * 4 + i) % 4 + 1) for i in range($quarters)))"); do
    p close --period "$q" >/dev/null || die "zs-push close: $(tail -3 "$work/push.log")"
done
echo "quarters 2023Q1-$last closed on every input topic"
echo "rejected rows (planted on purpose) and why: $work/region/*.rejects.csv"

say "the monitor (zs-monitor)"
"$monitor" "${common[@]}" --exit-idle 5000 -X zs.monitor.static_membership=false \
    -X zs.monitor.instance="quickstart-$$" -X zs.monitor.stats.interval=10s \
    2> >(tee "$work/monitor.log" | grep --line-buffered -E "events [0-9]+ \(|restored" | sed -u 's/^[^ ]* zs-monitor INFO /  /' | cut -c1-150 >&2) ||
    die "zs-monitor failed: $(tail -5 "$work/monitor.log")"
sleep 0.2 # the log filter's last lines

say "to the counties (zs-notify, an outbox directory per county)"
# Each county its own outbox, as a county office would have its own channel
# (a webhook in production: consumers/NOTIFY.md).
rm -rf "$work/outbox"
: >"$work/routes.conf"
tail -n +2 "$ZS_DATA_DIR/guangxi-counties.csv" | cut -d, -f1 | while read -r code; do
    mkdir -p "$work/outbox/$code"
    echo "$code outbox $work/outbox/$code" >>"$work/routes.conf"
done
"$notify" "${common[@]}" --routes "$work/routes.conf" --exit-idle 5000 2>"$work/notify.log" ||
    die "zs-notify failed: $(tail -5 "$work/notify.log")"
delivered=$(find "$work/outbox" -type f -name '*.json' | wc -l)
counties=$(find "$work/outbox" -mindepth 1 -maxdepth 1 -type d ! -empty | wc -l)
echo "  $delivered warning records delivered into the outboxes of $counties counties ($work/outbox/<county>/)"

say "the audit trail (zs-audit archive)"
rm -f "$work/audit.db"
"$audit" archive "${common[@]}" --db "$work/audit.db" --once 2>"$work/archive.log" ||
    die "zs-audit archive failed: $(tail -5 "$work/archive.log")"
tail -1 "$work/archive.log" | sed 's/^[^ ]* zs-audit INFO /  /'

say "reports (zs-notify report, zs-audit sla)"
rm -rf "$work/reports" "$work/supervision"
"$notify" report "${common[@]}" --county all --out "$work/reports" 2>"$work/report.log" ||
    die "zs-notify report failed: $(tail -5 "$work/report.log")"
echo "  county reports: $work/reports/index.html ($(find "$work/reports" -name '4*.html' | wc -l) counties)"
# The supervision view as it will stand in 40 days if nobody follows the
# warnings up: each one past the 15-day (ACK) and 30-day (MEASURE) limits.
sla_now=$(date -u -d '+40 days' +%Y-%m-%dT%H:%M:%SZ)
"$audit" sla "${common[@]}" --db "$work/audit.db" --now "$sla_now" --report "$work/supervision" \
    2>"$work/sla.log" || die "zs-audit sla failed: $(tail -5 "$work/sla.log")"
echo "  supervision reports (as of $sla_now, no follow-up recorded): $work/supervision/sla-<county>.html"
tail -1 "$work/sla.log" | sed 's/^[^ ]* zs-audit INFO /  /; s/^/  /'

say "what a county sees"
"$cat_bin" "${common[@]}" -t zs.warnings -e >"$work/warnings.jsonl" 2>"$work/cat.log" ||
    die "zs-cat: $(cat "$work/cat.log")"
python3 - "$work" "$county" <<'PY'
import collections, csv, json, sys
work, county = sys.argv[1], sys.argv[2]
import os
names = {r["county_code"]: r["city_name"] + r["county_name"]
         for r in csv.DictReader(open(os.environ["ZS_DATA_DIR"] + "/guangxi-counties.csv"))}
rules = {"INCOME_FALL": "收入不增反降", "SLOW_GROWTH": "增速缓慢", "LOW_INCOME": "年人均收入低于1万元",
         "POVERTY_RISK": "返贫风险", "NO_WORK": "有务工需求未务工", "SHORT_WORK": "务工未满6个月",
         "WEAK_LABOR": "劳动力不足", "LARGE_EXPENSE": "大额支出", "SUBSIDY_MISSING": "补贴未及时发放",
         "SUBSIDY_SHORT": "补贴未足额发放", "SUBSIDY_DUPLICATE": "补贴重复发放", "NOT_ENROLLED": "应发未发"}
status = {"OPEN": "新发", "UPDATED": "持续", "CLEARED": "解除"}
latest = {}
for line in open(work + "/warnings.jsonl"):
    w = json.loads(line)
    latest[w["warning_id"]] = w
open_now = [w for w in latest.values() if w["status"] != "CLEARED"]
by_county = collections.Counter(w["county_code"] for w in open_now)
print("warning records: %d; episodes: %d, of which open now: %d, in %d counties"
      % (sum(1 for _ in open(work + "/warnings.jsonl")), len(latest), len(open_now), len(by_county)))
print("\nthe most affected counties (open warnings):")
for code, n in by_county.most_common(5):
    print("  %s %-22s %5d" % (code, names.get(code, ""), n))
if not county:
    county = by_county.most_common(1)[0][0]
open(work + "/county", "w").write(county + "\n")
mine = sorted((w for w in open_now if w["county_code"] == county),
              key=lambda w: (w["household_id"], w["rule"]))
print("\n%s %s: %d open warnings (预警), by rule:" % (county, names.get(county, ""), len(mine)))
for rule, n in collections.Counter(w["rule"] for w in mine).most_common():
    print("  %-18s %-14s %5d" % (rule, rules.get(rule, ""), n))
def fen(v):
    return "-" if v is None else "%.2f" % (v / 100.0)
def opt(v):
    return None if v is None else list(v.values())[0]
print("\nthe first ten:")
print("  %-10s %-18s %-7s %-8s %-14s %12s %12s  %s" % ("household", "rule", "opened", "status",
      "person", "T12M/person", "a year ago", "why"))
for w in mine[:10]:
    e = w["evidence"]
    print("  %-10s %-18s %04d-%02d %-8s %-14s %12s %12s  %s" % (
        w["household_id"], w["rule"], w["opened_year"], w["opened_month"], status[w["status"]],
        opt(w["person_id"]) or "-", fen(opt(e["t12m_per_capita_fen"])),
        fen(opt(e["t12m_prev_per_capita_fen"])), e["detail"][:60]))
PY

say "checks"
python3 - "$work" <<'PY' || die "the monitor's warnings differ from the ground truth"
import csv, json, sys
work = sys.argv[1]
want = sorted(tuple(r) for r in list(csv.reader(open(work + "/region/expected-warnings.csv")))[1:])
got = []
for line in open(work + "/warnings.jsonl"):
    w = json.loads(line)
    if w["status"] != "OPEN":
        continue
    subject = w["person_id"]["string"] if w["person_id"] else "-"
    if w["rule"].startswith("SUBSIDY_"):
        subject += "/" + w["evidence"]["program"]["zengshou.SubsidyProgram"]
    got.append((w["household_id"], w["rule"], subject, "%04d-%02d" % (w["opened_year"], w["opened_month"])))
got.sort()
matched = len(set(got) & set(want))
print("ground truth: %d of %d episodes the simulator expects were opened (%.1f%%), %d opened that it "
      "does not expect" % (matched, len(want), 100.0 * matched / max(len(want), 1), len(set(got) - set(want))))
if got != want:
    print("missing:", sorted(set(want) - set(got))[:5], "extra:", sorted(set(got) - set(want))[:5])
    sys.exit(1)
PY
records=$(wc -l <"$work/warnings.jsonl")
[[ "$delivered" -eq "$records" ]] || die "zs-notify delivered $delivered of $records warning records"
echo "every warning record reached its county's outbox: $records"
"$audit" verify "${common[@]}" >"$work/verify.log" 2>&1 || die "the audit trail does not verify: $(tail -3 "$work/verify.log")"
tail -1 "$work/verify.log"
"$audit" verify --db "$work/audit.db" >>"$work/verify.log" 2>&1 || die "the archive does not verify: $(tail -3 "$work/verify.log")"
tail -1 "$work/verify.log"
if [[ "$kafka" == embedded ]] && grep -q "DATA LOST" "$work/broker.log"; then
    die "the embedded broker dropped records, so nothing above can be trusted (a smaller --households fits)"
fi
say "the officials' workbench (zs-desk)"
county=$(cat "$work/county")
rm -f "$work/desk.db" "$work/desk.db-wal" "$work/desk.db-shm"
# A demo officer per county of the region and a province supervisor, each
# with a random password, kept in desk-logins.txt (readable by you only).
python3 - "$work" <<'PY'
import csv, os, secrets, sys
work = sys.argv[1]
counties = sorted({r["county_code"] for r in csv.DictReader(open(work + "/region/households.csv", encoding="utf-8"))})
fd = os.open(work + "/desk-logins.txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
with os.fdopen(fd, "w") as f:
    f.write("prov45 province 45 %s\n" % secrets.token_urlsafe(9))
    for c in counties:
        f.write("o%s officer %s %s\n" % (c, c, secrets.token_urlsafe(9)))
PY
: >"$work/desk-users.log"
adduser() {
    printf '%s\n' "$4" | "$desk" user add --db "$work/desk.db" --login "$1" --role "$2" --scope "$3" \
        2>>"$work/desk-users.log"
}
# The first one alone (it creates the database), then two at a time: each
# password hash (Argon2id, 19 MiB) takes a few tens of milliseconds.
n=0 pids=()
while read -r login role scope pw; do
    if ((n++ == 0)); then
        adduser "$login" "$role" "$scope" "$pw" || die "zs-desk user add: $(tail -3 "$work/desk-users.log")"
        continue
    fi
    adduser "$login" "$role" "$scope" "$pw" &
    pids+=($!)
    if ((${#pids[@]} == 2)); then
        wait "${pids[@]}" || true # counted below
        pids=()
    fi
done <"$work/desk-logins.txt"
((${#pids[@]} == 0)) || wait "${pids[@]}" || true
users=$("$desk" user list --db "$work/desk.db" 2>>"$work/desk-users.log" | wc -l)
((users == n)) || die "zs-desk has $users of $n users: $(tail -3 "$work/desk-users.log")"
echo "  $((n - 1)) officers (one per county, login o<county>) and a province supervisor (prov45)"

if [[ -z "$desk_port" ]]; then
    desk_port=8080
    if ((serve == 0)) || ! port_free "$desk_port"; then
        desk_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    fi
fi
port_free "$desk_port" || die "port $desk_port on 127.0.0.1 is taken (--port N)"
desk_url="http://127.0.0.1:$desk_port"
"$desk" serve --db "$work/desk.db" --listen "127.0.0.1:$desk_port" "${common[@]}" 2>"$work/desk.log" &
desk_pid=$!
for _ in $(seq 100); do
    grep -q listening "$work/desk.log" && break
    kill -0 "$desk_pid" 2>/dev/null || break
    sleep 0.1
done
grep -q listening "$work/desk.log" || die "zs-desk did not start: $(tail -3 "$work/desk.log")"
# An officer logs in over HTTP and opens the inbox: once zs-desk has read
# zs.warnings, it lists exactly the county's open warnings.
python3 - "$work" "$county" "$desk_url" <<'PY' || die "the inbox of county $county in zs-desk is not what the monitor sent (log: $work/desk.log)"
import html, http.cookiejar, json, re, sys, time, urllib.parse, urllib.request
work, county, url = sys.argv[1:4]
pw = {l.split()[0]: l.split()[3] for l in open(work + "/desk-logins.txt")}
latest = {}
for line in open(work + "/warnings.jsonl"):
    w = json.loads(line)
    latest[w["warning_id"]] = w
want = {i for i, w in latest.items() if w["county_code"] == county and w["status"] != "CLEARED"}
jar = http.cookiejar.CookieJar()
web = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
web.open(url + "/login", timeout=10).read()
token = next(c.value for c in jar if c.name == "zs_login")
form = urllib.parse.urlencode({"csrf": token, "login": "o" + county, "password": pw["o" + county]})
web.open(url + "/login", data=form.encode(), timeout=10).read()
if not any(c.name == "zs_session" for c in jar):
    sys.exit("the officer o%s could not log in" % county)
def inbox():
    # Every page of it: the warnings listed and the count at the top.
    got, path, count = set(), "/inbox", None
    while path:
        page = web.open(url + path, timeout=10).read().decode()
        got |= {html.unescape(m) for m in re.findall(r'data-warning="([^"]*)"', page)}
        count = count or re.search(r'id="count-open">(\d+)<', page)
        nxt = re.search(r'href="([^"]*)" id="page-next"', page)
        path = html.unescape(nxt.group(1)) if nxt else None
    return got, int(count.group(1)) if count else -1
deadline = time.time() + 60
while True:
    got, count = inbox()
    if (got == want and count == len(want)) or time.time() > deadline:
        break
    time.sleep(0.5)
if got != want:
    sys.exit("the inbox lists %d warnings, %d expected (%d missing, %d not expected)"
             % (len(got), len(want), len(want - got), len(got - want)))
print("  officer o%s logged in over HTTP; the inbox lists the county's %d open warnings" % (county, len(want)))
PY
if ((serve == 0)); then
    kill -TERM "$desk_pid"
    wait "$desk_pid" || die "zs-desk exited $? on SIGTERM: $(tail -3 "$work/desk.log")"
    desk_pid=""
    echo "  zs-desk stopped; deploy/quickstart.sh --serve keeps it running for a browser"
fi

say "look around"
cat <<MORE
  $work/warnings.jsonl     every warning record, as JSON (zs-cat's output)
  $work/outbox/<county>/   what each county received (one JSON file per record)
  $work/reports/           a page per county (open in a browser: index.html)
  $work/supervision/       escalations per county (zs-audit sla)
  $work/desk.db            zs-desk's read model; logins in $work/desk-logins.txt
  $work/audit.db           the audit archive: zs-audit query --db $work/audit.db --county <code> --quarter $last
  $work/region/README.txt  what was simulated, and the cases planted on purpose
  $work/*.log              what each program said
and, on a broker that runs (this script stops the one it started):
  zs-cat -b HOST:PORT -t zs.warnings -e -J     warnings with their coordinates
  zs-cat -b HOST:PORT -t zs.audit -e           the audit trail
  zs-audit verify -b HOST:PORT                 check every hash chain
MORE
echo
echo "done in ${SECONDS}s; files and logs in $work"
((serve)) || exit 0

say "zs-desk is serving the region: $desk_url (Ctrl-C stops it and the broker)"
echo "  the county shown above, $county: login o$county, password $(awk -v l="o$county" '$1 == l { print $4 }' "$work/desk-logins.txt")"
echo "  a supervisor of the province: login prov45 (the overview of plan item 35)"
echo "  every county's officer: o<county code>; logins and passwords (also in $work/desk-logins.txt):"
awk '{ printf "    %-9s %-12s", $1, $4; if (NR % 4 == 0) print "" }
    END { if (NR % 4) print "" }' "$work/desk-logins.txt" | sed 's/ *$//'
# Ctrl-C: zs-desk stops (it may have had the signal too), then the broker.
trap 'kill -TERM "$desk_pid" 2>/dev/null || true' INT TERM
wait "$desk_pid" || true
wait "$desk_pid" 2>/dev/null || true
desk_pid=""
echo
echo "zs-desk stopped (its log: $work/desk.log)"
