"""The parity requests file (YAML or JSON), checked entry by entry before any server starts.

A mistake names the file and the entry (its number and name), so a CI log says what to fix::

    requests.yaml: entry 3 ("create order"): unknown key 'ignore_key'

Besides the requests, a file may hold defaults for every request (``ignore_keys``,
``ignore_order``, ``compare_headers``, ``ignore_regex``, ``expect_differences``) and ``setup`` and
``teardown`` steps. Every ``{{name}}`` a request uses must be captured by an earlier request or
setup step: an unknown name is refused here, naming the request, not discovered mid-run.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from explorer.parity.declared import DeclarationError, Expectation, parse_expectations
from explorer.parity.entry import (
    ParityCase,
    ParityFileError,
    brief,
    flag,
    names,
    parse_case,
    redirect_mode,
    regexes,
)
from explorer.parity.steps import CommandStep, parse_step
from explorer.parity.template import ESCAPE_HINT
from explorer.runtime.frameworks import FRAMEWORKS
from explorer.runtime.userdata.datafile import DataFileError, FileLimits, load_data_file

__all__ = [
    "DEFAULT_COMPARE_HEADERS",
    "ParityCase",
    "ParityFileError",
    "ParityOptions",
    "ParitySuite",
    "default_requests_file",
    "load_suite",
    "parse_suite",
]

DEFAULT_COMPARE_HEADERS = ("location",)
MAX_FILE_BYTES = 4 * 1024 * 1024
FILE_LIMITS = FileLimits(MAX_FILE_BYTES)  # 600 levels; 16 MiB with YAML aliases expanded
MAX_CASES = 1000
FILE_KEYS = (
    "requests",
    "ignore_keys",
    "ignore_order",
    "compare_headers",
    "ignore_regex",
    "expect_differences",
    "setup",
    "teardown",
    "match_lists_by",
    "compare_captured",
    "redirects",
)

Step = ParityCase | CommandStep


@dataclass(frozen=True)
class ParityOptions:
    """How answers are compared; the file sets defaults, each entry and the command line add to them."""

    ignore_keys: tuple[str, ...] = ()
    ignore_order: bool = False
    compare_headers: tuple[str, ...] = DEFAULT_COMPARE_HEADERS
    ignore_regex: tuple[str, ...] = ()
    match_lists_by: tuple[str, ...] = ()  # keys that pair list items (explorer.parity.jsondiff)
    compare_captured: bool = False  # captured values are each app's own: by default presence and type only
    redirects: str = "full"  # or "location": two redirects compare by status class and Location only

    def merged(
        self,
        ignore_keys: tuple[str, ...] = (),
        ignore_order: bool | None = None,
        compare_headers: tuple[str, ...] = (),
        ignore_regex: tuple[str, ...] = (),
        match_lists_by: tuple[str, ...] = (),
        compare_captured: bool | None = None,
        redirects: str | None = None,
    ) -> ParityOptions:
        """These options plus more keys, headers and patterns; a flag or mode replaces ours unless None."""
        return ParityOptions(
            ignore_keys=_unique(self.ignore_keys + tuple(ignore_keys)),
            ignore_order=self.ignore_order if ignore_order is None else ignore_order,
            compare_headers=_unique(self.compare_headers + tuple(h.lower() for h in compare_headers)),
            ignore_regex=_unique(self.ignore_regex + tuple(ignore_regex)),
            match_lists_by=_unique(tuple(match_lists_by) + self.match_lists_by),
            compare_captured=self.compare_captured if compare_captured is None else compare_captured,
            redirects=self.redirects if redirects is None else redirects,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "ignore_keys": list(self.ignore_keys),
            "ignore_order": self.ignore_order,
            "compare_headers": list(self.compare_headers),
            "ignore_regex": list(self.ignore_regex),
            "match_lists_by": list(self.match_lists_by),
            "compare_captured": self.compare_captured,
            "redirects": self.redirects,
        }


@dataclass(frozen=True)
class ParitySuite:
    """Every case of a file, in file order (the order they are sent in), the file-wide options and steps."""

    cases: tuple[ParityCase, ...]
    options: ParityOptions = field(default_factory=ParityOptions)
    source: str = ""
    expectations: tuple[Expectation, ...] = ()
    setup: tuple[Step, ...] = ()
    teardown: tuple[Step, ...] = ()


def load_suite(path: str | Path) -> ParitySuite:
    """Read and check a requests file: ``.json`` is parsed as JSON, anything else as YAML.

    The file goes through :func:`explorer.runtime.userdata.datafile.load_data_file` (a regular file of at most 4 MiB,
    UTF-8, 600 levels, YAML aliases measured, no lone surrogates), so every refusal is one line,
    raised before any server starts.
    """
    path = Path(path)
    fmt = "json" if path.suffix.lower() == ".json" else "yaml"
    try:
        document = load_data_file(path, FILE_LIMITS, fmt)
    except DataFileError as exc:
        raise ParityFileError(str(exc)) from None
    return replace(parse_suite(document, path.name, path.parent), source=str(path))


def parse_suite(document: Any, label: str = "requests", folder: Path | None = None) -> ParitySuite:
    """A parsed document (a list of entries, or a mapping with ``requests`` and defaults) as a suite.

    ``folder`` is where files named under ``files`` are read from (the requests file's folder).
    """
    options = ParityOptions()
    entries = document
    expectations: tuple[Expectation, ...] = ()
    setup: tuple[Step, ...] = ()
    teardown: tuple[Step, ...] = ()
    if isinstance(document, dict):
        unknown = [k for k in document if k not in FILE_KEYS]
        if unknown:
            raise ParityFileError(f"{label}: unknown top-level key {brief(unknown[0])}; use {', '.join(FILE_KEYS)}")
        if "requests" not in document:
            raise ParityFileError(f"{label}: no 'requests' list")
        entries = document["requests"]
        try:
            expectations = parse_expectations(document.get("expect_differences"), "file", label)
        except DeclarationError as exc:
            raise ParityFileError(str(exc)) from None
        declared_headers = tuple(h for e in expectations if e.aspect == "header" for h in e.where)
        options = ParityOptions(
            ignore_keys=names(document.get("ignore_keys", []), f"{label}: ignore_keys"),
            ignore_order=flag(document.get("ignore_order", False), f"{label}: ignore_order"),
            compare_headers=_unique(
                DEFAULT_COMPARE_HEADERS
                + tuple(h.lower() for h in names(document.get("compare_headers", []), f"{label}: compare_headers"))
                + declared_headers
            ),
            ignore_regex=regexes(document.get("ignore_regex", []), f"{label}: ignore_regex"),
            match_lists_by=names(document.get("match_lists_by", []), f"{label}: match_lists_by"),
            compare_captured=flag(document.get("compare_captured", False), f"{label}: compare_captured"),
            redirects=redirect_mode(document.get("redirects", "full"), f"{label}: redirects"),
        )
        setup = _steps(document.get("setup"), f"{label}: setup", folder)
        teardown = _steps(document.get("teardown"), f"{label}: teardown", folder)
    if not isinstance(entries, list):
        raise ParityFileError(f"{label}: expected a list of requests (or a mapping with a 'requests' list)")
    if not entries:
        raise ParityFileError(f"{label}: the requests list is empty")
    if len(entries) > MAX_CASES:
        raise ParityFileError(f"{label}: {len(entries)} requests; the limit is {MAX_CASES}")
    cases: list[ParityCase] = []
    seen: dict[str, int] = {}
    for number, entry in enumerate(entries, start=1):
        case = parse_case(entry, f"{label}: entry {number}", folder)
        if case.name in seen:
            raise ParityFileError(
                f"{label}: entry {number}: the name {brief(case.name)} is already used by entry {seen[case.name]}"
            )
        seen[case.name] = number
        cases.append(case)
    suite = ParitySuite(tuple(cases), options, label, expectations, setup, teardown)
    check_placeholders(suite, label)
    return suite


def _steps(value: Any, where: str, folder: Path | None) -> tuple[Step, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ParityFileError(f"{where}: expected a list of requests or {{command: ...}} steps")
    if len(value) > MAX_CASES:
        raise ParityFileError(f"{where}: {len(value)} steps; the limit is {MAX_CASES}")
    return tuple(parse_step(item, f"{where} {number}", folder) for number, item in enumerate(value, start=1))


def check_placeholders(suite: ParitySuite, label: str) -> None:
    """Every ``{{name}}`` is captured (for that framework) by a step or request that runs before it."""
    known: dict[str, set[str]] = {fw: set() for fw in FRAMEWORKS}
    ordered = [("setup", s) for s in suite.setup] + [("entry", c) for c in suite.cases]
    ordered += [("teardown", s) for s in suite.teardown]
    counters = {"setup": 0, "entry": 0, "teardown": 0}
    for kind, step in ordered:
        counters[kind] += 1
        if not isinstance(step, ParityCase):
            continue
        missing = {fw: [n for n in used if n not in known[fw]] for fw, used in step.names().items()}
        bad = [fw for fw in FRAMEWORKS if missing.get(fw)]
        if bad:
            side = "" if len(bad) == len(FRAMEWORKS) else f" ({bad[0]} side)"
            so_far = ", ".join(sorted(known[bad[0]])) or "nothing yet"
            name = missing[bad[0]][0]
            raise ParityFileError(
                f"{label}: {kind} {counters[kind]} ({brief(step.name)}): unknown {{{{{name}}}}}{side}; "
                f"captured before it: {so_far} ({ESCAPE_HINT.format(name=name)})"
            )
        for framework, captures in step.captures.items():
            known[framework].update(c.name for c in captures)


def _unique(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def default_requests_file(folders: list[Path], cwd: Path | None = None) -> Path | None:
    """The ``requests.yaml`` the Parity screen offers: in the current folder (where ``explorer.toml`` is
    usually found), else in an app's own folder, else in the folder the two apps' folders share
    (``examples/blog`` for ``flask-app/`` and ``fastapi-port/``)."""
    here = cwd or Path.cwd()
    candidates = [here, *folders]
    if len(folders) > 1:
        with contextlib.suppress(ValueError):
            candidates.append(Path(os.path.commonpath([str(f) for f in folders])))
    return next((folder / "requests.yaml" for folder in candidates if (folder / "requests.yaml").is_file()), None)
