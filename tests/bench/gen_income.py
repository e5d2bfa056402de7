#!/usr/bin/env python3
"""gen_income.py: the benchmark's income export, deterministic, and the same
rows pre-encoded as IncomeRecord messages for the baseline producer.

    gen_income.py --rows N --csv income.csv --framed income.bin --zs-cat PATH
    gen_income.py --check-json N          # rows as Avro JSON (for checks)
    gen_income.py --verify-consumed FILE  # zs-cat -J lines against the rows

Row i is a pure function of i (no random state), so any row can be made again
from its event_id (verify-consumed does that). Realistic values: 1.5 million
households (county code + 8 digits) of the region's counties, one month a block
of 1.5 million rows (2024-01, 2024-02, ...), five components with their own
ranges and sources, amounts with two decimals, reported_at with +08:00.

The framed file holds each message as zs-push sends it (4-byte big-endian
length, then the single-object encoding: C3 01, the schema fingerprint, the
Avro binary datum). The encoding is written here by hand, for speed; the
header (C3 01 + fingerprint) is taken from zs-cat --encode, and the first
rows are encoded by zs-cat too and must be byte-identical, else this exits 1.
"""
import argparse
import json
import multiprocessing
import os
import struct
import subprocess
import sys

HOUSEHOLDS = 1_500_000
COMPONENTS = ["WAGE", "OPERATING", "PROPERTY", "TRANSFER", "EXPENSE"]  # enum order
HEADER_ROW = "event_id,household_id,year,month,component,amount_yuan,source,reported_at\n"


def days_from_civil(y, m, d):
    """Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant)."""
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def load_counties():
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "..", "data", "guangxi-counties.csv")
    with open(path, encoding="utf-8") as f:
        next(f)
        return [line.split(",", 1)[0] for line in f if line.strip()]


COUNTIES = load_counties()
NCOUNTIES = len(COUNTIES)


TOD = [f"T{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}+08:00" for s in range(86400)]
_days = {}


def day_of(ry, rm, day):
    """The date's text and its midnight (+08:00) in epoch ms, cached."""
    k = (ry, rm, day)
    v = _days.get(k)
    if v is None:
        v = _days[k] = (f"{ry:04d}-{rm:02d}-{day:02d}",
                        (days_from_civil(ry, rm, day) * 86400 - 8 * 3600) * 1000)
    return v


# (component index, lowest fen, span in fen, source), x % 100 picks one.
KINDS = ([(0, 150000, 300000, "hrss")] * 45 +  # wages 1500-4500 yuan
         [(1, 20000, 500000, "agriculture")] * 20 +
         [(2, 1000, 50000, "statistics")] * 5 +
         [(3, 10000, 120000, "civil-affairs")] * 20 +
         [(4, 5000, 200000, "agriculture")] * 10)


def row(i):
    """Row i: (event_id, household_id, year, month, component index,
    amount in fen, source, reported_at text, reported_at epoch ms)."""
    period, j = divmod(i, HOUSEHOLDS)
    h = (j * 2654435761 + period * 7919) % HOUSEHOLDS  # a permutation within the block
    year, month = 2024 + period // 12, 1 + period % 12
    x = (i * 0x9E3779B1 + 0x7F4A7C15) & 0xFFFFFFFF
    x ^= x >> 15
    x = (x * 0x2C1B3C6D) & 0xFFFFFFFF
    x ^= x >> 12
    comp, lo, span, src = KINDS[x % 100]
    if (x >> 7) % 25 == 0:
        src = "survey"
    fen = lo + (x >> 9) % span
    date, midnight = day_of(year, month + 1, 1 + (x >> 3) % 28) if month < 12 else \
        day_of(year + 1, 1, 1 + (x >> 3) % 28)
    secs = (x >> 5) % 86400
    return (f"IN{year:04d}{month:02d}-{i:09d}", f"{COUNTIES[h % NCOUNTIES]}{h:08d}", year, month,
            comp, fen, src, date + TOD[secs], midnight + secs * 1000)


def csv_line(r):
    eid, hid, year, month, comp, fen, src, text, _ = r
    return f"{eid},{hid},{year},{month},{COMPONENTS[comp]},{fen // 100}.{fen % 100:02d},{src},{text}\n"


def avro_json(r):
    eid, hid, year, month, comp, fen, src, _, ms = r
    return {"event_id": eid, "household_id": hid, "year": year, "month": month,
            "component": COMPONENTS[comp], "amount_fen": fen, "source": src, "reported_at": ms}


def varint(n):
    """Avro long: zigzag, then base-128 little-endian."""
    z = (n << 1) ^ (n >> 63)
    out = bytearray()
    while z > 0x7F:
        out.append((z & 0x7F) | 0x80)
        z >>= 7
    out.append(z)
    return bytes(out)


def avro_str(s):
    b = s.encode()
    return varint(len(b)) + b


SMALL = [varint(n) for n in range(128)]


