"""The parity requests file (YAML or JSON), checked entry by entry before any server starts.

A mistake names the file and the entry (its number and name), so a CI log says what to fix::

    requests.yaml: entry 3 ("create order"): unknown key 'ignore_key'
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from explorer.runtime.datafile import DataFileError, FileLimits, load_data_file
from explorer.runtime.errors import ExplorerError
from explorer.runtime.request import MAX_BODY_BYTES, RequestSpec, check_header
from explorer.runtime.userdata import DataLimitError, measure, printable

__all__ = [
    "DEFAULT_COMPARE_HEADERS",
    "ParityCase",
    "ParityFileError",
    "ParityOptions",
    "ParitySuite",
    "load_suite",
    "parse_suite",
]

DEFAULT_COMPARE_HEADERS = ("location",)
MAX_FILE_BYTES = 4 * 1024 * 1024
FILE_LIMITS = FileLimits(MAX_FILE_BYTES)  # 600 levels; 16 MiB with YAML aliases expanded
MAX_CASES = 1000
ENTRY_KEYS = ("name", "method", "path", "headers", "body", "status", "ignore_keys", "ignore_order", "compare_headers")
FILE_KEYS = ("requests", "ignore_keys", "ignore_order", "compare_headers")


class ParityFileError(ExplorerError):
    """The requests file is missing, unreadable, malformed, or has a bad entry."""


@dataclass(frozen=True)
class ParityOptions:
    """How answers are compared; the file sets defaults, each entry and the command line add to them."""

    ignore_keys: tuple[str, ...] = ()
    ignore_order: bool = False
    compare_headers: tuple[str, ...] = DEFAULT_COMPARE_HEADERS

    def merged(
        self, ignore_keys: tuple[str, ...] = (), ignore_order: bool | None = None, compare_headers: tuple[str, ...] = ()
    ) -> ParityOptions:
        """These options plus more keys and headers; ``ignore_order`` replaces ours unless None."""
        return ParityOptions(
            ignore_keys=_unique(self.ignore_keys + ignore_keys),
            ignore_order=self.ignore_order if ignore_order is None else ignore_order,
            compare_headers=_unique(self.compare_headers + tuple(h.lower() for h in compare_headers)),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "ignore_keys": list(self.ignore_keys),
            "ignore_order": self.ignore_order,
            "compare_headers": list(self.compare_headers),
        }


@dataclass(frozen=True)
class ParityCase:
    """One named request, the status both apps should answer (if given), and its own comparison options."""

    name: str
    request: RequestSpec
    expect_status: int | None = None
    ignore_keys: tuple[str, ...] = ()
    ignore_order: bool | None = None
    compare_headers: tuple[str, ...] = ()

    def options(self, base: ParityOptions) -> ParityOptions:
        """The options in force for this case."""
        return base.merged(self.ignore_keys, self.ignore_order, self.compare_headers)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "request": self.request.to_dict(),
            "expect_status": self.expect_status,
            "ignore_keys": list(self.ignore_keys),
            "ignore_order": self.ignore_order,
            "compare_headers": list(self.compare_headers),
        }


@dataclass(frozen=True)
class ParitySuite:
    """Every case of a file, in file order (the order they are sent in), and the file-wide options."""

    cases: tuple[ParityCase, ...]
    options: ParityOptions = field(default_factory=ParityOptions)
    source: str = ""


def load_suite(path: str | Path) -> ParitySuite:
    """Read and check a requests file: ``.json`` is parsed as JSON, anything else as YAML.

    The file goes through :func:`explorer.runtime.datafile.load_data_file` (a regular file of at most 4 MiB,
    UTF-8, 600 levels, YAML aliases measured, no lone surrogates), so every refusal is one line,
    raised before any server starts.
    """
    path = Path(path)
    fmt = "json" if path.suffix.lower() == ".json" else "yaml"
    try:
        document = load_data_file(path, FILE_LIMITS, fmt)
    except DataFileError as exc:
        raise ParityFileError(str(exc)) from None
    return replace(parse_suite(document, path.name), source=str(path))


def parse_suite(document: Any, label: str = "requests") -> ParitySuite:
    """A parsed document (a list of entries, or a mapping with ``requests`` and defaults) as a suite."""
    options = ParityOptions()
    entries = document
    if isinstance(document, dict):
        unknown = [k for k in document if k not in FILE_KEYS]
        if unknown:
            raise ParityFileError(f"{label}: unknown top-level key {_brief(unknown[0])}; use {', '.join(FILE_KEYS)}")
        if "requests" not in document:
            raise ParityFileError(f"{label}: no 'requests' list")
        entries = document["requests"]
        options = ParityOptions(
            ignore_keys=_names(document.get("ignore_keys", []), f"{label}: ignore_keys"),
            ignore_order=_flag(document.get("ignore_order", False), f"{label}: ignore_order"),
            compare_headers=_unique(
                DEFAULT_COMPARE_HEADERS
                + tuple(h.lower() for h in _names(document.get("compare_headers", []), f"{label}: compare_headers"))
            ),
        )
    if not isinstance(entries, list):
        raise ParityFileError(f"{label}: expected a list of requests (or a mapping with a 'requests' list)")
    if not entries:
        raise ParityFileError(f"{label}: the requests list is empty")
    if len(entries) > MAX_CASES:
        raise ParityFileError(f"{label}: {len(entries)} requests; the limit is {MAX_CASES}")
    cases: list[ParityCase] = []
    seen: dict[str, int] = {}
    for number, entry in enumerate(entries, start=1):
        case = parse_case(entry, f"{label}: entry {number}")
        if case.name in seen:
            raise ParityFileError(
                f"{label}: entry {number}: the name {_brief(case.name)} is already used by entry {seen[case.name]}"
            )
        seen[case.name] = number
        cases.append(case)
    return ParitySuite(tuple(cases), options, label)


def parse_case(entry: Any, where: str) -> ParityCase:
    """One entry; every error message starts with ``where`` and the entry's name when it has one."""
    if not isinstance(entry, dict):
        raise ParityFileError(f"{where}: expected a mapping with at least 'path', got {type(entry).__name__}")
    name = entry.get("name")
    if name is not None and (not isinstance(name, str) or not name.strip()):
        raise ParityFileError(f"{where}: 'name' must be non-empty text")
    if isinstance(name, str):
        where = f"{where} ({_brief(name.strip())})"
    unknown = [k for k in entry if k not in ENTRY_KEYS]
    if unknown:
        raise ParityFileError(f"{where}: unknown key {_brief(unknown[0])}; use {', '.join(ENTRY_KEYS)}")
    if "path" not in entry:
        raise ParityFileError(f"{where}: 'path' is missing")
    for key in ("method", "path"):
        if key in entry and not isinstance(entry[key], str):
            raise ParityFileError(f"{where}: {key!r} must be text, got {_brief(entry[key])}")
    try:
        headers = _headers(entry.get("headers"), where)
        spec = RequestSpec(str(entry.get("method", "GET")), entry["path"], headers)
        spec = _with_body(spec, entry, where).checked()
    except ExplorerError as exc:
        if isinstance(exc, ParityFileError):
            raise
        raise ParityFileError(f"{where}: {exc}") from None
    status = entry.get("status")
    if status is not None and (isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599):
        raise ParityFileError(f"{where}: 'status' must be an HTTP status from 100 to 599, got {_brief(status)}")
    ignore_order = entry.get("ignore_order")
    return ParityCase(
        name=name.strip() if isinstance(name, str) else spec.line,
        request=spec,
        expect_status=status,
        ignore_keys=_names(entry.get("ignore_keys", []), f"{where}: ignore_keys"),
        ignore_order=None if ignore_order is None else _flag(ignore_order, f"{where}: ignore_order"),
        compare_headers=tuple(h.lower() for h in _names(entry.get("compare_headers", []), f"{where}: compare_headers")),
    )


