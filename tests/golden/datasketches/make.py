#!/usr/bin/env python3
"""Writes the golden DataSketches HLL sketches tests/interop_datasketches.rs checks lessram against.

    python3 -m venv target/ds-venv && target/ds-venv/bin/pip install datasketches
    target/ds-venv/bin/python tests/golden/datasketches/make.py tests/golden/datasketches

For each token set in SETS it builds a sketch with the `datasketches` package (Apache
DataSketches' C++ library) for each target type (HLL_4, HLL_6, HLL_8), updating it with every
token twice, and writes both serializations: <name>.<type>.compact and <name>.<type>.updatable.
`sketches.txt` lists, per file, the sketch's parameters and the estimate DataSketches reports
(as a float and as its exact bits). `promotion.txt` records, per lg_k from 8 to 21, the HIP
accumulator DataSketches starts its HLL mode from (its coupon estimate of the 3k/32 + 1
coupons it held), read from a sketch serialized right after the switch.

Token formats: "s:FMT" is the string FMT with {} replaced by the index (str.update: its UTF-8
bytes), "i:A*x+B" the integer A*index + B (int.update: 8 little-endian bytes). A "union" set is
the union of two halves (even and odd indexes), which DataSketches marks out of order; a
"full" set a sketch made with start_full_size=True (in HLL mode from its first item).
"""
import os
import struct
import sys

import datasketches as ds

TYPES = {"HLL_4": ds.tgt_hll_type.HLL_4, "HLL_6": ds.tgt_hll_type.HLL_6, "HLL_8": ds.tgt_hll_type.HLL_8}
# name, lg_k, token format, distinct tokens, how: "stream" (every token twice), "union" or "full"
SETS = [
    ("empty", 12, "s:w{}", 0, "stream"),
    ("list", 12, "s:w{}", 5, "stream"),
    ("set", 12, "s:w{}", 300, "stream"),
    ("hll", 12, "s:w{}", 20000, "stream"),
    ("utf8", 10, "s:ünïcødé-{}", 3000, "stream"),
    ("ints", 14, "i:7919*x+-1000000", 60000, "stream"),
    ("small-list", 5, "s:w{}", 6, "stream"),
    ("small-hll", 5, "s:w{}", 100, "stream"),
    ("union", 12, "s:w{}", 30000, "union"),
    ("full-size", 12, "s:w{}", 10, "full"),
]


def tokens(fmt, n):
    kind, spec = fmt.split(":", 1)
    if kind == "s":
        return [spec.replace("{}", str(j)) for j in range(n)]
    a, b = spec.split("*x+")
    return [int(a) * j + int(b) for j in range(n)]


def build(lg_k, tgt, toks, how):
    if how in ("stream", "full"):
        sk = ds.hll_sketch(lg_k, tgt, how == "full")
        for t in toks + toks:
            sk.update(t)
        return sk
    halves = [ds.hll_sketch(lg_k, tgt), ds.hll_sketch(lg_k, tgt)]
    for j, t in enumerate(toks):
        halves[j % 2].update(t)
    u = ds.hll_union(lg_k)
    for h in halves:
        u.update(h)
    return u.get_result(tgt)


def mode(b):
    return ["LIST", "SET", "HLL"][b[7] & 3]


def promotion_hip(lg_k):
    """The HIP accumulator right after the SET -> HLL switch at lg_k."""
    limit = (3 << lg_k) // 32 if lg_k >= 8 else 7
    sk = ds.hll_sketch(lg_k, ds.tgt_hll_type.HLL_8)
    for j in range(limit + 100):
        sk.update(f"p{j}")
        if j + 1 >= limit:
            b = sk.serialize_compact()
            if b[7] & 3 == 2:
                return j + 1, struct.unpack("<d", b[8:16])[0]
    raise RuntimeError(f"lg_k {lg_k}: no switch to HLL")


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    lines = ["# file lg_k tokens distinct how mode ooo estimate estimate-bits; written by make.py"]
    for name, lg_k, fmt, n, how in SETS:
        toks = tokens(fmt, n)
        for tname, tgt in TYPES.items():
            sk = build(lg_k, tgt, toks, how)
            for form, b in [("compact", sk.serialize_compact()), ("updatable", sk.serialize_updatable())]:
                fname = f"{name}.{tname}.{form}"
                with open(os.path.join(out, fname), "wb") as f:
                    f.write(b)
                back = ds.hll_sketch.deserialize(b)
                e = back.get_estimate()
                assert e == sk.get_estimate()
                ooo = int(bool(b[5] & 16))
                bits = struct.unpack("<Q", struct.pack("<d", e))[0]
                lines.append(f"{fname} {lg_k} {fmt} {n} {how} {mode(b)} {ooo} {e!r} {bits:016x}")
    with open(os.path.join(out, "sketches.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    lines = ["# lg_k coupons-at-switch (8 from LIST below lg_k 8, 3k/32 + 1 from SET) hip hip-bits: DataSketches' HIP accumulator right after the switch to HLL"]
    for lg_k in range(4, 22):
        c, hip = promotion_hip(lg_k)
        bits = struct.unpack("<Q", struct.pack("<d", hip))[0]
        lines.append(f"{lg_k} {(3 << lg_k) // 32 + 1 if lg_k >= 8 else 8} {hip!r} {bits:016x}")
    with open(os.path.join(out, "promotion.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
