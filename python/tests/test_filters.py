"""The Bloom filters: membership, false positives, unions, bytes, pickling."""

import pickle

import pytest

import lessram

FILTERS = [
    lambda: lessram.BloomFilter(10_000, 0.01),
    lambda: lessram.ScalingBloomFilter(1_000, 0.01),
]
IDS = ["BloomFilter", "ScalingBloomFilter"]


@pytest.mark.parametrize("make", FILTERS, ids=IDS)
def test_no_false_negatives_and_few_false_positives(make):
    f = make()
    present = [f"in-{i}" for i in range(10_000)]
    assert f.update(present) > 9_900  # new inserts (a few may be false positives)
    assert all(x in f for x in present)
    assert all(f.contains_many(present))
    absent = [f"out-{i}" for i in range(20_000)]
    fp = sum(f.contains_many(absent)) / len(absent)
    assert fp < 0.02
    assert f.estimate() == pytest.approx(10_000, rel=0.05)


@pytest.mark.parametrize("make", FILTERS, ids=IDS)
def test_add_returns_whether_new(make):
    f = make()
    assert f.add("apple") is True
    assert f.add("apple") is False
    assert "apple" in f and "pear" not in f
    assert f.add(42) and 42 in f and b"42" not in f


@pytest.mark.parametrize("make", FILTERS, ids=IDS)
def test_union(make):
    a, b = make(), make()
    a.update(["x", "y"])
    b.update(["z"])
    u = a | b
    assert all(w in u for w in "xyz")
    a |= b
    assert a == u
    a |= a
    assert a == u
    c = make()
    c.union(b)
    assert "z" in c


@pytest.mark.parametrize("make", FILTERS, ids=IDS)
def test_bytes_and_pickle(make):
    f = make()
    f.update([str(i) for i in range(500)])
    g = type(f).from_bytes(bytes(f))
    assert g == f and "499" in g
    assert pickle.loads(pickle.dumps(f)) == f
    assert f.copy() == f
    assert f.memory_usage() > 0
    assert repr(f).startswith(type(f).__name__ + "(")


def test_bloom_intersection():
    a, b = lessram.BloomFilter(1000, 0.01), lessram.BloomFilter(1000, 0.01)
    a.update(["x", "both"])
    b.update(["y", "both"])
    i = a & b
    assert "both" in i and "x" not in i and "y" not in i
    a &= b
    assert a == i
    assert i.bits % 512 == 0 and i.hashes > 0 and i.count_ones() > 0
    i.clear()
    assert "both" not in i


def test_scaling_filter_grows_and_counts():
    f = lessram.ScalingBloomFilter(100, 0.01)
    f.update(range(10_000))
    assert f.filters > 1
    assert f.exact_len() == f.estimate()
    lo, hi = f.len_bounds()
    assert lo == hi == f.exact_len()
    g = lessram.ScalingBloomFilter(100, 0.01)
    g.update(range(5_000, 15_000))
    # Unions need the same chain of sub-filters: g has it after as many items.
    assert g.filters == f.filters
    f |= g
    lo, hi = f.len_bounds()
    assert f.exact_len() is None  # both sides held items: the union's count is uncertain
    assert lo <= 15_000 <= hi
    assert lo < f.estimate() < hi
    assert f.error_rate == 0.01 and f.initial_capacity == 100
