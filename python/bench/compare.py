"""lessram's Python classes side by side with the Python peers, on the tokens of a real corpus.

    python compare.py --corpus english.txt [--slice MB] [--items N] [--runs R] [--peers FILE]

Three families, each on the same tokens (whitespace-separated words of the corpus, decoded
as UTF-8 with invalid bytes replaced):

* distinct counting: the first N tokens (repeats included) into lessram's HyperLogLog and
  UltraLogLog (p=14), datasketches' hll_sketch (lg_k=14, HLL_4), datasketch's HyperLogLog
  (p=14), hyperloglog's HyperLogLog (error 0.01, so p=14) and a `set`;
* membership at a 1% target: the same N tokens into lessram's BloomFilter and
  ScalingBloomFilter, rbloom's Bloom, pyprobables' BloomFilter and ExpandingBloomFilter and
  a `set`, then looked up: the N tokens (present) and every distinct token of the rest of
  the text that is not among them (absent; the measured false-positive rate);
* word stores: every other distinct token of the text (in first-seen order) into lessram's
  Dawg and Trie, marisa-trie, DAWG (DAWG and CompletionDAWG), a sorted list with bisect
  and a `set`; exact lookups of the stored and of the other half (absent) and 10,000
  prefix searches (all stored words under a 3-character prefix).

Every case runs R times, each in a fresh Python process, and the tables show medians.
Times are wall clock (perf_counter) divided by the items; "one call" is the batch API
(`update(list)`, `set(list)`, `add_bulk`), "loop" a Python `for` calling `add` per item.
Memory, three ways:
* saved: the structure's own serialized form (`to_bytes`, `serialize_compact`,
  `tobytes`, `size_in_bits / 8` for rbloom, which has no serialized form for its default
  hash; pickle for hyperloglog), or "-" when there is none;
* traced: what tracemalloc sees retained after a second build from a fresh list (Python's
  allocators only: native structures allocate with malloc and show ~0);
* RSS: resident-set growth of the worker across the timed build (the input list already
  made, gc and malloc_trim run before and after): what the structure holds, to a page or
  so, its items' strings not included for a `set` or a sorted list (they are the input's);
  too coarse for 12 KB sketches.

Peers that are not installed are listed with the reason given in --peers (the file
run.sh writes), or as "not importable", never silently dropped. The script installs
nothing. It writes markdown to stdout.
"""

from __future__ import annotations

import argparse
import bisect
import gc
import importlib.metadata
import json
import os
import pickle
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc

P = 14
FP_TARGET = 0.01
PREFIXES = 10_000


