"""One way two answers differ, and how it is shown: a line for a terminal, a dict for JSON, an excerpt.

JSON ``null`` and a key that is not there are different answers, so they stay apart everywhere: a
side that has no value holds :data:`MISSING`, shown as ``(missing)`` in text and left out of the
JSON (its name listed under ``missing``), while ``null`` is shown as ``null``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from explorer.runtime.frameworks import FRAMEWORKS, NAMES
from explorer.runtime.userdata.bounded import printable

if TYPE_CHECKING:
    from explorer.parity.secrets import Redactor

__all__ = ["KEPT", "MISSING", "Difference", "cut", "excerpt", "show"]

_SNIPPET = 120
_PATH_SHOWN = 100  # a longer body path is shown as its start and its end; the JSON keeps it whole
EXCERPT_LINES = 8
EXCERPT_WIDTH = 60
_GLANCE_LABELS = {"content-type": "content type", "error": "outcome"}  # in the main view's words
KEPT = 4096  # a text line kept this long when compared, so a secret in it is whole when it is redacted, then cut


class _Missing:
    """The value of a side that has nothing there: no such key, no such header."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "(missing)"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


def show(value: Any) -> str:
    """A value in a line: ``(missing)``, ``null``, a string quoted, anything else as JSON; cut at 120."""
    if value is MISSING:
        return "(missing)"
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) or value == "" else repr(value)
    return cut(text, _SNIPPET)


def cut(text: Any, width: int = KEPT) -> Any:
    """``text`` cut to ``width`` characters, the last one ``…``; anything else as it is."""
    if not isinstance(text, str):
        return text
    return text if len(text) <= width else text[: width - 1] + "…"


def excerpt(text: str) -> list[str]:
    """The first lines of a body (each kept up to :data:`KEPT`; cut to half a terminal when shown)."""
    lines = text.splitlines()[:EXCERPT_LINES] or [""]
    shown = [cut(line) for line in lines]
    if len(text.splitlines()) > EXCERPT_LINES:
        shown.append("…")
    return [printable(line) for line in shown]


@dataclass(frozen=True)
class Difference:
    """One way two answers differ.

    ``aspect`` is status, content-type, header, body or error (and validation, in the main view's
    :mod:`explorer.parity.glance`, whose values are text as shown); ``where`` names the header or the
    body path (``""`` for the whole body); ``flask``/``fastapi`` hold each side's value
    (:data:`MISSING` when it has none); ``note`` adds context, e.g. ``expected 201`` or ``only in
    Flask``. An error with a ``where`` is a comparison that could not be completed, ``note`` saying
    why; an error without one is a request that got no answer, each side's error in
    ``flask``/``fastapi``. ``parts`` is the body path as keys and indexes (for matching declared
    differences); ``excerpts`` holds the first lines of both bodies when they differ from the start.
    """

    aspect: str
    where: str
    flask: Any
    fastapi: Any
    note: str = ""
    parts: tuple[Any, ...] = ()
    excerpts: tuple[tuple[str, ...], tuple[str, ...]] | None = None

    def shown(self, sign: str = "≠") -> str:
        """The main view's short line (:mod:`explorer.parity.glance`, whose values are already text):
        ``aspect: note``, else ``aspect: flask ≠ fastapi`` with ``sign`` between."""
        label = _GLANCE_LABELS.get(self.aspect, self.aspect)
        return f"{label}: {self.note}" if self.note else f"{label}: {self.flask} {sign} {self.fastapi}"

    def line(self, redactor: Redactor | None = None) -> str:
        """One line for a terminal or a CI log (a lone surrogate from an answer shown as its escape);
        with ``redactor``, each part has its secrets hidden before it is cut to fit the line."""
        hide = redactor.value if redactor is not None else _same
        return printable(self._line(hide))

    def excerpt_lines(self, redactor: Redactor | None = None) -> tuple[list[str], list[str]]:
        """Both excerpts, secrets hidden, then each line cut to fit half a terminal."""
        hide = redactor.value if redactor is not None else _same
        flask, fastapi = self.excerpts or ((), ())
        return [cut(hide(x), EXCERPT_WIDTH) for x in flask], [cut(hide(x), EXCERPT_WIDTH) for x in fastapi]

    def _line(self, hide: Any) -> str:
        where = hide(self.where)
        where = where if len(where) <= _PATH_SHOWN else f"{where[:40]}…{where[50 - _PATH_SHOWN :]}"
        label = self.aspect if not where else f"{self.aspect} {where}"
        note = hide(self.note)
        flask, fastapi = hide(self.flask), hide(self.fastapi)
        if self.aspect == "error" and self.where:
            return f"error: {where} could not be compared: {note}"
        if self.aspect == "error":
            text = "; ".join(f"{NAMES[fw]}: {v}" for fw, v in zip(FRAMEWORKS, (flask, fastapi), strict=True) if v)
            return f"error: {text}"
        if self.note.endswith(("only in Flask", "only in FastAPI")):
            value = flask if self.note.endswith("Flask") else fastapi
            return f"{label}: {note} ({show(value)})"
        text = f"{label}: Flask {show(flask)}, FastAPI {show(fastapi)}"
        return f"{text} ({note})" if note else text

    def to_dict(self, redactor: Redactor | None = None) -> dict[str, Any]:
        """``flask``/``fastapi`` are left out for a side with nothing there (named in ``missing``).
        With ``redactor``, ``line`` and ``excerpt`` are made from values with their secrets hidden."""
        result: dict[str, Any] = {"aspect": self.aspect, "where": self.where}
        missing = []
        for framework, value in zip(FRAMEWORKS, (self.flask, self.fastapi), strict=True):
            if value is MISSING:
                missing.append(framework)
            else:
                result[framework] = value
        result.update(note=self.note, line=self.line(redactor))
        if missing:
            result["missing"] = missing
        if self.excerpts is not None:
            flask, fastapi = self.excerpt_lines(redactor)
            result["excerpt"] = {"flask": flask, "fastapi": fastapi}
        return result


def _same(value: Any) -> Any:
    return value
