#!/usr/bin/env bash
# Starts a single-node Apache Kafka (KRaft, combined broker+controller) on
# 127.0.0.1 from the jars fetch.sh cached. See README.md.
set -euo pipefail
# shellcheck source=SCRIPTDIR/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

usage() {
  cat <<USAGE
Usage: ${0##*/} [--dir DIR] [--port PORT] [--controller-port PORT]
                [--sasl] [--sasl-port PORT] [--wait SECONDS] [--help]

Starts Apache Kafka $ZS_KAFKA_VERSION (KRaft: one process that is broker and
controller, node.id=1) on 127.0.0.1 in the background and waits until it
answers a metadata request. Runs fetch.sh first if Kafka is not cached yet.

  --dir DIR              data, config, logs and PID file (default: a new temp
                         dir). A dir formatted before is reused as it is, so
                         a stopped broker restarts with its data.
  --port PORT            PLAINTEXT listener (default 9092)
  --controller-port PORT KRaft controller listener (default PORT+2)
  --sasl                 also a SASL_PLAINTEXT listener (SCRAM-SHA-256 and
                         SCRAM-SHA-512), the StandardAuthorizer with ACLs
                         enforced (allow.everyone.if.no.acl.found=false) and a
                         SCRAM user "admin" (super user). The PLAINTEXT
                         listener's principal User:ANONYMOUS is a super user
                         too, so unauthenticated local tools keep working;
                         test ACLs through the SASL listener only.
                         Admin password: \$ZS_KAFKA_ADMIN_PASSWORD, or a random
                         one; either way it is written to DIR/admin.password.
  --sasl-port PORT       SASL_PLAINTEXT listener (default PORT+1)
  --wait SECONDS         how long to wait for the broker (default 60)
  --help                 this text

On success prints "bootstrap=127.0.0.1:PORT dir=DIR pid=PID" (and, with
--sasl, a second line "sasl_bootstrap=... user=admin password_file=...")
and writes DIR/bootstrap (DIR/sasl_bootstrap). Logs: DIR/logs/server.log.
Stop it with stop.sh --dir DIR (or just stop.sh for the last one started).
On failure prints the last 40 lines of the broker log, kills the broker and
exits non-zero.

Environment: ZS_KAFKA_VERSION, XDG_CACHE_HOME (see fetch.sh), JAVA/JAVA_HOME
(Java 17+), ZS_KAFKA_HEAP (default 512m), ZS_KAFKA_ADMIN_PASSWORD.
USAGE
}

dir="" port="" cport="" sport="" sasl=0 wait_s=60
need_arg() { if (($# < 2)) || [[ -z "$2" ]]; then zs_die "$1 needs a value"; fi; }
is_port() {
  if [[ ! "$1" =~ ^[0-9]+$ ]] || (($1 < 1 || $1 > 65535)); then zs_die "$2: not a port number: $1"; fi
}
while (($#)); do
  case "$1" in
    --dir) need_arg "$@"; dir="$2"; shift ;;
    --port) need_arg "$@"; is_port "$2" "$1"; port="$2"; shift ;;
    --controller-port) need_arg "$@"; is_port "$2" "$1"; cport="$2"; shift ;;
    --sasl-port) need_arg "$@"; is_port "$2" "$1"; sport="$2"; shift ;;
    --sasl) sasl=1 ;;
    --wait) need_arg "$@"; [[ "$2" =~ ^[0-9]+$ ]] || zs_die "--wait: not a number of seconds: $2"; wait_s="$2"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; zs_die "unknown argument: $1" ;;
  esac
  shift
done
: "${port:=9092}"
: "${sport:=$((port + 1))}"
: "${cport:=$((port + 2))}"
[[ "$port" != "$cport" ]] || zs_die "--port and --controller-port must differ"
((cport <= 65535)) || zs_die "controller port $cport is out of range; give --controller-port"
if ((sasl)); then
  [[ "$sport" != "$port" && "$sport" != "$cport" ]] || zs_die "the SASL port ($sport) must differ from the other two"
  ((sport <= 65535)) || zs_die "SASL port $sport is out of range; give --sasl-port"
