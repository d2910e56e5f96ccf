#!/usr/bin/env python3
"""lessram's DataSketches HLL sketch against the `datasketches` package (Apache DataSketches).

    python3 tests/interop/datasketches_check.py [--lg-k 10,12,14]

Run it with a Python that has `datasketches` (`.ci/interop-datasketches.sh` makes the virtual
environment target/ds-venv and installs it). Needs the example built:
`cargo build --release --example datasketches_hll`.

For lg_k 10, 12 and 14, and token sets that leave the sketch in LIST, SET and HLL mode (up to
50,000 distinct strings, UTF-8 strings and 64-bit integers, each given twice, shuffled), it:
  * builds the sketch with `datasketches` and with lessram (examples/datasketches_hll.rs), in
    every target type (HLL_4, HLL_6, HLL_8) and form (compact, updatable);
  * checks lessram reads DataSketches' bytes with the registers of its own sketch, and, in HLL
    mode, with DataSketches' estimate as its HIP estimate, bit for bit;
  * checks `datasketches` reads lessram's bytes with the estimate of its own sketch, exactly;
  * checks lessram's bytes equal DataSketches' in HLL mode (coupon order aside, in LIST/SET);
  * checks a sketch lessram read from DataSketches and wrote back (in every type and form)
    has DataSketches' estimate;
  * checks a lessram merge of two halves has the registers of `datasketches`' union of them,
    and its estimate when that union is out of order (halves in HLL mode); when the halves
    are still coupons both sides keep HIP valid, each for its own insertion order, and the
    two HIP estimates must agree within 1%; and that `datasketches`' union of lessram's merge
    and its own union is its union of its own with itself.
"""
import importlib.metadata
import os
import random
import subprocess
import sys
import tempfile

import datasketches as ds

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLE = os.path.join(ROOT, "target", "release", "examples", "datasketches_hll")
TYPES = {"HLL_4": ds.tgt_hll_type.HLL_4, "HLL_6": ds.tgt_hll_type.HLL_6, "HLL_8": ds.tgt_hll_type.HLL_8}
FORMS = ["compact", "updatable"]


