"""Trie and Dawg: exact word stores."""

import pickle

import pytest

import lessram


def test_trie_counts_and_prefixes():
    t = lessram.Trie(["car", "cart", "dog", "car"])
    assert len(t) == 3
    assert t["car"] == 2 and t.count("cat") == 0
    assert "cart" in t and "ca" not in t
    with pytest.raises(KeyError):
        t["cat"]
    assert t.add("cat", 5) == 5
    assert t.words("ca") == ["car", "cart", "cat"]
    assert t.items("car") == [("car", 2), ("cart", 1)]
    assert list(t) == ["car", "cart", "cat", "dog"]
    assert t.longest_prefix("carts") == ("cart", 1)
    assert t.longest_prefix("x") is None
    assert t.remove("dog") == 1 and t.remove("dog") is None
    del t["cat"]
    with pytest.raises(KeyError):
        del t["cat"]
    assert len(t) == 2


def test_trie_bytes_words_and_round_trip():
    t = lessram.Trie()
    t.add(b"\xff\x00")
    t.add("héllo")
    assert b"\xff\x00" in t and "héllo" in t and "héllo".encode() in t
    assert t.words() == ["héllo", b"\xff\x00"]  # str when UTF-8, else bytes
    u = lessram.Trie.from_bytes(bytes(t))
    assert u == t
    assert pickle.loads(pickle.dumps(t)) == t
    assert t.memory_usage() > 0 and repr(t) == "Trie(<2 words>)"


def test_dawg_queries():
    d = lessram.Dawg(["dog", "cart", "car", "car", "café"])
    assert len(d) == 4
    assert "car" in d and "ca" not in d
    assert d.words() == ["café", "car", "cart", "dog"]  # byte order: "f" < "r"
    assert d.words("car") == ["car", "cart"]
    assert list(d) == d.words()
    assert d.fuzzy("cat", 1) == [("car", 1), ("cart", 1)]
    assert d.fuzzy("cafe", 1) == [("café", 1)]
    assert d.automaton_size() > 0


def test_dawg_from_trie_save_load(tmp_path):
    t = lessram.Trie(["b", "a", "c"])
    d = lessram.Dawg.from_trie(t)
    assert d.words() == ["a", "b", "c"]
    path = tmp_path / "words.lsrm"
    d.save(path)
    e = lessram.Dawg.load(str(path))
    assert e == d
    assert lessram.Dawg.from_bytes(bytes(d)) == d
    assert pickle.loads(pickle.dumps(d)) == d
    assert lessram.Dawg() == lessram.Dawg([])
    assert len(lessram.Dawg()) == 0