def ms6(n):
    """varint(n) for 2**34 <= n < 2**41: always six bytes (a timestamp)."""
    z = n << 1
    return bytes((z & 127 | 128, z >> 7 & 127 | 128, z >> 14 & 127 | 128, z >> 21 & 127 | 128,
                  z >> 28 & 127 | 128, z >> 35))
_fen = {}
YEARS = {y: varint(y) for y in range(2000, 2101)}


def message(header, r):
    eid, hid, year, month, comp, fen, src, _, ms = r
    e, h, s = eid.encode(), hid.encode(), src.encode()
    f = _fen.get(fen)
    if f is None:
        f = _fen[fen] = varint(fen)
    return b"".join((header, SMALL[len(e)] if len(e) < 64 else varint(len(e)), e,
                     SMALL[len(h)] if len(h) < 64 else varint(len(h)), h, YEARS.get(year) or varint(year),
                     SMALL[month], SMALL[comp], f, SMALL[len(s)], s, ms6(ms) if 1 << 34 <= ms < 1 << 41 else varint(ms)))


def read_framed(data):
    out, off = [], 0
    while off < len(data):
        (n,) = struct.unpack_from(">I", data, off)
        out.append(data[off + 4:off + 4 + n])
        off += 4 + n
    return out


def zs_cat_encode(zs_cat, rows):
    text = "".join(json.dumps(avro_json(r)) + "\n" for r in rows)
    res = subprocess.run([zs_cat, "--encode", "IncomeRecord"], input=text.encode(),
                         stdout=subprocess.PIPE, check=True)
    return read_framed(res.stdout)


def chunk(job):
    """Rows start..end-1: their CSV text, their framed messages, value and key bytes."""
    header, start, end = job
    lines, frames = [], []
    vb = kb = 0
    pack = struct.Struct(">I").pack
    for i in range(start, end):
        r = row(i)
        lines.append(csv_line(r))
        m = message(header, r)
        frames.append(pack(len(m)))
        frames.append(m)
        vb += len(m)
        kb += len(r[1])
    return "".join(lines), b"".join(frames), vb, kb


def generate(args):
    check = [row(i) for i in range(min(args.rows, 2000))]
    ref = zs_cat_encode(args.zs_cat, check)
    header = ref[0][:10]
    if header[:2] != b"\xc3\x01":
        sys.exit("gen_income: zs-cat --encode wrote no single-object header")
    for i, r in enumerate(check):
        if message(header, r) != ref[i]:
            sys.exit(f"gen_income: row {i}: hand encoding differs from zs-cat --encode:\n"
                     f"  mine   {message(header, r).hex()}\n  zs-cat {ref[i].hex()}")
    step = 50_000
    chunks = [(header, s, min(s + step, args.rows)) for s in range(0, args.rows, step)]
    vbytes = kbytes = 0
    with open(args.csv, "w", encoding="ascii", newline="") as fc, open(args.framed, "wb") as fb, \
            multiprocessing.Pool(args.jobs) as pool:
        fc.write(HEADER_ROW)
        for text, frames, vb, kb in pool.imap(chunk, chunks):
            fc.write(text)
            fb.write(frames)
            vbytes += vb
            kbytes += kb
    print(f"rows={args.rows} value_bytes_mean={vbytes / max(args.rows, 1):.1f} "
          f"key_bytes_mean={kbytes / max(args.rows, 1):.1f}")


def verify_consumed(path, want_rows):
    """zs-cat -J lines: each value must equal the row its event_id names, and
    the key its household_id."""
    n = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = json.loads(line)
            v = m["value"]
            i = int(v["event_id"].split("-", 1)[1])
            if i >= want_rows:
                sys.exit(f"gen_income: consumed row {i} beyond {want_rows} rows")
            want = avro_json(row(i))
            if v != want or m.get("key") != want["household_id"]:
                sys.exit(f"gen_income: consumed message differs from row {i}:\n"
                         f"  got  {json.dumps(m)}\n  want {json.dumps(want)}")
            n += 1
    if n == 0:
        sys.exit("gen_income: nothing consumed to verify")
    print(f"verified={n}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=5_000_000)
    ap.add_argument("--csv")
    ap.add_argument("--framed")
    ap.add_argument("--zs-cat")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--check-json", type=int, metavar="N", help="print N rows as Avro JSON")
    ap.add_argument("--verify-consumed", metavar="FILE", help="zs-cat -J output to check")
    args = ap.parse_args()
    if args.check_json is not None:
        for i in range(args.check_json):
            print(json.dumps(avro_json(row(i))))
    elif args.verify_consumed:
        verify_consumed(args.verify_consumed, args.rows)
    elif args.csv and args.framed and args.zs_cat:
        generate(args)
    else:
        ap.error("give --csv, --framed and --zs-cat, or --check-json, or --verify-consumed")


if __name__ == "__main__":
    main()
