"""One entry of a requests file: the request, what to capture from its answers, how to compare them.

Each mistake raises :class:`ParityFileError` with ``where`` (the file and the entry's number and
name) in front, so a CI log says what to fix. The request keys can be put over for one framework in a
``flask:`` or ``fastapi:`` block (headers merged by name, any other key replaced), e.g. a Flask app
that wants ``Authorization: Token …`` where its port wants ``Bearer …``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from explorer.parity.declared import DeclarationError, Expectation, parse_expectations
from explorer.parity.regexcheck import MAX_REGEXES, RegexRefused, check_regex
from explorer.parity.template import PLACEHOLDER, Capture, CaptureError, RequestTemplate
from explorer.runtime.errors import ExplorerError
from explorer.runtime.frameworks import FRAMEWORKS
from explorer.runtime.http.forms import MAX_FILE_BYTES, FilePart, check_form, read_file_part
from explorer.runtime.http.request import MAX_BODY_BYTES, RequestSpec, check_header, check_method
from explorer.runtime.userdata.bounded import DataLimitError, measure, printable
from explorer.runtime.userdata.datafile import user_path

__all__ = ["ENTRY_KEYS", "ParityCase", "ParityFileError", "brief", "names", "parse_case", "redirect_mode", "regexes"]

REQUEST_KEYS = ("method", "path", "headers", "body", "form", "files")
SIDE_KEYS = (*REQUEST_KEYS, "capture")
ENTRY_KEYS = (
    "name",
    *REQUEST_KEYS,
    "status",
    "ignore_keys",
    "ignore_order",
    "compare_headers",
    "ignore_regex",
    "capture",
    *FRAMEWORKS,
    "expect_differences",
    "match_lists_by",
    "compare_captured",
    "redirects",
    "follow_redirects",
)
REDIRECT_MODES = ("full", "location")
MAX_NAMES = 1000  # ignore_keys or compare_headers per list
MAX_NAME_CHARS = 1000


class ParityFileError(ExplorerError):
    """The requests file is missing, unreadable, malformed, or has a bad entry."""


@dataclass(frozen=True)
class ParityCase:
    """One named request (per framework, after its overrides), what to capture, how to compare."""

    name: str
    sides: dict[str, RequestTemplate]
    expect_status: int | None = None
    ignore_keys: tuple[str, ...] = ()
    ignore_order: bool | None = None
    compare_headers: tuple[str, ...] = ()
    ignore_regex: tuple[str, ...] = ()
    captures: dict[str, tuple[Capture, ...]] = field(default_factory=dict)
    expectations: tuple[Expectation, ...] = ()
    match_lists_by: tuple[str, ...] = ()
    compare_captured: bool | None = None
    redirects: str | None = None
    follow_redirects: bool = False  # each app's redirects followed, the final answers compared (curl -L)

    @property
    def request(self) -> RequestSpec:
        """The request as written (Flask's side), placeholders left in: for its line and the editor."""
        template = self.sides["flask"]
        body = None if not template.has_body else template.body if template.raw else None
        spec = RequestSpec(template.method, template.path, template.headers, body, template.form, template.files)
        if template.has_body and not template.raw:
            spec = replace(spec.with_json(template.body), body=json.dumps(template.body, ensure_ascii=False))
        return spec

    def options(self, base: Any) -> Any:
        """The options in force for this case (``base`` is the file's :class:`ParityOptions`)."""
        return base.merged(
            self.ignore_keys,
            self.ignore_order,
            self.compare_headers,
            self.ignore_regex,
            self.match_lists_by,
            self.compare_captured,
            self.redirects,
        )

    def names(self) -> dict[str, list[str]]:
        """The placeholders each framework's request uses."""
        return {fw: template.names() for fw, template in self.sides.items()}

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "request": self.request.to_dict(),
            "expect_status": self.expect_status,
            "ignore_keys": list(self.ignore_keys),
            "ignore_order": self.ignore_order,
            "compare_headers": list(self.compare_headers),
            "ignore_regex": list(self.ignore_regex),
            "capture": {fw: [c.to_dict() for c in caps] for fw, caps in self.captures.items() if caps},
            "expect_differences": [e.to_dict() for e in self.expectations],
            "match_lists_by": list(self.match_lists_by),
            "compare_captured": self.compare_captured,
            "redirects": self.redirects,
            "follow_redirects": self.follow_redirects,
        }


