"""The comparison table of the book's chapter ("Using less RAM", High Performance Python),
re-run from Python through lessram's API on a real corpus.

    python book_table.py --corpus english.txt [--slice MB] [--runs R]

The book fed every token of English Wikipedia (1,148,708,949 tokens, 4,956,262 distinct)
to its own pure-Python structures, one token at a time. Here every whitespace-separated
token of the corpus (decoded as UTF-8, invalid bytes replaced) goes to the same structures
from lessram: a Morris counter (all tokens, repeats included), LogLog, SuperLogLog and
HyperLogLog with m = 2^16 registers, KMV with k = 65,536, a scaling Bloom filter (1%, from
100,000 items, the CLI's defaults: its count is the inserts that were new) and Python's
`set` for the truth. lessram's LogLog has at least 2^4 registers, so the book's one-register
row is run as m = 2^4.

Columns: the estimate, the relative error as the book defines it, (true - estimate) / true,
seconds for `update(tokens)` (one call; the list is hashed in Rust) and for a Python loop
of `add` (the book's way; `increment` for Morris), and memory: `memory_usage()` (heap bytes
the Rust structure owns) and the size of `to_bytes()`; for the set, `sys.getsizeof` of the
set plus of every string in it. Times are medians of R runs in this process.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time

import lessram

BOOK = {  # the book's published figures: estimate, error, seconds, size
    "Morris counter (counts all tokens)": ("1,073,741,824", "6.52%", "751", "5 bits"),
    "LogLog, m = 2^4 (book: one register)": ("1,048,576", "78.84%", "1,690", "5 bits"),
    "LogLog, m = 2^16": ("4,522,232", "8.76%", "2,112", "~41 KB"),
    "SuperLogLog, m = 2^16": ("1,628,946", "67.13%", "2,416", "~41 KB"),
    "HyperLogLog, m = 2^16": ("4,983,171", "-0.54%", "2,907", "40 KB"),
    "KMV, k = 65,536": ("4,912,818", "0.88%", "3,503", "256 KB"),
    "scaling Bloom filter, 1%": ("4,949,358", "0.14%", "10,392", "11,509 KB"),
    "exact set": ("4,956,262", "0", "-", "49,558 KB"),
}


def structures():
    return {
        "Morris counter (counts all tokens)": lambda: lessram.MorrisCounter(base=2.0, seed=19),
        "LogLog, m = 2^4 (book: one register)": lambda: lessram.LogLog(p=4),
        "LogLog, m = 2^16": lambda: lessram.LogLog(p=16),
        "SuperLogLog, m = 2^16": lambda: lessram.SuperLogLog(p=16),
        "HyperLogLog, m = 2^16": lambda: lessram.HyperLogLog(p=16),
        "KMV, k = 65,536": lambda: lessram.KMinValues(k=65_536),
        "scaling Bloom filter, 1%": lambda: lessram.ScalingBloomFilter(100_000, 0.01),
    }


def loop_add(s, tokens):
    if isinstance(s, lessram.MorrisCounter):
        inc = s.increment
        for _ in tokens:
            inc()
    else:
        add = s.add
        for t in tokens:
            add(t)


def deep_set_size(s: set) -> int:
    return sys.getsizeof(s) + sum(sys.getsizeof(x) for x in s)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--slice", type=float, help="read only the first MB megabytes")
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    with open(a.corpus, "rb") as f:
        raw = f.read(int(a.slice * 1e6)) if a.slice else f.read()
    if a.slice:
        raw = raw[: raw.rfind(b"\n") + 1] or raw
    tokens = [t.decode("utf-8", "replace") for t in raw.split()]
    del raw

    rows = []
    set_times, set_loop = [], []
    for _ in range(a.runs):
        t = time.perf_counter()
        exact = set(tokens)
        set_times.append(time.perf_counter() - t)
        del exact
        t = time.perf_counter()
        exact = set()
        add = exact.add
        for x in tokens:
            add(x)
        set_loop.append(time.perf_counter() - t)
    true = len(exact)
    set_bytes = deep_set_size(exact)
    del exact

    for name, make in structures().items():
        batch, loop = [], []
        for _ in range(a.runs):
            s = make()
            t = time.perf_counter()
            s.update(tokens)
            batch.append(time.perf_counter() - t)
            s2 = make()
            t = time.perf_counter()
            loop_add(s2, tokens)
            loop.append(time.perf_counter() - t)
        truth = len(tokens) if isinstance(s, lessram.MorrisCounter) else true
        est = s.estimate()
        # Morris draws its own random stream, the others are deterministic: both builds agree.
        assert isinstance(s, lessram.MorrisCounter) or s2.estimate() == est, name
        rows.append(
            (
                name,
                est,
                (truth - est) / truth,
                statistics.median(batch),
                statistics.median(loop),
                s.memory_usage() if hasattr(s, "memory_usage") else 0,
                len(s.to_bytes()),
            )
        )
    rows.append(
        (
            "exact set",
            true,
            0.0,
            statistics.median(set_times),
            statistics.median(set_loop),
            set_bytes,
            None,
        )
    )

    p = print
    p("## The book's table, from Python\n")
    p(
        f"Corpus `{os.path.basename(a.corpus)}`{f' (first {a.slice:g} MB)' if a.slice else ''}: "
        f"{len(tokens):,} tokens, {true:,} distinct (the book: English Wikipedia, "
        f"1,148,708,949 tokens, 4,956,262 distinct). lessram {lessram.__version__}, Python "
        f"{platform.python_version()}, {os.cpu_count()} cores; times are medians of {a.runs} runs. "
        f"Generated by `python/bench/run.sh{f' --slice {a.slice:g}' if a.slice else ''}` "
        "(`python/bench/book_table.py`).\n"
    )
    p(
        "| structure | estimate | error | `update(list)` s | `add` loop s | heap B | saved B "
        "| book: estimate | error | s | size |"
    )
    p("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, est, err, tb, tl, heap, saved in rows:
        b = BOOK[name]
        saved_s = f"{saved:,}" if saved is not None else "-"
        p(
            f"| {name} | {est:,.0f} | {err:+.2%} | {tb:.3f} | {tl:.3f} | {heap:,} | {saved_s} "
            f"| {b[0]} | {b[1]} | {b[2]} | {b[3]} |"
        )
    p(
        "\nThe Morris counter's truth is the token count "
        f"({len(tokens):,}); every other row's is the distinct count. The set's heap is "
        "`sys.getsizeof` of the set and of its strings."
    )


if __name__ == "__main__":
    main()
