#!/usr/bin/env bash
# Checks the deployment files (deploy/config, systemd, compose, k8s) against
# each other and against the code: YAML parses, docker-compose parses the
# compose file, the Strimzi KafkaTopics equal zs-topics' table, configs hold
# only keys that exist, systemd units parse. Details: check_deploy.py.
#   tests/deploy/check_deploy.sh ZS_TOPICS_BINARY DEPLOY_DIR
# Ends with "N passed, M failed"; exits non-zero if anything failed or a tool
# is missing (deploy/install-deps.sh --dev installs them): it never skips.
set -euo pipefail
if [ $# -ne 2 ] || [ ! -x "$1" ] || [ ! -d "$2" ]; then
    echo "usage: ${0##*/} ZS_TOPICS_BINARY DEPLOY_DIR" >&2
    exit 2
fi
# Debian's python3, which python3-yaml installs into (not a python3 that
# happens to come first on PATH).
py=/usr/bin/python3
if [ ! -x "$py" ] || ! "$py" -c 'import yaml' 2>/dev/null; then
    echo "check_deploy: needs /usr/bin/python3 with python3-yaml: run deploy/install-deps.sh --dev" >&2
    echo "0 passed, 1 failed"
    exit 1
fi
exec "$py" "$(dirname "$0")/check_deploy.py" "$1" "$2"
