#!/usr/bin/env python3
"""gen_datums.py: random datums of an Avro schema, in Avro's JSON encoding.

Standard library only; used by tests/interop/run.sh. Usage:

    gen_datums.py [--seed S] [-n N] [--no-coverage-check] SCHEMA.avsc > OUT.jsonl

Writes N datums (default 200), one JSON value per line, in Avro's JSON
encoding (unions as null or {"<branch name>": value} with the full name for
named types, bytes and fixed as strings of code points U+0000..U+00FF, enums
as their symbol, logical types as their underlying type). The output depends
only on the schema, --seed and N.

Every choice point of the schema (each union, enum, array/map length and the
value classes of each primitive) is drawn from a shuffled bag: all of the bag's
entries are used before any repeats, separately for each place (path) in the
schema. So over a run every branch of every union (null and non-null), every
enum symbol, empty and non-empty arrays and maps, and every value class below
appear, wherever the place is reached often enough. At the end the generator
checks that each bag it drew from was used up at least once and exits 1 with
the places that were not (raise N) unless --no-coverage-check is given.

Value classes: int/long minimum, maximum, 0, -1, 1, small and random values;
timestamp-millis realistic instants 2000-2100, the epoch, before 1970, and the
long extremes; float/double extremes, subnormals, -0.0 and random values (floats
exactly representable as float32); strings empty, ASCII, Chinese (including a
character outside the BMP), JSON escapes and control characters, Latin-1, long;
never U+0000 in a string or map key (our C encoder rejects strings with NUL);
bytes empty, all 256 values 0x00..0xff in one value, only 0x00, only 0xff,
random; fixed of the exact size (all zeros, all 0xff, a run covering
0x00..0xff across the bag, random). Lines alternate between raw UTF-8 and
\\u-escaped ASCII JSON, so both readers' escape handling is exercised.
"""
import argparse
import json
import os
import random
import struct
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import avsc  # noqa: E402

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
LONG_MIN, LONG_MAX = -(2**63), 2**63 - 1
FLT_MAX = struct.unpack("<f", struct.pack("<I", 0x7F7FFFFF))[0]
FLT_MIN_NORMAL = struct.unpack("<f", struct.pack("<I", 0x00800000))[0]
FLT_MIN_SUB = struct.unpack("<f", struct.pack("<I", 0x00000001))[0]
DBL_MAX = sys.float_info.max
DBL_MIN_NORMAL = sys.float_info.min
DBL_MIN_SUB = 5e-324
MAX_DEPTH = 12  # recursive schemas: beyond this, prefer null branches, empty arrays and maps

MS_2000 = 946684800000  # 2000-01-01T00:00:00Z
MS_2100 = 4102444800000  # 2100-01-01T00:00:00Z
MS_1900 = -2208988800000  # 1900-01-01T00:00:00Z

CHINESE = "广西壮族自治区南宁市青秀区农户收入监测预警防止返贫致贫"
CHINESE_WORDS = ["广西", "壮族", "农户", "收入", "预警", "务工", "低保", "特困",
                 "南宁", "百色", "河池", "柳州", "桂林", "增收", "帮扶", "监测"]
ASCII_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_- ./:;=#@"
FIXED_STRINGS = [
    "广西壮族自治区",
    "zs-monitor/3",
    "quote\" backslash\\ slash/ newline\n tab\t cr\r",
    "控制字符\u0001\u0002\u001f\u007f 结束",
    "latin-1 \u00a0\u00e9\u00ff \u0080",
    "U+2028\u2028U+2029\u2029 BOM\ufeff replacement\ufffd",
    "CJK Ext-B \U00020000\U0002A6D6 emoji \U0001F600 max \U0010FFFF",
    "noncharacter \uffff\ufffe end",
    " leading and trailing spaces ",
]


def f32(x):
    """x rounded to the nearest float32, as a Python float (exact in both encoders)."""
    return struct.unpack("<f", struct.pack("<f", x))[0]


