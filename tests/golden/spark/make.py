#!/usr/bin/env python3
"""Writes the golden Spark SQL HLL sketches tests/interop_spark.rs checks lessram against.

    .ci/interop-spark.sh  # makes target/spark-venv (pyspark 3.5.9) if needed, then:
    SPARK_LOCAL_IP=127.0.0.1 target/spark-venv/bin/python tests/golden/spark/make.py tests/golden/spark

It starts Spark (pyspark 3.5, local[2], 127.0.0.1, no UI) and, for each token set in SETS,
writes what Spark SQL returns for it: `hll_sketch_agg(col, lg_k)` of the tokens, every token
given twice (index 0 to n-1, then again), in one partition, so that the sketch is one stream
in that order ("stream"); or `hll_union` ("union") or `hll_union_agg` ("union_agg") of the
sketches of the even and of the odd indexes, built that way. Spark writes HLL_8, updatable;
the file is <name>. `sketches.txt` lists, per file, the sketch's parameters, DataSketches'
estimate of it (the Java library's `getEstimate()`, in Spark's JVM, as a float and its exact
bits) and Spark's `hll_sketch_estimate` of it (that estimate rounded, a bigint).

Token formats: "s:FMT" is the string FMT with {} replaced by the index (a string column: its
UTF-8 bytes), "i:A*x+B" the integer A*index + B (a bigint column; the script checks an int
column of the same values gives the same bytes). The empty set is one empty string, which
DataSketches ignores: Spark's empty sketch.
"""
import os
import struct
import sys
import tempfile

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

# name, lg_k, token format, distinct tokens, how
SETS = [
    ("empty", 12, "s:", 1, "stream"),
    ("list", 12, "s:w{}", 5, "stream"),
    ("set", 12, "s:w{}", 300, "stream"),
    ("hll", 12, "s:w{}", 20000, "stream"),
    ("utf8", 10, "s:ünïcødé-{}-€", 3000, "stream"),
    ("ints", 14, "i:7919*x+-100000000", 30000, "stream"),
    ("full", 10, "s:w{}", 50000, "stream"),
    ("union", 14, "s:w{}", 50000, "union"),
    ("union-agg", 12, "s:w{}", 8000, "union_agg"),
    ("union-full", 10, "s:w{}", 50000, "union"),
    ("union-agg-full", 10, "s:w{}", 50000, "union_agg"),
]


def tokens(fmt, n):
    kind, spec = fmt.split(":", 1)
    if kind == "s":
        return [spec.replace("{}", str(j)) for j in range(n)]
    a, b = spec.split("*x+")
    return [str(int(a) * j + int(b)) for j in range(n)]


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("lessram-spark-golden")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    HllSketch = spark._jvm.org.apache.datasketches.hll.HllSketch
    # Spark's file sources skip names that start with "." or "_": a plain name, elsewhere.
    tmp = os.path.join(tempfile.mkdtemp(), "tokens.txt")

    def agg(lg_k, kind, toks):
        with open(tmp, "w", encoding="utf-8") as f:
            f.write("\n".join(toks + toks) + "\n")
        df = spark.read.text(tmp).coalesce(1)
        if kind == "s":
            row = df.agg(F.hll_sketch_agg("value", lg_k).alias("m")).collect()[0]
            return bytes(row["m"])
        c = F.col("value")
        row = df.agg(F.hll_sketch_agg(c.cast("bigint"), lg_k).alias("m"), F.hll_sketch_agg(c.cast("int"), lg_k).alias("a")).collect()[0]
        assert row["m"] == row["a"], "an int column hashes as the bigint of its value"
        return bytes(row["m"])

    lines = ["# file lg_k tokens distinct how mode ooo estimate estimate-bits spark-estimate; written by make.py with Spark " + spark.version]
    try:
        for name, lg_k, fmt, n, how in SETS:
            kind = fmt.split(":", 1)[0]
            toks = tokens(fmt, n)
            if how == "stream":
                b = agg(lg_k, kind, toks)
            else:
                halves = [agg(lg_k, kind, toks[0::2]), agg(lg_k, kind, toks[1::2])]
                if how == "union":
                    df = spark.createDataFrame([tuple(bytearray(h) for h in halves)], "a binary, b binary")
                    b = bytes(df.select(F.hll_union("a", "b").alias("u")).collect()[0]["u"])
                else:
                    df = spark.createDataFrame([(bytearray(h),) for h in halves], "s binary")
                    b = bytes(df.agg(F.hll_union_agg("s").alias("u")).collect()[0]["u"])
            with open(os.path.join(out, name), "wb") as f:
                f.write(b)
            e = HllSketch.heapify(bytearray(b)).getEstimate()
            se = spark.createDataFrame([(bytearray(b),)], "s binary").select(F.hll_sketch_estimate("s").alias("e")).collect()[0]["e"]
            bits = struct.unpack("<Q", struct.pack("<d", e))[0]
            mode = ["LIST", "SET", "HLL"][b[7] & 3]
            lines.append(f"{name} {lg_k} {fmt} {n} {how} {mode} {int(bool(b[5] & 16))} {e!r} {bits:016x} {se}")
    finally:
        spark.stop()
        if os.path.exists(tmp):
            os.remove(tmp)
    with open(os.path.join(out, "sketches.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
