#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test of zengshou:
# format check, unit tests (no broker), component tests (embedded broker),
# both again under ASan+UBSan, unit tests under valgrind, integration tests
# on a real Kafka it starts and stops, short fuzz runs. Exits non-zero on any failure. CI runs exactly this.
#   tests/run.sh [--quick]   --quick: unit tests of the normal build only
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
quick=0
case "${1:-}" in
--quick) quick=1 ;;
"") ;;
-h | --help)
    sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
*)
    echo "tests/run.sh: unknown option $1 (try --help)" >&2
    exit 2
    ;;
esac

step() { printf '\n== %s ==\n' "$*"; }
jobs=$(nproc 2>/dev/null || echo 2)
out=${ZS_BUILD_DIR:-$top/build-tests}
failed=()

step "dependencies"
deploy/install-deps.sh --dev

step "format (clang-format, every C file)"
mapfile -t sources < <(git ls-files '*.c' '*.h' 2>/dev/null || find common producers consumers tests -name '*.[ch]')
if [ ${#sources[@]} -gt 0 ] && ! clang-format --dry-run --Werror "${sources[@]}"; then
    failed+=("format")
fi

# build NAME DIR CMAKE-ARGS...: configure and build one flavour.
build() {
    local name=$1 dir=$2
    shift 2
    step "build: $name"
    cmake -S "$top" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null &&
        cmake --build "$dir" -j "$jobs"
}

# run NAME DIR CTEST-ARGS...: run tests, remember a failure, go on.
run() {
    local name=$1 dir=$2
    shift 2
    step "tests: $name"
    ctest --test-dir "$dir" --output-on-failure -j "$jobs" "$@" || failed+=("$name")
}

if build normal "$out/normal"; then
    run unit "$out/normal" -L unit
    run lint "$out/normal" -L lint
    run "command line" "$out/normal" -L cli
    run component "$out/normal" -L component
    run "interop (Apache Avro for Java)" "$out/normal" -L interop
else
    failed+=("build normal")
fi

if [ $quick -eq 0 ]; then
    if build sanitizers "$out/asan" -DZS_SANITIZE=ON; then
        ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
            run "unit and component under ASan+UBSan" "$out/asan" -L 'unit|component' 
    else
        failed+=("build sanitizers")
    fi

    step "tests: unit under valgrind"
    ZS_MON_TRUTH_HOUSEHOLDS=300 ctest --test-dir "$out/normal" -L unit -T memcheck -j "$jobs" \
        --overwrite MemoryCheckCommand=/usr/bin/valgrind \
        --overwrite "MemoryCheckCommandOptions=--leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect --error-exitcode=1" \
        --output-on-failure || failed+=("unit under valgrind")

    # The integration tier runs on a real Apache Kafka (KRaft, one node, with
    # a SCRAM listener), fetched into a cache outside the repo on first use.
    # Its ports (19092-19094) lie below the ephemeral range, which the
    # embedded brokers and clients of the other tiers draw from.
    step "integration: a real Kafka"
    kdir="$out/kafka"
    rm -rf "$kdir"
    trap 'deploy/kafka/stop.sh --dir "$kdir" >/dev/null 2>&1 || true' EXIT
    if deploy/kafka/start.sh --dir "$kdir" --port "${ZS_KAFKA_PORT:-19092}" --sasl; then
        ZS_KAFKA_BOOTSTRAP=$(cat "$kdir/bootstrap") \
            ZS_KAFKA_SASL_BOOTSTRAP=$(cat "$kdir/sasl_bootstrap") \
            ZS_KAFKA_ADMIN_PASSWORD=$(cat "$kdir/admin.password") \
            run integration "$out/normal" -L integration
        deploy/kafka/stop.sh --dir "$kdir" || failed+=("stop Kafka")
    else
        failed+=("start Kafka")
    fi

    if build fuzz "$out/fuzz" -DZS_FUZZ=ON -DCMAKE_C_COMPILER=clang; then
        run fuzz "$out/fuzz" -L fuzz
    else
        failed+=("build fuzz")
    fi
fi

step "summary"
if [ ${#failed[@]} -gt 0 ]; then
    printf 'FAILED: %s\n' "${failed[@]}"
    exit 1
fi
echo "all test tiers passed"
