"""Small files that cost gigabytes or minutes: each bound named in one line, fast, before any server starts.

Before these bounds: ``ignore_regex: ["a{1000000000}"]`` (54 bytes) grew the process to 23 GB;
5,000 nested groups raised ``RecursionError`` and ``a{4294967296}`` ``OverflowError``; 20,000 dotted
``ignore_keys`` took 760 s to compare one answer; a 4 MiB YAML of empty lists peaked at 1 GB, a 32 MiB
HAR of ``[]`` at 1.6 GB and a 64 MiB saved run at 3.2 GB; an interpreter that floods its output was
kept whole (1.6 GB). Whatever could eat the machine runs in a child with its address space capped.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from explorer.parity.entry import ParityFileError
from explorer.parity.suite import parse_suite
from explorer.runtime.userdata import datafile
from explorer.runtime.userdata.datafile import DataFileError, FileLimits, parse_data
from tests.test_datafile import PureLoader

ROOT = Path(__file__).resolve().parent.parent
MARKER_APP = "import pathlib\npathlib.Path(__file__).with_name('imported').write_text('yes')\napp = None\n"


def _capped(memory: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))


def explorer(*args: str, memory: int = 1 << 30, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The CLI in a child that cannot grow past ``memory`` bytes of address space."""
    return subprocess.run(
        [sys.executable, "-m", "explorer", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        preexec_fn=lambda: _capped(memory),
    )


def refused_before_start(tmp_path: Path, name: str, content: str, message: str, memory: int = 1 << 30) -> float:
    """``explorer parity`` on the file: exit 2, one line holding ``message``, no app imported; the seconds taken."""
    (tmp_path / name).write_text(content)
    (tmp_path / "marker_app.py").write_text(MARKER_APP)
    apps = ["--app-dir", str(tmp_path), "--flask", "marker_app:app", "--fastapi", "marker_app:app"]
    started = time.monotonic()
    result = explorer("parity", str(tmp_path / name), *apps, memory=memory)
    took = time.monotonic() - started
    assert result.returncode == 2, result.stderr[-2000:]
    assert result.stderr.count("\n") == 1 and message in result.stderr and result.stdout == "", result.stderr[-2000:]
    assert not (tmp_path / "imported").exists()
    return took


# --- ignore_regex (issue 19, items 9 and 12) --------------------------------------------------------


def test_a_counted_repeat_is_refused_before_it_is_compiled(tmp_path: Path) -> None:
    """54 bytes grew the process to 23 GB (here: MemoryError at the 1 GiB cap, a traceback)."""
    took = refused_before_start(
        tmp_path,
        "r.yaml",
        'ignore_regex: ["a{1000000000}"]\nrequests:\n  - path: /\n',
        "has more than 100,000 parts once its repeats are written out",
    )
    assert took < 20


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("(" * 5000 + "a" + ")" * 5000, "longer than 1,000 characters"),  # RecursionError before
        ("(" * 300 + "a" + ")" * 300, "nests groups deeper than 50 levels"),  # RecursionError before
        ("a{4294967296}", "has more than 100,000 parts"),  # OverflowError before
        ("(?:a{1000}){1000}", "has more than 100,000 parts"),  # 280 MB before
        ("(?:(?:a{100}){100}){11}", "has more than 100,000 parts"),  # nested repeats multiply
        ("(?x)a{1000 000}", "verbose mode"),  # regex reads a repeat where re reads letters: 262 MB
        ("((a)", "is not a regular expression"),
    ],
    ids=["5000-groups", "300-groups", "overflow", "nested-million", "nested-110k", "verbose", "malformed"],
)
def test_hostile_ignore_regex_is_one_line(pattern: str, message: str) -> None:
    for document in (
        {"ignore_regex": [pattern], "requests": [{"path": "/"}]},
        {"requests": [{"path": "/", "ignore_regex": pattern}]},
    ):
        with pytest.raises(ParityFileError) as info:
            parse_suite(document, "r.yaml")
        line = str(info.value)
        assert message in line and "\n" not in line and len(line) < 400, line


def test_ordinary_patterns_still_load_and_the_count_is_bounded() -> None:
    fine = [
        r"\d{4}-\d{2}-\d{2}T[\d:.]+Z?",
        r"(?i)request[-_]id: [0-9a-f]{32}",
        r"(a)(?(1)b|c)",
        r"(?>x+)y",
        r"(?<=ab)c",
        r"[]()]+",
        r"[^]()]",
        r".{0,5000}",
        "(" * 50 + "a" + ")" * 50,
    ]
    suite = parse_suite({"ignore_regex": fine, "requests": [{"path": "/"}]}, "r.yaml")
    assert suite.options.ignore_regex == tuple(fine)
    with pytest.raises(ParityFileError, match="101 patterns; the limit is 100"):
        parse_suite({"ignore_regex": [f"x{i}" for i in range(101)], "requests": [{"path": "/"}]}, "r.yaml")