def _with_body(spec: RequestSpec, entry: dict[str, Any], where: str) -> RequestSpec:
    """Text is sent as is; any other value as JSON with a JSON Content-Type (unless one is given)."""
    if "body" not in entry:
        return spec
    body = entry["body"]
    if isinstance(body, str):
        return replace(spec, body=body)
    try:  # measured first: with YAML aliases, a small file can stand for a huge body
        size = measure(body, max_size=MAX_BODY_BYTES).size
    except DataLimitError as exc:
        raise ParityFileError(f"{where}: 'body' {exc}") from None
    if size > MAX_BODY_BYTES:
        raise ParityFileError(f"{where}: 'body' is larger than {MAX_BODY_BYTES // 1024} KiB")
    try:
        text = json.dumps(body, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ParityFileError(f"{where}: 'body' cannot be sent as JSON: {exc}") from None
    if len(text.encode()) > MAX_BODY_BYTES:
        raise ParityFileError(f"{where}: 'body' is larger than {MAX_BODY_BYTES // 1024} KiB")
    return replace(spec.with_json(body), body=text)


def _headers(value: Any, where: str) -> tuple[tuple[str, str], ...]:
    """A mapping ``{Name: value}`` or a list of ``"Name: value"`` strings."""
    if value is None:
        return ()
    pairs: list[tuple[Any, Any]] = []
    if isinstance(value, dict):
        pairs = list(value.items())
    elif isinstance(value, list):
        for item in value:
            if not isinstance(item, str) or ":" not in item:
                raise ParityFileError(f"{where}: each header must look like 'Name: value', got {_brief(item)}")
            pairs.append(tuple(item.split(":", 1)))  # type: ignore[arg-type]
    else:
        raise ParityFileError(f"{where}: 'headers' must be a mapping or a list of 'Name: value'")
    result = []
    for name, raw in pairs:
        if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
            raise ParityFileError(f"{where}: header {_brief(name)} needs a text value")
        result.append(check_header(str(name), str(raw)))
    return tuple(result)


def _names(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ParityFileError(f"{where}: expected a list of names")
    return _unique(tuple(v.strip() for v in value))


def _flag(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ParityFileError(f"{where}: expected true or false, got {_brief(value)}")
    return value


def _unique(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def _brief(value: Any) -> str:
    """A user's value in a message: its repr, on one line, at most 40 characters; a container by its type."""
    if isinstance(value, (dict, list)):
        return f"a {'mapping' if isinstance(value, dict) else 'list'}"
    try:
        text = repr(value)
    except ValueError:  # an integer too long for decimal text
        return "a number too long to show"
    text = printable(" ".join(text.split()))
    return text if len(text) <= 40 else text[:39] + "…"
