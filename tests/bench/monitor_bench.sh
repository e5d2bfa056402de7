#!/usr/bin/env bash
# monitor_bench.sh: zs-monitor's throughput on a real Kafka as a ratio of a
# bare librdkafka consumer measured in the same run, its restore time, and
# its resident memory per household for a large region. See
# tests/bench/README.md.
set -euo pipefail

usage() {
    cat <<USAGE
Usage: ${0##*/} [--households N] [--state-households M] [--bootstrap HOST:PORT]
                [--port PORT] [--build DIR] [--work DIR] [--help]

Simulates a region of N households over 8 quarters (default 20000: about
6.4 million input events), pushes it with zs-push and closes the quarters,
on a real local Kafka it starts (deploy/kafka/start.sh) unless --bootstrap
is given; then measures
  (a) bench_consume: plain librdkafka reading every input topic to its end,
      zs-monitor's consumer settings, no decoding
  (b) zs-monitor, a new group: events/s from its first input to its last commit
  (c) bench_consume again, to bracket the noise
  (d) zs-monitor restarted: the time to restore N households from its changelog
  (e) a changelog of M households (default 1000000) written by bench_state,
      restored by zs-monitor: restore time and resident memory per household
and prints one table.

  --households N        the simulated region (default 20000; 1000..1500000)
  --state-households M  households for (e) (default 1000000; 0 skips (e))
  --bootstrap H:P       use this Kafka (topics get a new prefix and stay)
  --port PORT           first port tried for the Kafka it starts (default 29392)
  --build DIR           build dir (default \$ZS_BUILD_DIR or build-bench)
  --work DIR            keep data and logs there (default: a temp dir, deleted)

Exit status: 0 the benchmark ran and the monitor consumed every event; 1 not.
USAGE
}

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
root="$(cd "$here/../.." && pwd -P)"
households=20000 state_households=1000000 bootstrap="" port=29392
build="${ZS_BUILD_DIR:-$root/build-bench}" work=""
die() {
    echo "monitor_bench: $*" >&2
    exit 1
}
while (($#)); do
    case "$1" in
    --households) [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || die "--households needs a number"; households=$2; shift ;;
    --state-households) [[ "${2:-}" =~ ^[0-9]+$ ]] || die "--state-households needs a number"; state_households=$2; shift ;;
    --bootstrap) [[ -n "${2:-}" ]] || die "--bootstrap needs HOST:PORT"; bootstrap=$2; shift ;;
    --port) [[ "${2:-}" =~ ^[0-9]+$ ]] || die "--port needs a number"; port=$2; shift ;;
    --build) [[ -n "${2:-}" ]] || die "--build needs a dir"; build=$2; shift ;;
    --work) [[ -n "${2:-}" ]] || die "--work needs a dir"; work=$2; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
    esac
    shift
done

bin() { echo "$build/$1"; }
sim=$(bin producers/zs-simulate) push=$(bin producers/zs-push) topics=$(bin deploy/zs-topics)
monitor=$(bin consumers/zs-monitor) consume=$(bin tests/bench_consume) state=$(bin tests/bench_state)
for t in "$sim" "$push" "$topics" "$monitor" "$consume" "$state"; do
    [[ -x "$t" ]] || die "$t missing; build first: cmake -S $root -B $build -G Ninja -DCMAKE_BUILD_TYPE=Release && cmake --build $build --target zs-simulate zs-push zs-topics zs-monitor bench_consume bench_state"
done
export ZS_SCHEMA_DIR="$root/schemas" ZS_DATA_DIR="$root/data"

keep_work=1
if [[ -z "$work" ]]; then
    work="$(mktemp -d "${TMPDIR:-/tmp}/zs-mbench.XXXXXX")"
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
say() { echo "monitor_bench: $*" >&2; }

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
prefix="mbench$$."
"$topics" -b "$bootstrap" --partitions 6 -X zs.topic.prefix="$prefix" >"$work/topics.log" 2>&1 ||
    { cat "$work/topics.log" >&2; die "zs-topics failed"; }

# --- the region (not timed) ----------------------------------------------------
say "simulating $households households and pushing them (not timed)"
"$sim" --out "$work/region" --households "$households" --quarters 8 --from 2023Q1 --quiet 2>"$work/sim.log" ||
    { cat "$work/sim.log" >&2; die "zs-simulate failed"; }
p() { "$push" "$@" -b "$bootstrap" --quiet -X zs.topic.prefix="$prefix" 2>>"$work/push.log"; }
p households --rejects-dir "$work" --members "$work/region/members.csv" "$work/region/households.csv" || die "zs-push households"
for kind in income employment subsidy hardship followup; do
    rc=0
    p "$kind" --rejects-dir "$work" "$work/region/$kind.csv" || rc=$?
    [[ $rc -eq 0 || $rc -eq 3 ]] || die "zs-push $kind exited $rc"
done
for q in 2023Q1 2023Q2 2023Q3 2023Q4 2024Q1 2024Q2 2024Q3 2024Q4; do
    for t in household income employment subsidy hardship followup; do
        p close --topic "$t" --period "$q" || die "zs-push close $t $q"
    done
