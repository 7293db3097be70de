"""Noise, after Diffy: what differs between two answers of the same app to the same request.

A timestamp, a generated id, a request id: no port can match them, and listing them by hand
(``ignore_keys``) is guesswork. With ``--noise`` every safe request (GET, HEAD, OPTIONS) is sent
twice to each app; whatever differs between an app's two answers is noise. It is left out when the
two apps are compared, and listed as noise for that request. Requests with side effects are sent
once, since sending them again would change what is compared.

Noise is found in JSON bodies (each path that differs, as an exact path), in text bodies (each line
that differs, by number; when the line count differs the whole body is noise) and in headers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from explorer.parity.jsondiff import DiffIncomplete, diff_json
from explorer.runtime.frameworks import display_name
from explorer.runtime.userdata.bounded import MAX_ANSWER_DEPTH, DataLimitError, format_path, loads_json

if TYPE_CHECKING:
    from explorer.runtime.http.client import Exchange

__all__ = ["SAFE_METHODS", "Noise", "NoiseItem", "find_noise"]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_MAX_NOISE = 200  # noisy paths kept per answer: a body that is all noise is noise as a whole


@dataclass(frozen=True)
class NoiseItem:
    """One noisy place: ``aspect`` body or header, ``where`` its path, line or name, and who showed it."""

    aspect: str
    where: str
    frameworks: tuple[str, ...]

    def line(self) -> str:
        who = " and ".join(display_name(fw) for fw in self.frameworks)
        return f"{self.aspect} {self.where or '(whole body)'}: differs between two answers of {who}"

    def to_dict(self) -> dict[str, Any]:
        return {"aspect": self.aspect, "where": self.where, "frameworks": list(self.frameworks), "line": self.line()}


@dataclass
class Noise:
    """What to leave out when comparing one request's answers: paths, lines per side, headers."""

    paths: set[tuple[Any, ...]] = field(default_factory=set)
    lines: dict[str, set[int]] = field(default_factory=dict)
    headers: set[str] = field(default_factory=set)
    whole_body: bool = False
    items: dict[tuple[str, str], set[str]] = field(default_factory=dict)

    def add(self, framework: str, first: Exchange, second: Exchange, headers: Iterable[str] = ()) -> None:
        """What differs between two answers of ``framework``, in the body and the compared ``headers``."""
        if first.error or second.error:
            return
        for name in headers:
            if _values(first, name) != _values(second, name):
                self.headers.add(name)
                self._item("header", name, framework)
        if first.body == second.body:
            return
        a, b = _json(first), _json(second)
        if a is not _NOT and b is not _NOT:
            try:
                found = diff_json(a, b, limit=_MAX_NOISE)
            except DiffIncomplete:
                found = None
            keyed = (
                found is not None
                and found.more == 0
                and all(c.parts and isinstance(c.parts[-1], str) for c in found.changes)
            )
            if found is not None and keyed:
                for change in found.changes:
                    self.paths.add(change.parts)
                    self._item("body", format_path(change.parts), framework)
                return
            if found is not None and found.more == 0:  # a list item differs: the list it is in is noise
                for change in found.changes:
                    parent = _keyed_parent(change.parts)
                    if parent:
                        self.paths.add(parent)
                        self._item("body", format_path(parent), framework)
                    else:
                        self.whole_body = True
                if not self.whole_body:
                    return
            self.whole_body = True
            self._item("body", "", framework)
            return
        left, right = first.text.splitlines(), second.text.splitlines()
        if len(left) != len(right):
            self.whole_body = True
            self._item("body", "", framework)
            return
        noisy = {i for i, (x, y) in enumerate(zip(left, right, strict=True)) if x != y}
        self.lines.setdefault(framework, set()).update(noisy)
        for index in sorted(noisy)[:_MAX_NOISE]:
            self._item("body", f"line {index + 1}", framework)

    def _item(self, aspect: str, where: str, framework: str) -> None:
        self.items.setdefault((aspect, where), set()).add(framework)

    def listed(self) -> list[NoiseItem]:
        order = {"flask": 0, "fastapi": 1}
        return [
            NoiseItem(aspect, where, tuple(sorted(fws, key=lambda f: order.get(f, 2))))
            for (aspect, where), fws in self.items.items()
        ]

    def __bool__(self) -> bool:
        return bool(self.items)


_NOT = object()


def _json(exchange: Exchange) -> Any:
    if not exchange.is_json or exchange.truncated:
        return _NOT
    try:
        return loads_json(exchange.text, MAX_ANSWER_DEPTH)
    except (DataLimitError, ValueError):
        return _NOT


def _values(exchange: Exchange, name: str) -> list[str]:
    return [v for k, v in exchange.headers if k.lower() == name]


def _keyed_parent(parts: tuple[Any, ...]) -> tuple[Any, ...]:
    """The longest start of ``parts`` that ends in a key (the list a changed item is in)."""
    parts = tuple(parts)
    while parts and not isinstance(parts[-1], str):
        parts = parts[:-1]
    return parts


def find_noise(pairs: dict[str, tuple[Exchange, Exchange]], headers: Iterable[str] = ()) -> Noise:
    """The noise of a request from each framework's two answers (``headers``: the compared ones)."""
    noise = Noise()
    for framework, (first, second) in pairs.items():
        noise.add(framework, first, second, headers)
    return noise
