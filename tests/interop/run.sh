#!/usr/bin/env bash
# run.sh: interop test of our C codec (zs-cat) against Apache Avro's Java
# library (zs-avro-java), over every schema of a directory.
#
#   tests/interop/run.sh [--evolution] ZS_CAT_BINARY SCHEMA_DIR
#
# For each SCHEMA_DIR/*.avsc (S, message name N, version K; L = the latest
# version of N in the directory, which is what zs-cat always decodes to):
#   1. fingerprint: `zs-cat --schemas` prints the same line for S as
#      `zs-avro-java fingerprint` (CRC-64-AVRO of the canonical form);
#   2. C writes, Java reads: datums from gen_datums.py -> `zs-cat --encode N.vK`
#      -> `zs-avro-java decode` with reader S: the same datums; and when L is
#      not S, with reader L too: the datums resolved from S to L;
#   3. Java writes, C reads: the same datums -> `zs-avro-java encode` with S ->
#      `zs-cat -f`: the datums resolved from S to L.
# Datums are compared as parsed JSON by compare_datums.py (which also does the
# S -> L resolution: defaults, removed fields, enum symbols, promotions).
# --evolution: also require at least one message with two versions in
# SCHEMA_DIR, so the resolution paths are really exercised.
#
# Prints one line per schema and a final "N passed, M failed"; on a failure,
# the first differing datum from both sides. Exit 0 if all passed, 1 if not,
# 2 on bad usage.
#
# Environment: ZS_INTEROP_DATUMS (datums per schema, default 200),
# ZS_INTEROP_SEED (default 1), ZS_INTEROP_JOBS (schemas checked in parallel,
# default the number of CPUs), ZS_INTEROP_GEN_ARGS (extra gen_datums.py
# arguments, for diagnosis), ZS_INTEROP_KEEP=1 (keep the work directory),
# ZS_INTEROP_JAVA_OPTS (JVM options added to JDK_JAVA_OPTIONS; default
# "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC": a third less CPU per short run).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
usage() {
    sed -n '4p' "$0" | sed 's/^# *//' >&2
    exit 2
}
evolution=0
if [[ ${1:-} == --evolution ]]; then
    evolution=1
    shift
