#!/usr/bin/env python3
"""doc_refs.py REPO: every reference to a file of the repository, in its docs
and code, names a file that exists. A reference is
  - a markdown link target, [text](path) (not a URL), in a .md file;
  - a backticked path, `consumers/RULES.md`, in any text or comment, whose
    first part is a directory of the repository (or of the referring file's
    directory);
  - a bare document name, CONTRACT.md, anywhere (comments, strings, docs).
A path resolves relative to the referring file's directory or to the
repository's top; a bare name also by being the name of exactly one file.
Prints each broken reference as FILE:LINE: NAME and exits 1 if there is any.
"""
import os
import re
import subprocess
import sys

top = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".")
files = subprocess.run(["git", "-C", top, "ls-files"], capture_output=True, text=True,
                       check=True).stdout.split("\n")
files = [f for f in files if f]
tracked = set(files)
dirs = {os.path.dirname(f) for f in files}
for d in list(dirs):
    while d:
        d = os.path.dirname(d)
        dirs.add(d)
top_dirs = {f.split("/", 1)[0] for f in files if "/" in f}
by_name = {}
for f in files:
    by_name.setdefault(os.path.basename(f), []).append(f)

TEXT = re.compile(r"\.(md|c|h|sh|py|ya?ml|conf|example|cmake|txt|service|timer|avsc)$|"
                  r"(^|/)(CMakeLists\.txt|Dockerfile)$")
URL = re.compile(r"[a-z][a-z0-9+.-]*://[^\s)>\]`\"']*")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
TICKED = re.compile(r"`([^`\s]+)`")
BARE = re.compile(r"(?<![\w/.-])([A-Za-z0-9_][A-Za-z0-9_.-]*\.md)\b")


def exists(path, here):
    path = path.rstrip("/")
    for base in (here, ""):
        p = os.path.normpath(os.path.join(base, path))
        if p in tracked or p in dirs:
            return True
    return False


def looks_like_repo_path(path, here):
    """A path whose first part is one of the repository's directories."""
    first = path.split("/", 1)[0]
    return "/" in path and (first in top_dirs or os.path.join(here, first) in dirs)


broken = []
for f in files:
    # This check and its test name missing files on purpose.
    if not TEXT.search(f) or f.startswith("tests/lint/doc_refs"):
        continue
    try:
        text = open(os.path.join(top, f), encoding="utf-8").read()
    except (UnicodeDecodeError, FileNotFoundError):
        continue
    here = os.path.dirname(f)
    for n, line in enumerate(text.split("\n"), 1):
        line = URL.sub("", line)
        refs = []
        if f.endswith(".md"):
            for target in LINK.findall(line):
                target = target.split("#", 1)[0]
                if target and not target.startswith(("mailto:", "#")):
                    refs.append((target, True))
        for t in TICKED.findall(line):
            t = re.sub(r":\d+(-\d+)?$", "", t.split("#", 1)[0]).rstrip(".,;:")
            if t.startswith(("/", "~", "-", "$")) or re.search(r"[*<>${}|=]", t):
                continue
            if looks_like_repo_path(t, here):
                refs.append((t, True))
        for name in BARE.findall(line):
            refs.append((name, False))
        for ref, is_path in refs:
            ok = exists(ref, here)
            if not ok and not is_path and "/" not in ref:
                ok = len(by_name.get(ref, [])) == 1
            if not ok:
                broken.append((f, n, ref))

for f, n, r in broken:
    print(f"{f}:{n}: {r}: no such file in the repository")
if broken:
    sys.exit(1)
print(f"doc_refs: every file reference in {len(files)} files resolves")
