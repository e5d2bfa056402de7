#!/usr/bin/env python3
"""lint.py: house rules for schemas/*.avsc that no Avro parser checks.

Standard library only. Usage: python3 schemas/lint.py [schemas-dir]
Exit status 0 when clean, 1 with one line per problem otherwise.

Checks (see README.md for the why):
- file name <Name>.v<N>.avsc matches the schema's full name zengshou.<Name>,
  and versions of one name are numbered 1, 2, ... without gaps;
- every named type and every field has a non-empty doc;
- optional fields are ["null", T] with "default": null;
- money fields (*_fen) are long;
- timestamps (*_at, at) are long timestamp-millis;
- enums of the input contract carry exactly the contract's symbols;
- a named type used by several schemas is defined identically in the latest
  version of each of them (e.g. zengshou.IncomeComponent in IncomeRecord and
  Warning), so a change to it is made everywhere at once.
"""
import glob
import json
import os
import re
import sys

NS = "zengshou"

# The closed sets of the input contract (docs/CONTRACT.md, "Values").
CONTRACT = {
    "HouseholdCategory": ["STABLE", "UNSTABLE", "MARGINAL", "HARDSHIP"],
    "Relation": ["HEAD", "SPOUSE", "CHILD", "PARENT", "GRANDCHILD", "OTHER"],
    "Sex": ["M", "F"],
    "LaborClass": ["SKILLED", "ORDINARY", "WEAK", "LOST", "NONE"],
    "IncomeComponent": ["WAGE", "OPERATING", "PROPERTY", "TRANSFER", "EXPENSE"],
    "EmploymentStatus": ["MIGRANT_OUT_PROVINCE", "MIGRANT_IN_PROVINCE", "LOCAL",
                         "PUBLIC_WELFARE_JOB", "WORKSHOP", "SELF_EMPLOYED",
                         "UNEMPLOYED", "NOT_IN_LABOR_FORCE"],
    "SubsidyProgram": ["DIBAO", "TEKUN", "TEMP_RELIEF", "DISABILITY", "PENSION",
                       "FARMLAND", "FOREST", "YULU", "TRANSPORT", "INDUSTRY_REWARD",
                       "OTHER"],
    "SubsidyKind": ["DUE", "PAID"],
    "HardshipKind": ["MEDICAL", "DISASTER", "ACCIDENT", "EDUCATION", "OTHER"],
    "FollowUpAction": ["ACK", "MEASURE", "RESOLVED"],
}

FILE_RE = re.compile(r"^([A-Z][A-Za-z0-9]*)\.v([1-9][0-9]*)\.avsc$")


def full(name, ns):
    return name if "." in name else ns + "." + name


class Linter:
    def __init__(self):
        self.problems = []
        self.defs = {}  # full name -> definition, for one file

    def bad(self, where, msg):
        self.problems.append(f"{where}: {msg}")

    def base(self, t):
        """The non-null branch of an optional union, else t."""
        if isinstance(t, list) and len(t) == 2 and t[0] == "null":
            return t[1]
        return t

    def walk(self, t, where, ns):
        if isinstance(t, list):
            for b in t:
                self.walk(b, where, ns)
            return
        if not isinstance(t, dict):
            return
        kind = t.get("type")
        if kind in ("record", "error", "enum", "fixed"):
            ns = t.get("namespace", ns)
            name = full(t["name"], ns)
            ns = name.rsplit(".", 1)[0]
            where = f"{where} {name}"
            if not str(t.get("doc", "")).strip():
                self.bad(where, "named type without doc")
            self.defs[name] = t
            short = name.rsplit(".", 1)[1]
            if kind == "enum" and short in CONTRACT and t["symbols"] != CONTRACT[short]:
                self.bad(where, f"symbols {t['symbols']} are not the contract's "
                                f"{CONTRACT[short]}")
        if kind in ("record", "error"):
            for f in t["fields"]:
                fw = f"{where}.{f['name']}"
                if not str(f.get("doc", "")).strip():
                    self.bad(fw, "field without doc")
                ft = f["type"]
                if isinstance(ft, list) and "null" in ft:
                    if ft[0] != "null" or "default" not in f or f["default"] is not None:
                        self.bad(fw, 'optional field must be ["null", T] with "default": null')
                b = self.base(ft)
                if f["name"].endswith("_fen") and b != "long":
                    self.bad(fw, "money (_fen) must be long")
                if f["name"] == "at" or f["name"].endswith("_at"):
                    if not (isinstance(b, dict) and b.get("type") == "long"
                            and b.get("logicalType") == "timestamp-millis"):
                        self.bad(fw, "timestamp must be long timestamp-millis")
                self.walk(ft, fw, ns)
        elif kind == "array":
            self.walk(t["items"], where, ns)
        elif kind == "map":
            self.walk(t["values"], where, ns)
        elif isinstance(kind, (dict, list)):
            self.walk(kind, where, ns)


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    lint = Linter()
    versions = {}  # Name -> {N: path}
    for path in sorted(glob.glob(os.path.join(root, "*.avsc"))):
        base = os.path.basename(path)
        m = FILE_RE.match(base)
        if not m:
            lint.bad(base, "file name is not <Name>.v<N>.avsc")
            continue
        versions.setdefault(m.group(1), {})[int(m.group(2))] = path
    shared = {}  # full name -> (file, definition) over the latest versions
    for name, vs in sorted(versions.items()):
        if sorted(vs) != list(range(1, len(vs) + 1)):
            lint.bad(name, f"versions {sorted(vs)} are not 1..{len(vs)}")
        for n, path in sorted(vs.items()):
            base = os.path.basename(path)
            try:
                with open(path, encoding="utf-8") as fh:
                    schema = json.load(fh)
            except (OSError, ValueError) as e:
                lint.bad(base, f"not JSON: {e}")
                continue
            got = full(schema.get("name", ""), schema.get("namespace", ""))
            if got != f"{NS}.{name}":
                lint.bad(base, f"full name {got!r} is not {NS}.{name!r}")
            lint.defs = {}
            lint.walk(schema, base, "")
            if n != max(vs):
                continue
            for tname, t in lint.defs.items():
                if tname == got:
                    continue
                if tname in shared and shared[tname][1] != t:
                    lint.bad(base, f"{tname} differs from its definition in "
                                   f"{shared[tname][0]}")
                shared.setdefault(tname, (base, t))
    for enum in CONTRACT:
        if f"{NS}.{enum}" not in shared:
            lint.bad("schemas", f"contract enum {enum} is defined nowhere")
    for p in lint.problems:
        print(p)
    return 1 if lint.problems else 0


if __name__ == "__main__":
    sys.exit(main())
