#!/usr/bin/env bash
# desk_bench.sh: how fast zs-desk's read model keeps up with zs.warnings on a
# real Kafka, as a ratio of a bare librdkafka consumer reading the same
# topic in the same run. See tests/bench/README.md.
set -euo pipefail

usage() {
    cat <<USAGE
Usage: ${0##*/} [--records N] [--bootstrap HOST:PORT] [--port PORT] [--build DIR] [--work DIR]

Writes N Warning records (default 1000000; bench_warnings) to a topic of its
own on a real local Kafka it starts (deploy/kafka/start.sh) unless
--bootstrap is given, then measures
  (a) bench_consume: plain librdkafka reading the topics to their end, no decoding
  (b) zs-desk sync into a new SQLite database: decode, upsert each warning
      and its history line, offsets in the same transactions; the whole
      process timed from outside
  (c) bench_consume again, to bracket the noise
and checks that the database holds every warning record (one history line
each). Prints one table. Exit status 0 when it ran and the checks held.
USAGE
}

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
root="$(cd "$here/../.." && pwd -P)"
records=1000000 bootstrap="" port=29492
build="${ZS_BUILD_DIR:-$root/build-bench}" work=""
die() {
    echo "desk_bench: $*" >&2
    exit 1
}
while (($#)); do
    case "$1" in
    --records) [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || die "--records needs a number"; records=$2; shift ;;
    --bootstrap) [[ -n "${2:-}" ]] || die "--bootstrap needs HOST:PORT"; bootstrap=$2; shift ;;
    --port) [[ "${2:-}" =~ ^[0-9]+$ ]] || die "--port needs a number"; port=$2; shift ;;
    --build) [[ -n "${2:-}" ]] || die "--build needs a dir"; build=$2; shift ;;
    --work) [[ -n "${2:-}" ]] || die "--work needs a dir"; work=$2; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
    esac
    shift
done
case "$bootstrap" in "" | 127.* | localhost:* | \[::1\]:*) ;; *) die "--bootstrap must be on loopback" ;; esac

topics=$build/deploy/zs-topics desk=$build/consumers/zs-desk
consume=$build/tests/bench_consume gen=$build/tests/bench_warnings
for t in "$topics" "$desk" "$consume" "$gen"; do
    [[ -x "$t" ]] || die "$t missing; build first: cmake -S $root -B $build -G Ninja -DCMAKE_BUILD_TYPE=Release && cmake --build $build --target zs-topics zs-desk bench_consume bench_warnings"
done
command -v sqlite3 >/dev/null || die "sqlite3 is missing (deploy/install-deps.sh --dev)"
export ZS_SCHEMA_DIR="$root/schemas" ZS_DATA_DIR="$root/data"

keep_work=1
if [[ -z "$work" ]]; then
    work="$(mktemp -d "${TMPDIR:-/tmp}/zs-dbench.XXXXXX")"
    keep_work=0
