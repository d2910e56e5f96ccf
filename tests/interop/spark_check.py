#!/usr/bin/env python3
"""lessram's DataSketches HLL sketch against Spark SQL's hll_sketch_agg, hll_union,
hll_union_agg and hll_sketch_estimate.

    python3 tests/interop/spark_check.py [--lg-k 10,12,14]

Run it with a Python that has `pyspark` 3.5 (`.ci/interop-spark.sh` makes the virtual
environment target/spark-venv, installs the pinned pyspark and, when `java` is missing, a JDK).
Needs the example built: `cargo build --release --example spark_hll`. The script starts Spark
itself, in local[2] mode bound to 127.0.0.1 with no UI, and stops it at the end.

Spark's functions are Apache DataSketches' Java HLL sketch (the jar pyspark ships):
`hll_sketch_agg(col, lg_k)` updates a sketch with each value (a string as its UTF-8 bytes,
a bigint as 8 little-endian bytes, an int widened to a bigint, a binary as its bytes) and
returns it as HLL_8, updatable; partial sketches of several partitions are merged with
DataSketches' Union, which marks the result out of order. `hll_sketch_estimate(b)` is
`Math.round(HllSketch.wrap(b).getEstimate())`, a bigint. So two estimates are compared on
two levels: Spark's bigint, exactly; and the double it rounds, DataSketches' estimator on
the same bytes, called in Spark's own JVM (through py4j), exactly, bit for bit: it is a
deterministic function of the registers, the HIP accumulator and the out-of-order flag, and
lessram writes those as DataSketches has them. Only where lessram's own estimator is not
DataSketches' (DataSketches' coupon-collision correction in LIST and SET mode) is there a
tolerance: lessram counts `n` coupons, DataSketches reports `n (1 + e)` with `0 <= e < 1e-4`;
and where a union of two halves still in coupon mode turns HLL: it keeps HIP valid, summed in
the order that union inserts the coupons, so two such unions agree within HIP's error (4
standard errors, 4 * 1.04 / sqrt(k), allowed).

For lg_k 10, 12 and 14 and token sets from the empty string to 50,000 distinct tokens (ASCII
and UTF-8 strings, integers), each token given twice in a shuffled order, it checks that:
  (a) Spark reads lessram's bytes (every target type, both forms): `hll_sketch_estimate` is
      the one Spark gives its own `hll_sketch_agg` of the same stream, and the double it
      rounds is lessram's HIP estimate (HLL mode) or lessram's coupon count corrected as
      above (LIST, SET);
  (b) `hll_union` and `hll_union_agg` of a lessram sketch of half the tokens (every type)
      with Spark's sketch of the other half have the registers of Spark's sketch of all the
      tokens and the estimate of Spark's `hll_sketch_agg` of them over two partitions (which
      Spark also unions), and of Spark's union of its own two halves; a lessram merge of the
      halves has that estimate in Spark too;
  (c) lessram reads what `hll_sketch_agg` writes (every lg_k; Spark writes HLL_8 updatable
      only, and the same Java library's HLL_4 and HLL_6 copies of it are read as well) and
      what `hll_union`/`hll_union_agg` write, with the registers of lessram's own sketch of
      the same tokens, DataSketches' estimate as its HIP estimate, bit for bit, and the same
      bytes (coupons in LIST and SET mode, whose order depends on arrival); and a sketch
      lessram read from Spark and wrote back, in every type and form, keeps Spark's estimate;
  and that `hll_union(a, b, true)` of lessram's sketch with Spark's of another lg_k is Spark's
  union of its own two; that docs/interop.md's worked example runs (shard files counted by
  lessram, read with Spark's binaryFile source, `hll_union_agg`); and that Spark hashes a
  string column as its UTF-8 bytes (a binary column of the same bytes
  gives the same sketch) and an int column as the bigint of the same value.
"""
import collections
import math
import os
import random
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLE = os.path.join(ROOT, "target", "release", "examples", "spark_hll")
TYPES = ["HLL_4", "HLL_6", "HLL_8"]
FORMS = ["compact", "updatable"]


