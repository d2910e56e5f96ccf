"""The distinct counters and the Morris counter: items, estimates, merges, bytes, pickling."""

import copy
import pickle
from array import array

import pytest

import lessram

DISTINCT = [
    lambda: lessram.HyperLogLog(12),
    lambda: lessram.UltraLogLog(12),
    lambda: lessram.LogLog(12),
    lambda: lessram.SuperLogLog(12),
    lambda: lessram.KMinValues(1024),
]
IDS = ["HyperLogLog", "UltraLogLog", "LogLog", "SuperLogLog", "KMinValues"]


def test_int_items_hash_as_rust_u64_and_i64():
    # lessram::Item hashes a u64 or an i64 as its 8 little-endian bytes.
    for n in [0, 1, 5, 2**32, 2**63 - 1, 2**63, 2**64 - 1]:
        assert lessram.hash64(n) == lessram.hash64(n.to_bytes(8, "little"))
    for n in [-1, -5, -(2**63)]:
        assert lessram.hash64(n) == lessram.hash64(n.to_bytes(8, "little", signed=True))
    # A str hashes its UTF-8 bytes; bytes and bytearray as they are.
    assert lessram.hash64("héllo") == lessram.hash64("héllo".encode())
    assert lessram.hash64(bytearray(b"ab")) == lessram.hash64(b"ab")
    # hash64 is the low half of hash128, and the seed changes it.
    assert lessram.hash128("x") & (2**64 - 1) == lessram.hash64("x")
    assert lessram.hash64("x", seed=9001) != lessram.hash64("x")


def test_known_murmur3_values():
    # The value the crate's README asserts for Rust (and mmh3.hash64(b"foo", signed=False)[0]).
    assert lessram.hash64("foo") == 16316970633193145697
    # MurmurHash3 x64_128 of the empty string with seed 0 is 0 (both halves).
    assert lessram.hash128(b"") == 0


@pytest.mark.parametrize("make", DISTINCT, ids=IDS)
def test_estimate_close_to_truth(make):
    s = make()
    s.update([f"item-{i}" for i in range(20_000)])
    assert abs(s.estimate() / 20_000 - 1) < 0.15
    assert repr(s).startswith(type(s).__name__ + "(")


@pytest.mark.parametrize("make", DISTINCT, ids=IDS)
def test_add_and_update_agree(make):
    items = [f"w{i}" for i in range(3000)] + [b"raw", 7, -7, bytearray(b"ba")]
    a, b, c = make(), make(), make()
    for x in items:
        a.add(x)
    b.update(items)
    c.update(iter(items))  # any iterable, not only lists
    assert a == b == c
    d = make()
    d.update_hashes(array("Q", [lessram.hash64(x) for x in items]))
    assert d == a


@pytest.mark.parametrize("make", DISTINCT, ids=IDS)
def test_merge_is_union(make):
    a, b, both = make(), make(), make()
    a.update([f"a{i}" for i in range(5000)])
    b.update([f"b{i}" for i in range(5000)])
    both.update([f"a{i}" for i in range(5000)] + [f"b{i}" for i in range(5000)])
    union = a | b
    assert union.estimate() == pytest.approx(both.estimate())
    a |= b
    assert a.estimate() == pytest.approx(both.estimate())
    before = a.estimate()
    a |= a  # the same object on both sides
    assert a.estimate() == pytest.approx(before)
    c = make()
    c.merge(b)
    assert c.estimate() == pytest.approx(b.estimate())


@pytest.mark.parametrize("make", DISTINCT, ids=IDS)
def test_bytes_and_pickle_round_trip(make):
    s = make()
    s.update([str(i) for i in range(777)])
    t = type(s).from_bytes(bytes(s))
    assert t == s and t.estimate() == s.estimate()
    assert bytes(t) == bytes(s) == s.to_bytes()
    assert pickle.loads(pickle.dumps(s)) == s
    assert copy.deepcopy(s) == s and copy.copy(s) is not s
    assert s.copy() == s
    assert s.memory_usage() > 0


