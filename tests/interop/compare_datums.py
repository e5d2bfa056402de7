#!/usr/bin/env python3
"""compare_datums.py: do two Avro implementations agree on a list of datums?

Standard library only; used by tests/interop/run.sh. Usage:

    compare_datums.py --writer W.avsc --reader R.avsc --expected IN.jsonl
                      --actual OUT.jsonl --label TEXT [--missing N,N,...]
                      [--short-branch-names]

IN.jsonl holds the datums that were written with W (Avro's JSON encoding, one
per line, as gen_datums.py makes them). OUT.jsonl holds what one
implementation printed after decoding them with reader schema R: one line per
datum, in order, except the datums listed in --missing (1-based line numbers
of IN.jsonl that the tools under test already reported as failures; they are
counted as failed, not compared).

Each expected datum is IN's datum resolved from W to R by the Avro
specification's rules (fields only in R take R's default, fields only in W are
dropped, enum symbols unknown to R take R's enum default, int/long/float
promotions, union branches re-chosen), so W == R means "unchanged". Datums
are compared as parsed JSON, walking R:

- float: equal as float32 (each side may print a float32 with its own digits);
  double: equal within a relative 1e-12;
- bytes and fixed: the strings' code points (so "\\u00ff" and a raw "ÿ" are
  the same byte), all of them U+0000..U+00FF, fixed of the exact size;
- unions: the branch by its Avro JSON name (full name for named types). With
  --short-branch-names the actual side may name a named type by its short name
  (avro-c does); the number of such values is reported.
- records: exactly R's fields; maps: the same keys; arrays: the same length.

Prints one summary line (compared/equal/failed, defaults used) and, on the
first difference, the path, both values, and both datums in full. Exit 0 when
every datum is present and equal, 1 otherwise, 2 on bad usage or input.
"""
import argparse
import json
import math
import os
import struct
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import avsc  # noqa: E402


class Mismatch(Exception):
    def __init__(self, path, msg, expected=None, actual=None):
        super().__init__(msg)
        self.path, self.msg, self.expected, self.actual = path, msg, expected, actual


class ResolveError(Exception):
    pass


# ---- resolution (writer datum in Avro JSON encoding -> reader datum) ----

def _names_match(w, r):
    if w.kind != r.kind:
        return False
    if w.name is None:
        return True
    return (w.short_name == r.short_name or w.name == r.name or w.name in r.aliases
            or w.short_name in [a.rsplit(".", 1)[-1] for a in r.aliases])


def _resolvable(w, r):
    if w.kind == r.kind:
        if w.kind == "fixed":
            return _names_match(w, r) and w.size == r.size
        return _names_match(w, r)
    return (w.kind, r.kind) in {("int", "long"), ("int", "float"), ("int", "double"),
                                ("long", "float"), ("long", "double"), ("float", "double"),
                                ("string", "bytes"), ("bytes", "string")}


def _reader_branch(w, r_union):
    """The first branch of r_union that w resolves to: an exact match first."""
    for i, b in enumerate(r_union.branches):
        if b.kind == w.kind and _resolvable(w, b):
            return i
    for i, b in enumerate(r_union.branches):
        if _resolvable(w, b):
            return i
    raise ResolveError("a %s has no branch in reader union %s"
                       % (w.branch_name(), [b.branch_name() for b in r_union.branches]))


def _wrap(r_union, i, value):
    b = r_union.branches[i]
    return None if b.kind == "null" else {b.branch_name(): value}


def writer_branch(union, datum):
    """(branch index, inner value) of a union datum in Avro's JSON encoding."""
    if datum is None:
        for i, b in enumerate(union.branches):
            if b.kind == "null":
                return i, None
        raise ResolveError("null for a union without null")
    (key, inner), = datum.items()
    for i, b in enumerate(union.branches):
        if b.branch_name() == key:
            return i, inner
    raise ResolveError("no branch %r" % key)


def default_to_encoding(t, d):
    """A field default (plain JSON, union = first branch) in Avro's JSON encoding."""
    if t.kind == "union":
        return _wrap(t, 0, default_to_encoding(t.branches[0], d))
    if t.kind == "record":
        out = {}
        for f in t.fields:
            if f.name in d:
                out[f.name] = default_to_encoding(f.type, d[f.name])
            elif f.has_default:
                out[f.name] = default_to_encoding(f.type, f.default)
            else:
                raise ResolveError("default of record %s lacks field %s" % (t.name, f.name))
        return out
    if t.kind == "array":
        return [default_to_encoding(t.items, x) for x in d]
    if t.kind == "map":
        return {k: default_to_encoding(t.values, v) for k, v in d.items()}
    if t.kind in ("float", "double") and isinstance(d, int):
        return float(d)
    return d