def parse_case(entry: Any, where: str, folder: Path | None = None) -> ParityCase:
    """One entry; every error message starts with ``where`` and the entry's name when it has one."""
    if not isinstance(entry, dict):
        raise ParityFileError(f"{where}: expected a mapping with at least 'path', got {type(entry).__name__}")
    name = entry.get("name")
    if name is not None and (not isinstance(name, str) or not name.strip()):
        raise ParityFileError(f"{where}: 'name' must be non-empty text")
    if isinstance(name, str):
        where = f"{where} ({brief(name.strip())})"
    unknown = [k for k in entry if k not in ENTRY_KEYS]
    if unknown:
        raise ParityFileError(f"{where}: unknown key {brief(unknown[0])}; use {', '.join(ENTRY_KEYS)}")
    if "path" not in entry:
        raise ParityFileError(f"{where}: 'path' is missing")
    try:
        base = RequestTemplate(**request_keys(entry, where, folder))
        captures = parse_captures(entry.get("capture"), where)
        sides: dict[str, RequestTemplate] = {}
        side_captures: dict[str, tuple[Capture, ...]] = {}
        for framework in FRAMEWORKS:
            block = entry.get(framework) or {}
            if not isinstance(block, dict):
                raise ParityFileError(f"{where}: '{framework}' must be a mapping of request keys to put over")
            bad = [k for k in block if k not in SIDE_KEYS]
            if bad:
                raise ParityFileError(f"{where}: {framework}: unknown key {brief(bad[0])}; use {', '.join(SIDE_KEYS)}")
            sides[framework] = base.with_overrides(request_keys(block, f"{where}: {framework}", folder))
            own = {c.name: c for c in captures}
            own.update({c.name: c for c in parse_captures(block.get("capture"), f"{where}: {framework}")})
            side_captures[framework] = tuple(own.values())
            _check_shape(sides[framework])
        expectations = parse_expectations(entry.get("expect_differences"), "request", where)
    except (DeclarationError, CaptureError) as exc:
        raise ParityFileError(str(exc) if str(exc).startswith(where) else f"{where}: {exc}") from None
    except ExplorerError as exc:
        if isinstance(exc, ParityFileError):
            raise
        raise ParityFileError(f"{where}: {exc}") from None
    status = entry.get("status")
    if status is not None and (isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599):
        raise ParityFileError(f"{where}: 'status' must be an HTTP status from 100 to 599, got {brief(status)}")
    ignore_order = entry.get("ignore_order")
    compare_captured = entry.get("compare_captured")
    redirects = entry.get("redirects")
    declared_headers = tuple(h for e in expectations if e.aspect == "header" for h in e.where)
    case_name = name.strip() if isinstance(name, str) else base.line
    return ParityCase(
        name=case_name,
        sides=sides,
        expect_status=status,
        ignore_keys=names(entry.get("ignore_keys", []), f"{where}: ignore_keys"),
        ignore_order=None if ignore_order is None else flag(ignore_order, f"{where}: ignore_order"),
        compare_headers=tuple(
            dict.fromkeys(
                tuple(h.lower() for h in names(entry.get("compare_headers", []), f"{where}: compare_headers"))
                + declared_headers
            )
        ),
        ignore_regex=regexes(entry.get("ignore_regex", []), f"{where}: ignore_regex"),
        captures=side_captures,
        expectations=tuple(
            Expectation(e.aspect, e.reason, e.where, e.flask, e.fastapi, case_name) for e in expectations
        ),
        match_lists_by=names(entry.get("match_lists_by", []), f"{where}: match_lists_by"),
        compare_captured=None if compare_captured is None else flag(compare_captured, f"{where}: compare_captured"),
        redirects=None if redirects is None else redirect_mode(redirects, f"{where}: redirects"),
        follow_redirects=flag(entry.get("follow_redirects", False), f"{where}: follow_redirects"),
    )


