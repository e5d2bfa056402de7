#!/usr/bin/env bash
# Checks that the pinned Kafka works with the installed librdkafka: fetches
# Kafka, starts a throwaway broker with --sasl, runs verify_rdkafka.c against
# it, checks ACL enforcement, stops and deletes the broker. See ../README.md.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
kafka="$(dirname "$here")"
# shellcheck source=SCRIPTDIR/../env.sh
source "$kafka/env.sh"

usage() {
  cat <<USAGE
Usage: ${0##*/} [--port PORT] [--keep] [--help]

Runs the librdkafka-against-real-Kafka check for Kafka $ZS_KAFKA_VERSION
(set ZS_KAFKA_VERSION to check another version): builds verify_rdkafka.c with
gcc and pkg-config rdkafka, starts a broker with --sasl on PORT (default
19092; SASL on PORT+1, controller on PORT+2) in a temp dir, and runs
  - verify_rdkafka all: admin, idempotent producer, consumer group,
    transactions + read_committed, compaction, SCRAM-SHA-256/512 logins
  - an ACL check: a SCRAM user without ACLs is denied, then allowed
Ends with "N passed, N failed"; exits non-zero on any failure.

  --port PORT  first of the three ports (default 19092)
  --keep       leave the broker running and its dir in place
USAGE
}

port=19092 keep=0
while (($#)); do
  case "$1" in
    --port) [[ "${2:-}" =~ ^[0-9]+$ ]] || zs_die "--port needs a number"; port="$2"; shift ;;
    --keep) keep=1 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; zs_die "unknown argument: $1" ;;
  esac
  shift
done

for t in gcc pkg-config; do
  command -v "$t" >/dev/null || zs_die "$t not found (Debian: apt-get install gcc pkg-config librdkafka-dev)"
done
pkg-config --exists rdkafka || zs_die "pkg-config knows no rdkafka (Debian: apt-get install librdkafka-dev)"

work="$(mktemp -d "${TMPDIR:-/tmp}/zs-kafka-verify.XXXXXX")"
broker="$work/broker"
cleanup() {
  if ((keep)); then
    zs_say "kept: broker dir $broker (stop with $kafka/stop.sh --dir $broker)"
  else
    "$kafka/stop.sh" --dir "$broker" >/dev/null 2>&1 || true
    rm -rf "$work"
  fi
}
trap cleanup EXIT

# shellcheck disable=SC2046  # pkg-config prints several words
gcc -std=c11 -Wall -Wextra -O2 -o "$work/verify_rdkafka" "$here/verify_rdkafka.c" \
  $(pkg-config --cflags --libs rdkafka)

"$kafka/fetch.sh"
"$kafka/start.sh" --sasl --dir "$broker" --port "$port"
bootstrap="$(cat "$broker/bootstrap")"
sasl_bootstrap="$(cat "$broker/sasl_bootstrap")"
admin_pw="$(cat "$broker/admin.password")"
export ZS_KAFKA_TOOL_LOG_DIR="$broker/logs"

zs_say "Kafka $ZS_KAFKA_VERSION, librdkafka $(pkg-config --modversion rdkafka)"
rc=0
out="$work/all.out"
"$work/verify_rdkafka" all "$bootstrap" "$sasl_bootstrap" "$admin_pw" 2>"$work/all.err" | tee "$out" || rc=1

# ACLs: a SCRAM user with no ACL is denied (allow.everyone.if.no.acl.found=
# false), and allowed once granted. User and grant go through PLAINTEXT,
# whose User:ANONYMOUS is a super user.
topic="verify-acl-$$"
acl_out="$work/acl.out"
{
  "$kafka/tool.sh" topics --bootstrap-server "$bootstrap" --create --topic "$topic" \
    --partitions 1 --replication-factor 1 >/dev/null
  "$kafka/tool.sh" configs --bootstrap-server "$bootstrap" --alter --entity-type users \
    --entity-name verify-user --add-config 'SCRAM-SHA-256=[password=verify-pw]' >/dev/null
  "$work/verify_rdkafka" produce-as "$sasl_bootstrap" verify-user verify-pw "$topic" denied
  "$kafka/tool.sh" acls --bootstrap-server "$bootstrap" --add --allow-principal User:verify-user \
    --operation Write --operation Describe --topic "$topic" >/dev/null
  "$work/verify_rdkafka" produce-as "$sasl_bootstrap" verify-user verify-pw "$topic" ok
} 2>>"$work/acl.err" | tee "$acl_out" || rc=1

passed=$(cat "$out" "$acl_out" | grep -c '^PASS' || true)
failed=$(cat "$out" "$acl_out" | grep -c '^FAIL' || true)
if ((rc != 0 || failed != 0)); then
  echo "--- librdkafka log lines ---" >&2
  tail -n 20 "$work/all.err" "$work/acl.err" >&2 || true
fi
echo "kafka-verify: $passed passed, $failed failed"
((rc == 0 && failed == 0))
