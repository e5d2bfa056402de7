#!/usr/bin/env bash
# push_bench.sh: zs-push's throughput on a real Kafka, as a ratio of a plain
# librdkafka baseline measured in the same run. See tests/bench/README.md.
set -euo pipefail

usage() {
    cat <<USAGE
Usage: ${0##*/} [--rows N] [--bootstrap HOST:PORT] [--port PORT] [--build DIR]
                [--work DIR] [--help]

Generates an income export of N rows (default 5000000; deterministic) and the
same rows pre-encoded, starts a real local Kafka (deploy/kafka/start.sh) on a
free port below 32768 unless --bootstrap is given, creates the topics with a
prefix of its own (bench<pid>.), then times, on the same topic:
  (-) a short bench_produce warm-up, not counted
  (a) bench_produce: plain librdkafka, pre-encoded messages, zengshou's settings
  (b) zs-push income FILE --quiet (the whole process, date +%s.%N around it)
  (c) bench_produce again, to bracket the noise
and prints one table: rows/s of each, against the mean of (a) and (c).

  --rows N             rows in the export (default 5000000)
  --bootstrap H:P      use this Kafka instead of starting one (topics are made
                       with a new prefix and left there)
  --port PORT          first port to try for the Kafka it starts (default 29092;
                       PORT and PORT+2 must be free)
  --build DIR          build dir with zs-push, zs-cat, zs-topics, bench_produce
                       (default \$ZS_BUILD_DIR or build-bench at the top)
  --work DIR           where data and the broker go (default: a new temp dir,
                       deleted at the end; a given DIR is kept)
  --help               this text

Exit status: 0 the benchmark ran and every row was delivered in every run
(whatever the ratio); 1 something failed.
USAGE
}

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
root="$(cd "$here/../.." && pwd -P)"
rows=5000000 bootstrap="" port=29092 build="${ZS_BUILD_DIR:-$root/build-bench}" work=""
die() {
    echo "push_bench: $*" >&2
    exit 1
}
while (($#)); do
    case "$1" in
    --rows) [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || die "--rows needs a positive number"; rows=$2; shift ;;
    --bootstrap) [[ -n "${2:-}" ]] || die "--bootstrap needs HOST:PORT"; bootstrap=$2; shift ;;
    --port) [[ "${2:-}" =~ ^[0-9]+$ ]] || die "--port needs a number"; port=$2; shift ;;
    --build) [[ -n "${2:-}" ]] || die "--build needs a dir"; build=$2; shift ;;
    --work) [[ -n "${2:-}" ]] || die "--work needs a dir"; work=$2; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
    esac
    shift
done

zs_push=$build/producers/zs-push zs_cat=$build/consumers/zs-cat
zs_topics=$build/deploy/zs-topics bench=$build/tests/bench_produce
for t in "$zs_push" "$zs_cat" "$zs_topics" "$bench"; do
    [[ -x "$t" ]] || die "$t missing; build first: cmake -S $root -B $build -G Ninja -DCMAKE_BUILD_TYPE=Release && cmake --build $build --target zs-push zs-cat zs-topics bench_produce"
done
export ZS_SCHEMA_DIR="$root/schemas" ZS_DATA_DIR="$root/data"

keep_work=1
if [[ -z "$work" ]]; then
    work="$(mktemp -d "${TMPDIR:-/tmp}/zs-bench.XXXXXX")"
    keep_work=0