def _check_shape(template: RequestTemplate) -> None:
    """What can be checked before the placeholders are filled: the method, a path, the headers.

    A placeholder is printable text, so this passes for any name; the filled request is checked again.
    A path that starts with a placeholder (``"{{order}}"``, filled from a Location header) has its
    leading '/' checked once filled.
    """
    check_method(template.method)
    path = "/" + template.path if PLACEHOLDER.match(template.path) else template.path
    RequestSpec(template.method, path, template.headers).checked()


def request_keys(entry: dict[str, Any], where: str, folder: Path | None = None) -> dict[str, Any]:
    """The request keys present in ``entry`` (the whole entry, or a ``flask:``/``fastapi:`` block).

    A file named under ``files`` is read now, relative to ``folder`` (the requests file's), through
    the same bounded reader as every user file: a missing or oversized file stops the run before
    any server starts.
    """
    result: dict[str, Any] = {}
    for key in ("method", "path"):
        if key in entry:
            if not isinstance(entry[key], str):
                raise ParityFileError(f"{where}: {key!r} must be text, got {brief(entry[key])}")
            result[key] = entry[key].strip().upper() if key == "method" else entry[key].strip()
    if "headers" in entry:
        result["headers"] = _headers(entry["headers"], where)
    if "body" in entry:
        result["body"], result["raw"] = _body(entry["body"], where)
    if "form" in entry:
        result["form"] = _form(entry["form"], where)
    if "files" in entry:
        result["files"] = _files(entry["files"], where, folder or Path.cwd())
    if "body" in entry and ("form" in entry or "files" in entry):
        raise ParityFileError(f"{where}: a request carries either 'body' or 'form'/'files', not both")
    return result


def _form(value: Any, where: str) -> tuple[tuple[str, str], ...]:
    """``form: {name: value}``: sent urlencoded (multipart when there are files too)."""
    if not isinstance(value, dict):
        raise ParityFileError(f"{where}: 'form' must be a mapping of field: value")
    fields = []
    for name, raw in value.items():
        if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
            raise ParityFileError(f"{where}: form field {brief(name)} needs a text value")
        fields.append((str(name), str(raw)))
    check_form(tuple(fields), ())
    return tuple(fields)


_FILE_KEYS = ("path", "content", "type", "filename")


def _files(value: Any, where: str, folder: Path) -> tuple[FilePart, ...]:
    """``files: {field: path}`` or ``{field: {path: ..., type: text/csv, filename: sent.csv}}``: parts, read now.

    ``{content: text, filename: ..., type: ...}`` instead of ``path`` gives a small file in the entry
    itself (what ``--generate`` writes: there is no file to name); sent as ``filename`` (default: the
    field's name) and ``type`` (default ``text/plain``), bounded as a file read from disk.
    """
    if not isinstance(value, dict):
        raise ParityFileError(f"{where}: 'files' must be a mapping of field: path")
    parts = []
    for name, spec in value.items():
        media = filename = None
        if isinstance(spec, dict):
            unknown = [k for k in spec if k not in _FILE_KEYS]
            if (
                unknown
                or not all(isinstance(spec.get(k, ""), str) for k in _FILE_KEYS)
                or ("path" in spec) == ("content" in spec)
            ):
                raise ParityFileError(
                    f"{where}: file {brief(name)}: expected {{path: ..., type: ..., filename: ...}} "
                    "or {content: ..., type: ..., filename: ...}"
                )
            media, filename = spec.get("type"), spec.get("filename")
            if "content" in spec:
                parts.append(_inline_part(str(name), spec["content"], media, filename, where))
                continue
            spec = spec.get("path")
        if not isinstance(spec, str) or not spec:
            raise ParityFileError(f"{where}: file {brief(name)} needs a path")
        path = user_path(spec)
        parts.append(read_file_part(str(name), path if path.is_absolute() else folder / path, media, filename))
    check_form((), tuple(parts))
    return tuple(parts)