done
inputs=()
for t in household income employment subsidy hardship followup; do inputs+=("$prefix$t"); done
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# --- (a) baseline, (b) zs-monitor, (c) baseline --------------------------------
baseline() {
    local out
    out=$("$consume" -b "$bootstrap" "${inputs[@]}" 2>"$work/consume-$1.log") ||
        { cat "$work/consume-$1.log" >&2; die "baseline $1 failed"; }
    echo "$out" >"$work/consume-$1.out"
    sed -n 's/.*msgs_per_s=\([0-9]*\).*/\1/p' <<<"$out"
}
say "(-) warm-up read (not counted)"
baseline warm >/dev/null
say "(a) baseline"
base_a=$(baseline a)
events=$(sed -n 's/.*msgs=\([0-9]*\) .*/\1/p' "$work/consume-a.out")
mon() { # name args...
    local name=$1
    shift
    "$monitor" -b "$bootstrap" -X zs.topic.prefix="$prefix" -X zs.monitor.group="g$prefix" \
        -X zs.monitor.instance=bench -X zs.monitor.stats.interval=10s "$@" 2>"$work/monitor-$name.log" ||
        { tail -20 "$work/monitor-$name.log" >&2; die "zs-monitor $name failed"; }
}
say "(a) $base_a events/s; (b) zs-monitor over $events events"
mon run --exit-idle 5000
line=$(grep "events from the first input to the last commit" "$work/monitor-run.log") || die "no final line"
got=$(sed -n 's/.*final: \([0-9]*\) events.*/\1/p' <<<"$line")
secs=$(sed -n 's/.* in \([0-9.]*\) s$/\1/p' <<<"$line")
[[ "$got" == "$events" ]] || die "zs-monitor consumed $got events, the topics hold $events"
mon_rate=$(awk -v n="$got" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')
say "(b) $mon_rate events/s; (c) baseline"
base_c=$(baseline c)
say "(d) restore of $households households"
mon restore --exit-idle 2000
restore_line=$(grep "restored [0-9]* partitions" "$work/monitor-restore.log")
restore_s=$(sed -n 's/.* in \([0-9.]*\) s;.*/\1/p' <<<"$restore_line")
restored=$(sed -n 's/.*partitions: \([0-9]*\) households.*/\1/p' <<<"$restore_line")
empty_rss=$(sed -n 's/.*partitions: 0 households.*resident memory \([0-9]*\) bytes.*/\1/p' "$work/monitor-run.log")
state_mean=$(sed -n 's/.*final: events.*(\([0-9]*\) per household).*/\1/p' "$work/monitor-run.log")

big=""
if ((state_households > 0)); then
    say "(e) a changelog of $state_households households (bench_state), then its restore"
    sprefix="mstate$$."
    "$topics" -b "$bootstrap" --partitions 6 -X zs.topic.prefix="$sprefix" >>"$work/topics.log" 2>&1 ||
        die "zs-topics for (e) failed"
    "$state" -b "$bootstrap" -t "${sprefix}monitor.state" -n "$state_households" >"$work/state.out" 2>&1 ||
        { cat "$work/state.out" >&2; die "bench_state failed"; }
    prefix=$sprefix mon big --exit-idle 2000
    big=$(grep "restored [0-9]* partitions" "$work/monitor-big.log")
fi
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# --- the table -------------------------------------------------------------------
base=$(awk -v a="$base_a" -v c="$base_c" 'BEGIN { printf "%.0f", (a + c) / 2 }')
ratio() { awk -v x="$1" -v b="$base" 'BEGIN { printf "%.2f", x / b }'; }
printf '\n| %-52s | %10s | %15s | %5s |\n' "figure" "events/s" "baseline" "ratio"
printf '| %-52s | %10s | %15s | %5s |\n' "(a) baseline: librdkafka, no decoding" "$base_a" "$base" "$(ratio "$base_a")"
printf '| %-52s | %10s | %15s | %5s |\n' "(b) zs-monitor ($events events, ${secs}s)" "$mon_rate" "$base" "$(ratio "$mon_rate")"
printf '| %-52s | %10s | %15s | %5s |\n' "(c) baseline again" "$base_c" "$base" "$(ratio "$base_c")"
printf '\n'
echo "(d) restore: $restored households in ${restore_s}s; compact state $state_mean bytes per household on average"
if [[ -n "$big" ]]; then
    bh=$(sed -n 's/.*partitions: \([0-9]*\) households.*/\1/p' <<<"$big")
    bs_=$(sed -n 's/.* in \([0-9.]*\) s;.*/\1/p' <<<"$big")
    brss=$(sed -n 's/.*resident memory \([0-9]*\) bytes.*/\1/p' <<<"$big")
    bbytes=$(sed -n 's/.*changelog records, \([0-9]*\) bytes of state.*/\1/p' <<<"$big")
    echo "(e) restore: $bh households in ${bs_}s ($(awk -v n="$bh" -v s="$bs_" 'BEGIN { printf "%.0f", n / s }') households/s);" \
        "state held $(awk -v b="$bbytes" -v n="$bh" 'BEGIN { printf "%.0f", b / n }') bytes per household;" \
        "resident memory $(awk -v r="$brss" -v e="$empty_rss" -v n="$bh" 'BEGIN { printf "%.0f", (r - e) / n }') bytes per household" \
        "($brss bytes in all, $empty_rss with no household); $(cat "$work/state.out")"
fi
echo "kafka: $bootstrap, 6 partitions; librdkafka $(pkg-config --modversion rdkafka 2>/dev/null || echo '?')"
echo "machine: nproc $(nproc), load average $load_before before, $load_after after"
