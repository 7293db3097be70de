"""The order the test files reach pytest-xdist's workers: the slowest first, by each file's seconds in a measured run.

``--dist loadfile`` hands a worker the next file in collection order whenever it runs short (and the next but one
while the last two tests of its file run), and by default it first sorts the files by their number of tests, most
first: the files of one or two long app runs came last, one worker running them alone at the end while the other
core idled. The files are collected slowest first instead (pyproject.toml turns xdist's sort off), so the suite ends
on short files. ``tests/file_times.txt`` holds each file's seconds (wall, setup, call and teardown of its tests summed,
as its worker ran them in a whole run of ``make test``); ``FILE_TIMES_WRITE=1 make test`` writes it again from that
run. A file not in it (a new one) is collected first: its time is unknown, and a short file early costs the run
nothing where a long one last costs its whole length.
"""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path

import pytest

TIMES = Path(__file__).with_name("file_times.txt")
HEADER = "# seconds  file (wall, per file, summed over its tests' phases; tests/file_times.py reads and writes it)\n"


def file_times(path: Path = TIMES) -> dict[str, float]:
    """Each file's seconds as the file lists them (none if it is missing)."""
    if not path.exists():
        return {}
    times = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            seconds, name = line.split()
            times[name] = float(seconds)
    return times


def slowest_first(items: list[pytest.Item], times: dict[str, float]) -> None:
    """Sort ``items`` in place, file by file: a file not timed first, then the slowest (each file's order kept)."""
    items.sort(key=lambda item: -times.get(item.path.name, math.inf))  # a stable sort


class Recorder:
    """Sums each file's test phases as the reports come in (in the controller, from every worker), and writes the
    times at the end: the files run here measured again, the others kept as they were."""

    def __init__(self, path: Path = TIMES) -> None:
        self.path = path
        self.seconds: defaultdict[str, float] = defaultdict(float)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.seconds[Path(report.nodeid.split("::")[0]).name] += report.duration

    def pytest_sessionfinish(self) -> None:
        times = {**file_times(self.path), **self.seconds}
        ranked = sorted(times.items(), key=lambda pair: (-pair[1], pair[0]))
        self.path.write_text(HEADER + "".join(f"{seconds:7.1f}  {name}\n" for name, seconds in ranked))