# --- ignore_keys (issue 19, item 11) ------------------------------------------------------------------


def _matches_one_by_one(patterns: list[str], path: list[str]) -> bool:
    """The rule, written the slow way: a dotted pattern of the same length, ``*`` for any part."""
    return any(
        len(p.split(".")) == len(path) and all(x in ("*", w) for x, w in zip(p.split("."), path, strict=True))
        for p in patterns
        if "." in p
    )


def test_dotted_keys_cost_one_lookup_per_key_whatever_their_number() -> None:
    """1,000 patterns against 20,000 keys: each key was tried against each pattern (116 s here); now 0.3 s."""
    from explorer.parity.jsondiff import diff_json

    patterns = [f"k{i}.x.y{i}" for i in range(1000)] + ["k1.*.y5", "*.x.y7"]
    left = {"k1": {"x": {f"y{j}": j for j in range(20_000)}}}
    right = {"k1": {"x": {f"y{j}": -j for j in range(20_000)}}}
    started = time.monotonic()
    found = diff_json(left, right, patterns, limit=20_000)
    assert time.monotonic() - started < 5
    dropped = {"k1.x.y0", "k1.x.y1", "k1.x.y5", "k1.x.y7"}
    assert {c.path for c in found.changes} == {f"k1.x.y{j}" for j in range(20_000)} - dropped


@pytest.mark.parametrize("ignore_order", [False, True])
def test_dotted_keys_drop_exactly_what_the_rule_says(ignore_order: bool) -> None:
    from explorer.parity.jsondiff import diff_json

    def doc(sign: int) -> dict[str, object]:
        return {
            "a": {"b": sign, "c": {"b": sign}, "d": [{"b": sign, "e": sign}, {"b": sign}]},
            "b": sign,
            "f": {"a": {"b": sign}},
            "g": [sign, {"h": sign}],
        }

    every = ["a.b", "a.c.b", "a.d.0.b", "a.d.0.e", "a.d.1.b", "b", "f.a.b", "g.0", "g.1.h"]
    for patterns in (
        ["a.*"],
        ["*.b"],
        ["*.*.b"],
        ["a.d.*.b"],
        ["a.*.*.e", "f.*.b"],
        ["*.*", "*.*.*.*"],
        ["a.d.1.b", "g.*.h", "x.y"],
        ["*.c.b", "a.*.b"],
    ):
        changes = diff_json(doc(1), doc(-1), patterns, ignore_order).changes
        found = {c.path.replace("[", ".").replace("]", "") for c in changes}
        kept = {
            p
            for p in every
            if not any(
                _matches_one_by_one(patterns, p.split(".")[:n])
                for n in range(1, p.count(".") + 2)
                if not p.split(".")[n - 1].isdigit()
            )
        }  # only an object's keys are dropped
        assert found == kept, patterns
    exact = diff_json(doc(1), doc(-1), [("a", "d", 0, "b"), ("g", 1, "h")]).changes
    assert {c.path for c in exact} == {"a.b", "a.c.b", "a.d[0].e", "a.d[1].b", "b", "f.a.b", "g[0]"}


def test_the_number_of_ignore_keys_is_bounded() -> None:
    """20,000 patterns (229 KB) were accepted and made one comparison take 760 s."""
    with pytest.raises(ParityFileError, match="20,000 names; the limit is 1,000"):
        parse_suite({"ignore_keys": [f"k{i}.x" for i in range(20_000)], "requests": [{"path": "/"}]}, "r.yaml")
    with pytest.raises(ParityFileError, match="longer than 1,000 characters"):
        parse_suite({"requests": [{"path": "/", "ignore_keys": ["a." * 600]}]}, "r.yaml")
    assert (
        len(
            parse_suite(
                {"ignore_keys": [f"k{i}" for i in range(1000)], "requests": [{"path": "/"}]}, "r.yaml"
            ).options.ignore_keys
        )
        == 1000
    )


# --- an interpreter that floods its output (issue 19, item 13) ----------------------------------------

FLOOD_CHECK = """
import asyncio, resource, sys
from explorer.runtime.servers.prestart import PrestartError, check_interpreter
from explorer.runtime.servers.specs import ServerSpec
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    asyncio.run(check_interpreter(ServerSpec("flask", "werkzeug", "a:app", python=sys.argv[1])))
except PrestartError as exc:
    print(exc)
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)
"""


