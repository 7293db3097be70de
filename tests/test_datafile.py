"""The one loader for user files: every guard, on both YAML parsers, and through every command that reads a file.

Before it, each of these was a traceback, a hang or gigabytes of memory: the alias bomb grew the
process to 4 GB, 100k levels raised RecursionError, a 5,000-digit number raised ValueError, a lone
surrogate failed after the servers ran, and ``report --from`` hung on a FIFO and read /dev/zero forever.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.parity.suite import ParityFileError, load_suite
from explorer.runtime.userdata.datafile import (
    MAX_FILE_DEPTH,
    DataFileError,
    FileLimits,
    load_data_file,
    parse_data,
)
from explorer.runtime.userdata.yamlcomposer import BoundedComposer
from tests.clitools import run_cli

ROOT = Path(__file__).resolve().parent.parent
LIMITS = FileLimits(4 * 1024 * 1024)

LAUGHS = "\n".join(
    ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]" for a, b in zip("abcdefgh", "bcdefghi", strict=True)]
)
BOMB = "requests:\n  - name: bomb\n    path: /x\n    body:\n" + "".join(
    f"      {line}\n" for line in LAUGHS.splitlines()
)


class PureLoader(BoundedComposer, yaml.SafeLoader):
    """The same composer on PyYAML's pure-Python parser (used when libyaml is missing)."""


def parse_yaml_both(text: str) -> object:
    """Parse with the default loader and the pure-Python one; both must agree."""
    first = parse_data(text, "yaml", LIMITS, "f.yaml")
    assert parse_data(text, "yaml", LIMITS, "f.yaml", PureLoader) == first
    return first


def refused(text: str, fmt: str, message: str) -> None:
    """Refused by every loader of the format, in one short line holding one of the ``" | "``-separated messages."""
    for loader in (None, PureLoader) if fmt == "yaml" else (None,):
        with pytest.raises(DataFileError) as info:
            parse_data(text, fmt, LIMITS, "f", loader)
        line = str(info.value)
        assert any(m in line for m in message.split(" | ")) and "\n" not in line and len(line) < 400, line


@pytest.mark.serverless
def test_the_billion_laughs_is_refused_while_loading() -> None:
    assert len(BOMB.encode()) < 800
    refused(BOMB, "yaml", "larger than 16 MiB once its aliases are expanded")
    refused(LAUGHS, "yaml", "larger than 16 MiB once its aliases are expanded")


@pytest.mark.serverless
def test_aliases_within_bounds_are_shared_values() -> None:
    document = parse_yaml_both("h: &h {X-A: '1'}\nrequests: [{path: /a, headers: *h}, {path: /b, headers: *h}]\n")
    assert isinstance(document, dict) and document["requests"][1]["headers"] == {"X-A": "1"}
    refused("- &a {path: /x}\n- <<: *a\n  name: two\n", "yaml", "merge keys (<<) are not supported")
    refused("- &a [1, *a]\n", "yaml", "refers to a value that contains it")
    refused("- *nowhere\n", "yaml", "undefined alias")


@pytest.mark.serverless
@pytest.mark.parametrize("fmt", ["yaml", "json"])
@pytest.mark.parametrize("depth", [MAX_FILE_DEPTH + 1, 100_000])
def test_nesting_past_the_bound_is_one_line(fmt: str, depth: int) -> None:
    refused("[" * depth + "]" * depth, fmt, f"nested deeper than {MAX_FILE_DEPTH} levels")


@pytest.mark.serverless
def test_nesting_within_the_bound_loads_and_block_yaml_is_bounded_too() -> None:
    assert parse_data("[" * MAX_FILE_DEPTH + "]" * MAX_FILE_DEPTH, "json", LIMITS, "f") is not None
    assert parse_yaml_both("[" * MAX_FILE_DEPTH + "]" * MAX_FILE_DEPTH) is not None
    refused("".join("  " * i + "-\n" for i in range(MAX_FILE_DEPTH + 5)), "yaml", "nested deeper than 600 levels")


