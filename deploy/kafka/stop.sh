#!/usr/bin/env bash
# Stops a broker started by start.sh. See README.md.
set -euo pipefail
# shellcheck source=SCRIPTDIR/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

usage() {
  cat <<USAGE
Usage: ${0##*/} [--dir DIR] [--timeout SECONDS] [--purge] [--help]

Stops the Kafka broker that start.sh started in DIR, by DIR/kafka.pid:
SIGTERM (Kafka shuts down cleanly), wait up to --timeout seconds (default
20), then SIGKILL. Harmless when nothing is running.

  --dir DIR          the broker dir (default: the last dir start.sh started,
                     remembered in $ZS_KAFKA_LAST_DIR_FILE)
  --timeout SECONDS  grace period before SIGKILL (default 20)
  --purge            afterwards delete DIR, but only if start.sh created it
                     as a temp dir (no --dir given to start.sh)
  --help             this text
USAGE
}

dir="" timeout_s=20 purge=0
while (($#)); do
  case "$1" in
    --dir)
      if (($# < 2)) || [[ -z "$2" ]]; then zs_die "--dir needs a value"; fi
      dir="$2"; shift ;;
    --timeout) [[ "${2:-}" =~ ^[0-9]+$ ]] || zs_die "--timeout needs a number of seconds"; timeout_s="$2"; shift ;;
    --purge) purge=1 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; zs_die "unknown argument: $1" ;;
  esac
  shift
done

if [[ -z "$dir" ]]; then
  [[ -f "$ZS_KAFKA_LAST_DIR_FILE" ]] || { zs_say "no --dir given and no broker started before (no $ZS_KAFKA_LAST_DIR_FILE): nothing to stop"; exit 0; }
  dir="$(cat "$ZS_KAFKA_LAST_DIR_FILE")"
fi
if [[ ! -d "$dir" ]]; then
  zs_say "$dir does not exist: nothing to stop"
  exit 0
fi
dir="$(cd "$dir" && pwd -P)"
pidfile="$dir/kafka.pid"

# Only a process that is still the broker of DIR gets a signal (a PID file
# left by a crash may name a PID that has been reused since).
is_our_broker() {
  local cmd st
  cmd="$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null || true)"
  [[ "$cmd" == *" -Dzs.kafka.dir=$dir "*" kafka.Kafka "* ]] || return 1
  st="$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)"
  [[ -n "$st" && "$st" != Z ]]
}

pid=""
if [[ -f "$pidfile" ]]; then
  pid="$(cat "$pidfile" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || pid=""
fi

if [[ -z "$pid" ]]; then
  zs_say "no broker PID file in $dir: nothing to stop"
elif ! is_our_broker "$pid"; then
  zs_say "broker of $dir (pid $pid) is not running: nothing to stop; removing the stale PID file"
  rm -f "$pidfile"
else
  zs_say "stopping the broker of $dir (pid $pid) with SIGTERM"
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + timeout_s))
  while is_our_broker "$pid" && ((SECONDS < deadline)); do sleep 0.2; done
  if is_our_broker "$pid"; then
    zs_say "still running after ${timeout_s}s: sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for _ in $(seq 25); do is_our_broker "$pid" || break; sleep 0.2; done
    is_our_broker "$pid" && zs_die "pid $pid survived SIGKILL"
    zs_say "killed (pid $pid)"
  else
    zs_say "stopped (pid $pid)"
  fi
  rm -f "$pidfile"
fi

if ((purge)); then
  if [[ -f "$dir/.zs-temp-dir" ]]; then
    rm -rf "$dir"
    zs_say "deleted $dir"
  else
    zs_say "not deleting $dir: start.sh did not create it (delete it yourself if you want)"
  fi
fi
if [[ -f "$ZS_KAFKA_LAST_DIR_FILE" && "$(cat "$ZS_KAFKA_LAST_DIR_FILE")" == "$dir" && ! -d "$dir" ]]; then
  rm -f "$ZS_KAFKA_LAST_DIR_FILE"
fi
exit 0
