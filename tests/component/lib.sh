# lib.sh: what the component test scripts share, sourced by them: a work
# directory removed on exit (kept with ZS_KEEP_WORK=1), ok/fail reporting, and an embedded broker.
#   . "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
broker_pid=
passed=0
cleanup() {
    [ -n "$broker_pid" ] && kill "$broker_pid" 2>/dev/null && wait "$broker_pid" 2>/dev/null
    if [ -n "${ZS_KEEP_WORK:-}" ]; then echo "work dir kept: $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
ok() {
    passed=$((passed + 1))
    echo "ok: $*"
}

# start_broker ZS_BROKER PARTITIONS: starts zs-broker; its address goes to $b
# and its log to $tmp/broker.log.
start_broker() {
    "$1" --partitions "$2" --bootstrap-file "$tmp/bootstrap" >/dev/null 2>"$tmp/broker.log" &
    broker_pid=$!
    for _ in $(seq 100); do [ -s "$tmp/bootstrap" ] && break; sleep 0.1; done
    [ -s "$tmp/bootstrap" ] || fail "zs-broker did not start: $(cat "$tmp/broker.log")"
    b=$(cat "$tmp/bootstrap")
}
