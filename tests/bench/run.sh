#!/usr/bin/env bash
# tests/bench/run.sh: every benchmark of the project, one table at the end:
# each figure, its same-run baseline, the ratio. See tests/bench/README.md.
set -euo pipefail

usage() {
    cat <<USAGE
Usage: ${0##*/} [--quick] [--build DIR] [--work DIR] [--help]

Runs, each on a real local Kafka it starts and stops:
  push_bench.sh     zs-push against plain librdkafka producing the same messages
  monitor_bench.sh  zs-monitor against a bare librdkafka consumer; restore
                    time; resident memory per household
  desk_bench.sh     zs-desk's read model against a bare librdkafka consumer
and, on the embedded broker, desk_inbox_bench.sh (an officer's inbox with
5,000 open warnings against the login page of the same server), then
prints one table and the inbox's. --quick runs smaller sizes (push 1,000,000 rows,
monitor 5,000 households and 200,000 restored) in a few minutes; the full
run (2,000,000 rows; 20,000 households; 1,000,000 restored) takes about
15 minutes on 2 cores. Builds a Release build in DIR (default build-bench)
when its programs are missing.
USAGE
}

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
root="$(cd "$here/../.." && pwd -P)"
build="${ZS_BUILD_DIR:-$root/build-bench}" work="" quick=0
while (($#)); do
    case "$1" in
    --quick) quick=1 ;;
    --build) build=${2:?--build needs a dir}; shift ;;
    --work) work=${2:?--work needs a dir}; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
    esac
    shift
done
[[ -n "$work" ]] || work="$(mktemp -d "${TMPDIR:-/tmp}/zs-benches.XXXXXX")"
mkdir -p "$work"

targets=(zs-push zs-cat zs-topics zs-simulate zs-monitor zs-desk zs-broker bench_produce bench_consume
    bench_state bench_warnings)
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target "${targets[@]}" >/dev/null

if ((quick)); then
    push_args=(--rows 1000000) mon_args=(--households 5000 --state-households 200000)
    desk_args=(--records 200000)
else
    push_args=(--rows 2000000) mon_args=(--households 20000 --state-households 1000000)
    desk_args=(--records 1000000)
fi
echo "run.sh: push_bench.sh ${push_args[*]}" >&2
"$here/push_bench.sh" "${push_args[@]}" --build "$build" >"$work/push.out"
echo "run.sh: monitor_bench.sh ${mon_args[*]}" >&2
"$here/monitor_bench.sh" "${mon_args[@]}" --build "$build" >"$work/monitor.out"
echo "run.sh: desk_bench.sh ${desk_args[*]}" >&2
"$here/desk_bench.sh" "${desk_args[@]}" --build "$build" >"$work/desk.out"
echo "run.sh: desk_inbox_bench.sh" >&2
"$here/desk_inbox_bench.sh" --build "$build" >"$work/inbox.out"

# Rows of both tables: "| (x) what | value | baseline | ratio |".
printf '\n| %-56s | %12s | %12s | %5s |\n' "figure" "per second" "baseline" "ratio"
printf '|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..58})" "$(printf -- '-%.0s' {1..14})" \
    "$(printf -- '-%.0s' {1..14})" "$(printf -- '-%.0s' {1..7})"
for f in push monitor desk; do
    grep '^| (' "$work/$f.out" | while IFS='|' read -r _ what value base ratio _; do
        printf '| %-56s | %12s | %12s | %5s |\n' "$f: $(echo "$what" | xargs)" \
            "$(echo "$value" | xargs)" "$(echo "$base" | xargs)" "$(echo "$ratio" | xargs)"
    done
done
echo
grep -h '^goal:\|^(d)\|^(e)\|^machine:' "$work/push.out" "$work/monitor.out" "$work/desk.out"
grep '^|\|^goal:' "$work/inbox.out"
echo "full outputs: $work/push.out, $work/monitor.out, $work/desk.out, $work/inbox.out"