fi

zs_kafka_fetched || "$ZS_KAFKA_SCRIPT_DIR/fetch.sh"
zs_require_fetched
zs_find_java

# --- the broker dir ---------------------------------------------------------
# The PID in the file is ours only if that process is still a broker of DIR.
broker_pid() {
  local pid
  [[ -f "$pidfile" ]] || return 1
  pid="$(cat "$pidfile" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  local cmd
  cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
  [[ "$cmd" == *" -Dzs.kafka.dir=$dir "*" kafka.Kafka "* ]] || return 1
  echo "$pid"
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Sends a Kafka Metadata request (API key 3, version 4: served by Kafka 2.x to
# 4.x; correlation id 0x7a730001, client id "zs-ready", no topics, no
# auto-create) to 127.0.0.1:$1 and succeeds if the response carries our
# correlation id and lists at least one broker. The response starts with
# size, correlation id, throttle_time_ms, broker count (4 bytes each).
metadata_probe() {
  local hex
  # shellcheck disable=SC2016  # $1 is the inner shell's argument
  hex="$(timeout 5 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf "\x00\x00\x00\x17\x00\x03\x00\x04\x7a\x73\x00\x01\x00\x08zs-ready\x00\x00\x00\x00\x00" >&3
    head -c 16 <&3 | od -An -v -tx1' zs-probe "$1" 2>/dev/null | tr -d ' \n')" || return 1
  [[ ${#hex} -eq 32 && "${hex:8:8}" == 7a730001 ]] || return 1
  ((16#${hex:24:8} >= 1))
}

if [[ -n "$dir" && -d "$dir" ]]; then
  dir="$(cd "$dir" && pwd -P)"
  pidfile="$dir/kafka.pid"
  if pid="$(broker_pid)"; then
    b="$(cat "$dir/bootstrap" 2>/dev/null || echo "?")"
    zs_say "a broker is already running from $dir (pid $pid); not starting another (stop it with stop.sh --dir $dir)"
    echo "bootstrap=$b dir=$dir pid=$pid"
    [[ -f "$dir/sasl_bootstrap" ]] && echo "sasl_bootstrap=$(cat "$dir/sasl_bootstrap") user=admin password_file=$dir/admin.password"
    exit 0
  fi
fi

ports=("$port" "$cport"); ((sasl)) && ports+=("$sport")
for p in "${ports[@]}"; do
  ! port_open "$p" || zs_die "127.0.0.1:$p is already in use (another Kafka?); choose other ports with --port/--controller-port/--sasl-port"
done

if [[ -z "$dir" ]]; then
  dir="$(mktemp -d "${TMPDIR:-/tmp}/zs-kafka.XXXXXX")"
  touch "$dir/.zs-temp-dir"   # stop.sh --purge may delete it
else
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd -P)"
fi
[[ "$dir" != *$'\n'* && "$dir" != *,* && "$dir" != *' '* ]] || zs_die "DIR must not contain spaces, commas or newlines: $dir"
pidfile="$dir/kafka.pid"
logdir="$dir/logs"
datadir="$dir/data"
props="$dir/server.properties"
mkdir -p "$logdir"
rm -f "$pidfile"

# --- server.properties (rewritten on every start; data is kept) -------------
listeners="PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport"
advertised="PLAINTEXT://127.0.0.1:$port"
if ((sasl)); then
  listeners+=",SASL_PLAINTEXT://127.0.0.1:$sport"
  advertised+=",SASL_PLAINTEXT://127.0.0.1:$sport"
fi
{
  cat <<PROPS
# Written by deploy/kafka/start.sh; rewritten on each start.
node.id=1
process.roles=broker,controller
controller.quorum.voters=1@127.0.0.1:$cport
controller.listener.names=CONTROLLER
listeners=$listeners
advertised.listeners=$advertised
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT
log.dirs=$datadir

# One node: every internal topic has one replica.
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
# Fewer than the default 50 so the first consumer group starts fast.
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false

# Compaction on, checked often, with small segments, so that tests see it
# (a compacted topic also wants segment.ms / min.cleanable.dirty.ratio of its own).
log.cleaner.enable=true
log.cleaner.threads=1
log.cleaner.backoff.ms=1000
log.cleaner.dedupe.buffer.size=33554432
log.cleaner.min.cleanable.ratio=0.1
log.segment.bytes=1048576
log.retention.check.interval.ms=30000
PROPS
  if ((ZS_KAFKA_MAJOR >= 4)); then
    printf '%s\n' "share.coordinator.state.topic.replication.factor=1" \
      "share.coordinator.state.topic.min.isr=1"
  fi
  if ((sasl)); then
    cat <<PROPS

# --sasl: SCRAM on the SASL_PLAINTEXT listener, ACLs enforced.
# User:ANONYMOUS is what PLAINTEXT (and CONTROLLER) clients are: making it a
# super user keeps local unauthenticated tooling and the controller working.
sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512
listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:admin;User:ANONYMOUS
allow.everyone.if.no.acl.found=false
PROPS
  fi
} >"$props"

export ZS_KAFKA_TOOL_LOG_DIR="$logdir"

# --- format the storage once -------------------------------------------------
mode_file="$dir/format.mode"
want_mode="plain"; ((sasl)) && want_mode="sasl"
if [[ -f "$datadir/meta.properties" ]]; then
  have_mode="$(cat "$mode_file" 2>/dev/null || echo unknown)"
  if [[ "$have_mode" != "$want_mode" ]]; then
    zs_die "$dir was formatted as '$have_mode' but this start is '$want_mode' (--sasl decides); use another --dir"
  fi
  zs_say "reusing formatted storage in $datadir"
else
  # A Kafka cluster id: 16 random bytes, URL-safe base64 without padding,
  # not starting with '-' (as kafka-storage random-uuid makes them).
  while :; do
    cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    [[ "$cluster_id" != -* && ${#cluster_id} -eq 22 ]] && break
  done
  fmt=(kafka.tools.StorageTool format --config "$props" --cluster-id "$cluster_id" --ignore-formatted)
  if ((sasl)); then
    pwfile="$dir/admin.password"
    if [[ -n "${ZS_KAFKA_ADMIN_PASSWORD:-}" ]]; then
      admin_pw="$ZS_KAFKA_ADMIN_PASSWORD"
    else
      admin_pw="$(head -c 18 /dev/urandom | base64 | tr '+/' 'xy')"
    fi
    [[ "$admin_pw" != *[\"\\,\]\[=$'\n']* ]] || zs_die "ZS_KAFKA_ADMIN_PASSWORD must not contain \" \\ , [ ] = or newlines"
    (umask 077; printf '%s\n' "$admin_pw" >"$pwfile")
    fmt+=(--add-scram "SCRAM-SHA-256=[name=admin,password=\"$admin_pw\"]"
          --add-scram "SCRAM-SHA-512=[name=admin,password=\"$admin_pw\"]")
  fi
  zs_say "formatting KRaft storage in $datadir (cluster id $cluster_id)"
  if ! out="$(zs_kafka_tool "${fmt[@]}" 2>&1)"; then
    printf '%s\n' "$out" >&2
    zs_die "formatting the storage failed (see above and $logdir/tools.log)"
  fi
  echo "$want_mode" >"$mode_file"
fi

# --- start ------------------------------------------------------------------
heap="${ZS_KAFKA_HEAP:-512m}"
zs_say "starting Kafka $ZS_KAFKA_VERSION ($ZS_JAVA, -Xmx$heap) in $dir"
t0=$SECONDS
t0_ms="$(zs_now_ms)"
# setsid: the broker outlives this script and the caller's terminal/job.
# The inner shell writes its own PID (= the JVM's, after exec) to the file.
# shellcheck disable=SC2016  # $$, $1, $@ belong to the inner shell
setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' zs-kafka "$pidfile" \
  "$ZS_JAVA" "-Xmx$heap" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
  -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
  "-Dzs.kafka.dir=$dir" "-Dkafka.logs.dir=$logdir" -Dzs.log.file=server.log -Dzs.log.level=INFO \
  "${ZS_KAFKA_LOG_OPTS[@]}" \
  -cp "$ZS_KAFKA_LIBS/*" kafka.Kafka "$props" \
  </dev/null >"$logdir/stdout.log" 2>&1 &
launcher=$!
for _ in $(seq 50); do [[ -s "$pidfile" ]] && break; sleep 0.1; done
pid="$(cat "$pidfile" 2>/dev/null || echo "$launcher")"
[[ -s "$pidfile" ]] || echo "$pid" >"$pidfile"

fail() {
  echo "${0##*/}: error: $*" >&2
  local log="$logdir/server.log"
  [[ -s "$log" ]] || log="$logdir/stdout.log"
  echo "---- last 40 lines of $log ----" >&2
  tail -n 40 "$log" >&2 || true
  if [[ "$log" != "$logdir/stdout.log" && -s "$logdir/stdout.log" ]]; then
    echo "---- last 10 lines of $logdir/stdout.log ----" >&2
    tail -n 10 "$logdir/stdout.log" >&2 || true
  fi
  echo "----" >&2
  if kill -0 "$pid" 2>/dev/null; then
    echo "${0##*/}: killing the half-started broker (pid $pid)" >&2
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
  exit 1
}
trap 'fail "interrupted"' INT TERM

# --- wait until it answers a metadata request --------------------------------
deadline=$((t0 + wait_s))
# Running and not a zombie (the JVM is our child until this script exits).
alive() {
  local st
  st="$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1)"
  [[ -n "$st" && "$st" != Z ]]
}
until port_open "$port"; do
  alive || fail "the broker exited during startup"
  ((SECONDS < deadline)) || fail "the broker did not open 127.0.0.1:$port within ${wait_s}s"
  sleep 0.2
done
# Then a real Metadata request (v4, no topics: served by Kafka 2.x to 4.x)
# straight from bash; the answer must name at least one broker. In KRaft the
# listener opens only once the broker is unfenced, so this is quick.
ready=0
while ((SECONDS < deadline)); do
  alive || fail "the broker exited during startup"
  if metadata_probe "$port"; then ready=1; break; fi
  sleep 0.3
done
((ready)) || fail "the broker did not answer a metadata request on 127.0.0.1:$port within ${wait_s}s"
if ((sasl)); then
  until port_open "$sport"; do
    ((SECONDS < deadline)) || fail "the SASL listener 127.0.0.1:$sport did not open within ${wait_s}s"
    sleep 0.2
  done
fi
trap - INT TERM

echo "127.0.0.1:$port" >"$dir/bootstrap"
if ((sasl)); then echo "127.0.0.1:$sport" >"$dir/sasl_bootstrap"; else rm -f "$dir/sasl_bootstrap"; fi
mkdir -p "$ZS_KAFKA_CACHE_ROOT" && echo "$dir" >"$ZS_KAFKA_LAST_DIR_FILE"
t1_ms="$(zs_now_ms)"
zs_say "ready after $(( (t1_ms - t0_ms) / 1000 )).$(printf '%03d' $(( (t1_ms - t0_ms) % 1000 ))) s"
echo "bootstrap=127.0.0.1:$port dir=$dir pid=$pid"
((sasl)) && echo "sasl_bootstrap=127.0.0.1:$sport user=admin password_file=$dir/admin.password"
exit 0