@pytest.mark.serverless
@pytest.mark.parametrize(
    ("text", "fmt", "message"),
    [
        ('[{"path": "/x", "status": ' + "9" * 5000 + "}]", "json", "a number with more than 4,300 digits"),
        ("- path: /x\n  body: " + "9" * 5000 + "\n", "yaml", "a number with more than 4,300 digits"),
        ("- path: /x\n  status: 0x" + "f" * 5000 + "\n", "yaml", "the number at [0].status has more than 4,300"),
        ('[{"name": "\\ud800", "path": "/x"}]', "json", "the text at [0].name holds a lone surrogate"),
        ('[{"path": "/x", "body": {"\\udfff": 1}}]', "json", 'the text at [0].body["\\udfff"] holds a lone surrogate'),
        ('- path: "/x\\ud800"\n', "yaml", "invalid Unicode character escape | [0].path holds a lone surrogate"),
        ("[keymap]\nx = " + "9" * 5000 + "\n", "toml", "a number with more than 4,300 digits"),
        ("x = " + "[" * 5000 + "]" * 5000 + "\n", "toml", "nested deeper than 600 levels"),
        ("{", "json", "not valid JSON"),
        ("a: [", "yaml", "not valid YAML"),
        ("x = ", "toml", "not valid TOML"),
    ],
    ids=[
        "json-int",
        "yaml-int",
        "yaml-hex",
        "json-name",
        "json-key",
        "yaml-escape",
        "toml-int",
        "toml-deep",
        "json-syntax",
        "yaml-syntax",
        "toml-syntax",
    ],
)
def test_numbers_surrogates_and_syntax_are_one_line(text: str, fmt: str, message: str) -> None:
    refused(text, fmt, message)


@pytest.mark.serverless
def test_a_surrogate_pair_is_fine() -> None:
    assert parse_data('["\\ud83d\\ude00"]', "json", LIMITS, "f") == ["\U0001f600"]


@pytest.mark.serverless
def test_only_regular_files_of_bounded_size(tmp_path: Path) -> None:
    fifo = tmp_path / "requests.yaml"
    os.mkfifo(fifo)
    with pytest.raises(DataFileError, match="is a pipe, not a regular file"):  # opening it would block: no writer
        load_data_file(fifo, LIMITS)
    with pytest.raises(DataFileError, match="/dev/zero: is a device, not a regular file"):
        load_data_file("/dev/zero", LIMITS)
    with pytest.raises(DataFileError, match="is a folder"):
        load_data_file(tmp_path, LIMITS)
    big = tmp_path / "big.json"
    big.write_text("[" + "1," * 3000 + "1]")
    with pytest.raises(DataFileError, match=r"big\.json: larger than 4 KiB"):
        load_data_file(big, FileLimits(4096))
    with pytest.raises(DataFileError, match="no such file"):
        load_data_file(tmp_path / "missing.yaml", LIMITS)


@pytest.mark.serverless
def test_encodings(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_bytes(b'\xef\xbb\xbf[{"path": "/caf\xc3\xa9"}]')
    assert load_data_file(path, LIMITS) == [{"path": "/café"}]
    path.write_text('[{"path": "/x"}]', encoding="utf-16")
    with pytest.raises(DataFileError, match="is UTF-16 text; save it as UTF-8"):
        load_data_file(path, LIMITS)
    path.write_bytes('[{"path": "/café"}]'.encode("latin-1"))
    with pytest.raises(DataFileError, match=r"is not UTF-8 text \(byte 0xe9 at offset 15\)"):
        load_data_file(path, LIMITS)


@pytest.mark.serverless
def test_a_body_is_measured_before_it_is_written_out(tmp_path: Path) -> None:
    """Aliases within the file's bound can still stand for a body past 1 MiB: refused without building it."""
    lines = ["requests:", "  - name: wide", "    path: /x", "    body:", '      s: &s "' + "x" * 1000 + '"']
    lines += [f"      {b}: &{b} [{', '.join([f'*{a}'] * 10)}]" for a, b in zip("sab", "abc", strict=True)]
    path = tmp_path / "r.yaml"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ParityFileError, match=r"entry 1 \('wide'\): 'body' is larger than 1 MiB"):
        load_suite(path)


