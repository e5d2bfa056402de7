#!/usr/bin/env bash
# doc_refs.py finds what it must: on a small repository made here, a broken
# markdown link, a backticked path to a missing file and a bare document name
# that is nowhere are reported, each with its line, and the check fails;
# references that resolve (relative to the file, to the top, or a bare name
# of exactly one file) and URLs are not.
#   doc_refs_test.sh DOC_REFS_PY
set -euo pipefail
lint=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
mkdir "$tmp/repo"
cd "$tmp/repo"
git init -q .
mkdir -p docs common consumers
echo "# rules" >consumers/RULES.md
echo "int x;" >common/zs_a.c
cat >docs/GUIDE.md <<'MD'
See [the rules](../consumers/RULES.md), [missing](../consumers/GONE.md) and
[a site](https://example.invalid/NOWHERE.md).
Code: `common/zs_a.c`, `common/zs_b.c`, `consumers/` and a command `zs-push close`.
The rules are in RULES.md; the plan in PLAN.md.
MD
cat >common/zs_a.h <<'C'
/* zs_a.h: see docs/GUIDE.md and `docs/GUIDE.md`, and HISTORY.md. */
C
git add -A
rc=0
python3 "$lint" . >../out.txt || rc=$?
[ $rc -eq 1 ] || fail "exit $rc, want 1: $(cat ../out.txt)"
cat >../want.txt <<'TXT'
common/zs_a.h:1: HISTORY.md: no such file in the repository
docs/GUIDE.md:1: ../consumers/GONE.md: no such file in the repository
docs/GUIDE.md:3: common/zs_b.c: no such file in the repository
docs/GUIDE.md:4: PLAN.md: no such file in the repository
TXT
sort ../out.txt | diff - ../want.txt || fail "reported differently"
# Fixed, it passes.
sed -i 's/HISTORY.md/GUIDE.md/' common/zs_a.h
sed -i 's/GONE.md/RULES.md/; s/zs_b.c/zs_a.c/; s/the plan in PLAN.md/the guide in GUIDE.md/' docs/GUIDE.md
git add -A
python3 "$lint" . >../out.txt || fail "still failing: $(cat ../out.txt)"
echo "doc_refs: reports broken references and only those"
