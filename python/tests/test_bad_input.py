"""Bad input gets ValueError or TypeError (or a subclass), never a crash."""

import math
import random

import pytest

import lessram

ALL = {
    "HyperLogLog": lambda: lessram.HyperLogLog(8),
    "UltraLogLog": lambda: lessram.UltraLogLog(8),
    "LogLog": lambda: lessram.LogLog(8),
    "SuperLogLog": lambda: lessram.SuperLogLog(8),
    "KMinValues": lambda: lessram.KMinValues(16),
    "MorrisCounter": lambda: lessram.MorrisCounter(),
    "BloomFilter": lambda: lessram.BloomFilter(100, 0.01),
    "ScalingBloomFilter": lambda: lessram.ScalingBloomFilter(50, 0.01),
    "Trie": lambda: lessram.Trie(),
    "Dawg": lambda: lessram.Dawg(["a", "ab", "b"]),
}


def filled(name):
    s = ALL[name]()
    if name == "MorrisCounter":
        s.add(100)
    elif name != "Dawg":
        s.update([f"w{i}" for i in range(200)])
    return s


@pytest.mark.parametrize(
    "make",
    [
        lambda: lessram.HyperLogLog(3),
        lambda: lessram.HyperLogLog(19),
        lambda: lessram.HyperLogLog(-1),
        lambda: lessram.HyperLogLog(10**30),
        lambda: lessram.HyperLogLog(12, seed=-1),
        lambda: lessram.HyperLogLog(12, seed=2**32),
        lambda: lessram.UltraLogLog(2),
        lambda: lessram.LogLog(40),
        lambda: lessram.SuperLogLog(0),
        lambda: lessram.KMinValues(0),
        lambda: lessram.KMinValues(-3),
        lambda: lessram.BloomFilter(0, 0.01),
        lambda: lessram.BloomFilter(-1, 0.01),
        lambda: lessram.BloomFilter(100, 0.0),
        lambda: lessram.BloomFilter(100, 1.0),
        lambda: lessram.BloomFilter(100, -0.5),
        lambda: lessram.BloomFilter(100, math.nan),
        lambda: lessram.BloomFilter(10**18, 1e-10),
        lambda: lessram.ScalingBloomFilter(0, 0.01),
        lambda: lessram.ScalingBloomFilter(100, 2.0),
        lambda: lessram.ScalingBloomFilter(100, math.inf),
        lambda: lessram.MorrisCounter(1.0),
        lambda: lessram.MorrisCounter(17.0),
        lambda: lessram.MorrisCounter(math.nan),
        lambda: lessram.MorrisCounter(2.0, seed=-1),
        lambda: lessram.MorrisCounter().add(-1),
        lambda: lessram.Trie().add("x", -1),
        lambda: lessram.Dawg(["a"]).fuzzy("a", -1),
    ],
)
def test_wrong_parameters_are_value_errors(make):
    with pytest.raises(ValueError):
        make()


@pytest.mark.parametrize(
    "make",
    [
        lambda: lessram.HyperLogLog("14"),
        lambda: lessram.HyperLogLog(14.0),
        lambda: lessram.KMinValues(None),
        lambda: lessram.BloomFilter("100", 0.01),
        lambda: lessram.BloomFilter(100, "0.01"),
        lambda: lessram.MorrisCounter("2"),
    ],
)
def test_wrong_parameter_types_are_type_errors(make):
    with pytest.raises(TypeError):
        make()


@pytest.mark.parametrize("name", [n for n in ALL if n not in ("MorrisCounter", "Dawg", "Trie")])
@pytest.mark.parametrize("item", [1.5, None, [1], ("a",), {"a": 1}, object(), 1j])
def test_unsupported_items_are_type_errors(name, item):
    s = ALL[name]()
    before = bytes(s)
    with pytest.raises(TypeError):
        s.add(item)
    with pytest.raises(TypeError):
        s.update(["fine", item])
    assert bytes(s) == before  # a failed update() changes nothing
    if hasattr(s, "contains_many"):
        with pytest.raises(TypeError):
            item in s


@pytest.mark.parametrize("name", [n for n in ALL if n not in ("MorrisCounter", "Dawg", "Trie")])
def test_out_of_range_ints_and_bad_iterables(name):
    s = ALL[name]()
    for n in [2**64, -(2**63) - 1, 10**40]:
        with pytest.raises(OverflowError):
            s.add(n)
    with pytest.raises(TypeError):
        s.update("a single string")
    with pytest.raises(TypeError):
        s.update(b"bytes")
    with pytest.raises(TypeError):
        s.update(5)
    with pytest.raises(UnicodeEncodeError):  # a ValueError
        s.add("\ud800")