def test_the_interpreter_check_keeps_a_bounded_tail_of_a_flood(tmp_path: Path) -> None:
    """100 MB of output were all kept while looking for the check's answer line (1.64 GB in the issue)."""
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\nhead -c 100000000 /dev/zero\n")
    fake.chmod(0o755)
    result = subprocess.run(
        [sys.executable, "-c", FLOOD_CHECK, str(fake)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        preexec_fn=lambda: _capped(1 << 30),
    )
    said, grown_mb = result.stdout.splitlines()
    assert "is not a Python the explorer can use" in said or "did not answer" in said, result.stderr[-2000:]
    assert int(grown_mb) < 50, f"{grown_mb} MB"  # the peak's growth during the check, past what importing costs


# --- values, not only bytes (issue 19, item 14) --------------------------------------------------------


# A fork's child starts with its parent's pages, and Linux keeps the high-water mark of those across exec: a CLI
# forked straight from a worker that has grown to 340 MB (late in a full suite) peaked "at 340 MB". Forked from
# this small launcher instead, the peak it reports is the CLI's own.
_LAUNCHER = """
import os, resource, sys
memory, report = int(sys.argv[1]), sys.argv[2]
pid = os.fork()
if pid == 0:
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    os.execv(sys.executable, [sys.executable, "-m", "explorer", *sys.argv[3:]])
_, status, usage = os.wait4(pid, 0)
with open(report, "w") as file:
    file.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def measured(*args: str, timeout: float = 60, memory: int = 1 << 30) -> tuple[int, str, str, int]:
    """The CLI's exit code, stdout, stderr and peak memory in MB (its own, from ``wait4`` in a small launcher)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "maxrss"
        proc = subprocess.Popen(
            [sys.executable, "-c", _LAUNCHER, str(memory), str(report), *args],
            stdout=out,
            stderr=err,
            cwd=ROOT,
            start_new_session=True,
        )
        timer = threading.Timer(timeout, lambda: os.killpg(proc.pid, 9))
        timer.start()
        try:
            proc.wait()
        finally:
            timer.cancel()
        out.seek(0)
        err.seek(0)
        peak = int(report.read_text()) // 1024 if report.exists() else -1
        return proc.returncode, out.read().decode(), err.read().decode(), peak


def _apps(tmp_path: Path) -> list[str]:
    (tmp_path / "marker_app.py").write_text(MARKER_APP)
    return ["--app-dir", str(tmp_path), "--flask", "marker_app:app", "--fastapi", "marker_app:app"]


@pytest.mark.parametrize(
    ("name", "values", "message"),
    [
        ("requests.yaml", 262_144, "holds more than 262,144 values and keys"),  # 1 GB for 4 MiB before
        ("requests.json", 262_144, "holds more than 262,144 values"),
        ("har", 2_097_152, "holds more than 2,097,152 values"),  # 1.6 GB for 32 MiB before
        ("report", 4_194_304, "holds more than 4,194,304 values"),  # 3.2 GB for 64 MiB before
    ],
)
def test_a_file_of_empty_lists_is_refused_before_it_is_built(
    tmp_path: Path, name: str, values: int, message: str
) -> None:
    """Just past each file's bound of values (one per 16 bytes of its cap), in a third of its bytes or less."""
    path = tmp_path / (name if "." in name else f"{name}.json")
    path.write_text("[" + "[]," * values + "[]]")
    if name.startswith("requests"):
        command = ["parity", str(path), *_apps(tmp_path)]
    elif name == "har":
        command = ["parity", "--from-har", str(path), "--write", str(tmp_path / "out.yaml"), *_apps(tmp_path)]
    else:
        command = ["report", "--from", str(path)]
    code, out, err, peak = measured(*command)
    assert code == 2 and err.count("\n") == 1 and message in err and out == "", (code, err[-2000:])
    assert peak < 200, f"{peak} MB"
    assert not (tmp_path / "imported").exists() and not (tmp_path / "out.yaml").exists()


def test_values_are_counted_exactly(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commas and brackets inside strings are not values, nor are empty containers' insides; YAML counts its keys."""

    cases = [
        ('["a,b,[c{", {"k": [ ], "l": {\n}}, [1, 2]]', "json", 8),
        ("[" + ", ".join(['"[,{"'] * 20) + "]", "json", 21),
        ("a: [1, 2]\nb: {c: d}\ne: ['-,:?', [], {}]\n", "yaml", 14),
        ("- - - x\n- {a: 1, b}\n- [k: v]\n", "yaml", 13),
    ]
    for text, fmt, count in cases:
        for loader in (None, PureLoader) if fmt == "yaml" else (None,):
            assert parse_data(text, fmt, FileLimits(1 << 20, max_values=count), "f", loader) is not None
            with pytest.raises(DataFileError, match=f"f: holds more than {count - 1:,} values"):
                parse_data(text, fmt, FileLimits(1 << 20, max_values=count - 1), "f", loader)
    monkeypatch.setattr(datafile, "count_yaml", lambda *_args: None)  # the composer counts as well
    with pytest.raises(DataFileError, match="f: holds more than 12 values and keys"):
        parse_data(cases[-1][0], "yaml", FileLimits(1 << 20, max_values=12), "f")
