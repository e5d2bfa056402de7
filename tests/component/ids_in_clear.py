#!/usr/bin/env python3
"""No resident ID number in clear in anything a run of the pipeline wrote.

    ids_in_clear.py WORKDIR

WORKDIR is a deploy/quickstart.sh work directory: the region's exports in
WORKDIR/region (their input, holding the ID numbers by design), and
everything the programs wrote around them: logs, zs-push's rejects files,
the warnings read back, the counties' outboxes and HTML reports, the
supervision reports, the audit archive and zs-desk's database (SQLite,
scanned as bytes). Two checks:
  - no ID number of the region's members.csv, well-formed or malformed
    (the injected bad rows carry 17- and 19-character ones), appears in any
    output, even glued to letters;
  - no text output holds a run of 17 digits and a check character that
    stands alone (not inside a longer run or a hash), whatever its source.
Exits 1 naming each file and what it found."""
import csv
import os
import re
import sys

EXPORTS = {"households.csv", "members.csv", "income.csv", "employment.csv", "subsidy.csv",
           "hardship.csv", "followup.csv", "injected.csv", "expected-warnings.csv",
           "expected-findings.csv", "README.txt"}
RUN = re.compile(rb"[0-9Xx]{15,}")
LONE = re.compile(rb"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")


def main():
    work = sys.argv[1]
    region = os.path.join(work, "region")
    ids = set()
    with open(os.path.join(region, "members.csv"), newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            n = (row.get("id_number") or "").strip()
            if len(n) >= 15:
                ids.add(n.encode())
    if len(ids) < 100:
        sys.exit("only %d ID numbers in %s/members.csv: nothing to look for" % (len(ids), region))
    found, files, nbytes = [], 0, 0
    for root, _, names in os.walk(work):
        for name in names:
            path = os.path.join(root, name)
            if os.path.dirname(path) == region and name in EXPORTS:
                continue
            with open(path, "rb") as f:
                data = f.read()
            files += 1
            nbytes += len(data)
            for m in RUN.finditer(data):
                run = m.group().upper()
                hit = next((i for i in ids if i.upper() in run), None)
                if hit is not None:
                    found.append("%s: an ID number of members.csv (%d characters)"
                                 % (os.path.relpath(path, work), len(hit)))
                    break
            if b"\0" not in data[:4096]:  # text: also any lone 18-character ID
                m = LONE.search(data)
                if m is not None:
                    found.append("%s: an ID-shaped run at byte %d" % (os.path.relpath(path, work),
                                                                       m.start()))
    for line in found[:20]:
        print(line, file=sys.stderr)
    if found:
        sys.exit("%d files hold ID numbers in clear" % len(found))
    print("%d ID numbers looked for in %d files (%.1f MB): none in clear"
          % (len(ids), files, nbytes / 1e6))


if __name__ == "__main__":
    main()
