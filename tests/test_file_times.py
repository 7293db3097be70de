"""The files reach xdist's workers slowest first, a file not timed before them all (tests/file_times.py)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tests.file_times import TIMES, Recorder, file_times, slowest_first

pytestmark = pytest.mark.serverless


def item(name: str, test: str) -> Any:
    return SimpleNamespace(path=Path("tests") / name, name=test)


def report(nodeid: str, seconds: float) -> Any:
    return SimpleNamespace(nodeid=nodeid, duration=seconds)  # the two fields of a TestReport read


def test_a_new_file_first_then_the_slowest_each_files_order_kept() -> None:
    items = [item("test_a.py", "1"), item("test_b.py", "1"), item("test_b.py", "2"), item("test_c.py", "1")]
    items += [item("test_new.py", "1"), item("test_a.py", "2")]
    slowest_first(items, {"test_a.py": 3.0, "test_b.py": 30.0, "test_c.py": 0.5, "test_gone.py": 99.0})
    assert [(i.path.name, i.name) for i in items] == [
        ("test_new.py", "1"),
        ("test_b.py", "1"),
        ("test_b.py", "2"),
        ("test_a.py", "1"),
        ("test_a.py", "2"),
        ("test_c.py", "1"),
    ]


def test_a_run_writes_the_files_it_ran_and_keeps_the_others(tmp_path: Path) -> None:
    path = tmp_path / "times.txt"
    path.write_text("# seconds  file\n   12.0  test_kept.py\n    9.0  test_b.py\n")
    recorder = Recorder(path)
    for nodeid, seconds in (("tests/test_b.py::t", 1.0), ("tests/test_b.py::t", 0.5), ("tests/test_c.py::u", 20.0)):
        recorder.pytest_runtest_logreport(report(nodeid, seconds))
    recorder.pytest_sessionfinish()
    assert file_times(path) == {"test_c.py": 20.0, "test_kept.py": 12.0, "test_b.py": 1.5}
    assert [line.split()[1] for line in path.read_text().splitlines()[1:]] == ["test_c.py", "test_kept.py", "test_b.py"]


def test_every_file_timed_is_a_test_file_of_the_suite() -> None:
    """A file renamed or removed leaves its line behind; a name there that is no file is a slip to clean up."""
    files = {path.name for path in TIMES.parent.glob("test_*.py")}
    assert set(file_times()) <= files
