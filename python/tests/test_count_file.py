"""count_file: the library's counting engine from Python."""

import os
import subprocess
import sys

import pytest

import lessram


@pytest.fixture
def words(tmp_path):
    tokens = [f"w{i % 3000}" for i in range(20_000)]
    path = tmp_path / "words.txt"
    path.write_text(" ".join(tokens) + "\n")
    return path, tokens


def test_count_file_fills_the_sketches_update_would(words):
    path, tokens = words
    r = lessram.count_file(path, ["hll", "kmv", "loglog", "superloglog", "ull"], threads=2, exact=True)
    assert r["tokens"] == 20_000 and r["distinct"] == 3000 and r["threads"] == 2
    hll, kmv, ll, sll, ull = r["sketches"]
    for s, make in [
        (hll, lambda: lessram.HyperLogLog(14)),
        (kmv, lambda: lessram.KMinValues(4096)),
        (ll, lambda: lessram.LogLog(14)),
        (sll, lambda: lessram.SuperLogLog(14)),
        (ull, lambda: lessram.UltraLogLog(14)),
    ]:
        expected = make()
        expected.update(tokens)
        assert s.estimate() == pytest.approx(expected.estimate())
    assert kmv.estimate() == 3000  # exact below k


def test_count_file_takes_instances_and_options(tmp_path):
    path = tmp_path / "lines.txt"
    path.write_text("One line\none LINE\nOne line\n")
    given = lessram.HyperLogLog(10, seed=7)
    r = lessram.count_file(str(path), [given, lessram.BloomFilter(100, 0.01, seed=7), "morris"],
                           lines=True, lowercase=True, threads=1)
    hll, bloom, morris = r["sketches"]
    assert given.estimate() == 0  # the instance given is not changed
    assert hll.seed == 7 and round(hll.estimate()) == 1
    assert "one line" in bloom and "One line" not in bloom
    assert morris.estimate() > 0
    assert r["tokens"] == 3 and r["distinct"] is None


def test_count_file_of_several_files(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_text("x y")
    b.write_text("y z")
    r = lessram.count_file([a, b], ["kmv"], threads=1)
    assert r["tokens"] == 4 and r["sketches"][0].estimate() == 3
    assert r["sketches"] == lessram.count_file([a, b], ["kmv"], threads=2)["sketches"]


def test_count_file_refuses_mixed_seeds(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("a b")
    with pytest.raises(ValueError, match="seed"):
        lessram.count_file(path, [lessram.HyperLogLog(seed=7), lessram.KMinValues(16)])


def test_count_file_reads_gzip(tmp_path):
    import gzip

    text = b"alpha beta gamma alpha\n" * 1000
    plain, packed = tmp_path / "t.txt", tmp_path / "t.txt.gz"
    plain.write_bytes(text)
    packed.write_bytes(gzip.compress(text))
    a = lessram.count_file(plain, ["kmv"], threads=1)
    b = lessram.count_file(packed, ["kmv"], threads=1)
    assert a["tokens"] == b["tokens"] == 4000
    assert a["sketches"] == b["sketches"]


def test_count_file_seeds(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("a b c a")
    hll, kmv = lessram.count_file(path, ["hll", lessram.KMinValues(64, seed=7)])["sketches"]
    assert hll.seed == kmv.seed == 7  # the named sketch takes the instance's seed
    (kmv,) = lessram.count_file(path, ["kmv"], seed=9001)["sketches"]
    expected = lessram.KMinValues(4096, seed=9001)
    expected.update(["a", "b", "c", "a"])
    assert kmv == expected
    with pytest.raises(ValueError, match="seed"):
        lessram.count_file(path, [lessram.HyperLogLog(seed=7)], seed=0)
    with pytest.raises(ValueError):
        lessram.count_file(path, seed=-1)


def test_count_file_releases_the_gil(tmp_path):
    # count_file reads a FIFO that only this interpreter's main thread writes, after the
    # count has started on another thread: with the GIL held while reading, the writer
    # could never run and the child would hang (and time out here).
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this platform")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    child = f"""
import threading, lessram
result = {{}}
t = threading.Thread(target=lambda: result.update(lessram.count_file({str(fifo)!r}, ["kmv"], threads=1)))
t.start()
with open({str(fifo)!r}, "w") as f:
    f.write("a b c a\\n")
t.join()
print(result["tokens"], result["sketches"][0].estimate())
"""
    out = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["4", "3.0"]
