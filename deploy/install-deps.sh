#!/usr/bin/env bash
# Installs the Debian packages zengshou builds and tests with, only those
# missing. Used by tests/run.sh and deploy/quickstart.sh; safe to run twice.
#   deploy/install-deps.sh [--dev]   --dev adds the test and fuzz tools
set -euo pipefail

runtime=(cmake ninja-build pkg-config gcc librdkafka-dev libavro-dev libjansson-dev libssl-dev libsqlite3-dev libcurl4-openssl-dev
    libmicrohttpd-dev libargon2-dev)
dev=(libcmocka-dev clang clang-format libclang-rt-14-dev valgrind python3-avro python3-yaml docker-compose sqlite3 chromium
    chromium-driver python3-selenium fonts-wqy-zenhei)
case "${1:-}" in
--dev) want=("${runtime[@]}" "${dev[@]}") ;;
"") want=("${runtime[@]}") ;;
-h | --help)
    sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
*)
    echo "install-deps: unknown option $1 (try --help)" >&2
    exit 2
    ;;
esac
command -v java >/dev/null 2>&1 || want+=(default-jdk-headless)
command -v mvn >/dev/null 2>&1 || want+=(maven)

missing=()
for pkg in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
sudo=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || {
        echo "install-deps: need root or sudo to install: ${missing[*]}" >&2
        exit 1
    }
    sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q >/dev/null
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
