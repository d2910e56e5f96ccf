"""Python and Rust share bytes: a sketch built here from a token list is, byte for byte,
the one `lessram count --save` writes for a file of those tokens, and each side reads
what the other saved.

The CLI is found at $LESSRAM_CLI, else at target/release/lessram in the repository
(`cargo build --release --features cli` at its root; .ci/python.sh builds it).
"""

import json
import os
import random
import subprocess
from pathlib import Path

import pytest

import lessram

ROOT = Path(__file__).resolve().parents[2]
CLI = Path(os.environ.get("LESSRAM_CLI", ROOT / "target" / "release" / "lessram"))

pytestmark = pytest.mark.skipif(
    not CLI.is_file(),
    reason=f"no lessram CLI at {CLI}: build it with `cargo build --release --features cli` "
    "at the repository root, or set LESSRAM_CLI",
)

# `lessram count --sketch NAME` -> (the file --save writes, the Python sketch with the
# CLI's default parameters).
KINDS = {
    "hll": ("hyperloglog.lsrm", lambda: lessram.HyperLogLog(14)),
    "loglog": ("loglog.lsrm", lambda: lessram.LogLog(14)),
    "superloglog": ("superloglog.lsrm", lambda: lessram.SuperLogLog(14)),
    "kmv": ("kmv.lsrm", lambda: lessram.KMinValues(4096)),
    "bloom": ("scaling-bloom.lsrm", lambda: lessram.ScalingBloomFilter(100_000, 0.01)),
}


def run(*args):
    return subprocess.run([str(CLI), *map(str, args)], check=True, capture_output=True, text=True).stdout


def tokens(n, vocabulary, seed=1):
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(vocabulary)] + ["café", "naïve", "東京", "Word", "word"]
    return [rng.choice(words) for _ in range(n)]


def write_tokens(path, toks):
    # Mixed whitespace: spaces, tabs, newlines, runs of them.
    rng = random.Random(2)
    seps = [" ", "\t", "\n", "  ", " \n "]
    path.write_bytes("".join(t + rng.choice(seps) for t in toks).encode())


def count_save(tmp_path, toks, kind, threads=1, extra=()):
    text = tmp_path / "tokens.txt"
    write_tokens(text, toks)
    out = tmp_path / f"saved-{kind}-{threads}"
    run("count", "--save", out, "--sketch", kind, "--threads", threads, "--no-exact", "-q", *extra, text)
    return (out / KINDS[kind][0]).read_bytes()


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("n,vocabulary", [(300, 100), (200_000, 50_000)], ids=["small", "large"])
def test_python_sketch_has_the_bytes_the_cli_saves(tmp_path, kind, n, vocabulary):
    toks = tokens(n, vocabulary)
    saved = count_save(tmp_path, toks, kind)
    s = KINDS[kind][1]()
    s.update(toks)
    assert bytes(s) == saved
    # And Python reads what the CLI saved as the same sketch.
    loaded = type(s).from_bytes(saved)
    assert loaded == s and loaded.estimate() == s.estimate()


@pytest.mark.parametrize("kind", ["hll", "kmv", "loglog", "superloglog"])
def test_threads_do_not_change_the_estimate(tmp_path, kind):
    toks = tokens(100_000, 30_000)
    saved = count_save(tmp_path, toks, kind, threads=2)
    s = KINDS[kind][1]()
    s.update(toks)
    assert type(s).from_bytes(saved).estimate() == s.estimate()


def test_lowercase_and_lines_match(tmp_path):
    lines = ["The Cat sat", "the cat SAT", "a b", "The Cat sat"]
    text = tmp_path / "lines.txt"
    text.write_text("\n".join(lines) + "\n")
    out = tmp_path / "saved"
    run("count", "--save", out, "--sketch", "kmv", "--lines", "--lowercase", "--threads", "1", "-q", text)
    s = lessram.KMinValues(4096)
    s.update([line.lower() for line in lines])
    assert bytes(s) == (out / "kmv.lsrm").read_bytes()
    r = lessram.count_file(text, ["kmv"], lines=True, lowercase=True, threads=1)
    assert r["sketches"][0] == s


def test_count_file_saves_what_the_cli_saves(tmp_path):
    toks = tokens(50_000, 20_000)
    saved = count_save(tmp_path, toks, "hll")
    r = lessram.count_file(tmp_path / "tokens.txt", ["hll"], threads=1)
    assert bytes(r["sketches"][0]) == saved


def test_morris_counter_reads_both_ways(tmp_path):
    text = tmp_path / "t.txt"
    text.write_text("a " * 5000)
    out = tmp_path / "saved"
    run("count", "--save", out, "--sketch", "morris", "--threads", "1", "-q", text)
    m = lessram.MorrisCounter.from_bytes((out / "morris.lsrm").read_bytes())
    assert m.base == 2.0 and 0 < m.estimate() < 100_000
    mine = tmp_path / "mine.lsrm"
    mine.write_bytes(bytes(m))
    got = json.loads(run("estimate", "--json", mine))
    assert got["estimate"] == m.estimate() and got["estimator"] == "MorrisCounter"


@pytest.mark.parametrize("make", [
    lambda: lessram.HyperLogLog(14),
    lambda: lessram.HyperLogLog(11),
    lambda: lessram.LogLog(12),
    lambda: lessram.SuperLogLog(12),
    lambda: lessram.KMinValues(512),
    lambda: lessram.ScalingBloomFilter(1000, 0.01),
], ids=["hll14", "hll11", "loglog", "superloglog", "kmv", "bloom"])
def test_rust_reads_and_merges_what_python_saved(tmp_path, make):
    a, b = make(), make()
    a.update([f"a{i}" for i in range(20_000)])
    # As many distinct items on both sides, so that scaling filters grow alike.
    b.update([f"b{i}" for i in range(10_000)] + [f"a{i}" for i in range(10_000)])
    fa, fb, merged = tmp_path / "a.lsrm", tmp_path / "b.lsrm", tmp_path / "m.lsrm"
    fa.write_bytes(bytes(a))
    fb.write_bytes(bytes(b))
    got = json.loads(run("estimate", "--json", fa))
    expected = a.estimate()
    assert got["estimate"] == pytest.approx(expected, rel=1e-9)
    run("merge", "--output", merged, fa, fb)
    union = type(a).from_bytes(merged.read_bytes())
    assert union.estimate() == pytest.approx((a | b).estimate(), rel=1e-9)


def test_dawg_both_ways(tmp_path):
    words = ["zebra", "apple", "apply", "café", "apple", "東京"]
    wordlist = tmp_path / "words.txt"
    wordlist.write_text("\n".join(words) + "\n")
    built = tmp_path / "rust.dawg"
    run("words", "build", "--output", built, wordlist)
    d = lessram.Dawg.load(built)
    assert d == lessram.Dawg(words)
    assert bytes(d) == built.read_bytes()
    mine = tmp_path / "python.dawg"
    lessram.Dawg(words + ["applet"]).save(mine)
    assert run("words", "prefix", mine, "appl").split() == ["apple", "applet", "apply"]