def sets(lg_ks):
    out = [
        ("empty", "s", [""]),
        ("list", "s", [f"w{j}" for j in range(5)]),
    ]
    for lg_k in lg_ks:
        # SET mode at this lg_k (3k/32 coupons at most), HLL mode at the smaller ones.
        out.append((f"set{lg_k}", "s", [f"s{j}" for j in range(max((3 << lg_k) // 32 - 20, 6))]))
    out += [
        ("ascii", "s", [f"w{j}" for j in range(50000)]),
        ("utf8", "s", [f"ünïcødé-{j}-€" for j in range(20000)]),
        ("ints", "i", [7919 * j - 10**8 for j in range(30000)]),  # fits an int column
    ]
    return out


def example(*args, check=True):
    return subprocess.run([EXAMPLE, *args], check=check, capture_output=True, text=True).stdout


def read_all(paths):
    """lessram's reading of each file: {path: {field: value}}."""
    out = {}
    for i in range(0, len(paths), 200):
        for line in example("read", *paths[i : i + 200], check=False).splitlines():
            f = line.split()
            if f[2] == "error":
                d = {"file": f[1], "error": " ".join(f[3:])}
            else:
                d = dict(zip(f[0::2], f[1::2]))
            out[d["file"]] = d
    return out


def mode(b):
    return ["List", "Set", "Hll"][b[7] & 3]


def coupons(b):
    """The coupons of a LIST or SET sketch's bytes, sorted."""
    start = 8 if mode(b) == "List" else 12
    return sorted(w for w in (int.from_bytes(b[i : i + 4], "little") for i in range(start, len(b), 4)) if w)


def jround(x):
    """Java's Math.round of a non-negative double."""
    return math.floor(x + 0.5)


def write_lines(path, toks):
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(str(t) for t in toks) + "\n")


def start_spark():
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[2]")
        .appName("lessram-spark-check")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def main():
    lg_ks = [10, 12, 14]
    if sys.argv[1:2] == ["--lg-k"]:
        lg_ks = [int(x) for x in sys.argv[2].split(",")]
    t0 = time.time()
    import pyspark
    from pyspark.sql import functions as F

    # Spark would bind to the address the host name resolves to; keep it on the loopback.
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    spark = start_spark()
    try:
        failures, checks = run(spark, F, lg_ks)
    finally:
        spark.stop()
    print(f"pyspark {pyspark.__version__}, {time.time() - t0:.0f} s")
    if failures:
        sys.exit(f"{failures} of {checks} Spark check(s) failed")
    print(f"all {checks} Spark checks passed")


def run(spark, F, lg_ks):
    jvm = spark._jvm
    HllSketch = jvm.org.apache.datasketches.hll.HllSketch
    TgtHllType = jvm.org.apache.datasketches.hll.TgtHllType
    import glob

    import pyspark

    jars = glob.glob(os.path.join(os.path.dirname(pyspark.__file__), "jars", "datasketches-java-*.jar"))
    print(f"Spark {spark.version}, {', '.join(os.path.basename(j)[:-4] for j in jars)}")

    def java_estimate(b):
        return HllSketch.heapify(bytearray(b)).getEstimate()

    def java_copy(b, t, compact):
        s = HllSketch.heapify(bytearray(b)).copyAs(getattr(TgtHllType, t))
        return bytes(s.toCompactByteArray() if compact else s.toUpdatableByteArray())

    tmp = tempfile.mkdtemp()
    rng = random.Random(17)

    def spark_aggs(path, kind, parts):
        """Spark's hll_sketch_agg of the lines of `path`, every lg_k: {lg_k: bytes}, and the
        same of the alternative column (binary of the string, int of the bigint)."""
        df = spark.read.text(path)
        df = df.coalesce(1) if parts == 1 else df.repartition(parts)
        if kind == "s":
            main, alt = F.col("value"), F.col("value").cast("binary")
        else:
            main, alt = F.col("value").cast("bigint"), F.col("value").cast("int")
        cols = []
        for k in lg_ks:
            cols += [F.hll_sketch_agg(main, k).alias(f"m{k}"), F.hll_sketch_agg(alt, k).alias(f"a{k}")]
        row = df.agg(*cols).collect()[0]
        return {k: bytes(row[f"m{k}"]) for k in lg_ks}, {k: bytes(row[f"a{k}"]) for k in lg_ks}

    # Phase 1: the streams, lessram's sketches of them, Spark's.
    cases = []  # one per (set, lg_k)
    for name, kind, toks in sets(lg_ks):
        stream = toks + toks
        rng.shuffle(stream)
        half = [[t for j, t in enumerate(toks) if j % 2 == i] for i in range(2)]
        for h in half:
            h += h
            rng.shuffle(h)
        paths = {}
        for what, lines in [("all", stream), ("a", half[0]), ("b", half[1])]:
            paths[what] = os.path.join(tmp, f"{name}.{what}.txt")
            write_lines(paths[what], lines)
        ints = ["--ints"] if kind == "i" else []
        s_all, s_alt = spark_aggs(paths["all"], kind, 1)
        s_two, _ = spark_aggs(paths["all"], kind, 2)
        s_a, _ = spark_aggs(paths["a"], kind, 1)
        s_b, _ = spark_aggs(paths["b"], kind, 1)
        for k in lg_ks:
            c = {"name": name, "lg_k": k, "n": len([t for t in toks if t != ""]), "files": {}, "blobs": {}, "errors": []}
            pre = os.path.join(tmp, f"{name}.{k}")
            for t in TYPES:
                for form in FORMS:
                    out = f"{pre}.lessram.{t}.{form}"
                    example("count", str(k), out, "--type", t, *(["--updatable"] if form == "updatable" else []), *ints, paths["all"])
                    c["files"][f"lessram {t} {form}"] = out
                out = f"{pre}.lessram-a.{t}"
                example("count", str(k), out, "--type", t, *ints, paths["a"])
                c["files"][f"lessram half a {t}"] = out
            out = f"{pre}.lessram-b"
            example("count", str(k), out, *ints, paths["b"])
            c["files"]["lessram half b"] = out
            for t in TYPES:
                out = f"{pre}.lessram-merge.{t}"
                example("merge", out, "--type", t, c["files"][f"lessram half a {t}"], c["files"]["lessram half b"])
                c["files"][f"lessram merge {t}"] = out
            c["blobs"].update({"spark": s_all[k], "spark alt column": s_alt[k], "spark 2 partitions": s_two[k], "spark half a": s_a[k], "spark half b": s_b[k]})
            # The same Java library's other target types and forms of Spark's sketch.
            for t in TYPES:
                for compact in [True, False]:
                    c["blobs"][f"java {t} {'compact' if compact else 'updatable'}"] = java_copy(s_all[k], t, compact)
            cases.append(c)

    # Phase 2: Spark SQL on lessram's bytes and its own, in three queries.
    for c in cases:
        for key, path in c["files"].items():
            c["blobs"][key] = open(path, "rb").read()
    blobs, pairs, groups = [], [], []
    for ci, c in enumerate(cases):
        for key, b in c["blobs"].items():
            blobs.append((ci, key, bytearray(b)))
        for t in TYPES:
            pairs.append((ci, f"hll_union(lessram half a {t}, spark half b)", bytearray(c["blobs"][f"lessram half a {t}"]), bytearray(c["blobs"]["spark half b"])))
            groups += [(ci, f"hll_union_agg(lessram half a {t}, spark half b)", bytearray(c["blobs"][x])) for x in [f"lessram half a {t}", "spark half b"]]
        pairs.append((ci, "hll_union(spark half a, spark half b)", bytearray(c["blobs"]["spark half a"]), bytearray(c["blobs"]["spark half b"])))
        groups += [(ci, "hll_union_agg(spark half a, spark half b)", bytearray(c["blobs"][x])) for x in ["spark half a", "spark half b"]]
    est = {}
    df = spark.createDataFrame(blobs, "c int, k string, s binary")
    for r in df.select("c", "k", F.hll_sketch_estimate("s").alias("e")).collect():
        est[(r["c"], r["k"])] = r["e"]
    df = spark.createDataFrame(pairs, "c int, k string, a binary, b binary")
    for r in df.select("c", "k", F.hll_union("a", "b").alias("u")).collect():
        cases[r["c"]]["blobs"][r["k"]] = bytes(r["u"])
    df = spark.createDataFrame(groups, "c int, k string, s binary")
    for r in df.groupBy("c", "k").agg(F.hll_union_agg("s").alias("u")).collect():
        cases[r["c"]]["blobs"][r["k"]] = bytes(r["u"])
    unions = [(ci, k, bytearray(b)) for ci, c in enumerate(cases) for k, b in c["blobs"].items() if k.startswith("hll_union")]
    # lessram reads what Spark wrote and writes it back, in every type and form.
    rewrites = []
    for ci, c in enumerate(cases):
        for src in ["spark", "hll_union(spark half a, spark half b)"]:
            path = os.path.join(tmp, f"c{ci}.{len(rewrites)}.spark")
            with open(path, "wb") as f:
                f.write(c["blobs"][src])
            for t in TYPES:
                for form in FORMS:
                    out = f"{path}.{t}.{form}"
                    key = f"{src} read by lessram, written as {t} {form}"
                    try:
                        example("merge", out, "--type", t, *(["--updatable"] if form == "updatable" else []), path)
                    except subprocess.CalledProcessError as err:
                        c["errors"].append(f"(c) {key}: {err.stdout}{err.stderr}".strip())
                        continue
                    c["blobs"][key] = open(out, "rb").read()
                    rewrites.append((ci, key, bytearray(c["blobs"][key])))
    df = spark.createDataFrame(unions + rewrites, "c int, k string, s binary")
    for r in df.select("c", "k", F.hll_sketch_estimate("s").alias("e")).collect():
        est[(r["c"], r["k"])] = r["e"]

    # Phase 3: lessram reads every sketch; the checks.
    paths = []
    for ci, c in enumerate(cases):
        c["paths"] = {}
        for j, (key, b) in enumerate(c["blobs"].items()):
            p = os.path.join(tmp, f"c{ci}.blob{j}")
            with open(p, "wb") as f:
                f.write(b)
            c["paths"][key] = p
            paths.append(p)
    lr = read_all(paths)
    failures = checks = 0
    for ci, c in enumerate(cases):
        b = c["blobs"]
        r = {key: lr[p] for key, p in c["paths"].items()}
        for key, d in r.items():
            if "error" in d:
                c["errors"].append(f"(c) lessram reads {key}: {d['error']}")
                r[key] = collections.defaultdict(lambda: "(refused)")
        j = {key: java_estimate(x) for key, x in b.items()}
        e = {key: est[(ci, key)] for key in b if (ci, key) in est}
        m = mode(b["spark"])
        ours = r["lessram HLL_8 compact"]
        ck = {}
        # How Spark hashes: a binary column of the UTF-8 bytes, or an int column of the same
        # integers, gives the sketch of the string (bigint) column, byte for byte.
        ck["Spark: string column = binary column of its UTF-8 bytes (int column = bigint)"] = b["spark alt column"] == b["spark"]
        ck["Spark writes HLL_8 updatable"] = r["spark"]["type"] == "Hll8" and r["spark"]["compact"] == "0"
        ck["Spark's single-partition sketch is in order"] = r["spark"]["ooo"] == "0"
        # (a) Spark reads lessram's bytes.
        for t in TYPES:
            for form in FORMS:
                key = f"lessram {t} {form}"
                ck[f"(a) {key}: hll_sketch_estimate = Spark's of its own sketch"] = e[key] == e["spark"]
                ck[f"(a) {key}: hll_sketch_estimate = round(DataSketches' estimate of lessram's bytes)"] = e[key] == jround(j[key])
                ck[f"(a) {key}: DataSketches' estimate of lessram's bytes = of Spark's, exactly"] = j[key] == j["spark"]
                ck[f"(a) {key}: same mode as Spark's"] = mode(b[key]) == m
                if m == "Hll":
                    ck[f"(a) {key}: DataSketches' estimate = lessram's HIP estimate, bit for bit"] = r[key]["hip"] != "none" and float(r[key]["hip"]) == j[key]
                else:
                    n = int(r[key]["coupons"])
                    ck[f"(a) {key}: DataSketches' estimate = lessram's coupons, collision-corrected"] = float(r[key]["estimate"]) == n and n <= j[key] <= n * (1 + 1e-4)
        # (b) Unions in Spark of lessram's and Spark's sketches.
        union_ref = "hll_union(spark half a, spark half b)"
        # A union of two halves in HLL mode is out of order: DataSketches' composite estimate
        # of the slots, the same for the same slots, compared exactly. Halves still in
        # coupon mode whose union turns HLL keep HIP valid, accumulated in the order the
        # union inserts the coupons (lessram's sorted, Spark's hash order): such estimates of
        # the same slots agree within HIP's error, here 4 standard errors (1.04/sqrt(k)).
        hip_union = mode(b[union_ref]) == "Hll" and not b[union_ref][5] & 16
        tol = 4 * 1.04 / math.sqrt(1 << c["lg_k"])

        def same(key, ref):
            if not hip_union:
                return e[key] == e[ref] and j[key] == j[ref]
            return abs(j[key] - j[ref]) <= tol * j[ref]

        how = " (within 4 standard errors: a union that turned HLL in order)" if hip_union else ""
        for t in TYPES:
            for fn in ["hll_union", "hll_union_agg"]:
                key = f"{fn}(lessram half a {t}, spark half b)"
                ref = f"{fn}(spark half a, spark half b)"
                ck[f"(b) {key}: registers of Spark's sketch of all tokens"] = r[key]["registers"] == r["spark"]["registers"]
                ck[f"(b) {key}: estimate of {ref}{how}"] = same(key, ref)
                ck[f"(b) {key}: estimate of Spark's hll_sketch_agg of all tokens over 2 partitions{how}"] = same(key, "spark 2 partitions")
            key = f"lessram merge {t}"
            ck[f"(b) {key}: registers of Spark's sketch of all tokens"] = r[key]["registers"] == r["spark"]["registers"]
            ck[f"(b) {key}: in Spark, the estimate of {union_ref}{how}"] = same(key, union_ref)
        # (c) lessram reads what Spark (and its DataSketches library) wrote.
        for key in ["spark", "spark 2 partitions", union_ref, "hll_union_agg(spark half a, spark half b)"] + [k for k in b if k.startswith("java ")]:
            ck[f"(c) {key}: lessram reads it with the registers of its own sketch"] = r[key]["registers"] == ours["registers"]
            if r[key]["mode"] == "Hll" and r[key]["ooo"] == "0":
                hip = r[key]["hip"] != "none" and float(r[key]["hip"]) == j[key]
                if key == "spark" or key.startswith("java "):
                    ck[f"(c) {key}: lessram's HIP estimate is DataSketches' estimate and that of its own sketch, bit for bit"] = hip and j[key] == float(ours["hip"])
                else:
                    ck[f"(c) {key}: lessram's HIP estimate is DataSketches' estimate, bit for bit{how}"] = hip and abs(j[key] - float(ours["hip"])) <= tol * j[key]
            elif r[key]["mode"] == "Hll":
                ck[f"(c) {key}: out of order, lessram has no HIP estimate"] = r[key]["hip"] == "none"
            else:
                ck[f"(c) {key}: lessram holds its coupons"] = r[key]["coupons"] == ours["coupons"] and r[key]["estimate"] == ours["estimate"]
        sp, ls = b["spark"], b["lessram HLL_8 updatable"]
        if m == "Hll":
            ck["(c) lessram's HLL_8 updatable bytes are Spark's bytes"] = ls == sp
        else:
            start = 8 if m == "List" else 12
            ck["(c) lessram's HLL_8 updatable bytes: Spark's header and coupons"] = ls[:start] == sp[:start] and len(ls) == len(sp) and coupons(ls) == coupons(sp)
        for src, ref in [("spark", "spark"), (union_ref, union_ref)]:
            for t in TYPES:
                for form in FORMS:
                    key = f"{src} read by lessram, written as {t} {form}"
                    if key in b:  # else lessram refused src (an error above)
                        ck[f"(c) {key}: Spark's estimate"] = e[key] == e[ref] and j[key] == j[ref]
        for err in c["errors"]:
            ck[err] = False
        checks += len(ck)
        bad = [what for what, ok in ck.items() if not ok]
        failures += len(bad)
        for what in bad:
            print(f"FAIL lg_k {c['lg_k']} {c['name']} (n={c['n']}, {m}): {what}")
        d = (e["spark 2 partitions"] - e["spark"]) / max(e["spark"], 1)
        print(f"{'ok  ' if not bad else 'FAIL'} lg_k {c['lg_k']} {c['name']}: {c['n']} distinct, Spark in {m} mode, estimate {e['spark']} (HIP) / {e['spark 2 partitions']} (union, {d:+.2%}), {len(ck)} checks")
    f, n = worked_example(spark, F, tmp)
    failures, checks = failures + f, checks + n
    f, n = different_lg_k(spark, F, cases)
    return failures + f, checks + n


def different_lg_k(spark, F, cases):
    """hll_union(a, b, true) of sketches of different lg_k (Spark folds the larger down):
    with lessram's sketch at the larger lg_k it is Spark's union of its own two sketches."""
    by = {(c["name"], c["lg_k"]): c for c in cases}
    rows = []
    for name in sorted({c["name"] for c in cases}):
        ks = sorted(k for (n, k) in by if n == name)
        for small, big in zip(ks, ks[1:]):
            for t in TYPES:
                lessram = by[(name, big)]["blobs"][f"lessram {t} compact"]
                rows.append((f"{name} lg_k {big} {t} with {small}", bytearray(lessram), bytearray(by[(name, small)]["blobs"]["spark"])))
            rows.append((f"{name} lg_k {big} spark with {small}", bytearray(by[(name, big)]["blobs"]["spark"]), bytearray(by[(name, small)]["blobs"]["spark"])))
    df = spark.createDataFrame(rows, "k string, a binary, b binary")
    got = {r["k"]: (bytes(r["u"]), r["e"]) for r in df.select("k", F.hll_union("a", "b", True).alias("u")).select("k", "u", F.hll_sketch_estimate("u").alias("e")).collect()}
    ck = {}
    for k, v in got.items():
        if " spark with " not in k:
            name, rest = k.split(" lg_k ", 1)
            big, _, _, small = rest.split(" ")
            ref = got[f"{name} lg_k {big} spark with {small}"]
            # Byte for byte in HLL mode; a LIST or SET holds its coupons in the order the
            # union inserted them, which follows each input's order.
            same = v[0] == ref[0] if mode(ref[0]) == "Hll" else v[0][:8] == ref[0][:8] and coupons(v[0]) == coupons(ref[0])
            ck[f"hll_union(lessram at lg_k {big}, Spark at {small}, allowDifferentLgConfigK) of {name} ({k}): Spark's union of its own"] = same and v[1] == ref[1]
    bad = [what for what, ok in ck.items() if not ok]
    for what in bad:
        print(f"FAIL {what}")
    print(f"{'ok  ' if not bad else 'FAIL'} hll_union of different lg_k (allowDifferentLgConfigK): {len(ck)} checks")
    return len(bad), len(ck)


def worked_example(spark, F, tmp):
    """docs/interop.md's example: shards of a corpus counted by lessram (`spark_hll count`,
    HLL_4 compact), loaded with Spark's binaryFile source, unioned and estimated in Spark SQL;
    against Spark's own sketches of the same shards."""
    words = [f"w{j}" for j in range(40000)] + [f"ünï-{j}" for j in range(20000)]
    rng = random.Random(6)
    shard_dir = os.path.join(tmp, "shards")
    os.makedirs(shard_dir)
    theirs = []
    for i in range(3):
        # Each shard: two part files, a third of the words plus a common tenth, repeated.
        mine = [w for j, w in enumerate(words) if j % 3 == i or j % 10 == 0]
        mine = mine + mine[: len(mine) // 2]
        rng.shuffle(mine)
        parts = []
        for p in range(2):
            parts.append(os.path.join(tmp, f"corpus-{i}-part-{p}.txt"))
            write_lines(parts[-1], mine[p::2])
        example("count", "12", os.path.join(shard_dir, f"shard-{i}.hll"), *parts)
        row = spark.read.text(parts).agg(F.hll_sketch_agg("value", 12).alias("s")).collect()[0]
        theirs.append((bytearray(row["s"]),))
    shards = spark.read.format("binaryFile").load(os.path.join(shard_dir, "*.hll"))
    shards.createOrReplaceTempView("shards")
    ours = spark.sql("SELECT hll_union_agg(content) AS u, hll_sketch_estimate(hll_union_agg(content)) AS e, count(*) AS n FROM shards").collect()[0]
    ref = spark.createDataFrame(theirs, "s binary").agg(F.hll_union_agg("s").alias("u")).select("u", F.hll_sketch_estimate("u").alias("e")).collect()[0]
    ck = {
        "worked example: Spark loads the 3 shard files": ours["n"] == 3,
        "worked example: Spark's union of lessram's shards is its union of its own sketches of them": bytes(ours["u"]) == bytes(ref["u"]) and ours["e"] == ref["e"],
    }
    bad = [what for what, ok in ck.items() if not ok]
    for what in bad:
        print(f"FAIL {what}")
    print(f"{'ok  ' if not bad else 'FAIL'} worked example: 3 shards, {len(words)} distinct words, hll_sketch_estimate(hll_union_agg(content)) = {ours['e']} ({ours['e'] / len(words) - 1:+.2%})")
    return len(bad), len(ck)


if __name__ == "__main__":
    main()