class Resolver:
    def __init__(self):
        self.defaults = {}  # "Record.field" -> default (encoding) used, for the report

    def resolve(self, w, r, v):
        if w.kind == "union":
            i, inner = writer_branch(w, v)
            return self.resolve(w.branches[i], r, inner)
        if r.kind == "union":
            i = _reader_branch(w, r)
            return _wrap(r, i, self.resolve(w, r.branches[i], v))
        if not _resolvable(w, r):
            raise ResolveError("a written %s cannot be read as %s"
                               % (w.branch_name(), r.branch_name()))
        k = w.kind
        if k == "record":
            out = {}
            for rf in r.fields:
                wf = next((f for f in w.fields if f.name == rf.name or f.name in rf.aliases),
                          None)
                if wf is not None:
                    out[rf.name] = self.resolve(wf.type, rf.type, v[wf.name])
                elif rf.has_default:
                    out[rf.name] = default_to_encoding(rf.type, rf.default)
                    self.defaults["%s.%s" % (r.short_name, rf.name)] = out[rf.name]
                else:
                    raise ResolveError("%s.%s is not written and has no default"
                                       % (r.name, rf.name))
            return out
        if k == "enum":
            if v in r.symbols:
                return v
            if r.default is not None:
                return r.default
            raise ResolveError("symbol %s unknown to reader enum %s" % (v, r.name))
        if k == "array":
            return [self.resolve(w.items, r.items, x) for x in v]
        if k == "map":
            return {key: self.resolve(w.values, r.values, x) for key, x in v.items()}
        if (k, r.kind) == ("string", "bytes"):
            return v.encode("utf-8").decode("latin-1")
        if (k, r.kind) == ("bytes", "string"):
            return v.encode("latin-1").decode("utf-8")
        if r.kind in ("float", "double") and k in ("int", "long", "float"):
            return float(v)
        return v


# ---- comparison ----

def f32(x):
    try:
        return struct.unpack("<f", struct.pack("<f", x))[0]
    except OverflowError:
        return math.copysign(math.inf, x)


def _show(v, limit=200):
    s = json.dumps(v, ensure_ascii=True)
    return s if len(s) <= limit else s[:limit] + "...(%d chars)" % len(s)


class Comparer:
    def __init__(self, short_branch_names):
        self.short_branch_names = short_branch_names
        self.short_names_seen = 0

    def same(self, t, e, a, path):
        k = t.kind

        def fail(msg):
            raise Mismatch(path, msg, e, a)

        if k == "null":
            if a is not None:
                fail("null expected")
        elif k == "boolean":
            if not isinstance(a, bool) or a != e:
                fail("booleans differ")
        elif k in ("int", "long"):
            if isinstance(a, bool) or not isinstance(a, int) or a != e:
                fail("%ss differ" % k)
        elif k in ("float", "double"):
            if isinstance(a, bool) or not isinstance(a, (int, float)):
                fail("not a number")
            if k == "float":
                ok = f32(float(a)) == f32(float(e))
            else:
                ok = float(a) == float(e) or math.isclose(float(a), float(e), rel_tol=1e-12)
            if not ok:
                fail("%ss differ" % k)
        elif k in ("string", "enum"):
            if not isinstance(a, str) or a != e:
                fail("strings differ" if k == "string" else "enum symbols differ")
        elif k in ("bytes", "fixed"):
            if not isinstance(a, str):
                fail("bytes/fixed not a string")
            bad = [c for c in a if ord(c) > 0xFF]
            if bad:
                fail("code point U+%04X above U+00FF in %s" % (ord(bad[0]), k))
            if k == "fixed" and len(a) != t.size:
                fail("fixed %s of %d bytes, not %d" % (t.name, len(a), t.size))
            if a != e:
                fail("%s differ (%d vs %d bytes)" % (k, len(e), len(a)))
        elif k == "record":
            if not isinstance(a, dict):
                fail("record %s not an object" % t.name)
            names = [f.name for f in t.fields]
            extra = sorted(set(a) - set(names))
            missing = [n for n in names if n not in a]
            if extra or missing:
                fail("record %s: fields missing %s, unexpected %s" % (t.name, missing, extra))
            for f in t.fields:
                self.same(f.type, e[f.name], a[f.name], "%s.%s" % (path, f.name))
        elif k == "array":
            if not isinstance(a, list):
                fail("array not a JSON array")
            if len(a) != len(e):
                fail("arrays of %d and %d items" % (len(e), len(a)))
            for i, (x, y) in enumerate(zip(e, a)):
                self.same(t.items, x, y, "%s[%d]" % (path, i))
        elif k == "map":
            if not isinstance(a, dict):
                fail("map not an object")
            if set(a) != set(e):
                fail("map keys differ: missing %s, unexpected %s"
                     % (_show(sorted(set(e) - set(a))), _show(sorted(set(a) - set(e)))))
            for key in e:
                self.same(t.values, e[key], a[key], "%s[%s]" % (path, json.dumps(key)))
        elif k == "union":
            ei, ev = writer_branch(t, e)
            if a is None:
                ai, av = self._null_branch(t, fail), None
            elif isinstance(a, dict) and len(a) == 1:
                (key, av), = a.items()
                ai = self._branch_by_name(t, key, fail)
            else:
                fail("union value neither null nor a one-key object")
            if ai != ei:
                fail("union branches differ: %s vs %s"
                     % (t.branches[ei].branch_name(), t.branches[ai].branch_name()))
            self.same(t.branches[ei], ev, av, "%s<%s>" % (path, t.branches[ei].branch_name()))
        else:
            fail("unsupported type %s" % k)

    @staticmethod
    def _null_branch(t, fail):
        for i, b in enumerate(t.branches):
            if b.kind == "null":
                return i
        fail("null for a union without null")

    def _branch_by_name(self, t, key, fail):
        for i, b in enumerate(t.branches):
            if b.branch_name() == key:
                return i
        if self.short_branch_names:
            hits = [i for i, b in enumerate(t.branches) if b.name and b.short_name == key]
            if len(hits) == 1:
                self.short_names_seen += 1
                return hits[0]
        fail("union branch name %r is none of %s"
             % (key, [b.branch_name() for b in t.branches]))


