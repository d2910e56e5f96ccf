#!/usr/bin/env python3
"""lessram's Theta Kmv against the `datasketches` package's Theta sketch (Apache DataSketches).

    python3 tests/interop/datasketches_theta_check.py [--lg-k 10,12,14]

Run it with a Python that has `datasketches` (`.ci/interop-datasketches.sh` makes the virtual
environment target/ds-venv and installs it). Needs the example built:
`cargo build --release --example datasketches_theta`.

For lg_k 10, 12 and 14 (lessram's `theta::new(lg_k)`, a Kmv of k = 2^lg_k + 1) and token sets
from the empty one to 50,000 distinct tokens (UTF-8 strings, 64-bit integers, floats, each
given twice, shuffled; sizes around k, where the sketch leaves exact mode), it checks:
  * lessram's bytes are DataSketches' bytes of `update_theta_sketch(lg_k)` after `trim()`,
    `compact().serialize()` and `serialize(compress=True)`: the same retained hashes, the
    same theta; `datasketches` reads them with its own estimate;
  * lessram reads what `datasketches` writes, with its `get_estimate()` to the bit: trimmed
    and untrimmed, ordered and unordered, plain and compressed, empty and single item;
    written back (as a ThetaSketch, and through the Kmv it converts to) they are
    DataSketches' ordered bytes;
  * a lessram merge of two halves is `theta_union(lg_k)`'s result, byte for byte;
  * sketches no Kmv of items makes (sampling p = 0.5, an intersection) read with their
    estimate and write back as DataSketches' bytes; lessram's ThetaSketch union of any two
    of them (and a trimmed sketch) is `theta_union(20)`'s result, byte for byte.
"""
import importlib.metadata
import os
import random
import subprocess
import sys
import tempfile

import datasketches as ds

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLE = os.path.join(ROOT, "target", "release", "examples", "datasketches_theta")


def sets(lg_k):
    k = 1 << lg_k
    return [
        ("empty", "s", []),
        ("single", "s", ["w0"]),
        ("exact", "s", [f"w{j}" for j in range(500)]),
        ("at-k", "s", [f"w{j}" for j in range(k)]),
        ("k+1", "s", [f"w{j}" for j in range(k + 1)]),
        ("k+2", "s", [f"w{j}" for j in range(k + 2)]),
        ("strings", "s", [f"w{j}" for j in range(50000)]),
        ("utf8", "s", [f"ünïcødé-{j}-€" for j in range(20000)]),
        ("ints", "i", [7919 * j - 10**9 for j in range(30000)]),
        ("floats", "f", [j * 0.37 - 1000.5 for j in range(20000)]),
    ]


def example(*args):
    return subprocess.run([EXAMPLE, *args], check=True, capture_output=True, text=True).stdout.split()


def read(path):
    f = example("read", path)
    return dict(zip(f[0::2], f[1::2]))


def put(path, b):
    with open(path, "wb") as f:
        f.write(b)
    return path


def get(path):
    with open(path, "rb") as f:
        return f.read()


def opt(kind):
    return {"s": [], "i": ["ints"], "f": ["floats"]}[kind]


def lines(path, toks):
    with open(path, "w", encoding="utf-8") as f:
        f.write("".join(f"{t!r}\n" if isinstance(t, float) else f"{t}\n" for t in toks))
    return path


