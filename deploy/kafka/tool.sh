#!/usr/bin/env bash
# Runs one of Kafka's command-line tools from the jars fetch.sh cached, like
# the distribution's bin/kafka-*.sh. See README.md.
set -euo pipefail
# shellcheck source=SCRIPTDIR/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

# alias -> main classes, the first one present in this version is used
# (some moved from kafka.* (Scala) to org.apache.kafka.tools.* in 4.x).
declare -A CLASSES=(
  [topics]="org.apache.kafka.tools.TopicCommand"
  [consumer-groups]="org.apache.kafka.tools.consumer.group.ConsumerGroupCommand"
  [configs]="org.apache.kafka.tools.ConfigCommand kafka.admin.ConfigCommand"
  [acls]="org.apache.kafka.tools.AclCommand kafka.admin.AclCommand"
  [metadata-quorum]="org.apache.kafka.tools.MetadataQuorumCommand"
  [transactions]="org.apache.kafka.tools.TransactionsCommand"
  [features]="org.apache.kafka.tools.FeatureCommand"
  [broker-api-versions]="org.apache.kafka.tools.BrokerApiVersionsCommand kafka.admin.BrokerApiVersionsCommand"
  [console-producer]="org.apache.kafka.tools.ConsoleProducer kafka.tools.ConsoleProducer"
  [console-consumer]="org.apache.kafka.tools.consumer.ConsoleConsumer kafka.tools.ConsoleConsumer"
  [delete-records]="org.apache.kafka.tools.DeleteRecordsCommand"
  [log-dirs]="org.apache.kafka.tools.LogDirsCommand"
  [storage]="kafka.tools.StorageTool"
)

usage() {
  cat <<USAGE
Usage: ${0##*/} TOOL [ARGS...]
       ${0##*/} --class MAIN_CLASS [ARGS...]
       ${0##*/} --help

Runs a Kafka $ZS_KAFKA_VERSION command-line tool on the cached jars (run
fetch.sh first). TOOL is the name of bin/kafka-TOOL.sh in Kafka's
distribution: $(printf '%s\n' "${!CLASSES[@]}" | sort | tr '\n' ' ')
Tool logs (WARN and up) go to \$ZS_KAFKA_TOOL_LOG_DIR/tools.log (default
$ZS_KAFKA_HOME/tool-logs).

Example: ${0##*/} topics --bootstrap-server "\$(cat DIR/bootstrap)" --list
USAGE
}

(($#)) || { usage >&2; exit 2; }
case "$1" in
  -h|--help) usage; exit 0 ;;
  --class)
    (($# >= 2)) || zs_die "--class needs a main class"
    class="$2"; shift 2 ;;
  *)
    [[ -n "${CLASSES[$1]:-}" ]] || { usage >&2; zs_die "unknown tool: $1"; }
    zs_require_fetched
    class=""
    for c in ${CLASSES[$1]}; do
      # Jar entry names are stored uncompressed, so grep finds a class.
      if grep -qF -a "${c//.//}.class" "$ZS_KAFKA_LIBS/kafka_2.13-$ZS_KAFKA_VERSION.jar" \
          "$ZS_KAFKA_LIBS/kafka-tools-$ZS_KAFKA_VERSION.jar"; then
        class="$c"; break
      fi
    done
    [[ -n "$class" ]] || zs_die "no main class for '$1' in Kafka $ZS_KAFKA_VERSION (tried: ${CLASSES[$1]})"
    shift ;;
esac

zs_require_fetched
zs_find_java
zs_kafka_tool_argv
exec "${ZS_TOOL_ARGV[@]}" "$class" "$@"