fi
[[ $# -eq 2 ]] || usage
[[ -x $1 ]] || { echo "run.sh: $1: not an executable" >&2; exit 2; }
[[ -d $2 ]] || { echo "run.sh: $2: not a directory" >&2; exit 2; }
zscat=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
dir=$(cd "$2" && pwd)
datums=${ZS_INTEROP_DATUMS:-200}
seed=${ZS_INTEROP_SEED:-1}
jobs_max=${ZS_INTEROP_JOBS:-$(nproc 2>/dev/null || echo 2)}
read -r -a gen_extra <<<"${ZS_INTEROP_GEN_ARGS:-}"
java=$here/zs-avro-java
py=(python3 -B) # -B: no __pycache__ in the source tree
export LC_ALL=C.UTF-8 PYTHONIOENCODING=utf-8 PYTHONDONTWRITEBYTECODE=1
java_opts=${ZS_INTEROP_JAVA_OPTS--XX:TieredStopAtLevel=1 -XX:+UseSerialGC}
JDK_JAVA_OPTIONS="${JDK_JAVA_OPTIONS:-} $java_opts"
export JDK_JAVA_OPTIONS

tmp=$(mktemp -d "${TMPDIR:-/tmp}/zs-interop.XXXXXX")
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    if [[ ${ZS_INTEROP_KEEP:-0} == 1 ]]; then
        echo "run.sh: work directory kept: $tmp" >&2
    else
        rm -rf "$tmp"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start=$SECONDS

# First lines of a tool's stderr, indented (without the java launcher's note).
show_err() {
    local n
    grep -v '^NOTE: Picked up JDK_JAVA_OPTIONS' "$1" >"$1.shown" || true
    n=$(wc -l <"$1.shown")
    sed -n '1,3s/^/      /p' "$1.shown"
    ((n <= 3)) || echo "      ... ($((n - 3)) more lines)"
}

# Lines (1-based) a tool reported as failed, comma-separated, from its stderr.
failed_lines() {
    { grep -oE "$1 ?[0-9]+:" "$2" || true; } | grep -oE '[0-9]+' | sort -un | paste -sd, -
}

# The schemas: <file> <full name> <short name> <version> <file of the latest version>.
if ! "${py[@]}" "$here/avsc.py" list "$dir" >"$tmp/schemas.txt" 2>"$tmp/schemas.err"; then
    cat "$tmp/schemas.err"
    echo "0 passed, 1 failed (cannot read the schemas of $dir)"
    exit 1
fi
if [[ ! -s $tmp/schemas.txt ]]; then
    echo "0 passed, 1 failed (no *.avsc in $dir)"
    exit 1
fi
if ((evolution)) && ! awk '$1 != $5 { found = 1 } END { exit !found }' "$tmp/schemas.txt"; then
    echo "0 passed, 1 failed (--evolution: no message in $dir has two versions)"
    exit 1
fi
mapfile -t files < <(cut -d' ' -f1 "$tmp/schemas.txt")

# 1. Fingerprints, for every schema at once (this also sets up zs-avro-java).
paths=()
for f in "${files[@]}"; do paths+=("$dir/$f"); done
if ! "$java" fingerprint "${paths[@]}" >"$tmp/fp-java.txt" 2>"$tmp/fp-java.err"; then
    grep -v '^NOTE: Picked up JDK_JAVA_OPTIONS' "$tmp/fp-java.err" || true
    echo "0 passed, ${#files[@]} failed (zs-avro-java fingerprint failed; see above)"
    exit 1
fi
if ! "$zscat" --schema-dir "$dir" --schemas >"$tmp/fp-c.txt" 2>"$tmp/fp-c.err"; then
    cat "$tmp/fp-c.err"
    echo "0 passed, ${#files[@]} failed (zs-cat --schemas failed; see above)"
    exit 1
fi

# The lines after the first of compare_datums.py's output, under a heading.
add_details() {
    [[ $2 == *$'\n'* ]] || return 0
    printf '    %s:\n' "$1"
    # shellcheck disable=SC2001 # (indent every line)
    sed 's/^/  /' <<<"${2#*$'\n'}"
}

# Checks one schema; writes $tmp/<file>/report, first line PASS or FAIL.
check_schema() {
    local file=$1 name=$2 short=$3 version=$4 latest=$5
    local w=$tmp/$file s=$dir/$file l=$dir/$latest ok=1 rc out
    local report=$w/report details=$w/details summary=()
    mkdir -p "$w"
    : >"$details"

    # 1. Fingerprint.
    local fp_java fp_c
    fp_java=$(awk -v f="$file" '$3 == f' "$tmp/fp-java.txt")
    fp_c=$(awk -v f="$file" '$3 == f' "$tmp/fp-c.txt")
    if [[ -n $fp_java && $fp_java == "$fp_c" ]]; then
        summary+=("fingerprint ${fp_java%% *}")
    else
        ok=0
        summary+=("fingerprint MISMATCH")
        printf '    fingerprint: Java: %s\n                 C:    %s\n' \
            "${fp_java:-(none)}" "${fp_c:-(not listed by zs-cat --schemas)}" >>"$details"
    fi

    # The datums.
    if ! "${py[@]}" "$here/gen_datums.py" --seed "$seed" -n "$datums" "${gen_extra[@]}" "$s" \
        >"$w/in.jsonl" 2>"$w/gen.err"; then
        {
            echo "    gen_datums.py failed:"
            show_err "$w/gen.err"
        } >>"$details"
        printf 'FAIL %s: %s; cannot generate datums\n' "$file" "${summary[*]}" >"$report"
        cat "$details" >>"$report"
        return
    fi

    # 2. C writes, Java reads.
    local missing=""
    rc=0
    "$zscat" --schema-dir "$dir" --encode "$short.v$version" <"$w/in.jsonl" >"$w/c.bin" \
        2>"$w/c-enc.err" || rc=$?
    if ((rc != 0)); then
        missing=$(failed_lines "stdin:" "$w/c-enc.err")
        ok=0
        {
            echo "    zs-cat --encode $short.v$version exited $rc, rejecting" \
                "$(tr ',' '\n' <<<"$missing" | grep -c . || true) of $datums datums:"
            show_err "$w/c-enc.err"
            local first=${missing%%,*}
            if [[ -n $first ]]; then
                echo "      input line $first: $(sed -n "${first}p" "$w/in.jsonl" | cut -c1-2000)"
            fi
        } >>"$details"
    fi
    local readers=("$file")
    [[ $latest == "$file" ]] || readers+=("$latest")
    local r tag
    for r in "${readers[@]}"; do
        tag="C->Java"
        [[ $r == "$file" ]] || tag="C->Java(${r%.avsc})"
        rc=0
        "$java" decode "$dir" "$dir/$r" "$w/c.bin" >"$w/j-dec-$r.out" 2>"$w/j-dec-$r.err" || rc=$?
        if ((rc != 0)); then
            ok=0
            {
                echo "    $tag: zs-avro-java decode exited $rc:"
                show_err "$w/j-dec-$r.err"
            } >>"$details"
        fi
        rc=0
        out=$("${py[@]}" "$here/compare_datums.py" --writer "$s" --reader "$dir/$r" \
            --expected "$w/in.jsonl" --actual "$w/j-dec-$r.out" --label Java \
            --missing "$missing") || rc=$?
        summary+=("$tag ${out%%$'\n'*}")
        if ((rc != 0)); then
            ok=0
            add_details "$tag" "$out" >>"$details"
        fi
    done

    # 3. Java writes, C reads (zs-cat resolves to the latest version).
    tag="Java->C"
    [[ $latest == "$file" ]] || tag="Java->C(${latest%.avsc})"
    rc=0
    "$java" encode "$s" "$w/in.jsonl" "$w/j.bin" 2>"$w/j-enc.err" || rc=$?
    if ((rc != 0)); then
        ok=0
        summary+=("$tag: zs-avro-java encode failed")
        {
            echo "    $tag: zs-avro-java encode exited $rc" \
                "(did gen_datums.py make an invalid datum?):"
            show_err "$w/j-enc.err"
        } >>"$details"
    else
        missing=""
        rc=0
        "$zscat" --schema-dir "$dir" -f "$w/j.bin" >"$w/c-dec.out" 2>"$w/c-dec.err" || rc=$?
        if ((rc != 0)); then
            ok=0
            missing=$(failed_lines "message" "$w/c-dec.err")
            {
                echo "    $tag: zs-cat -f exited $rc:"
                show_err "$w/c-dec.err"
            } >>"$details"
        fi
        rc=0
        out=$("${py[@]}" "$here/compare_datums.py" --writer "$s" --reader "$l" \
            --expected "$w/in.jsonl" --actual "$w/c-dec.out" --label C \
            --short-branch-names --missing "$missing") || rc=$?
        summary+=("$tag ${out%%$'\n'*}")
        if ((rc != 0)); then
            ok=0
            add_details "$tag" "$out" >>"$details"
        fi
    fi

    local line="" part
    for part in "${summary[@]}"; do line+="${line:+; }$part"; done
    printf '%s %s: %s\n' "$( ((ok)) && echo PASS || echo FAIL)" "$file" "$line" >"$report"
    cat "$details" >>"$report"
}

# Run the schemas in parallel, then print their reports in order.
while read -r file name short version latest; do
    while (($(jobs -rp | wc -l) >= jobs_max)); do wait -n || true; done
    check_schema "$file" "$name" "$short" "$version" "$latest" &
    pids+=($!)
done <"$tmp/schemas.txt"
wait || true
pids=()

passed=0 failed=0
for f in "${files[@]}"; do
    if [[ -s $tmp/$f/report ]]; then
        cat "$tmp/$f/report"
    else
        printf 'FAIL %s: the check did not finish\n' "$f"
    fi
    if [[ $(head -c4 "$tmp/$f/report" 2>/dev/null) == PASS ]]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed" \
    "($datums datums per schema, seed $seed, $((SECONDS - start)) s)"
((failed == 0))
