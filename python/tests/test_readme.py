"""The example of python/README.md runs as written."""

import re
from pathlib import Path

import lessram

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_example_runs(tmp_path, monkeypatch, capsys):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    assert blocks, "no python example in the README"
    monkeypatch.chdir(tmp_path)
    (tmp_path / "saved").mkdir()
    saved = lessram.HyperLogLog(14)
    saved.update(["or", "else"])
    (tmp_path / "saved" / "hyperloglog.lsrm").write_bytes(bytes(saved))
    (tmp_path / "corpus.txt").write_text("The cat the dog THE END\n")
    for code in blocks:
        exec(compile(code, str(README), "exec"), {})
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "6.0"
    assert out[1] == "['car', 'cart', 'cat'] [('cat', 1)]"
    assert out[2] == "6 4.0 4.0"