def read_lines(path):
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        return [line.rstrip("\n") for line in f if line.strip()]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--writer", required=True)
    ap.add_argument("--reader", required=True)
    ap.add_argument("--expected", required=True)
    ap.add_argument("--actual", required=True)
    ap.add_argument("--label", default="actual", help="who printed --actual, for messages")
    ap.add_argument("--missing", default="", help="1-based lines of --expected with no output")
    ap.add_argument("--short-branch-names", action="store_true")
    args = ap.parse_args()
    try:
        w, r = avsc.load(args.writer), avsc.load(args.reader)
        inputs = read_lines(args.expected)
        outputs = read_lines(args.actual)
    except (OSError, ValueError, KeyError, avsc.SchemaError) as e:
        print("compare_datums.py: %s" % e)
        return 2
    missing = sorted({int(x) for x in args.missing.split(",") if x.strip()})
    missing_set = set(missing)
    resolver, comparer = Resolver(), Comparer(args.short_branch_names)
    equal, failed, first = 0, len(missing), None
    out_i = 0
    for n, line in enumerate(inputs, 1):
        if n in missing_set:
            continue
        try:
            expected = resolver.resolve(w, r, json.loads(line))
        except (ValueError, KeyError, TypeError, AttributeError, ResolveError) as e:
            print("compare_datums.py: %s:%d: cannot resolve the input datum: %s"
                  % (args.expected, n, e))
            return 2
        if out_i >= len(outputs):
            failed += 1
            if first is None:
                first = (n, line, expected, None, Mismatch(
                    "$", "%s printed %d datums for %d inputs; none for this one"
                    % (args.label, len(outputs), len(inputs) - len(missing))))
            continue
        raw = outputs[out_i]
        out_i += 1
        try:
            actual = json.loads(raw)
            comparer.same(r, expected, actual, "$")
            equal += 1
        except ValueError as e:
            failed += 1
            if first is None:
                first = (n, line, expected, raw, Mismatch("$", "not JSON: %s" % e))
        except Mismatch as m:
            failed += 1
            if first is None:
                first = (n, line, expected, raw, m)
    extra = len(outputs) - out_i
    if extra > 0:
        failed += extra
        if first is None:
            first = (None, None, None, outputs[out_i],
                     Mismatch("$", "%d datums printed beyond the inputs" % extra))

    total = len(inputs)
    notes = []
    if resolver.defaults:
        notes.append("defaults " + ", ".join("%s=%s" % (k, json.dumps(v, ensure_ascii=False))
                                             for k, v in sorted(resolver.defaults.items())))
    if comparer.short_names_seen:
        notes.append("%d union values named by short name" % comparer.short_names_seen)
    print("%d/%d equal%s%s" % (equal, total, ", %d failed" % failed if failed else "",
                               " (%s)" % "; ".join(notes) if notes else ""))
    if first is not None:
        n, line, expected, raw, m = first
        where = "input line %d" % n if n else "after the last input"
        print("  first difference, %s, at %s: %s" % (where, m.path, m.msg))
        if m.expected is not None or m.actual is not None:
            print("    expected value: %s" % _show(m.expected))
            print("    %s value: %s" % (args.label, _show(m.actual)))
        if line is not None:
            print("    input datum:    %s" % line)
            if json.loads(line) != expected:
                print("    expected datum: %s" % json.dumps(expected, ensure_ascii=False))
        print("    %s datum: %s" % (args.label, raw if raw is not None else "(none)"))
    if len(outputs) != len(inputs) - len(missing):
        print("  %s printed %d datums for %d inputs%s" % (
            args.label, len(outputs), len(inputs) - len(missing),
            " (not counting the %d reported failures)" % len(missing) if missing else ""))
    if missing:
        print("  %d input lines had no output (reported above): %s%s"
              % (len(missing), ",".join(map(str, missing[:20])),
                 ",..." if len(missing) > 20 else ""))
    return 0 if failed == 0 and equal == total else 1


if __name__ == "__main__":
    sys.exit(main())
