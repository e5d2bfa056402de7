# shellcheck shell=bash disable=SC2034  # the variables are for the scripts that source this
# Shared settings for deploy/kafka/*.sh. Sourced, not run.
#
# The one place the Kafka version is pinned. Verified against librdkafka
# 2.0.2 (Debian 12): admin, idempotent produce, consumer groups, transactions
# with read_committed, compaction, SASL/SCRAM. Kafka 4.x passes all of that
# except SCRAM (librdkafka < 2.6.1 cannot authenticate to 4.x): README.md.
# ZS_KAFKA_VERSION in the environment overrides it (to try another version;
# 3.9.x and 4.x are supported by these scripts).
ZS_KAFKA_PINNED_VERSION=3.9.2
ZS_KAFKA_VERSION="${ZS_KAFKA_VERSION:-$ZS_KAFKA_PINNED_VERSION}"
ZS_KAFKA_MAJOR="${ZS_KAFKA_VERSION%%.*}"
if [[ ! "$ZS_KAFKA_VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || ((ZS_KAFKA_MAJOR < 3)); then
  echo "${0##*/}: error: ZS_KAFKA_VERSION=$ZS_KAFKA_VERSION: want a Kafka release 3.9.x or later, like $ZS_KAFKA_PINNED_VERSION" >&2
  exit 1
fi

ZS_KAFKA_SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ZS_KAFKA_CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/zengshou"
ZS_KAFKA_HOME="$ZS_KAFKA_CACHE_ROOT/kafka-$ZS_KAFKA_VERSION"
ZS_KAFKA_LIBS="$ZS_KAFKA_HOME/libs"
# start.sh remembers the last broker dir here so stop.sh works without --dir.
ZS_KAFKA_LAST_DIR_FILE="$ZS_KAFKA_CACHE_ROOT/kafka-last-dir"
# Kafka 3.x logs with reload4j (log4j 1 syntax), 4.x with log4j2: both files
# are passed to every JVM and each backend reads its own.
ZS_KAFKA_LOG_OPTS=("-Dlog4j.configuration=file:$ZS_KAFKA_SCRIPT_DIR/log4j.properties"
                   "-Dlog4j2.configurationFile=$ZS_KAFKA_SCRIPT_DIR/log4j2.properties")

zs_die() { echo "${0##*/}: error: $*" >&2; exit 1; }
zs_say() { echo "${0##*/}: $*" >&2; }

# The libs dir is complete only once fetch.sh has written this marker.
zs_kafka_fetched() {
  [[ -f "$ZS_KAFKA_LIBS/.complete" && -f "$ZS_KAFKA_LIBS/kafka_2.13-$ZS_KAFKA_VERSION.jar" ]]
}

zs_require_fetched() {
  zs_kafka_fetched || zs_die "Kafka $ZS_KAFKA_VERSION is not fetched (no $ZS_KAFKA_LIBS/.complete); run $ZS_KAFKA_SCRIPT_DIR/fetch.sh first"
}

# Picks the JVM: $JAVA, else $JAVA_HOME/bin/java, else java on PATH.
# Kafka 4.x brokers need Java 17 or newer. Sets ZS_JAVA.
zs_find_java() {
  local j="${JAVA:-}"
  if [[ -z "$j" && -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then j="$JAVA_HOME/bin/java"; fi
  if [[ -z "$j" ]]; then j="$(command -v java || true)"; fi
  [[ -n "$j" && -x "$j" ]] || zs_die "no java found (set JAVA or JAVA_HOME, or put java on PATH); Kafka $ZS_KAFKA_VERSION needs Java 17+"
  local v major
  v="$("$j" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n1)"
  major="${v%%.*}"
  [[ "$major" =~ ^[0-9]+$ ]] || zs_die "could not tell the version of $j"
  (( major >= 17 )) || zs_die "$j is Java $v; Kafka $ZS_KAFKA_VERSION needs Java 17 or newer (set JAVA or JAVA_HOME)"
  ZS_JAVA="$j"
}

# Sets ZS_TOOL_ARGV to the command line (minus main class and arguments) that
# runs one of Kafka's command-line tools on the cached jars, logging WARN and
# up to $ZS_KAFKA_TOOL_LOG_DIR/tools.log (default: a dir in the cache).
zs_kafka_tool_argv() {
  local logdir="${ZS_KAFKA_TOOL_LOG_DIR:-$ZS_KAFKA_HOME/tool-logs}"
  mkdir -p "$logdir"
  ZS_TOOL_ARGV=("$ZS_JAVA" -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1
    -Djava.awt.headless=true
    "-Dkafka.logs.dir=$logdir" -Dzs.log.file=tools.log -Dzs.log.level=WARN
    "${ZS_KAFKA_LOG_OPTS[@]}"
    -cp "$ZS_KAFKA_LIBS/*")
}

# Runs a Kafka tool: zs_kafka_tool MAIN_CLASS [ARGS...]
zs_kafka_tool() {
  zs_kafka_tool_argv
  "${ZS_TOOL_ARGV[@]}" "$@"
}

# Milliseconds since the epoch.
zs_now_ms() { local t; t="$(date +%s%N)"; echo $((t / 1000000)); }