class Generator:
    def __init__(self, rng, nul_bytes=True):
        self.rng = rng
        self.nul_bytes = nul_bytes
        self.bags = {}  # path -> [remaining entries, entry count, completed cycles]

    def draw(self, path, entries):
        """The next entry of the shuffled bag at path (entries: a fresh list)."""
        bag = self.bags.get(path)
        if bag is None:
            bag = self.bags[path] = [[], len(entries), 0]
        if not bag[0]:
            items = list(entries)
            self.rng.shuffle(items)
            bag[0] = items
        entry = bag[0].pop()
        if not bag[0]:
            bag[2] += 1
        return entry

    def incomplete(self):
        return sorted(p for p, (_, n, cycles) in self.bags.items() if cycles == 0)

    # ---- primitives ----

    def string(self, path, key=False):
        r = self.rng
        kind = self.draw(path, ["empty", "ascii", "chinese", "mixed", "fixed", "fixed",
                                "fixed", "long"] if not key else
                         ["empty", "ascii", "chinese", "mixed", "fixed"])
        if kind == "empty":
            return ""
        if kind == "ascii":
            return "".join(r.choice(ASCII_ALPHABET) for _ in range(r.randint(1, 24)))
        if kind == "chinese":
            return "".join(r.choice(CHINESE_WORDS) for _ in range(r.randint(1, 8)))
        if kind == "mixed":
            parts = [r.choice(CHINESE_WORDS), r.choice(ASCII_ALPHABET),
                     chr(r.randint(1, 0x1F)), chr(r.randint(0x80, 0x7FF)),
                     chr(r.randint(0x800, 0xD7FF)), chr(r.randint(0x10000, 0x2FFFF))]
            r.shuffle(parts)
            return "".join(parts)
        if kind == "fixed":
            return r.choice(FIXED_STRINGS)
        return CHINESE * r.randint(20, 60) + "".join(
            r.choice(ASCII_ALPHABET) for _ in range(r.randint(0, 300)))

    def bytes_value(self, path):
        r = self.rng
        kind = self.draw(path, ["empty", "all256", "nul", "ff", "random", "random",
                                "utf8", "nuls"])
        if kind == "empty":
            data = b""
        elif kind == "all256":
            data = bytes(range(256)) if r.random() < 0.5 else bytes(range(255, -1, -1))
        elif kind == "nul":
            data = b"\x00"
        elif kind == "ff":
            data = b"\xff"
        elif kind == "random":
            data = bytes(r.randrange(256) for _ in range(r.randint(1, 64)))
        elif kind == "utf8":
            data = "身份证号 ****1234".encode("utf-8")
        else:
            data = b"\x00\x00ab\x00\xc3\x01\x00"
        return self.latin1(data)

    def fixed_value(self, t, path):
        r, n = self.rng, t.size
        kind = self.draw(path, ["zeros", "ffs", "run", "random", "random"])
        if kind == "zeros":
            data = b"\x00" * n
        elif kind == "ffs":
            data = b"\xff" * n
        elif kind == "run":
            start = r.randrange(256)
            data = bytes((start + i) % 256 for i in range(n))
        else:
            data = bytes(r.randrange(256) for _ in range(n))
        return self.latin1(data)

    def latin1(self, data):
        """bytes/fixed in Avro's JSON encoding: one code point per byte."""
        if not self.nul_bytes:
            data = data.replace(b"\x00", b"\x01")
        return data.decode("latin-1")

    def int_value(self, path):
        r = self.rng
        kind = self.draw(path, ["min", "max", "zero", "minus1", "one", "small", "random",
                                "random"])
        if kind == "random":
            return r.randint(INT_MIN, INT_MAX)
        return {"min": INT_MIN, "max": INT_MAX, "zero": 0, "minus1": -1, "one": 1,
                "small": r.randint(-1000, 1000)}[kind]

    def long_value(self, t, path):
        r = self.rng
        if t.logical in ("timestamp-millis", "local-timestamp-millis"):
            kind = self.draw(path, ["now", "now", "now", "epoch", "before1970", "min", "max"])
            return {"now": r.randint(MS_2000, MS_2100), "epoch": 0,
                    "before1970": r.randint(MS_1900, -1), "min": LONG_MIN,
                    "max": LONG_MAX}[kind]
        if t.logical in ("timestamp-micros", "local-timestamp-micros"):
            kind = self.draw(path, ["now", "now", "epoch", "min", "max"])
            return {"now": r.randint(MS_2000, MS_2100) * 1000, "epoch": 0, "min": LONG_MIN,
                    "max": LONG_MAX}[kind]
        kind = self.draw(path, ["min", "max", "zero", "minus1", "one", "int32", "small",
                                "random", "random"])
        if kind == "random":
            return r.randint(LONG_MIN, LONG_MAX)
        return {"min": LONG_MIN, "max": LONG_MAX, "zero": 0, "minus1": -1, "one": 1,
                "int32": r.choice([INT_MIN - 1, INT_MAX + 1, INT_MIN, INT_MAX]),
                "small": r.randint(-100000, 100000)}[kind]

    def float_value(self, path):
        r = self.rng
        kind = self.draw(path, ["zero", "negzero", "max", "negmax", "minnormal", "subnormal",
                                "half", "random", "random"])
        return {"zero": 0.0, "negzero": -0.0, "max": FLT_MAX, "negmax": -FLT_MAX,
                "minnormal": FLT_MIN_NORMAL, "subnormal": FLT_MIN_SUB, "half": -2.5,
                "random": f32(r.uniform(-1e6, 1e6))}[kind]

    def double_value(self, path):
        r = self.rng
        kind = self.draw(path, ["zero", "negzero", "max", "negmax", "minnormal", "subnormal",
                                "tenth", "random", "random", "big"])
        return {"zero": 0.0, "negzero": -0.0, "max": DBL_MAX, "negmax": -DBL_MAX,
                "minnormal": DBL_MIN_NORMAL, "subnormal": DBL_MIN_SUB, "tenth": 0.1,
                "random": r.uniform(-1e9, 1e9),
                "big": r.uniform(-1, 1) * 10.0 ** r.randint(-300, 300)}[kind]

    # ---- the walk ----

    def value(self, t, path, depth, outer=None):
        """A datum of t; path names the place (bags are per place), outer
        maps the records being generated to their places: a record met again
        inside itself (a recursive type) draws from its outer place's bags."""
        k = t.kind
        outer = outer or {}
        if k == "null":
            return None
        if k == "boolean":
            return self.draw(path, [True, False])
        if k == "int":
            return self.int_value(path)
        if k == "long":
            return self.long_value(t, path)
        if k == "float":
            return self.float_value(path)
        if k == "double":
            return self.double_value(path)
        if k == "string":
            return self.string(path)
        if k == "bytes":
            return self.bytes_value(path)
        if k == "fixed":
            return self.fixed_value(t, path)
        if k == "enum":
            return self.draw(path, t.symbols)
        if k == "record":
            if t.name in outer:
                path = outer[t.name]
            else:
                outer = dict(outer, **{t.name: path})
            return {f.name: self.value(f.type, "%s.%s" % (path, f.name), depth + 1, outer)
                    for f in t.fields}
        if k == "array":
            n = 0 if depth > MAX_DEPTH else self.draw(path + "#len", [0, 1, 2, 3, "r"])
            if n == "r":
                n = self.rng.randint(0, 6)
            return [self.value(t.items, path + "[]", depth + 1, outer) for _ in range(n)]
        if k == "map":
            n = 0 if depth > MAX_DEPTH else self.draw(path + "#len", [0, 1, 2, 3, "r"])
            if n == "r":
                n = self.rng.randint(0, 6)
            out = {}
            for _ in range(n * 3):  # keys may repeat; a few tries to reach n distinct
                if len(out) == n:
                    break
                key = self.string(path + "{key}", key=True)
                if key not in out:
                    out[key] = self.value(t.values, path + "{}", depth + 1, outer)
            return out
        if k == "union":
            if depth > MAX_DEPTH and any(b.kind == "null" for b in t.branches):
                return None
            i = self.draw(path + "|", list(range(len(t.branches))))
            b = t.branches[i]
            if b.kind == "null":
                return None
            return {b.branch_name(): self.value(b, "%s<%s>" % (path, b.branch_name()), depth + 1,
                                                outer)}
        raise avsc.SchemaError("unsupported type %s at %s" % (k, path))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("schema", help="the .avsc file")
    ap.add_argument("-n", type=int, default=200, help="number of datums (default 200)")
    ap.add_argument("--seed", default="1", help="random seed (default 1)")
    ap.add_argument("--no-coverage-check", action="store_true",
                    help="do not fail when some union branch, enum symbol or value "
                         "class was not reached")
    ap.add_argument("--no-nul-bytes", action="store_true",
                    help="diagnosis only: write 0x01 wherever a bytes or fixed value would "
                         "hold 0x00, to see past a NUL-byte bug")
    args = ap.parse_args()
    try:
        top = avsc.load(args.schema)
    except (OSError, ValueError, KeyError, avsc.SchemaError) as e:
        print("gen_datums.py: %s: %s" % (args.schema, e), file=sys.stderr)
        return 2
    # A seed per schema name, so adding a schema does not change the others' datums.
    gen = Generator(random.Random("%s:%s" % (args.seed, top.name or top.kind)),
                    nul_bytes=not args.no_nul_bytes)
    out = sys.stdout
    for i in range(args.n):
        datum = gen.value(top, top.short_name or top.kind, 0)
        out.write(json.dumps(datum, ensure_ascii=bool(i % 2), separators=(",", ":")))
        out.write("\n")
    missing = gen.incomplete()
    if missing and not args.no_coverage_check:
        print("gen_datums.py: %s: %d datums do not use up every choice at: %s (raise -n)"
              % (args.schema, args.n, ", ".join(missing)), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