def rss() -> int:
    """Resident bytes of this process (Linux /proc, else psutil)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        import psutil

        return psutil.Process().memory_info().rss


def settle() -> None:
    gc.collect()
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


# ---------------------------------------------------------------------------------------
# The cases: family -> name -> (module to import, build, queries, saved size).
# build(items) returns the structure; "loop" builds call add per item.


def _lessram():
    import lessram

    return lessram


def hll_cases():
    c = {}

    def lr(cls):
        def batch(items, n):
            s = cls(p=P)
            s.update(items)
            return s

        def loop(items, n):
            s = cls(p=P)
            add = s.add
            for t in items:
                add(t)
            return s

        return batch, loop

    for name, cls in [("HyperLogLog", "HyperLogLog"), ("UltraLogLog", "UltraLogLog")]:
        batch, loop = lr(lambda p, cls=cls: getattr(_lessram(), cls)(p=p))
        est = lambda s: s.estimate()
        saved = lambda s: len(s.to_bytes())
        c[f"lessram {name}(p=14)"] = dict(
            module="lessram", batch=batch, loop=loop, estimate=est, saved=saved
        )

    def ds_loop(items, n):
        import datasketches

        s = datasketches.hll_sketch(P, datasketches.tgt_hll_type.HLL_4)
        up = s.update
        for t in items:
            up(t)
        return s

    c["datasketches hll_sketch(14, HLL_4)"] = dict(
        module="datasketches",
        batch=None,
        loop=ds_loop,
        estimate=lambda s: s.get_estimate(),
        saved=lambda s: len(s.serialize_compact()),
    )

    def dk_loop(items, n):
        import datasketch

        s = datasketch.HyperLogLog(p=P)
        up = s.update
        for t in items:
            up(t.encode())
        return s

    c["datasketch HyperLogLog(p=14)"] = dict(
        module="datasketch",
        batch=None,
        loop=dk_loop,
        estimate=lambda s: s.count(),
        saved=lambda s: s.bytesize(),
    )

    def hl_new():
        import hyperloglog

        return hyperloglog.HyperLogLog(0.01)

    def hl_batch(items, n):
        s = hl_new()
        s.add_bulk(items)
        return s

    def hl_loop(items, n):
        s = hl_new()
        add = s.add
        for t in items:
            add(t)
        return s

    c["hyperloglog HyperLogLog(0.01)"] = dict(
        module="hyperloglog",
        batch=hl_batch,
        loop=hl_loop,
        estimate=lambda s: s.card(),
        saved=lambda s: len(pickle.dumps(s)),
    )
    c["set"] = set_case(estimate=len)
    return c


def set_case(**extra):
    def batch(items, n):
        return set(items)

    def loop(items, n):
        s = set()
        add = s.add
        for t in items:
            add(t)
        return s

    return dict(module=None, batch=batch, loop=loop, saved=lambda s: None, **extra)


def bloom_cases():
    c = {}

    def lr(make):
        def batch(items, n):
            s = make(n)
            s.update(items)
            return s

        def loop(items, n):
            s = make(n)
            add = s.add
            for t in items:
                add(t)
            return s

        return batch, loop

    batch, loop = lr(lambda n: _lessram().BloomFilter(n, FP_TARGET))
    c["lessram BloomFilter"] = dict(
        module="lessram",
        batch=batch,
        loop=loop,
        saved=lambda s: len(s.to_bytes()),
        many=lambda s, q: s.contains_many(q),
    )
    batch, loop = lr(lambda n: _lessram().ScalingBloomFilter(max(1, n // 100), FP_TARGET))
    c["lessram ScalingBloomFilter, from n/100"] = dict(
        module="lessram",
        batch=batch,
        loop=loop,
        saved=lambda s: len(s.to_bytes()),
        many=lambda s, q: s.contains_many(q),
    )

    def rb(n):
        import rbloom

        return rbloom.Bloom(n, FP_TARGET)

    batch, loop = lr(rb)
    c["rbloom Bloom"] = dict(
        module="rbloom", batch=batch, loop=loop, saved=lambda s: s.size_in_bits // 8
    )

    def pp(n):
        import probables

        return probables.BloomFilter(est_elements=n, false_positive_rate=FP_TARGET)

    def ppx(n):
        import probables

        return probables.ExpandingBloomFilter(
            est_elements=max(1, n // 100), false_positive_rate=FP_TARGET
        )

    _, loop = lr(pp)
    c["pyprobables BloomFilter"] = dict(
        module="probables", batch=None, loop=loop, saved=lambda s: s.export_size()
    )
    _, loop = lr(ppx)
    c["pyprobables ExpandingBloomFilter, from n/100"] = dict(
        module="probables",
        batch=None,
        loop=loop,
        saved=lambda s: sum(b.export_size() for b in s._blooms),
    )
    c["set"] = set_case()
    return c


def word_cases():
    c = {}

    def lr_dawg(items, n):
        return _lessram().Dawg(items)

    def lr_trie(items, n):
        return _lessram().Trie(items)

    c["lessram Dawg"] = dict(
        module="lessram",
        batch=lr_dawg,
        saved=lambda s: len(s.to_bytes()),
        prefix=lambda s, p: s.words(p),
    )
    c["lessram Trie"] = dict(
        module="lessram",
        batch=lr_trie,
        saved=lambda s: len(s.to_bytes()),
        prefix=lambda s, p: s.words(p),
    )

    def marisa(items, n):
        import marisa_trie

        return marisa_trie.Trie(items)

    c["marisa-trie Trie"] = dict(
        module="marisa_trie",
        batch=marisa,
        saved=lambda s: len(s.tobytes()),
        prefix=lambda s, p: s.keys(p),
    )

    def dawg_plain(items, n):
        import dawg

        return dawg.DAWG(items)

    def dawg_completion(items, n):
        import dawg

        return dawg.CompletionDAWG(items)

    c["DAWG DAWG"] = dict(module="dawg", batch=dawg_plain, saved=lambda s: len(s.tobytes()))
    c["DAWG CompletionDAWG"] = dict(
        module="dawg",
        batch=dawg_completion,
        saved=lambda s: len(s.tobytes()),
        prefix=lambda s, p: s.keys(p),
    )

    class Sorted:
        """A sorted list searched with bisect (the book's list + bisect)."""

        def __init__(self, items):
            self.a = sorted(items)

        def __contains__(self, w):
            a = self.a
            i = bisect.bisect_left(a, w)
            return i < len(a) and a[i] == w

        def keys(self, p):
            a = self.a
            return a[bisect.bisect_left(a, p) : bisect.bisect_left(a, p + "\U0010ffff")]

    c["sorted list + bisect"] = dict(
        module=None,
        batch=lambda items, n: Sorted(items),
        saved=lambda s: None,
        prefix=lambda s, p: s.keys(p),
    )
    c["set"] = dict(module=None, batch=lambda items, n: set(items), saved=lambda s: None)
    return c


FAMILIES = {"count": hll_cases, "bloom": bloom_cases, "words": word_cases}
PEER_MODULE_TO_PACKAGE = {
    "lessram": "lessram",
    "datasketches": "datasketches",
    "datasketch": "datasketch",
    "hyperloglog": "hyperloglog",
    "rbloom": "rbloom",
    "probables": "pyprobables",
    "marisa_trie": "marisa-trie",
    "dawg": "DAWG",
}


# ---------------------------------------------------------------------------------------
# The worker: one case, one mode, in a fresh process; prints one JSON object.


def read_lines(path: str) -> str:
    with open(path, encoding="utf-8") as f:
        return f.read()


def worker(family: str, name: str, mode: str, data: str, meta: dict) -> dict:
    case = FAMILIES[family]()[name]
    build = case[mode]
    inputs = {"count": "stream", "bloom": "stream", "words": "words"}[family]
    blob = read_lines(os.path.join(data, inputs + ".txt"))
    absent_blob = None
    if family in ("bloom", "words"):
        absent_blob = read_lines(
            os.path.join(data, ("absent" if family == "bloom" else "wabsent") + ".txt")
        )
    n_distinct = meta["stream_distinct"] if family != "words" else meta["words"]
    if case["module"]:
        importlib.import_module(case["module"])  # not in the time nor in the RSS growth
    items = blob.split("\n")
    absent = absent_blob.split("\n") if absent_blob is not None else None
    out: dict = {"n": len(items)}
    settle()
    rss0 = rss()

    t = time.perf_counter_ns()
    s = build(items, n_distinct)
    out["build_ns"] = (time.perf_counter_ns() - t) / len(items)
    settle()
    out["rss"] = rss() - rss0

    if family == "count":
        est = case["estimate"]
        reps = []
        for _ in range(11):
            t = time.perf_counter_ns()
            e = est(s)
            reps.append(time.perf_counter_ns() - t)
        out["estimate"] = float(e)
        out["query_ns"] = statistics.median(reps)
    else:
        for key, q in (("present", items), ("absent", absent)):
            t = time.perf_counter_ns()
            hits = 0
            for w in q:
                if w in s:
                    hits += 1
            out[key + "_ns"] = (time.perf_counter_ns() - t) / len(q)
            out[key + "_hits"] = hits
            out[key + "_n"] = len(q)
        if "many" in case:
            t = time.perf_counter_ns()
            r = case["many"](s, absent)
            out["many_ns"] = (time.perf_counter_ns() - t) / len(absent)
            assert sum(r) == out["absent_hits"]
        if family == "words" and "prefix" in case:
            prefixes = read_lines(os.path.join(data, "prefixes.txt")).split("\n")
            f = case["prefix"]
            t = time.perf_counter_ns()
            found = 0
            for p in prefixes:
                found += len(f(s, p))
            out["prefix_ns"] = (time.perf_counter_ns() - t) / len(prefixes)
            out["prefix_found"] = found
    out["saved"] = case["saved"](s)
    del items, absent
    del s
    settle()

    # A second build, traced: Python-heap bytes the structure keeps.
    tracemalloc.start()
    items = blob.split("\n")
    s = build(items, n_distinct)
    del items
    gc.collect()
    out["traced"] = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return out


# ---------------------------------------------------------------------------------------
# The driver: prepares the tokens, runs every case R times, prints markdown.


def prepare(corpus: str, slice_mb: float | None, n_items: int, data: str) -> dict:
    with open(corpus, "rb") as f:
        raw = f.read(int(slice_mb * 1e6)) if slice_mb else f.read()
    if slice_mb:
        raw = raw[: raw.rfind(b"\n") + 1] or raw
    tokens = [t.decode("utf-8", "replace") for t in raw.split()]
    # On a small slice, half the tokens, so that the rest leaves absent words to look up.
    stream = tokens[: min(n_items, len(tokens) // 2)]
    seen = set(stream)
    absent, distinct, dseen = [], [], set()
    for t in tokens:
        if t not in dseen:
            dseen.add(t)
            distinct.append(t)
    for t in distinct:
        if t not in seen:
            absent.append(t)
    words, wabsent = distinct[0::2], distinct[1::2]
    rng = random.Random(19)
    prefixes = [w[:3] for w in rng.sample(words, min(PREFIXES, len(words)))]
    for name, lst in [
        ("stream", stream),
        ("absent", absent),
        ("words", words),
        ("wabsent", wabsent),
        ("prefixes", prefixes),
    ]:
        with open(os.path.join(data, name + ".txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(lst))
    return dict(
        corpus_bytes=len(raw),
        tokens=len(tokens),
        distinct=len(distinct),
        stream=len(stream),
        stream_distinct=len(seen),
        absent=len(absent),
        words=len(words),
        wabsent=len(wabsent),
        prefixes=len(prefixes),
    )


def importable(module: str | None) -> str | None:
    """None when the module imports, else why not."""
    if module is None:
        return None
    r = subprocess.run(
        [sys.executable, "-c", f"import {module}"], capture_output=True, text=True
    )
    if r.returncode == 0:
        return None
    return (r.stderr.strip().splitlines() or ["import failed"])[-1]


def run_case(family, name, mode, data, meta, runs):
    results = []
    for _ in range(runs):
        r = subprocess.run(
            [
                sys.executable,
                os.path.abspath(__file__),
                "--worker",
                json.dumps([family, name, mode, data, meta]),
            ],
            capture_output=True,
            text=True,
        )
        if r.returncode != 0:
            tail = (r.stderr.strip().splitlines() or ["?"])[-1]
            return {"error": tail}
        results.append(json.loads(r.stdout))
    med = {}
    for k in results[0]:
        vals = [x[k] for x in results if x[k] is not None]
        med[k] = statistics.median(vals) if vals else None
    return med


def fmt_ns(x):
    if x is None:
        return "-"
    return f"{x:,.0f}" if x >= 100 else f"{x:.1f}"


def fmt_bytes(x):
    if x is None:
        return "-"
    return f"{x:,.0f}"


def version(module):
    pkg = PEER_MODULE_TO_PACKAGE.get(module, module)
    for p in (pkg, "DAWG2") if module == "dawg" else (pkg,):
        try:
            return f"{p} {importlib.metadata.version(p)}"
        except importlib.metadata.PackageNotFoundError:
            continue
    return pkg


def count_file_vs_cli(corpus, runs):
    """Seconds of lessram.count_file and of `lessram count` on the same file, HLL only."""
    import lessram

    cli = os.environ.get("LESSRAM_CLI") or os.path.join(
        os.path.dirname(__file__), "..", "..", "target", "release", "lessram"
    )
    if not os.access(cli, os.X_OK):
        return None, f"no CLI at {cli} (cargo build --release --features cli)"
    threads = os.cpu_count() or 1
    py, rs = [], []
    for _ in range(runs):
        t = time.perf_counter()
        res = lessram.count_file(corpus, ["hll"], threads=threads)
        py.append(time.perf_counter() - t)
        t = time.perf_counter()
        subprocess.run(
            [cli, "count", "--sketch", "hll", "--no-exact", "-q", "-t", str(threads), corpus],
            check=True,
            capture_output=True,
        )
        rs.append(time.perf_counter() - t)
    return (statistics.median(py), statistics.median(rs), res["tokens"], threads), None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus")
    ap.add_argument("--slice", type=float, help="read only the first MB megabytes")
    ap.add_argument(
        "--items", type=int, default=1_000_000, help="tokens inserted (10^6; at most half the text)"
    )
    ap.add_argument("--runs", type=int, default=3, help="fresh-process runs per case")
    ap.add_argument("--peers", help="the install log run.sh writes (NAME installed|failed ...)")
    ap.add_argument("--only", help="families to run, comma-separated (count,bloom,words)")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        print(json.dumps(worker(*json.loads(a.worker))))
        return
    if not a.corpus:
        ap.error("--corpus is required")

    install = {}
    if a.peers and os.path.exists(a.peers):
        for line in open(a.peers):
            parts = line.strip().split(" ", 2)
            if len(parts) >= 2:
                install.setdefault(parts[0], []).append(line.strip())

    with tempfile.TemporaryDirectory(prefix="lessram-bench-") as data:
        t0 = time.time()
        meta = prepare(a.corpus, a.slice, a.items, data)
        p = print
        p("## lessram against the Python peers\n")
        p(
            f"Corpus `{os.path.basename(a.corpus)}`: {meta['corpus_bytes']:,} bytes"
            f"{f' (first {a.slice} MB)' if a.slice else ''}, {meta['tokens']:,} tokens, "
            f"{meta['distinct']:,} distinct. Python {platform.python_version()}, "
            f"{platform.machine()}, {os.cpu_count()} cores; medians of {a.runs} runs, each "
            f"in a fresh process. Generated by `python/bench/run.sh"
            f"{f' --slice {a.slice:g}' if a.slice else ''}"
            f"{f' --items {a.items}' if a.items != 1_000_000 else ''}"
            f"{f' --runs {a.runs}' if a.runs != 3 else ''}`.\n"
        )
        missing = []
        versions = {}
        families = a.only.split(",") if a.only else list(FAMILIES)
        for family in FAMILIES:
            for case in FAMILIES[family]().values():
                m = case["module"]
                if m and m not in versions:
                    why = importable(m)
                    versions[m] = why
        p(
            "Versions: "
            + ", ".join(version(m) for m, why in versions.items() if why is None)
            + ".\n"
        )
        for m, why in versions.items():
            if why is not None:
                pkg = PEER_MODULE_TO_PACKAGE.get(m, m)
                log = "; ".join(install.get(pkg, [])) or "not installed"
                missing.append(f"- **{pkg}**: not importable ({why}); install: {log}")
        for pkg, lines in install.items():
            for line in lines:
                if " failed " in line and not any(f"**{pkg}**" in x for x in missing):
                    missing.append(f"- **{pkg}**: {line} (a fallback was installed)")
        if missing:
            p("Peers not measured or not installed as asked:\n")
            p("\n".join(missing) + "\n")
        p(
            "Times are wall clock per item; *one call* is the batch API (`update(list)`, "
            "`set(list)`, `add_bulk`), *loop* a Python `for` calling `add`; lookups are a "
            "Python loop of `in`. Error is (estimate - true) / true. Memory: *saved* is the "
            "serialized form (`to_bytes`, `serialize_compact`, `tobytes`, `bytesize`, pickle "
            "for hyperloglog, `size_in_bits / 8` for rbloom, whose default hash cannot be "
            "saved); *traced* is what tracemalloc sees retained after a build from a fresh "
            "list (Python's allocators only, strings included: native structures show ~0); "
            "*RSS* is the process's resident growth across the build, after gc and "
            "malloc_trim (the input list not counted, so a set's strings are not in it; too "
            "coarse for the sketches, which are a few pages).\n"
        )

        res = {}
        for family in families:
            for name, case in FAMILIES[family]().items():
                if case["module"] and versions.get(case["module"]):
                    continue
                for mode in ("batch", "loop"):
                    if case.get(mode) is None:
                        continue
                    print(f"[{time.time() - t0:6.0f}s] {family} {name} {mode}", file=sys.stderr)
                    res[(family, name, mode)] = run_case(family, name, mode, data, meta, a.runs)

        def rows(family):
            for (f, name, mode), r in res.items():
                if f == family:
                    yield name, mode, r

        mode_label = {"batch": "one call", "loop": "loop"}
        if "count" in families:
            true = meta["stream_distinct"]
            p(f"### Distinct counting: {meta['stream']:,} tokens, {true:,} distinct\n")
            p("| structure | insert | ns/item | estimate | error | estimate() µs | saved B | traced B | RSS B |")
            p("|---|---|---:|---:|---:|---:|---:|---:|---:|")
            for name, mode, r in rows("count"):
                if "error" in r:
                    p(f"| {name} | {mode_label[mode]} | failed: {r['error']} |||||||")
                    continue
                err = (r["estimate"] - true) / true
                p(
                    f"| {name} | {mode_label[mode]} | {fmt_ns(r['build_ns'])} | "
                    f"{r['estimate']:,.0f} | {err:+.2%} | {r['query_ns'] / 1000:,.1f} | "
                    f"{fmt_bytes(r['saved'])} | {fmt_bytes(r['traced'])} | {fmt_bytes(r['rss'])} |"
                )
            p()
        if "bloom" in families:
            p(
                f"### Membership at a {FP_TARGET:.0%} target: {meta['stream']:,} tokens "
                f"({meta['stream_distinct']:,} distinct, the capacity given) inserted, "
                f"{meta['stream']:,} present and {meta['absent']:,} absent lookups\n"
            )
            p("| structure | insert | ns/insert | ns/present | ns/absent | measured FP | saved B | bits/item | traced B | RSS B |")
            p("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
            for name, mode, r in rows("bloom"):
                if "error" in r:
                    p(f"| {name} | {mode_label[mode]} | failed: {r['error']} ||||||||")
                    continue
                fp = r["absent_hits"] / r["absent_n"]
                assert r["present_hits"] == r["present_n"], name
                bits = (
                    f"{r['saved'] * 8 / meta['stream_distinct']:.2f}" if r["saved"] else "-"
                )
                absent = fmt_ns(r["absent_ns"])
                if "many_ns" in r:
                    absent += f" ({fmt_ns(r['many_ns'])} `contains_many`)"
                p(
                    f"| {name} | {mode_label[mode]} | {fmt_ns(r['build_ns'])} | "
                    f"{fmt_ns(r['present_ns'])} | {absent} | {fp:.3%} | "
                    f"{fmt_bytes(r['saved'])} | {bits} | {fmt_bytes(r['traced'])} | {fmt_bytes(r['rss'])} |"
                )
            p()
        if "words" in families:
            p(
                f"### Word stores: {meta['words']:,} distinct tokens stored, "
                f"{meta['wabsent']:,} absent, {meta['prefixes']:,} 3-character prefixes\n"
            )
            p("| structure | build ns/word | ns/present | ns/absent | µs/prefix (words found) | saved B | B/word | traced B | RSS B |")
            p("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
            for name, mode, r in rows("words"):
                if "error" in r:
                    p(f"| {name} | failed: {r['error']} ||||||||")
                    continue
                assert r["present_hits"] == r["present_n"] and r["absent_hits"] == 0, name
                pre = (
                    f"{r['prefix_ns'] / 1000:,.1f} ({r['prefix_found']:,.0f})"
                    if "prefix_ns" in r
                    else "no prefix search"
                )
                per = f"{r['saved'] / meta['words']:.2f}" if r["saved"] else "-"
                p(
                    f"| {name} | {fmt_ns(r['build_ns'])} | {fmt_ns(r['present_ns'])} | "
                    f"{fmt_ns(r['absent_ns'])} | {pre} | {fmt_bytes(r['saved'])} | {per} | "
                    f"{fmt_bytes(r['traced'])} | {fmt_bytes(r['rss'])} |"
                )
            p()

        p("### The issue's goals\n")
        goals(res, meta, a, p)
        print(f"[{time.time() - t0:6.0f}s] done", file=sys.stderr)


def goals(res, meta, a, p):
    def get(f, n, m):
        r = res.get((f, n, m))
        return r if r and "error" not in r else None

    lines = []
    hb = get("count", "lessram HyperLogLog(p=14)", "batch")
    dl = get("count", "datasketches hll_sketch(14, HLL_4)", "loop")
    if hb and dl:
        x = dl["build_ns"] / hb["build_ns"]
        lines.append(
            f"- HyperLogLog `update(list)` vs datasketches' per-item loop: {x:.1f}x the "
            f"throughput (goal at least 3x: {'met' if x >= 3 else 'not met'}); datasketches' "
            "hll_sketch has no batch update."
        )
    rb = get("bloom", "rbloom Bloom", "batch")
    lb = get("bloom", "lessram BloomFilter", "batch")
    rl = get("bloom", "rbloom Bloom", "loop")
    ll = get("bloom", "lessram BloomFilter", "loop")
    if rb and lb and rl and ll:
        fp_l = lb["absent_hits"] / lb["absent_n"]
        fp_r = rb["absent_hits"] / rb["absent_n"]
        parts = [
            ("`update(list)`", rb["build_ns"] / lb["build_ns"]),
            ("`add` loop", rl["build_ns"] / ll["build_ns"]),
            ("present `in`", rb["present_ns"] / lb["present_ns"]),
            ("absent `in`", rb["absent_ns"] / lb["absent_ns"]),
        ]
        met = all(x >= 1 for _, x in parts)
        lines.append(
            "- Bloom vs rbloom (speed ratio, >1 is lessram faster): "
            + ", ".join(f"{n} {x:.2f}x" for n, x in parts)
            + f"; measured FP {fp_l:.3%} vs {fp_r:.3%} (goal at least rbloom's speed at the "
            f"same FP: {'met' if met else 'not met'})."
        )
    ld = get("words", "lessram Dawg", "batch")
    dd = get("words", "DAWG DAWG", "batch")
    mt = get("words", "marisa-trie Trie", "batch")
    if ld and dd:
        lines.append(
            f"- Dawg memory vs DAWG: {ld['saved']:,} vs {dd['saved']:,} saved bytes "
            f"(goal at most DAWG's: {'met' if ld['saved'] <= dd['saved'] else 'not met'})."
        )
    if ld and mt:
        xp = mt["present_ns"] / ld["present_ns"]
        xa = mt["absent_ns"] / ld["absent_ns"]
        lines.append(
            f"- Dawg lookups vs marisa-trie: {xp:.2f}x (present) and {xa:.2f}x (absent) its "
            f"speed (goal at least as fast: {'met' if min(xp, xa) >= 1 else 'not met'})."
        )
    try:
        cf, why = count_file_vs_cli(a.corpus, a.runs)
    except Exception as e:  # the comparison is reported, not fatal
        cf, why = None, f"failed: {e}"
    if cf:
        py, rs, tokens, threads = cf
        lines.append(
            f"- `count_file` vs `lessram count --sketch hll --no-exact` on the whole corpus "
            f"({tokens:,} tokens, {threads} threads, median of {a.runs}): {py:.3f} s vs "
            f"{rs:.3f} s, {py / rs:.2f}x (goal within 1.1x: {'met' if py <= 1.1 * rs else 'not met'})."
        )
    else:
        lines.append(f"- `count_file` vs the CLI: not measured, {why}.")
    p("\n".join(lines))


if __name__ == "__main__":
    main()
