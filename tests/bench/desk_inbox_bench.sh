#!/usr/bin/env bash
# desk_inbox_bench.sh: how long zs-desk takes to serve an officer's inbox
# when the county has 5,000 open warnings, as a ratio of the login page
# served by the same server in the same run. See tests/bench/README.md.
set -euo pipefail

usage() {
    cat <<USAGE
Usage: ${0##*/} [--requests N] [--build DIR] [--work DIR]

Writes 120,000 Warning records (bench_warnings: 40,000 warnings over 8
counties, 3 records each) to the embedded broker (zs-broker, loopback),
reads them into a new read model with zs-desk sync, checks that county
451227 has exactly 5,000 open warnings, then serves it with zs-desk and,
as an officer of 451227, requests N times each (default 30, interleaved)
  (a) the login page (the baseline: the same server, no database work)
  (b) the inbox, first page (the 5,000 open warnings counted and ordered)
  (c) the inbox filtered by a rule
  (d) the inbox's last page
and reports the median time to the first byte of each (curl's
time_starttransfer: the server's work plus loopback) in ms and as a ratio
of (a). Exit status 0 when it ran and the checks held.
USAGE
}

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
root="$(cd "$here/../.." && pwd -P)"
requests=30 build="${ZS_BUILD_DIR:-$root/build-bench}" work=""
die() {
    echo "desk_inbox_bench: $*" >&2
    exit 1
}
while (($#)); do
    case "$1" in
    --requests) [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || die "--requests needs a number"; requests=$2; shift ;;
    --build) [[ -n "${2:-}" ]] || die "--build needs a dir"; build=$2; shift ;;
    --work) [[ -n "${2:-}" ]] || die "--work needs a dir"; work=$2; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
    esac
    shift
done

broker=$build/deploy/zs-broker desk=$build/consumers/zs-desk gen=$build/tests/bench_warnings
for t in "$broker" "$desk" "$gen"; do
    [[ -x "$t" ]] || die "$t missing; build first: cmake -S $root -B $build -G Ninja -DCMAKE_BUILD_TYPE=Release && cmake --build $build --target zs-broker zs-desk bench_warnings"
done
command -v sqlite3 >/dev/null || die "sqlite3 is missing (deploy/install-deps.sh --dev)"
command -v curl >/dev/null || die "curl is missing"
export ZS_SCHEMA_DIR="$root/schemas" ZS_DATA_DIR="$root/data"

keep_work=1
if [[ -z "$work" ]]; then
    work="$(mktemp -d "${TMPDIR:-/tmp}/zs-ibench.XXXXXX")"
    keep_work=0
fi
mkdir -p "$work"
work="$(cd "$work" && pwd -P)"
broker_pid="" desk_pid=""
cleanup() {
    local rc=$?
    [[ -n "$desk_pid" ]] && { kill "$desk_pid" 2>/dev/null && wait "$desk_pid" 2>/dev/null || true; }
    [[ -n "$broker_pid" ]] && { kill "$broker_pid" 2>/dev/null && wait "$broker_pid" 2>/dev/null || true; }
    if ((keep_work == 0)); then rm -rf "$work"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
say() { echo "desk_inbox_bench: $*" >&2; }

# 32 partitions: the embedded broker keeps about 5 MiB each, and the
# records take about 60 MB.
"$broker" --partitions 32 --strict --bootstrap-file "$work/bootstrap" >/dev/null 2>"$work/broker.log" &
broker_pid=$!
for _ in $(seq 100); do [[ -s "$work/bootstrap" ]] && break; sleep 0.1; done
[[ -s "$work/bootstrap" ]] || die "zs-broker did not start: $(cat "$work/broker.log")"
bootstrap=$(cat "$work/bootstrap")

# bench_warnings: warning h is in county h % 8 and still open unless
# h % 4 == 0; county 451227 is number 2, so of 40,000 warnings it holds
# 5,000, every one open.
records=120000 county=451227
say "writing $records warning records, reading them into the read model (not timed)"
"$gen" -b "$bootstrap" zs.warnings "$records" >"$work/gen.out" 2>"$work/gen.log" ||
    { cat "$work/gen.log" >&2; die "bench_warnings failed"; }
"$desk" sync --db "$work/desk.db" -b "$bootstrap" >"$work/sync.out" 2>"$work/sync.log" ||
    { cat "$work/sync.log" >&2; die "zs-desk sync failed"; }
open=$(sqlite3 "$work/desk.db" "SELECT count(*) FROM warnings WHERE county_code='$county' AND status<>2")
[[ "$open" == 5000 ]] || die "county $county has $open open warnings, not 5000"
total=$(sqlite3 "$work/desk.db" "SELECT count(*) FROM warnings")
pw='bench password 1'
printf '%s\n' "$pw" | "$desk" user add --db "$work/desk.db" --login bench --role officer \
    --scope "$county" 2>"$work/user.log" || die "user add: $(cat "$work/user.log")"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port"
"$desk" serve --db "$work/desk.db" --listen "127.0.0.1:$port" -b "$bootstrap" 2>"$work/desk.log" &
desk_pid=$!
for _ in $(seq 100); do grep -q listening "$work/desk.log" && break; sleep 0.1; done
grep -q listening "$work/desk.log" || die "zs-desk did not start: $(cat "$work/desk.log")"
jar=$work/jar
curl -s -c "$jar" -o /dev/null "$url/login"
lt=$(awk '$6 == "zs_login" { print $7 }' "$jar")
curl -s -b "$jar" -c "$jar" -o /dev/null --data-urlencode "csrf=$lt" --data-urlencode login=bench \
    --data-urlencode "password=$pw" "$url/login"
grep -q zs_session "$jar" || die "could not log in: $(tail -3 "$work/desk.log")"

# What each page must show, so a fast wrong answer does not count.
curl -s -b "$jar" -o "$work/inbox.html" "$url/inbox"
grep -q 'id="count-open">5000<' "$work/inbox.html" || die "the inbox does not count 5000 open warnings"
last_page=$(sed -n 's/.*href="\([^"]*page=[0-9]*\)" id="page-last".*/\1/p' "$work/inbox.html" | head -1 | sed 's/&amp;/\&/g')
[[ -n "$last_page" ]] || die "the inbox has no link to its last page"
pages=("/login" "/inbox" "/inbox?rule=3" "$last_page")
names=("(a) baseline: the login page" "(b) inbox, first page, 5000 open" "(c) inbox, one rule"
    "(d) inbox, last page")
for p in "${pages[@]}"; do : >"$work/times-$(echo "$p" | md5sum | cut -c1-8)"; done
say "timing $requests requests of each page, interleaved"
for ((i = 0; i < requests; i++)); do
    for p in "${pages[@]}"; do
        t=$(curl -s -b "$jar" -o /dev/null -w '%{http_code} %{time_starttransfer}' "$url$p")
        [[ "${t%% *}" == 200 ]] || die "$p answered ${t%% *}"
        echo "${t#* }" >>"$work/times-$(echo "$p" | md5sum | cut -c1-8)"
    done
done
median_ms() { sort -g "$1" | awk '{ v[NR] = $1 } END { printf "%.1f", 1000 * (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
base=$(median_ms "$work/times-$(echo "/login" | md5sum | cut -c1-8)")
printf '\n| %-40s | %9s | %5s |\n' "page (median of $requests)" "ms" "ratio"
inbox_ms=""
for i in "${!pages[@]}"; do
    ms=$(median_ms "$work/times-$(echo "${pages[$i]}" | md5sum | cut -c1-8)")
    [[ $i -eq 1 ]] && inbox_ms=$ms
    printf '| %-40s | %9s | %5s |\n' "${names[$i]}" "$ms" "$(awk -v x="$ms" -v b="$base" 'BEGIN { printf "%.1f", x / b }')"
done
printf '\ngoal: the inbox of a county with 5,000 open warnings in under 200 ms: %s\n' \
    "$(awk -v x="$inbox_ms" 'BEGIN { print (x < 200 ? "met" : "NOT met") }')"
printf 'read model: %s warnings, %s; load %s\n' "$total" "$(du -h "$work/desk.db" | cut -f1)" \
    "$(cut -d' ' -f1-3 /proc/loadavg)"
