#!/usr/bin/env python3
"""Writes the golden DataSketches Theta sketches tests/interop_theta.rs checks lessram against.

    python3 -m venv target/ds-venv && target/ds-venv/bin/pip install datasketches
    target/ds-venv/bin/python tests/golden/theta/make.py tests/golden/theta

For each entry of SETS it builds a sketch with the `datasketches` package (Apache DataSketches'
C++ library) from a token set, every token twice, and writes its compact serialization:
<name>.plain (serial version 3, `serialize()`) and, where listed, <name>.compressed
(`serialize(compress=True)`: version 4, or 3 where DataSketches keeps it). `sketches.txt`
lists, per file, the parameters and the estimate DataSketches reports (as a float and as its
exact bits).

Token formats: "s:FMT" is the string FMT with {} replaced by the index (its UTF-8 bytes),
"i:A*x+B" the integer A*index + B (8 little-endian bytes), "f:A*x+B" the float A*index + B
(8 little-endian bytes of the double). How: "trimmed" is `update_theta_sketch(lg_k)` after
`trim()`, compacted ordered; "untrimmed" the same without `trim()` (more than 2^lg_k hashes);
"unordered" that one compacted unordered; "union" `theta_union(lg_k)`'s result of two halves
(even and odd indexes); "sampled" an update sketch with p = 0.5; "intersection" the
intersection of the set with its indexes divisible by 3; "seed" a trimmed sketch made with
seed 1234 (its seed hash is not 9001's: lessram must refuse it).
"""
import os
import struct
import sys

import datasketches as ds

# name, lg_k, token format, distinct tokens, how, forms
SETS = [
    ("empty", 10, "s:w{}", 0, "trimmed", ["plain", "compressed"]),
    ("single", 10, "s:w{}", 1, "trimmed", ["plain", "compressed"]),
    ("exact", 10, "s:w{}", 100, "trimmed", ["plain", "compressed"]),
    ("estimation", 10, "s:w{}", 20000, "trimmed", ["plain", "compressed"]),
    ("untrimmed", 10, "s:w{}", 20000, "untrimmed", ["plain", "compressed"]),
    ("unordered", 10, "s:w{}", 20000, "unordered", ["plain"]),
    ("utf8", 8, "s:ünïcødé-{}-€", 3000, "trimmed", ["plain", "compressed"]),
    ("ints", 9, "i:7919*x+-1000000000", 30000, "trimmed", ["plain", "compressed"]),
    ("floats", 9, "f:0.37*x+-1000.5", 20000, "trimmed", ["plain", "compressed"]),
    ("small", 5, "s:w{}", 1000, "trimmed", ["plain", "compressed"]),
    ("union", 10, "s:w{}", 30000, "union", ["plain", "compressed"]),
    ("sampled", 10, "s:w{}", 1000, "sampled", ["plain", "compressed"]),
    ("intersection", 10, "s:w{}", 30000, "intersection", ["plain", "compressed"]),
    ("seed-1234", 10, "s:w{}", 100, "seed", ["plain", "compressed"]),
]


def tokens(fmt, n):
    kind, spec = fmt.split(":", 1)
    if kind == "s":
        return [spec.replace("{}", str(j)) for j in range(n)]
    a, b = spec.split("*x+")
    if kind == "i":
        return [int(a) * j + int(b) for j in range(n)]
    return [float(a) * j + float(b) for j in range(n)]


def update(sk, toks):
    for t in toks + toks:
        sk.update(t)
    return sk


def build(lg_k, toks, how):
    if how in ("trimmed", "untrimmed", "unordered"):
        sk = update(ds.update_theta_sketch(lg_k), toks)
        if how == "trimmed":
            sk.trim()
        return sk.compact(how != "unordered")
    if how == "union":
        u = ds.theta_union(lg_k)
        for i in range(2):
            u.update(update(ds.update_theta_sketch(lg_k), toks[i::2]))
        return u.get_result()
    if how == "sampled":
        return update(ds.update_theta_sketch(lg_k, 0.5), toks).compact()
    if how == "seed":
        return update(ds.update_theta_sketch(lg_k, 1.0, 1234), toks).compact()
    if how == "intersection":
        i = ds.theta_intersection()
        i.update(update(ds.update_theta_sketch(lg_k), toks))
        i.update(update(ds.update_theta_sketch(lg_k), toks[0::3]))
        return i.get_result()
    raise ValueError(how)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    rows = ["# file lg_k tokens distinct how retained theta estimate estimate-bits; written by make.py"]
    for name, lg_k, fmt, n, how, forms in SETS:
        sk = build(lg_k, tokens(fmt, n), how)
        est = sk.get_estimate()
        bits = struct.unpack("<Q", struct.pack("<d", est))[0]
        for form in forms:
            f = f"{name}.{form}"
            with open(os.path.join(out, f), "wb") as fh:
                fh.write(sk.serialize(form == "compressed"))
            rows.append(f"{f} {lg_k} {fmt} {n} {how} {sk.num_retained} {sk.theta64} {est!r} {bits:016x}")
    with open(os.path.join(out, "sketches.txt"), "w", encoding="utf-8") as fh:
        fh.write("\n".join(rows) + "\n")
    print(f"datasketches wrote {len(rows) - 1} sketches to {out}")


if __name__ == "__main__":
    main()