def test_words_refuse_non_words():
    t = lessram.Trie()
    for w in [5, None, 1.5]:
        with pytest.raises(TypeError):
            t.add(w)
        with pytest.raises(TypeError):
            w in t
    with pytest.raises(TypeError):
        lessram.Dawg(["a", 5])
    with pytest.raises(TypeError):
        lessram.Dawg("abc")


@pytest.mark.parametrize("name", list(ALL))
def test_corrupt_bytes_are_decode_errors(name):
    cls = type(ALL[name]())
    good = bytes(filled(name))
    for bad in [b"", b"LSRM", b"not a lessram structure at all", good[:-1], good[:10], good + b"\0"]:
        with pytest.raises(lessram.DecodeError):
            cls.from_bytes(bad)
    with pytest.raises(TypeError):
        cls.from_bytes("a str is not bytes")
    # Every single-byte change either decodes (a change the format cannot see) or is a
    # DecodeError; every truncation is a DecodeError.
    rng = random.Random(7)
    for _ in range(300):
        data = bytearray(good)
        i = rng.randrange(len(data))
        data[i] ^= 1 << rng.randrange(8)
        try:
            cls.from_bytes(bytes(data))
        except lessram.DecodeError:
            pass
    assert issubclass(lessram.DecodeError, ValueError)


def test_another_kind_is_a_decode_error():
    hll = bytes(filled("HyperLogLog"))
    for cls in [lessram.KMinValues, lessram.BloomFilter, lessram.Trie, lessram.Dawg, lessram.MorrisCounter]:
        with pytest.raises(lessram.DecodeError, match="expected a"):
            cls.from_bytes(hll)


def test_mismatched_merges():
    pairs = [
        (lessram.HyperLogLog(12), lessram.HyperLogLog(12, seed=1)),
        (lessram.LogLog(12), lessram.LogLog(12, seed=2)),
        (lessram.SuperLogLog(12), lessram.SuperLogLog(12, seed=2)),
        (lessram.UltraLogLog(12), lessram.UltraLogLog(12, seed=2)),
        (lessram.KMinValues(16), lessram.KMinValues(16, seed=5)),
        (lessram.MorrisCounter(2.0), lessram.MorrisCounter(1.5)),
        (lessram.BloomFilter(100, 0.01), lessram.BloomFilter(1000, 0.01)),
        (lessram.BloomFilter(100, 0.01), lessram.BloomFilter(100, 0.01, seed=3)),
        (lessram.ScalingBloomFilter(100, 0.01), lessram.ScalingBloomFilter(100, 0.001)),
    ]
    for a, b in pairs:
        before = bytes(a)
        with pytest.raises(lessram.IncompatibleError):
            a | b
        with pytest.raises(ValueError):
            a |= b
        with pytest.raises(ValueError):
            a.merge(b) if hasattr(a, "merge") else a.union(b)
        assert bytes(a) == before
    with pytest.raises(lessram.IncompatibleError):
        lessram.BloomFilter(100, 0.01) & lessram.BloomFilter(1000, 0.01)
    with pytest.raises(ValueError):
        lessram.KMinValues(16).jaccard(lessram.KMinValues(16, seed=1))


def test_merging_other_types_is_a_type_error():
    h = lessram.HyperLogLog(12)
    for other in [lessram.KMinValues(16), lessram.LogLog(12), 5, "x", None]:
        with pytest.raises(TypeError):
            h | other
        with pytest.raises(TypeError):
            h |= other
        with pytest.raises(TypeError):
            h.merge(other)
    with pytest.raises(TypeError):
        lessram.BloomFilter(100, 0.01) | lessram.ScalingBloomFilter(100, 0.01)
    with pytest.raises(TypeError):
        lessram.ScalingBloomFilter(100, 0.01) & lessram.ScalingBloomFilter(100, 0.01)


def test_count_file_bad_input(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("a b c")
    with pytest.raises(FileNotFoundError):
        lessram.count_file(tmp_path / "missing.txt")
    with pytest.raises(OSError):
        lessram.count_file(tmp_path)  # a directory
    with pytest.raises(ValueError, match="unknown sketch"):
        lessram.count_file(path, ["hyperloglogg"])
    for threads in [0, -1, 10**6]:
        with pytest.raises(ValueError):
            lessram.count_file(path, threads=threads)
    for kw in [dict(precision=30), dict(k=0, sketches=["kmv"]), dict(capacity=0, sketches=["bloom"]),
               dict(error_rate=1.5, sketches=["bloom"]), dict(base=0.5, sketches=["morris"])]:
        with pytest.raises(ValueError):
            lessram.count_file(path, **kw)
    with pytest.raises(TypeError):
        lessram.count_file(path, [5])
    with pytest.raises(TypeError):
        lessram.count_file(path, [lessram.Trie()])
    with pytest.raises(TypeError):
        lessram.count_file(5)