def sets(lg_k):
    set_n = max((3 << lg_k) // 32 - 20, 6)  # stays in SET mode (LIST below lg_k 8)
    return [
        ("list", "s", [f"w{j}" for j in range(5)]),
        ("set", "s", [f"w{j}" for j in range(set_n)]),
        ("hll", "s", [f"w{j}" for j in range(50000)]),
        ("utf8", "s", [f"ünïcødé-{j}-€" for j in range(20000)]),
        ("ints", "i", [7919 * j - 10**9 for j in range(30000)]),
    ]


def example(*args):
    return subprocess.run([EXAMPLE, *args], check=True, capture_output=True, text=True).stdout.split()


def read(path):
    f = example("read", path)
    return dict(zip(f[0::2], f[1::2]))


def mode(b):
    return ["List", "Set", "Hll"][b[7] & 3]


def main():
    tmp = tempfile.mkdtemp()
    rng = random.Random(17)
    failures = 0
    checks = 0
    print(f"datasketches {importlib.metadata.version('datasketches')}")
    lg_ks = [10, 12, 14]
    if sys.argv[1:2] == ["--lg-k"]:
        lg_ks = [int(x) for x in sys.argv[2].split(",")]
    for lg_k in lg_ks:
        for name, kind, toks in sets(lg_k):
            stream = toks + toks
            rng.shuffle(stream)
            lines = os.path.join(tmp, f"{name}.{lg_k}.txt")
            with open(lines, "w", encoding="utf-8") as f:
                f.write("\n".join(str(t) for t in stream) + "\n")
            results = {}
            for tname, tgt in TYPES.items():
                sk = ds.hll_sketch(lg_k, tgt)
                for t in stream:
                    sk.update(t)
                want = sk.get_estimate()
                for form in FORMS:
                    theirs = sk.serialize_compact() if form == "compact" else sk.serialize_updatable()
                    tf = os.path.join(tmp, f"{name}.{lg_k}.{tname}.{form}.ds")
                    of = os.path.join(tmp, f"{name}.{lg_k}.{tname}.{form}.lessram")
                    with open(tf, "wb") as f:
                        f.write(theirs)
                    example("build", str(lg_k), lines, of, tname, form, *(["ints"] if kind == "i" else []))
                    ours = open(of, "rb").read()
                    r_theirs, r_ours = read(tf), read(of)
                    m = mode(theirs)
                    c = {
                        "same mode": mode(ours) == m,
                        "lessram reads DataSketches' bytes with its own registers": r_theirs["registers"] == r_ours["registers"],
                        "datasketches reads lessram's bytes with its own estimate": ds.hll_sketch.deserialize(ours).get_estimate() == want,
                    }
                    if m == "Hll":
                        c["lessram's HIP estimate of DataSketches' bytes is DataSketches' estimate"] = r_theirs["hip"] != "none" and float(r_theirs["hip"]) == want
                        c["lessram's HIP estimate of its own sketch is DataSketches' estimate"] = r_ours["hip"] != "none" and float(r_ours["hip"]) == want
                        c["lessram's bytes are DataSketches' bytes"] = ours == theirs
                    else:
                        n = float(r_theirs["estimate"])
                        c["lessram counts DataSketches' coupons (within its collision correction)"] = r_theirs["sparse"] == "1" and n <= want <= n * (1 + 1e-4)
                        c["same header and coupons as DataSketches' bytes"] = ours[:8] == theirs[:8] and len(ours) == len(theirs) and sorted(ours[8:]) == sorted(theirs[8:])
                    for t2 in TYPES:
                        for form2 in FORMS:
                            rf = os.path.join(tmp, "rewrite")
                            example("rewrite", tf, rf, t2, form2)
                            back = open(rf, "rb").read()
                            c[f"read and written back as {t2} {form2}: DataSketches' estimate"] = ds.hll_sketch.deserialize(back).get_estimate() == want
                    results[(tname, form)] = c
                    checks += len(c)
                    for what, ok in c.items():
                        if not ok:
                            failures += 1
                            print(f"FAIL lg_k {lg_k} {name} (n={len(toks)}, {m}) {tname} {form}: {what}")
            # Unions: lessram's merge of two halves against DataSketches' union of them.
            halves = [stream[0::2], stream[1::2]]
            files = []
            ds_halves = []
            for i, half in enumerate(halves):
                hf = os.path.join(tmp, f"half{i}.txt")
                with open(hf, "w", encoding="utf-8") as f:
                    f.write("\n".join(str(t) for t in half) + "\n")
                out = os.path.join(tmp, f"half{i}.sk")
                example("build", str(lg_k), hf, out, "HLL_8", "compact", *(["ints"] if kind == "i" else []))
                files.append(out)
                s = ds.hll_sketch(lg_k, ds.tgt_hll_type.HLL_8)
                for t in half:
                    s.update(t)
                ds_halves.append(s)
            for tname, tgt in TYPES.items():
                merged = os.path.join(tmp, "merged.sk")
                example("merge", files[0], files[1], merged, tname, "compact")
                u = ds.hll_union(lg_k)
                for s in ds_halves:
                    u.update(s)
                res = u.get_result(tgt)
                res_bytes = res.serialize_compact()
                res_file = os.path.join(tmp, "union.sk")
                with open(res_file, "wb") as f:
                    f.write(res_bytes)
                got_bytes = open(merged, "rb").read()
                got = ds.hll_sketch.deserialize(got_bytes)
                want = res.get_estimate()
                c = {"lessram's merge has the registers of DataSketches' union": read(merged)["registers"] == read(res_file)["registers"]}
                if res_bytes[5] & 16:
                    # Out of order on both sides: the estimate of the registers alone.
                    c["out of order, as DataSketches' union, with its estimate"] = bool(got_bytes[5] & 16) and got.get_estimate() == want
                else:
                    # Halves still in coupon mode: both sides insert one half's coupons into
                    # the other, which keeps HIP valid, for their own insertion orders.
                    c["in order, as DataSketches' union of coupon sketches, HIP within 1%"] = not got_bytes[5] & 16 and abs(got.get_estimate() - want) <= 0.01 * want
                u2, u3 = ds.hll_union(lg_k), ds.hll_union(lg_k)
                for x in [got, res]:
                    u2.update(x)
                for x in [res, res]:
                    u3.update(x)
                c["DataSketches' union with lessram's merge is its union with its own"] = u2.get_result(tgt).get_estimate() == u3.get_result(tgt).get_estimate()
                checks += len(c)
                for what, ok in c.items():
                    if not ok:
                        failures += 1
                        print(f"FAIL lg_k {lg_k} {name} {tname} union: {what} (lessram {got.get_estimate()}, DataSketches {want})")
            modes = sorted({mode(open(os.path.join(tmp, f"{name}.{lg_k}.HLL_8.compact.ds"), "rb").read())})
            print(f"{'ok  ' if not failures else '....'} lg_k {lg_k} {name}: {len(toks)} distinct tokens, DataSketches in {modes[0]} mode, {sum(len(c) for c in results.values())} checks")
    if failures:
        sys.exit(f"{failures} of {checks} DataSketches check(s) failed")
    print(f"all {checks} DataSketches checks passed")


if __name__ == "__main__":
    main()
