#!/usr/bin/env bash
# Fetches Apache Kafka's broker and tool jars from Maven Central into a cache
# outside the repo. See README.md.
set -euo pipefail
# shellcheck source=SCRIPTDIR/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

usage() {
  cat <<USAGE
Usage: ${0##*/} [--force] [--help]

Fetches org.apache.kafka:kafka_2.13:$ZS_KAFKA_VERSION and kafka-tools (for
4.x also a log4j2 backend) with all their runtime dependencies with Maven
(deploy/kafka/pom.xml, mvn dependency:copy-dependencies) into
  $ZS_KAFKA_LIBS
If that is already complete this does nothing (no network, no Maven).

  --force   fetch again even if the cache is complete
  --help    this text

Environment: ZS_KAFKA_VERSION (default $ZS_KAFKA_PINNED_VERSION, pinned in env.sh),
XDG_CACHE_HOME (cache root, default ~/.cache), ZS_MVN_ARGS (extra mvn arguments,
e.g. "-s my-settings.xml"). Maven's own repository (~/.m2) is used as usual.
USAGE
}

force=0
while (($#)); do
  case "$1" in
    --force) force=1 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; zs_die "unknown argument: $1" ;;
  esac
  shift
done

if ((force == 0)) && zs_kafka_fetched; then
  zs_say "Kafka $ZS_KAFKA_VERSION already in $ZS_KAFKA_LIBS (nothing to do; --force to fetch again)"
  exit 0
fi

command -v mvn >/dev/null || zs_die "mvn (Apache Maven) not found; install it (Debian: apt-get install maven)"
mkdir -p "$ZS_KAFKA_HOME"

# One fetch at a time per version.
exec 9>"$ZS_KAFKA_HOME/.fetch.lock"
if command -v flock >/dev/null; then flock 9; fi
if ((force == 0)) && zs_kafka_fetched; then
  zs_say "Kafka $ZS_KAFKA_VERSION was fetched by another run meanwhile"
  exit 0
fi

stage="$ZS_KAFKA_HOME/libs.tmp.$$"
log="$ZS_KAFKA_HOME/fetch.log"
trap 'rm -rf "$stage"' EXIT
rm -rf "$stage"
zs_say "fetching Kafka $ZS_KAFKA_VERSION with Maven into $ZS_KAFKA_LIBS (log: $log)"
start=$SECONDS
profiles=()
((ZS_KAFKA_MAJOR >= 4)) && profiles=(-P log4j2)
# shellcheck disable=SC2086  # ZS_MVN_ARGS is a list of words on purpose
if ! mvn -B -ntp ${ZS_MVN_ARGS:-} -f "$ZS_KAFKA_SCRIPT_DIR/pom.xml" "${profiles[@]}" \
    -Dkafka.version="$ZS_KAFKA_VERSION" -Dlibs.dir="$stage" \
    dependency:copy-dependencies >"$log" 2>&1; then
  tail -n 30 "$log" >&2
  zs_die "mvn failed to fetch Kafka $ZS_KAFKA_VERSION (full log: $log)"
fi
[[ -f "$stage/kafka_2.13-$ZS_KAFKA_VERSION.jar" ]] \
  || zs_die "mvn succeeded but $stage/kafka_2.13-$ZS_KAFKA_VERSION.jar is missing (log: $log)"

{
  echo "kafka_version=$ZS_KAFKA_VERSION"
  echo "fetched_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
} >"$stage/.complete"
rm -rf "$ZS_KAFKA_LIBS"
mv "$stage" "$ZS_KAFKA_LIBS"
trap - EXIT
n=$(find "$ZS_KAFKA_LIBS" -name '*.jar' | wc -l)
zs_say "fetched $n jars ($(du -sh "$ZS_KAFKA_LIBS" | cut -f1)) in $((SECONDS - start)) s into $ZS_KAFKA_LIBS"