def _inline_part(name: str, text: str, media: str | None, filename: str | None, where: str) -> FilePart:
    content = text.encode("utf-8", "surrogatepass")
    if len(content) > MAX_FILE_BYTES:  # as a file read from disk; checked before the part is built
        raise ParityFileError(f"{where}: file {brief(name)}: 'content' is larger than {MAX_FILE_BYTES // 1024} KiB")
    return FilePart(name, filename or name, content, media or "text/plain")


def parse_captures(value: Any, where: str) -> tuple[Capture, ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise ParityFileError(f"{where}: 'capture' must be a mapping of name: source (e.g. token: json.user.token)")
    return tuple(Capture.parse(str(name), source) for name, source in value.items())


def _body(body: Any, where: str) -> tuple[Any, bool]:
    """Text is sent as is; any other value as JSON with a JSON Content-Type (unless one is given)."""
    if isinstance(body, str):
        if len(body.encode("utf-8", "surrogatepass")) > MAX_BODY_BYTES:
            raise ParityFileError(f"{where}: 'body' is larger than {MAX_BODY_BYTES // 1024} KiB")
        return body, True
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
    return body, False


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
                raise ParityFileError(f"{where}: each header must look like 'Name: value', got {brief(item)}")
            name, _, header_value = item.partition(":")
            pairs.append((name, header_value))
    else:
        raise ParityFileError(f"{where}: 'headers' must be a mapping or a list of 'Name: value'")
    result = []
    for name, raw in pairs:
        if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
            raise ParityFileError(f"{where}: header {brief(name)} needs a text value")
        result.append(check_header(str(name), str(raw)))
    return tuple(result)


def names(value: Any, where: str, limit: int = MAX_NAMES) -> tuple[str, ...]:
    """Names (or dotted paths): at most ``limit`` of them, each at most :data:`MAX_NAME_CHARS` characters."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ParityFileError(f"{where}: expected a list of names")
    if len(value) > limit:
        raise ParityFileError(f"{where}: {len(value):,} names; the limit is {limit:,}")
    long = next((v for v in value if len(v) > MAX_NAME_CHARS), None)
    if long is not None:
        raise ParityFileError(f"{where}: {brief(long)} is longer than {MAX_NAME_CHARS:,} characters")
    return tuple(dict.fromkeys(v.strip() for v in value))


def regexes(value: Any, where: str) -> tuple[str, ...]:
    """Regular expressions, each sized (:mod:`explorer.parity.regexcheck`) then compiled once here, so a
    bad or costly one is named before any server starts."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ParityFileError(f"{where}: expected a list of regular expressions")
    if len(value) > MAX_REGEXES:
        raise ParityFileError(f"{where}: {len(value):,} patterns; the limit is {MAX_REGEXES}")
    import regex  # what compares with them: the re syntax, with a time-out (explorer.parity.compare)

    for pattern in value:
        try:
            check_regex(pattern)
            re.compile(pattern)
            regex.compile(pattern, flags=regex.VERSION0)
        except RegexRefused as exc:
            raise ParityFileError(f"{where}: {brief(pattern)} {exc}") from None
        except (re.error, regex.error) as exc:
            raise ParityFileError(f"{where}: {brief(pattern)} is not a regular expression: {exc}") from None
    return tuple(dict.fromkeys(value))


def redirect_mode(value: Any, where: str) -> str:
    """``full`` (every aspect of a 3xx compared) or ``location`` (two redirects: status class and Location)."""
    if value not in REDIRECT_MODES:
        raise ParityFileError(f"{where}: expected {' or '.join(REDIRECT_MODES)}, got {brief(value)}")
    return str(value)


def flag(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ParityFileError(f"{where}: expected true or false, got {brief(value)}")
    return value


def brief(value: Any) -> str:
    """A user's value in a message: its repr, on one line, at most 40 characters; a container by its type."""
    if isinstance(value, (dict, list)):
        return f"a {'mapping' if isinstance(value, dict) else 'list'}"
    try:
        text = repr(value)
    except ValueError:  # an integer too long for decimal text
        return "a number too long to show"
    text = printable(" ".join(text.split()))
    return text if len(text) <= 40 else text[:39] + "…"