fi
mkdir -p "$work"
work="$(cd "$work" && pwd -P)"
kdir=""
cleanup() {
    local rc=$?
    [[ -n "$kdir" ]] && { "$root/deploy/kafka/stop.sh" --dir "$kdir" >/dev/null 2>&1 || true; }
    if ((keep_work == 0)); then rm -rf "$work"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
say() { echo "desk_bench: $*" >&2; }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if [[ -z "$bootstrap" ]]; then
    while ((port + 2 < 32768)) && ! { port_free "$port" && port_free $((port + 2)); }; do
        port=$((port + 10))
    done
    kdir=$work/kafka
    say "starting Kafka on 127.0.0.1:$port"
    "$root/deploy/kafka/start.sh" --dir "$kdir" --port "$port" >"$work/kafka-start.log" 2>&1 ||
        { cat "$work/kafka-start.log" >&2; die "Kafka did not start"; }
    bootstrap=$(cat "$kdir/bootstrap")
fi
prefix="dbench$$."
"$topics" -b "$bootstrap" --partitions 12 -X zs.topic.prefix="$prefix" >"$work/topics.log" 2>&1 ||
    { cat "$work/topics.log" >&2; die "zs-topics failed"; }
say "writing $records warning records (not timed)"
"$gen" -b "$bootstrap" "${prefix}warnings" "$records" >"$work/gen.out" 2>"$work/gen.log" ||
    { cat "$work/gen.log" >&2; die "bench_warnings failed"; }
# zs-desk reads the three topics; the baseline reads the same three.
topics_read=("${prefix}warnings" "${prefix}followup" "${prefix}audit")
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

baseline() {
    local out
    out=$("$consume" -b "$bootstrap" "${topics_read[@]}" 2>"$work/consume-$1.log") ||
        { cat "$work/consume-$1.log" >&2; die "baseline $1 failed"; }
    echo "$out" >"$work/consume-$1.out"
    sed -n 's/.*msgs_per_s=\([0-9]*\).*/\1/p' <<<"$out"
}
say "(-) warm-up read (not counted)"
baseline warm >/dev/null
say "(a) bench_consume"
a=$(baseline a)
say "(b) zs-desk sync"
t0=$(date +%s.%N)
"$desk" sync --db "$work/desk.db" -b "$bootstrap" -X zs.topic.prefix="$prefix" \
    -X group.id="dbench$$" >"$work/desk.out" 2>"$work/desk.log" ||
    { cat "$work/desk.log" >&2; die "zs-desk sync failed"; }
t1=$(date +%s.%N)
say "(c) bench_consume"
c=$(baseline c)
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

applied=$(sed -n 's/.*records=\([0-9]*\).*/\1/p' "$work/desk.out")
[[ "$applied" == "$records" ]] || die "zs-desk applied $applied of $records records"
lines=$(sqlite3 "$work/desk.db" "SELECT count(*) FROM events")
warnings=$(sqlite3 "$work/desk.db" "SELECT count(*) FROM warnings")
[[ "$lines" == "$records" ]] || die "$lines history lines for $records records"
# Three records per warning (bench_warnings).
[[ "$warnings" == $(((records + 2) / 3)) ]] || die "$warnings warnings for $records records"
# A restart reads nothing again: offsets came with the rows.
"$desk" sync --db "$work/desk.db" -b "$bootstrap" -X zs.topic.prefix="$prefix" \
    -X group.id="dbench$$" >"$work/desk2.out" 2>"$work/desk2.log" || die "second sync failed"
grep -q '^records=0 ' "$work/desk2.out" || die "a second sync applied records again: $(cat "$work/desk2.out")"

b=$(awk -v n="$records" -v t0="$t0" -v t1="$t1" 'BEGIN { printf "%d", n / (t1 - t0) }')
secs=$(awk -v t0="$t0" -v t1="$t1" 'BEGIN { printf "%.1f", t1 - t0 }')
base=$(awk -v a="$a" -v c="$c" 'BEGIN { printf "%.0f", (a + c) / 2 }')
ratio() { awk -v x="$1" -v b="$base" 'BEGIN { printf "%.2f", x / b }'; }
printf '\n| %-52s | %10s | %15s | %5s |\n' "figure" "records/s" "baseline" "ratio"
printf '| %-52s | %10s | %15s | %5s |\n' "(a) baseline: librdkafka, no decoding" "$a" "$base" "$(ratio "$a")"
printf '| %-52s | %10s | %15s | %5s |\n' "(b) zs-desk sync ($records records, ${secs}s)" "$b" "$base" "$(ratio "$b")"
printf '| %-52s | %10s | %15s | %5s |\n' "(c) baseline again" "$c" "$base" "$(ratio "$c")"
printf '\ngoal: zs-desk keeps up with zs.warnings at >= 50000 records/s: %s\n' \
    "$(awk -v b="$b" 'BEGIN { print (b >= 50000 ? "met" : "NOT met") }')"
printf 'records=%s warnings=%s db=%s load %s -> %s; a restart applied 0 records\n' "$records" "$warnings" \
    "$(du -h "$work/desk.db" | cut -f1)" "$load_before" "$load_after"