def main():
    tmp = tempfile.mkdtemp()
    rng = random.Random(19)
    failures = 0
    checks = 0

    def check(label, c):
        nonlocal failures, checks
        checks += len(c)
        for what, ok in c.items():
            if not ok:
                failures += 1
                print(f"FAIL {label}: {what}")

    def reads_back(label, theirs_bytes, want_estimate, ordered_bytes):
        """lessram reads DataSketches' bytes with its estimate; writes them back ordered."""
        tf = put(os.path.join(tmp, "theirs.sk"), theirs_bytes)
        r = read(tf)
        c = {f"lessram reads {label} with DataSketches' estimate": float(r["estimate"]) == want_estimate}
        for form in ["plain", "compressed"]:
            want = ordered_bytes.serialize(form == "compressed")
            rf = os.path.join(tmp, "rewrite.sk")
            example("rewrite", tf, rf, form)
            c[f"{label} written back {form}: DataSketches' bytes"] = get(rf) == want
            if ordered_bytes.num_retained > 0 or not ordered_bytes.is_estimation_mode():
                example("via-kmv", tf, rf, form)
                c[f"{label} through a Kmv, written {form}: DataSketches' bytes"] = get(rf) == want
        return c

    print(f"datasketches {importlib.metadata.version('datasketches')}")
    lg_ks = [10, 12, 14]
    if sys.argv[1:2] == ["--lg-k"]:
        lg_ks = [int(x) for x in sys.argv[2].split(",")]
    for lg_k in lg_ks:
        for name, kind, toks in sets(lg_k):
            before = checks
            label = f"lg_k {lg_k} {name} (n={len(toks)})"
            stream = toks + toks
            rng.shuffle(stream)
            lf = lines(os.path.join(tmp, f"{name}.{lg_k}.txt"), stream)
            sk = ds.update_theta_sketch(lg_k)
            for t in stream:
                sk.update(t)
            untrimmed = sk.compact()
            unordered = sk.compact(False)
            sk.trim()
            trimmed = sk.compact()
            want = trimmed.get_estimate()
            c = {}
            for form in ["plain", "compressed"]:
                of = os.path.join(tmp, f"ours.{form}")
                example("build", str(lg_k), lf, of, form, *opt(kind))
                ours = get(of)
                theirs = trimmed.serialize(form == "compressed")
                back = ds.compact_theta_sketch.deserialize(ours)
                c[f"{form}: lessram's bytes are DataSketches' trimmed bytes"] = ours == theirs
                c[f"{form}: lessram retains DataSketches' hashes"] = sorted(back) == sorted(trimmed)
                c[f"{form}: same theta"] = back.theta64 == trimmed.theta64
                c[f"{form}: datasketches reads lessram's bytes with its own estimate"] = back.get_estimate() == want
            for what, sketch in [("trimmed", trimmed), ("untrimmed", untrimmed)]:
                for form in ["plain", "compressed"]:
                    c.update(reads_back(f"{what} {form}", sketch.serialize(form == "compressed"), sketch.get_estimate(), sketch))
            c.update(reads_back("unordered", unordered.serialize(), unordered.get_estimate(), untrimmed))
            check(label, c)
            # Unions: lessram's merge of two halves against DataSketches' union of them.
            files, u = [], ds.theta_union(lg_k)
            for i in range(2):
                half = stream[i::2]
                s = ds.update_theta_sketch(lg_k)
                for t in half:
                    s.update(t)
                u.update(s)
                hf = lines(os.path.join(tmp, f"half{i}.txt"), half)
                out = os.path.join(tmp, f"half{i}.sk")
                example("build", str(lg_k), hf, out, "plain", *opt(kind))
                files.append(out)
            res = u.get_result()
            merged = os.path.join(tmp, "merged.sk")
            example("merge", str(lg_k), files[0], files[1], merged, "plain")
            got = get(merged)
            check(f"{label} union", {
                "lessram's merge is theta_union's result, byte for byte": got == res.serialize(),
                "with its estimate": ds.compact_theta_sketch.deserialize(got).get_estimate() == res.get_estimate(),
            })
            print(f"{'ok  ' if not failures else '....'} {label}: theta {trimmed.theta64}, {trimmed.num_retained} retained, {checks - before} checks")
        # Sketches a Kmv of items does not make: read as ThetaSketch, with their estimate.
        toks = [f"w{j}" for j in range(40000)]
        sampled = ds.update_theta_sketch(lg_k, 0.5)
        a, b = ds.update_theta_sketch(lg_k), ds.update_theta_sketch(lg_k)
        for j, t in enumerate(toks):
            sampled.update(t)
            a.update(t)
            if j % 3 == 0 or j >= 30000:
                b.update(t)
        empty_sampled = ds.update_theta_sketch(lg_k, 0.5)
        inter = ds.theta_intersection()
        inter.update(a)
        inter.update(b)
        odd = {
            "sampled p=0.5": sampled.compact(),
            "sampled p=0.5, no item": empty_sampled.compact(),
            "intersection": inter.get_result(),
        }
        c = {}
        for what, s in odd.items():
            for form in ["plain", "compressed"]:
                tf = put(os.path.join(tmp, "odd.sk"), s.serialize(form == "compressed"))
                rf = os.path.join(tmp, "odd-back.sk")
                c[f"{what} {form}: lessram reads it with DataSketches' estimate"] = float(read(tf)["estimate"]) == s.get_estimate()
                example("rewrite", tf, rf, form)
                c[f"{what} {form}: written back as DataSketches' bytes"] = get(rf) == s.serialize(form == "compressed")
        # ThetaSketch unions of those and a trimmed sketch: theta_union's result when its
        # lg_k (20) holds every hash (no trimming).
        trimmed_a = ds.update_theta_sketch(lg_k)
        for t in toks[::2]:
            trimmed_a.update(t)
        trimmed_a.trim()
        parts = list(odd.values()) + [trimmed_a.compact()]
        for i, x in enumerate(parts):
            for j, y in enumerate(parts[i:], i):
                u = ds.theta_union(20)
                u.update(x)
                u.update(y)
                res = u.get_result()
                fa = put(os.path.join(tmp, "ua.sk"), x.serialize())
                fb = put(os.path.join(tmp, "ub.sk"), y.serialize(True))
                rf = os.path.join(tmp, "ures.sk")
                example("union", fa, fb, rf, "plain")
                c[f"ThetaSketch union {i} {j}: theta_union(20)'s result, byte for byte"] = get(rf) == res.serialize()
        # Another seed: refused, naming the seed hash.
        other = ds.update_theta_sketch(lg_k, 1.0, 1234)
        for t in toks[:100]:
            other.update(t)
        r = subprocess.run([EXAMPLE, "read", put(os.path.join(tmp, "seed.sk"), other.compact().serialize())], capture_output=True, text=True)
        c["a sketch of seed 1234 is refused, naming the seed hash"] = r.returncode != 0 and "seed hash" in r.stderr
        check(f"lg_k {lg_k} sampled and intersection", c)
        print(f"{'ok  ' if not failures else '....'} lg_k {lg_k} sampled (p=0.5) and intersection sketches, their unions: {len(c)} checks")
    if failures:
        sys.exit(f"{failures} of {checks} DataSketches Theta check(s) failed")
    print(f"all {checks} DataSketches Theta checks passed")


if __name__ == "__main__":
    main()
