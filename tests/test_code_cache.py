"""What Python compiles from text at every start, kept on disk (``explorer/cli/code_cache.py``, issue 24: the first
paint): dataclasses' methods, named tuples' ``__new__`` and ``re``'s pattern programs."""

from __future__ import annotations

import collections
import dataclasses
import importlib
import json
import marshal
import os
import re
import subprocess
import sys
import typing
from pathlib import Path
from typing import Any

import pytest

from explorer.cli.code_cache import CACHE_VARIABLE, IDENTITY, KeptCode, cache_path

ROOT = Path(__file__).resolve().parent.parent


# A module of its own, imported afresh each time: only what is compiled while a module is imported is kept.
MODULE = """
import collections, dataclasses, re, typing

@dataclasses.dataclass(frozen=True)
class Point:
    x: int
    y: int = 2

Pair = collections.namedtuple("Pair", "a b")
Named = typing.NamedTuple("Named", [("point", "Point")])  # a string annotation: typing compiles it
re.purge()  # re's own per-process cache would hand back the pattern made before
PATTERN = re.compile(r"(?P<word>[a-z]+)-(\\d+)(?#a comment)", re.IGNORECASE)
"""
_imported = iter(range(1_000_000))


def _build(tmp_path: Path) -> tuple[Any, ...]:
    """A frozen dataclass, a named tuple and a pattern with named groups and flags, made by an import, and what each
    does."""
    name = f"kept_sample_{next(_imported)}"
    (tmp_path / f"{name}.py").write_text(MODULE)
    sys.path.insert(0, str(tmp_path))
    try:
        module = importlib.import_module(name)
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop(name, None)
    point = module.Point(1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        point.x = 3
    # the types, not their names: compiled as dataclasses compiles it, without code_cache's future annotations
    assert module.Point.__init__.__annotations__ == {"x": int, "y": int, "return": None}
    found = module.PATTERN.match("Ab-12")
    assert found is not None
    return (
        repr(point).replace(name, "module"),
        point == module.Point(1, 2),
        hash(point) == hash(module.Point(1)),
        module.Pair(1, b=2)._asdict(),
        typing.get_type_hints(module.Named, vars(module)) == {"point": module.Point},
        found.groupdict(),
        found.groups(),
        module.PATTERN.groupindex,
        module.PATTERN.flags,
        module.PATTERN.fullmatch("x-1y") is None,
    )


def _through(kept: KeptCode, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> tuple[Any, ...]:
    """:func:`_build` with the four hooks :func:`explorer.cli.code_cache.install` puts in place."""
    with monkeypatch.context() as patch:
        patch.setattr(dataclasses, "exec", kept.exec, raising=False)
        patch.setattr(collections, "eval", kept.eval, raising=False)
        patch.setattr(re._compiler, "compile", kept.compile_pattern)  # type: ignore[attr-defined]
        patch.setattr(typing, "compile", kept.compile, raising=False)
        return _build(tmp_path)


@pytest.mark.serverless
def test_what_is_loaded_behaves_as_what_is_compiled_and_nothing_is_compiled_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "compiled-code.marshal"
    plain = _build(tmp_path)
    filling = KeptCode(path)
    assert filling.loaded == {}
    assert _through(filling, monkeypatch, tmp_path) == plain
    assert {key.partition(":")[0] for key in filling.new} == {"exec", "eval", "re"}
    assert "eval:Point" in filling.new  # the named tuple's string annotation, compiled by typing
    filling.save()
    loading = KeptCode(path)
    assert loading.loaded.keys() == filling.new.keys()
    assert _through(loading, monkeypatch, tmp_path) == plain
    assert loading.new == {}  # nothing compiled
    modified = path.stat().st_mtime_ns
    loading.save()
    assert path.stat().st_mtime_ns == modified  # nothing new: not written again


@pytest.mark.serverless
def test_what_a_start_asks_for_is_read_first_and_the_rest_on_a_miss(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "compiled-code.marshal"
    plain = _build(tmp_path)
    filling = KeptCode(path)
    _through(filling, monkeypatch, tmp_path)
    filling.mark_start()
    assert filling.first == filling.new.keys()
    started = {key for key in filling.new if key.startswith("exec:")}  # as if only these came before the app ran
    filling.first = set(started)
    filling.save()
    loading = KeptCode(path)
    assert loading.loaded.keys() == started  # only the first part is read at once
    assert loading._rest
    assert _through(loading, monkeypatch, tmp_path) == plain  # the rest read on the first miss
    assert loading.new == {}  # nothing compiled
    assert loading.loaded.keys() == filling.new.keys()
    assert not loading._rest


@pytest.mark.parametrize(
    "content",
    [b"not marshal", marshal.dumps(("another Python", {})), marshal.dumps(["no", "pair"]), b""],
    ids=["corrupt", "another-python", "wrong-shape", "empty"],
)
@pytest.mark.serverless
def test_a_bad_file_is_ignored_and_replaced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes) -> None:
    path = tmp_path / "compiled-code.marshal"
    path.write_bytes(content)
    kept = KeptCode(path)
    assert kept.loaded == {}
    _through(kept, monkeypatch, tmp_path)
    kept.save()
    assert KeptCode(path).loaded.keys() == kept.new.keys()  # written again, whole


@pytest.mark.serverless
def test_an_entry_of_the_wrong_type_is_compiled_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "compiled-code.marshal"
    plain = _build(tmp_path)
    kept = KeptCode(path)
    _through(kept, monkeypatch, tmp_path)
    path.write_bytes(marshal.dumps((IDENTITY, dict.fromkeys(kept.new, "not code"), marshal.dumps({}))))
    wrong = KeptCode(path)
    assert len(wrong.loaded) == len(kept.new)
    assert _through(wrong, monkeypatch, tmp_path) == plain
    assert wrong.new.keys() == kept.new.keys()


@pytest.mark.serverless
def test_a_file_others_can_write_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "compiled-code.marshal"
    kept = KeptCode(path)
    _through(kept, monkeypatch, tmp_path)
    kept.save()
    assert KeptCode(path).loaded
    os.chmod(path, 0o666)
    assert KeptCode(path).loaded == {}
    assert cache_path({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "flask-fastapi-explorer" / path.name


# The command line imported, then Textual's app: what was compiled, what was read, and the file saved.
START = """
import json, sys
import explorer.cli
from explorer.cli import code_cache
import textual.app
code_cache.save()
kept = code_cache._kept
print(json.dumps(None if kept is None else [len(kept.new), len(kept.loaded)]))
"""


def test_the_command_line_installs_it_before_textual_and_a_second_start_compiles_nothing(tmp_path: Path) -> None:
    def start(**environ: str) -> list[int] | None:
        env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache"), **environ}
        done = subprocess.run(
            [sys.executable, "-c", START], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr[-2000:]
        result: list[int] | None = json.loads(done.stdout)
        return result

    assert start(EXPLORER_CODE_CACHE="0") is None
    assert not (tmp_path / "cache").exists()  # off: nothing written
    first = start()
    assert first is not None and first[0] > 200 and first[1] == 0  # Textual's dataclasses and patterns too
    assert start() == [0, first[0]]
    assert CACHE_VARIABLE == "EXPLORER_CODE_CACHE"


@pytest.mark.serverless
def test_what_is_compiled_at_run_time_is_never_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A pattern or a class made from data handed over at run time (a search typed, a secret to hide) is compiled as
    ever but never kept on disk; what a module's import compiles is."""
    kept = KeptCode(tmp_path / "compiled-code.marshal")
    with monkeypatch.context() as patch:
        patch.setattr(dataclasses, "exec", kept.exec, raising=False)
        patch.setattr(re._compiler, "compile", kept.compile_pattern)  # type: ignore[attr-defined]
        patch.setattr(typing, "compile", kept.compile, raising=False)
        re.purge()
        assert re.compile(re.escape("hunter2-secret")).search("a hunter2-secret b")
        made = dataclasses.make_dataclass("Typed", ["hunter2_field"], frozen=True)
        assert made(1).hunter2_field == 1
    assert kept.new == {}
    _through(kept, monkeypatch, tmp_path)
    assert kept.new
    kept.save()
    assert b"hunter2" not in (tmp_path / "compiled-code.marshal").read_bytes()