# --- any JSON or YAML document: loads, or one line -----------------------------------------------

documents = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=25,
)


@pytest.mark.serverless
@settings(max_examples=150, deadline=None)
@given(documents, st.sampled_from(["json", "yaml"]))
def test_any_document_loads_or_is_refused_in_one_line(document: object, fmt: str) -> None:
    text = json.dumps(document) if fmt == "json" else yaml.safe_dump(document)
    try:
        parse_data(text, fmt, LIMITS, "f")
    except DataFileError as exc:
        assert "\n" not in str(exc) and str(exc).startswith("f: ")


@pytest.mark.serverless
@settings(max_examples=150, deadline=None)
@given(st.text(max_size=60), st.sampled_from(["json", "yaml", "toml"]))
def test_any_text_loads_or_is_refused_in_one_line(text: str, fmt: str) -> None:
    try:
        parse_data(text, fmt, LIMITS, "f")
    except DataFileError as exc:
        assert "\n" not in str(exc)


# --- through the commands: one line, exit 2, before any server starts ------------------------------

MARKER_APP = "import pathlib\npathlib.Path(__file__).with_name('imported').write_text('yes')\napp = None\n"


def explorer(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "explorer", *args], capture_output=True, text=True, timeout=30, cwd=cwd
    )


HOSTILE = {
    "bomb.yaml": (BOMB, "larger than 16 MiB once its aliases are expanded"),
    "deep.yaml": ("[" * 100_000 + "]" * 100_000, "nested deeper than 600 levels"),
    "deep.json": ("[" * 100_000 + "]" * 100_000, "nested deeper than 600 levels"),
    "status.json": ('[{"path": "/x", "status": ' + "9" * 5000 + "}]", "a number with more than 4,300 digits"),
    "body.yaml": ("- path: /x\n  body: [" + "9" * 5000 + "]\n", "a number with more than 4,300 digits"),
    "name.json": ('[{"name": "\\ud800", "path": "/x"}]', "lone surrogate"),
    "path.json": ('[{"path": "/x\\ud800"}]', "lone surrogate"),
}


@pytest.mark.serverless
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_parity_refuses_hostile_files_before_any_server_starts(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str
) -> None:
    """In this process (tests/clitools.py: status 2, one line, nothing on stdout); the report's guards just below
    run ``explorer`` as a real process."""
    content, message = HOSTILE[name]
    (tmp_path / name).write_text(content)
    (tmp_path / "marker_app.py").write_text(MARKER_APP)
    apps = ["--app-dir", str(tmp_path), "--flask", "marker_app:app", "--fastapi", "marker_app:app"]
    assert message in run_cli(capsys, "parity", str(tmp_path / name), *apps)
    assert not (tmp_path / "imported").exists()  # no app was ever imported: no server started


@pytest.mark.parametrize("kind", ["fifo", "zero", "deep", "surrogate"])
def test_report_from_has_the_same_guards(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "run.json"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "deep":
        path.write_text("[" * 100_000 + "]" * 100_000)
    elif kind == "surrogate":
        path.write_text('{"kind": "report", "title": "Parity \\ud800"}')
    source = "/dev/zero" if kind == "zero" else str(path)
    result = explorer("report", "--from", source)
    if kind == "surrogate":  # answers can hold one: a saved run is written back out with its escape
        assert result.returncode == 0 and "# Parity \\ud800" in result.stdout.replace("\\\\", "\\")
        return
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert {"fifo": "is a pipe", "zero": "is a device", "deep": "nested deeper"}[kind] in result.stderr
