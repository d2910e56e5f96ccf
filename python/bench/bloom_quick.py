"""python/bench/bloom_quick.py [--corpus FILE] [--items N] [--runs N]: lessram's BloomFilter and
rbloom's Bloom side by side in one process, alternating, medians of --runs repetitions; prints
ns per item and the ratio (rbloom time / lessram time: > 1 is lessram faster) for `update(list)`,
an `add` loop, `in` (present, absent) and lessram's `contains_many`, and the measured FP rate.

A quick check for a shared machine (ratios, not absolute times); compare.py is the full table.
Items: the first N whitespace tokens of the corpus (repeats kept, as compare.py's stream);
absent queries: the distinct tokens with a byte appended that the corpus does not contain.
"""

import argparse
import os
import statistics
import time

import lessram
import rbloom

FP = 0.01


def timed(f):
    t = time.perf_counter()
    r = f()
    return time.perf_counter() - t, r


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default = os.path.join(here, "..", "..", "target", "corpus-data", "english.txt")
    if not os.path.exists(default):
        default = "/work/corpus-data/english.txt"
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default=default)
    ap.add_argument("--items", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()

    items = []
    with open(a.corpus, encoding="utf-8", errors="replace") as f:
        for line in f:
            items.extend(line.split())
            if len(items) >= a.items:
                break
    items = items[: a.items]
    distinct = list(dict.fromkeys(items))
    absent = [w + "\x07" for w in distinct]
    n = len(distinct)

    def make(kind):
        return lessram.BloomFilter(n, FP) if kind == "lessram" else rbloom.Bloom(n, FP)

    def batch(kind):
        s = make(kind)
        s.update(items)
        return s

    def loop(kind):
        s = make(kind)
        add = s.add
        for t in items:
            add(t)
        return s

    def query(s, q):
        hits = 0
        for t in q:
            if t in s:
                hits += 1
        return hits

    ops = ["update(list)", "add loop", "in, present", "in, absent", "contains_many, absent"]
    times = {(k, o): [] for k in ("lessram", "rbloom") for o in ops}
    fp = {}
    for _ in range(a.runs):
        for kind in ("lessram", "rbloom"):
            t, s = timed(lambda: batch(kind))
            times[kind, "update(list)"].append(t / len(items))
            t, s = timed(lambda: loop(kind))
            times[kind, "add loop"].append(t / len(items))
            t, hits = timed(lambda: query(s, distinct))
            assert hits == n
            times[kind, "in, present"].append(t / n)
            t, hits = timed(lambda: query(s, absent))
            times[kind, "in, absent"].append(t / n)
            fp[kind] = hits / n
            if kind == "lessram":
                t, r = timed(lambda: s.contains_many(absent))
                times[kind, "contains_many, absent"].append(t / n)
    print(f"{len(items):,} items ({n:,} distinct), {a.runs} runs, medians; load {os.getloadavg()[0]:.2f}")
    print(f"{'':24} {'lessram ns':>10} {'rbloom ns':>10} {'ratio':>6}")
    for o in ops:
        lv = statistics.median(times["lessram", o]) * 1e9
        rk = o if o != "contains_many, absent" else "in, absent"
        rv = statistics.median(times["rbloom", rk]) * 1e9
        print(f"{o:24} {lv:10.1f} {rv:10.1f} {rv / lv:6.2f}")
    print(f"FP: lessram {fp['lessram']:.3%}, rbloom {fp['rbloom']:.3%}")


if __name__ == "__main__":
    main()
