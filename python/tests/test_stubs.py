"""The type stubs (lessram.pyi) name what the module has, and the module has docstrings."""

import ast
import types
from pathlib import Path

import lessram

STUB = Path(__file__).resolve().parents[1] / "lessram.pyi"


def stub_classes():
    tree = ast.parse(STUB.read_text())
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    functions = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    return classes, functions


def members(classes, cls):
    """Methods and properties a stub class declares, its stub bases' included."""
    out = set()
    for base in cls.bases:
        if isinstance(base, ast.Name) and base.id in classes:
            out |= members(classes, classes[base.id])
    out |= {n.name for n in cls.body if isinstance(n, ast.FunctionDef)}
    return out


def test_every_stub_name_exists_at_run_time():
    classes, functions = stub_classes()
    for name in functions:
        assert callable(getattr(lessram, name)), name
    for name, cls in classes.items():
        if name.startswith("_") or name == "CountResult":
            continue
        runtime = getattr(lessram, name)
        for member in members(classes, cls) - {"__init__"}:
            assert hasattr(runtime, member), f"{name}.{member}"


def test_every_public_run_time_name_is_in_the_stub():
    classes, functions = stub_classes()
    public = {
        n for n in dir(lessram)
        if not n.startswith("_") and not isinstance(getattr(lessram, n), types.ModuleType)
    }
    assert public <= set(classes) | functions, public - set(classes) - functions
    for name in public & set(classes):
        runtime = getattr(lessram, name)
        if not isinstance(runtime, type) or issubclass(runtime, Exception):
            continue
        declared = members(classes, classes[name])
        for member in vars(runtime):
            if not member.startswith("_"):
                assert member in declared, f"{name}.{member} is missing from the stub"


def test_docstrings():
    for name in ["HyperLogLog", "KMinValues", "BloomFilter", "Trie", "Dawg", "count_file", "hash64"]:
        assert getattr(lessram, name).__doc__, name
    assert lessram.HyperLogLog.update.__doc__
    assert "GIL" in lessram.count_file.__doc__