def test_seeds_are_kept_and_checked():
    a = lessram.HyperLogLog(10, seed=9001)
    assert a.seed == 9001 and a.p == 10
    a.add("x")
    assert lessram.HyperLogLog.from_bytes(bytes(a)).seed == 9001
    with pytest.raises(lessram.IncompatibleError):
        a.merge(lessram.HyperLogLog(10))


def test_kmv_extras():
    a, b = lessram.KMinValues(256), lessram.KMinValues(256)
    a.update(range(1000))
    b.update(range(500, 1500))
    assert abs(a.jaccard(b) - 1 / 3) < 0.15
    assert abs(a.intersection_estimate(b) / 500 - 1) < 0.4
    assert a.k == 256 and len(a.hashes()) == 256
    small = lessram.KMinValues(64)
    small.update(["x", "y", "x"])
    assert small.estimate() == 2  # exact below k


def test_hyperloglog_extras():
    h = lessram.HyperLogLog()
    h.update(["a", "b"])
    assert h.is_sparse
    assert h.estimate_hip() == pytest.approx(2, abs=0.01)
    u = lessram.UltraLogLog(12)
    u.update(range(100))
    assert u.to_hyperloglog().p == 12


def test_morris_counter():
    m = lessram.MorrisCounter(base=2.0)
    assert m.increment()  # the first event always counts
    m.add(999)
    assert m.exponent > 5 and m.base == 2
    other = lessram.MorrisCounter(2.0)
    other.update(range(1000))
    merged = m | other
    assert merged.estimate() > m.estimate()
    m |= m
    assert pickle.loads(pickle.dumps(m)) == m
    assert lessram.MorrisCounter.from_bytes(bytes(m)).exponent == m.exponent
    # The same seed gives the same counts.
    a, b = lessram.MorrisCounter(1.1, seed=3), lessram.MorrisCounter(1.1, seed=3)
    a.add(10_000)
    b.add(10_000)
    assert a.exponent == b.exponent
    with pytest.raises(lessram.IncompatibleError):
        a.merge(lessram.MorrisCounter(2.0))


def test_different_precisions_merge_at_the_coarser():
    # The library folds the finer sketch (HyperLogLog, UltraLogLog) or keeps the smaller
    # k (KMV): such merges are not errors.
    a, b = lessram.HyperLogLog(14), lessram.HyperLogLog(12)
    a.update(range(5000))
    b.update(range(5000, 10_000))
    assert (a | b).p == 12
    assert abs((a | b).estimate() / 10_000 - 1) < 0.1
    k = lessram.KMinValues(64) | lessram.KMinValues(32)
    assert k.k == 32


def test_numpy_uint64_hashes():
    np = pytest.importorskip("numpy")
    items = [f"n{i}" for i in range(5000)]
    hashes = np.array([lessram.hash64(x) for x in items], dtype=np.uint64)
    for make in DISTINCT:
        a, b = make(), make()
        a.update(items)
        b.update_hashes(hashes)
        assert a == b
    strided = lessram.HyperLogLog(12)
    strided.update_hashes(hashes[::2])
    expected = lessram.HyperLogLog(12)
    expected.update(items[::2])
    assert strided == expected
    with pytest.raises(TypeError):
        lessram.HyperLogLog().update_hashes(np.arange(10, dtype=np.int32))
    with pytest.raises(TypeError):
        lessram.HyperLogLog().update_hashes([1, 2, 3])  # a list is not a buffer


def test_numpy_scalars_are_items():
    np = pytest.importorskip("numpy")
    a, b = lessram.HyperLogLog(10), lessram.HyperLogLog(10)
    a.update(np.array([1, -2, 3], dtype=np.int64))
    a.update(np.array([2**64 - 1], dtype=np.uint64))
    a.update(np.array(["x", "y"]))  # numpy.str_ is a str
    b.update([1, -2, 3, 2**64 - 1, "x", "y"])
    assert a == b
    with pytest.raises(TypeError):
        a.add(np.float64(1.0))
