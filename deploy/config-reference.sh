#!/usr/bin/env bash
# Prints the configuration reference (markdown) from the programs' own
# tables (--describe-config=markdown), so the README's reference is never out
# of step with the code: tests/deploy/config_reference.sh compares them.
#   deploy/config-reference.sh BUILD_DIR
set -euo pipefail
build=${1:?usage: reference.sh BUILD_DIR}
bin() { find "$build" -type f -name "$1" -perm -u+x | head -1; }
echo "Every program reads these (\`-X KEY=VALUE\`, \`-F FILE\` with KEY=VALUE lines, or"
echo "the environment variable named); any other key is a librdkafka property,"
echo "passed through to its Kafka clients."
echo
"$(bin zs-cat)" --describe-config=markdown
for prog in zs-push zs-simulate zs-monitor zs-notify zs-audit zs-topics; do
    path=$(bin "$prog")
    [[ -n "$path" ]] || continue
    own=$("$path" --describe-config=markdown | sed -n '/^Its own:/,/^And those of every program:/p' |
        sed '1d;$d')
    [[ -n "$own" ]] || continue
    echo
    echo "\`$prog\`:"
    echo "$own"
done
