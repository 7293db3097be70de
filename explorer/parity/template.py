"""Requests with ``{{name}}`` placeholders, and the values captured from answers that fill them.

A login answers a token; the next request sends it. The two apps answer different tokens (and
different ids), so every value is captured per app, from that app's own answer, and each app gets
the request filled with its own values. Placeholders are filled in the path, the header values and
the body. In a JSON body a string that is exactly one placeholder takes the captured value with its
JSON type (``"{{order_id}}"`` becomes the number 7); anywhere else the value is written as text.
``\\{{`` is the text ``{{`` itself, never the start of a placeholder (:func:`literal` escapes
what was recorded, so a HAR holding ``{{x}}`` is sent as recorded).

The filled request is checked again before it is sent (:meth:`RequestSpec.checked`), so a captured
value holding a line break cannot smuggle a header, and a path cannot be turned into another host.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from explorer.parity.jsonwalk import map_json
from explorer.runtime.errors import ExplorerError
from explorer.runtime.http.forms import MAX_FORM_BYTES, FilePart
from explorer.runtime.http.request import MAX_BODY_BYTES, MAX_HEADER_CHARS, MAX_PATH_CHARS, RequestSpec

if TYPE_CHECKING:  # httpx loads with the client, on the first request
    from explorer.runtime.http.client import Exchange

__all__ = [
    "ESCAPE_HINT",
    "PLACEHOLDER",
    "Capture",
    "CaptureError",
    "RequestTemplate",
    "TemplateError",
    "capture",
    "literal",
    "placeholders",
]

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
# A placeholder, or the escape `\{{` (the text `{{` itself), read left to right in one pass
_TOKEN = re.compile(r"\\\{\{|" + PLACEHOLDER.pattern)
ESCAPE_HINT = "write \\{{{{{name}}}}} to send it as text"
_SECRET_NAME = re.compile(r"token|secret|passw|key|session|auth|cookie|csrf|jwt|bearer", re.IGNORECASE)
NO_BODY = object()


class TemplateError(ExplorerError):
    """A placeholder whose value is not known (never captured, or the capture failed)."""


class CaptureError(ExplorerError):
    """A capture that found nothing in the answer: the message says where it looked."""


def placeholders(text: str) -> list[str]:
    """The names of the placeholders in ``text``, in order (an escaped ``\\{{name}}`` is none)."""
    return [match.group(1) for match in _TOKEN.finditer(text) if match.group(1)]


def literal(value: Any) -> Any:
    """``value`` (text, or a JSON value's strings) with every ``{{`` escaped, so it is sent as it is.

    For what was recorded or generated rather than written: a HAR, a curl file, a fuzzed case.
    A backslash before ``{{`` stands for the ``{{`` alone, so ``\\{{`` keeps its own backslash.
    """
    return map_json(value, lambda item: item.replace("{{", "\\{{") if isinstance(item, str) else item)


def _names_in(value: Any) -> Iterable[str]:
    """Placeholder names anywhere in a parsed JSON value (iterative: the value is bounded, not shallow)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield from placeholders(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


@dataclass(frozen=True)
class Capture:
    """``name`` taken from ``source``: ``status``, ``body``, ``header.NAME``, ``json`` or ``json.a.0.b``.

    ``secret`` values are redacted in every report unless ``--show-secrets``; by default a name that
    looks like one (token, password, session, key, cookie…) is secret.
    """

    name: str
    source: str
    secret: bool

    @staticmethod
    def parse(name: str, value: Any) -> Capture:
        """From a file: ``token: json.user.token`` or ``token: {from: json.user.token, secret: true}``."""
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise CaptureError(f"capture name {name[:40]!r} must be letters, digits and '_' (used as {{{{name}}}})")
        secret = bool(_SECRET_NAME.search(name))
        if isinstance(value, dict):
            unknown = [k for k in value if k not in ("from", "secret")]
            if unknown or "from" not in value:
                raise CaptureError(f"capture {name!r}: expected 'from' (and optionally 'secret')")
            if "secret" in value:
                if not isinstance(value["secret"], bool):
                    raise CaptureError(f"capture {name!r}: 'secret' must be true or false")
                secret = value["secret"]
            value = value["from"]
        if not isinstance(value, str) or not value.strip():
            raise CaptureError(
                f"capture {name!r}: expected a source such as json.user.token, header.location or status"
            )
        source = value.strip()
        head = source.split(".", 1)[0]
        if source not in ("status", "body", "json") and not (head in ("json", "header") and "." in source):
            raise CaptureError(
                f"capture {name!r}: unknown source {source[:60]!r}; use status, body, header.NAME, json or json.a.0.b"
            )
        return Capture(name, source, secret)

    def take(self, exchange: Exchange) -> Any:
        """The captured value from one answer, or :class:`CaptureError` naming what is missing."""
        if exchange.error or exchange.status is None:
            raise CaptureError(f"no answer to capture {self.name!r} from")
        if self.source == "status":
            return exchange.status
        if self.source == "body":
            return exchange.text
        kind, _, rest = self.source.partition(".")
        if kind == "header":
            value = exchange.header(rest)
            if value is None:
                raise CaptureError(f"{self.name!r}: the answer has no {rest} header")
            return value
        if not exchange.is_json or exchange.truncated or (exchange.json is None and exchange.text.strip() != "null"):
            raise CaptureError(f"{self.name!r}: the answer is not JSON, so {self.source} is not there")
        value = exchange.json
        for part in rest.split(".") if rest else []:
            if isinstance(value, dict) and part in value:
                value = value[part]
            elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
                value = value[int(part)]
            else:
                raise CaptureError(f"{self.name!r}: {self.source} is not in the answer (no {part!r})")
        return value

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "from": self.source, "secret": self.secret}


def capture(captures: Iterable[Capture], exchange: Exchange) -> tuple[dict[str, Any], list[str]]:
    """Every value ``captures`` take from one answer, and one line per capture that found nothing."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    for item in captures:
        try:
            values[item.name] = item.take(exchange)
        except CaptureError as exc:
            problems.append(str(exc))
    return values, problems


def _text(value: Any) -> str:
    """A captured value written into text: strings as they are, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


class _Sizes:
    """The length of each captured value as text, measured once per render, so a fill is sized before it is built.

    A placeholder repeated a thousand times in a 4 KiB file, each filled with a captured megabyte,
    would build gigabytes before any bound looked at them: the size is added up first instead.
    """

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = values
        self._known: dict[str, int] = {}

    def __call__(self, name: str) -> int:
        if name not in self._known:
            self._known[name] = len(_text(self.values[name]))
        return self._known[name]

    def check(self, text: str, where: str, limit: int) -> int:
        """The length ``text`` will have once filled; :class:`TemplateError` past ``limit``, before building it."""
        size = len(text)
        for match in _TOKEN.finditer(text):
            if match.group(1) is None:  # an escaped {{ loses its backslash
                size -= 1
            elif match.group(1) in self.values:
                size += self(match.group(1)) - len(match.group(0))
                if size > limit:
                    raise TemplateError(f"the {where} would be longer than {limit:,} characters once filled")
        return size


def _fill(text: str, values: Mapping[str, Any] | _Sizes, where: str, limit: int | None = None) -> str:
    if limit is not None:
        (values if isinstance(values, _Sizes) else _Sizes(values)).check(text, where, limit)
    values = values.values if isinstance(values, _Sizes) else values

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None:
            return "{{"
        if name not in values:
            raise TemplateError(
                f"{{{{{name}}}}} in the {where} has no value: it was not captured; " + ESCAPE_HINT.format(name=name)
            )
        return _text(values[name])

    return _TOKEN.sub(one, text)


def _json_size(value: Any, sizes: _Sizes, limit: int) -> None:
    """Refuse a JSON body whose filled strings alone would pass ``limit``, before any of it is built."""
    total, stack = 0, [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
            total += sum(len(str(k)) for k in item)
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            whole = PLACEHOLDER.fullmatch(item)
            total += (
                sizes(whole.group(1)) if whole and whole.group(1) in sizes.values else sizes.check(item, "body", limit)
            )
        if total > limit:
            raise TemplateError(f"the body would be larger than {limit // 1024} KiB once filled")


def _fill_json(value: Any, values: Mapping[str, Any]) -> Any:
    """A copy of a JSON value with its placeholders filled."""

    def leaf(item: Any) -> Any:
        if not isinstance(item, str):
            return item
        whole = PLACEHOLDER.fullmatch(item)
        if whole and whole.group(1) in values:
            return values[whole.group(1)]
        return _fill(item, values, "body")

    return map_json(value, leaf)


@dataclass(frozen=True)
class RequestTemplate:
    """A request as written in the file, placeholders and all; :meth:`render` fills and checks it.

    ``body`` is a JSON value (sent as JSON, with a JSON Content-Type unless one is given) or, when
    ``raw`` is set, text sent as it is. ``form`` fields (placeholders filled in their values) and
    ``files`` (read when the file was loaded) are encoded by the client: urlencoded, or multipart
    when there is a file.
    """

    method: str = "GET"
    path: str = "/"
    headers: tuple[tuple[str, str], ...] = ()
    body: Any = field(default=NO_BODY, compare=False)
    raw: bool = False
    form: tuple[tuple[str, str], ...] = ()
    files: tuple[FilePart, ...] = ()

    @property
    def line(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def has_body(self) -> bool:
        return self.body is not NO_BODY

    def names(self) -> list[str]:
        """Every placeholder this request uses, in order of appearance."""
        found = placeholders(self.path)
        for _, value in self.headers:
            found += placeholders(value)
        for _, value in self.form:
            found += placeholders(value)
        if self.has_body:
            found += placeholders(self.body) if self.raw else list(_names_in(self.body))
        return list(dict.fromkeys(found))

    def with_overrides(self, other: Mapping[str, Any]) -> RequestTemplate:
        """This request with the keys of a ``flask:``/``fastapi:`` block put over it (headers merged by name)."""
        changes: dict[str, Any] = {
            k: v for k, v in other.items() if k in ("method", "path", "body", "raw", "form", "files")
        }
        if "headers" in other:
            theirs = {name.lower() for name, _ in other["headers"]}
            changes["headers"] = tuple(h for h in self.headers if h[0].lower() not in theirs) + tuple(other["headers"])
        return replace(self, **changes)

    def render(self, values: Mapping[str, Any] | None = None) -> RequestSpec:
        """The request to send, with ``values`` filled in; :class:`TemplateError` or ``RequestError`` if bad.

        Every part is sized before it is filled (:class:`_Sizes`): past its bound it is refused
        without being built, so memory stays that of the bounds, whatever the captured values.
        """
        sizes = _Sizes(values or {})
        headers = tuple((name, _fill(value, sizes, f"{name} header", MAX_HEADER_CHARS)) for name, value in self.headers)
        spec = RequestSpec(self.method, _fill(self.path, sizes, "path", MAX_PATH_CHARS), headers)
        if self.form or self.files:
            form, budget = [], MAX_FORM_BYTES  # for all the fields together
            for name, value in self.form:
                form.append((name, _fill(value, sizes, f"form field {name}", budget)))
                budget -= len(form[-1][1])
            spec = replace(spec, form=tuple(form), files=self.files)
        if self.has_body and self.raw:
            spec = replace(spec, body=_fill(self.body, sizes, "body", MAX_BODY_BYTES))
        elif self.has_body:
            _json_size(self.body, sizes, MAX_BODY_BYTES)
            body = _fill_json(self.body, sizes.values)
            try:
                text = json.dumps(body, ensure_ascii=False, allow_nan=False)
            except ValueError:  # a captured NaN or Infinity (Python's JSON parser reads them from an answer)
                raise TemplateError(
                    "a captured value placed in the JSON body is NaN or Infinity, "
                    "not a JSON number, so it cannot be sent as JSON"
                ) from None
            if len(text.encode("utf-8", "surrogatepass")) > MAX_BODY_BYTES:
                raise TemplateError(f"the body is larger than {MAX_BODY_BYTES // 1024} KiB once filled")
            spec = replace(spec.with_json(body), body=text)
        return spec.checked()