fi
mkdir -p "$work"
work="$(cd "$work" && pwd -P)"
kdir=""
cleanup() {
    local rc=$?
    if [[ -n "$kdir" ]]; then
        "$root/deploy/kafka/stop.sh" --dir "$kdir" >/dev/null 2>&1 || echo "push_bench: could not stop the Kafka in $kdir" >&2
    fi
    if ((keep_work == 0)); then rm -rf "$work"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
say() { echo "push_bench: $*" >&2; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# --- the data (not timed) ----------------------------------------------------
csv=$work/income.csv framed=$work/income.bin
say "generating $rows rows into $work"
t=$(now)
gen=$(python3 "$here/gen_income.py" --rows "$rows" --csv "$csv" --framed "$framed" --zs-cat "$zs_cat")
gen_s=$(since "$t")
vmean=$(sed -n 's/.*value_bytes_mean=\([0-9.]*\).*/\1/p' <<<"$gen")
kmean=$(sed -n 's/.*key_bytes_mean=\([0-9.]*\).*/\1/p' <<<"$gen")
csv_bytes=$(stat -c %s "$csv")
say "generated in ${gen_s}s: CSV $csv_bytes bytes, values $vmean bytes and keys $kmean bytes on average"

# --- the broker ----------------------------------------------------------------
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if [[ -z "$bootstrap" ]]; then
    while ((port + 2 < 32768)) && ! { port_free "$port" && port_free $((port + 2)); }; do
        port=$((port + 10))
    done
    ((port + 2 < 32768)) || die "no free port pair below 32768"
    kdir=$work/kafka
    say "starting Kafka on 127.0.0.1:$port"
    t=$(now)
    "$root/deploy/kafka/start.sh" --dir "$kdir" --port "$port" >"$work/kafka-start.log" 2>&1 ||
        { cat "$work/kafka-start.log" >&2; die "Kafka did not start"; }
    bootstrap=$(cat "$kdir/bootstrap")
    say "Kafka ready at $bootstrap in $(since "$t")s"
fi

prefix="bench$$."
topic="${prefix}income"
"$zs_topics" -b "$bootstrap" --partitions 12 -X zs.topic.prefix="$prefix" >"$work/topics.log" 2>&1 ||
    { cat "$work/topics.log" >&2; die "zs-topics failed"; }
say "topics created with prefix $prefix (12 partitions)"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# --- (a) baseline, (b) zs-push, (c) baseline -----------------------------------
baseline() {
    local out
    out=$("$bench" -b "$bootstrap" -t "$topic" --values "$framed" --keys "$csv" 2>"$work/bench-$1.log") ||
        { cat "$work/bench-$1.log" >&2; die "baseline run $1 failed: $out"; }
    sed -n 's/.*rows=\([0-9]*\) .*/\1/p' <<<"$out" | grep -qx "$rows" || die "baseline run $1 sent the wrong number of rows: $out"
    echo "$out" >"$work/bench-$1.out"
    sed -n 's/.*rows_per_s=\([0-9]*\).*/\1/p' <<<"$out"
}
# A fresh broker's JVM is still compiling its hot paths: a short warm-up run
# (not counted) keeps that out of (a).
warm=$((rows < 500000 ? rows : 500000))
say "warm-up: baseline, $warm rows (not counted)"
"$bench" -b "$bootstrap" -t "$topic" --values "$framed" --keys "$csv" -n "$warm" >"$work/warmup.out" 2>&1 ||
    { cat "$work/warmup.out" >&2; die "warm-up run failed"; }
say "(a) baseline"
base_a=$(baseline a)
say "(a) $base_a rows/s; (b) zs-push"
rc=0
t0=$(now)
"$zs_push" income "$csv" -b "$bootstrap" --quiet -X zs.topic.prefix="$prefix" 2>"$work/push.log" || rc=$?
t1=$(now)
[[ $rc -eq 0 ]] || { cat "$work/push.log" >&2; die "zs-push exited $rc"; }
summary="$csv: $rows rows read, $rows sent, 0 rejected, 0 skipped as sent before; everything delivered through line $((rows + 1))"
grep -qxF "$summary" "$work/push.log" || { cat "$work/push.log" >&2; die "zs-push did not report every row delivered (want: $summary)"; }
push_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
push_rate=$(awk -v n="$rows" -v s="$push_s" 'BEGIN { printf "%.0f", n / s }')
say "(b) $push_rate rows/s (${push_s}s); checking what it sent"
# The last messages of each partition are zs-push's: each must equal the row
# its event_id names, key and value (so the baseline's messages, encoded from
# the same rows, are the same bytes).
"$zs_cat" -b "$bootstrap" -t "$topic" -o -20 -e -J >"$work/tail.jsonl" 2>"$work/tail.log" ||
    { cat "$work/tail.log" >&2; die "zs-cat could not read $topic"; }
python3 "$here/gen_income.py" --rows "$rows" --verify-consumed "$work/tail.jsonl" >"$work/verify.out" ||
    die "zs-push's messages differ from the baseline's"
say "$(cat "$work/verify.out") messages of zs-push equal the baseline's; (c) baseline"
base_c=$(baseline c)
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# --- the table -------------------------------------------------------------------
base=$(awk -v a="$base_a" -v c="$base_c" 'BEGIN { printf "%.0f", (a + c) / 2 }')
ratio() { awk -v x="$1" -v b="$base" 'BEGIN { printf "%.2f", x / b }'; }
push_ratio=$(ratio "$push_rate")
verdict=$(awk -v r="$push_ratio" 'BEGIN { print (r >= 0.70 ? "meets" : "BELOW") }')
printf '\n'
printf '| %-44s | %10s | %15s | %5s |\n' "figure" "rows/s" "baseline rows/s" "ratio"
printf '|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..46})" "$(printf -- '-%.0s' {1..12})" "$(printf -- '-%.0s' {1..17})" "$(printf -- '-%.0s' {1..7})"
printf '| %-44s | %10s | %15s | %5s |\n' "(a) baseline: librdkafka, pre-encoded" "$base_a" "$base" "$(ratio "$base_a")"
printf '| %-44s | %10s | %15s | %5s |\n' "(b) zs-push income ($rows rows, ${push_s}s)" "$push_rate" "$base" "$push_ratio"
printf '| %-44s | %10s | %15s | %5s |\n' "(c) baseline again" "$base_c" "$base" "$(ratio "$base_c")"
printf '\n'
echo "goal: zs-push >= 0.70 of the baseline: $verdict ($push_ratio)"
echo "data: $rows rows, CSV $csv_bytes bytes ($(awk -v b="$csv_bytes" 'BEGIN { printf "%.1f", b / 1048576 }') MiB);" \
    "messages $vmean bytes, keys $kmean bytes on average; generated in ${gen_s}s (not timed)"
echo "kafka: $bootstrap, topic $topic, 12 partitions;" \
    "librdkafka $(pkg-config --modversion rdkafka 2>/dev/null || echo '?')"
echo "machine: nproc $(nproc), $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)," \
    "load average $load_before before, $load_after after"
echo "timing: baseline from first produce to end of flush; zs-push the whole process (start to exit)"
