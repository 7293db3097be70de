"""``--record FILE``: what passed through the mirror, as a parity requests file (a first cut).

One entry per distinct request shape (method, route, query names, body keys, Flask's status), in
first-seen order, at most :data:`MAX_ENTRIES` and about :data:`MAX_BYTES` in all. Cookies are left out
(a parity run keeps each app's own jar); a value an answer gave (a token, a created id) that a later request sends
back becomes a ``{{name}}`` placeholder captured from that answer's entry; any other secret header's
value is written as ``REDACTED``, for the user to fill in. Everything recorded is escaped as
:func:`~explorer.parity.template.literal`, so a ``{{`` the client sent is sent again as it is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

import yaml

from explorer.parity.declared import Expectation
from explorer.parity.jsonwalk import map_json
from explorer.parity.secrets import SECRET_HEADERS
from explorer.parity.template import literal
from explorer.parity.tokens import PLAIN_KEY, issued
from explorer.runtime.http.request import RequestSpec
from explorer.runtime.userdata.outfile import write_outputs

if TYPE_CHECKING:
    from explorer.mirror.rules import Rules
    from explorer.mirror.tally import Tally
    from explorer.runtime.http.client import Exchange

__all__ = ["MAX_ENTRIES", "Recorder"]

MAX_ENTRIES = 1000  # a requests file's own limit
MAX_BYTES = 3 * 1024 * 1024  # under the 4 MiB a requests file may have
MAX_VALUES = 500  # answer values remembered as capturable
_KEPT_HEADERS = frozenset({"content-type", "accept", "authorization", "x-api-key", "x-auth-token"})
_HEADER = """\
# Recorded by `explorer mirror --record`: one request per shape that passed through the mirror.
# Values an answer gave and a later request sent back are captured ({{name}}); other secret header
# values are written as REDACTED: put real ones in. Run it with `explorer parity FILE`.
"""


class Recorder:
    """Collects entries as requests pass; :meth:`write` turns them into the file."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []
        self.shapes: dict[tuple[Any, ...], int] = {}
        self.values: dict[str, tuple[int, str, str]] = {}  # a value as text -> (entry index, capture name, source)
        self.size = 0
        self.skipped = 0

    def add(self, pattern: str, spec: RequestSpec, content: bytes | None, flask: Exchange) -> None:
        body = _body(spec, content)
        query = tuple(sorted({k for k, _ in parse_qsl(urlsplit(spec.path).query, keep_blank_values=True)}))
        keys = tuple(sorted(body)) if isinstance(body, dict) else type(body).__name__
        shape = (spec.method, pattern, query, keys, flask.status)  # a login that failed and one that worked: two cases
        index = self.shapes.get(shape)
        if index is None:
            if len(self.entries) >= MAX_ENTRIES or self.size > MAX_BYTES:
                self.skipped += 1
                return
            index = self.shapes[shape] = len(self.entries)
            entry = self._entry(pattern, spec, body, flask)
            self.size += len(json.dumps(entry, default=str))
            self.entries.append(entry)
        self._learn(index, flask)

    def _entry(self, pattern: str, spec: RequestSpec, body: Any, flask: Exchange) -> dict[str, Any]:
        names = {e["name"] for e in self.entries}
        name = f"{spec.method} {pattern}"
        if name in names:
            name = next(f"{name} #{n}" for n in range(2, MAX_ENTRIES + 2) if f"{name} #{n}" not in names)
        entry: dict[str, Any] = {"name": name, "method": spec.method, "path": self._placed(literal(spec.path), True)}
        headers = {}
        for key, value in spec.headers:
            lowered = key.lower()
            if lowered in _KEPT_HEADERS or lowered.startswith("x-"):
                placed = self._placed(literal(value))
                if lowered in SECRET_HEADERS and "{{" not in placed:
                    placed = "REDACTED"
                headers[key] = placed
        if headers:
            entry["headers"] = headers
        if body is not None:
            entry["body"] = map_json(literal(body), lambda v: self._placed(v) if isinstance(v, str) else v)
        if flask.status is not None:
            entry["status"] = flask.status
        return entry

    def _placed(self, text: str, path: bool = False) -> str:
        """``text`` with each remembered answer value replaced by its placeholder (its capture added)."""
        for value, (index, name, source) in self.values.items():
            if path and value.isdigit():
                pattern = re.compile(rf"(?<=/){re.escape(value)}(?=/|\?|$)")
                if not pattern.search(text):
                    continue
                text = pattern.sub("{{" + name + "}}", text)
            elif value.isdigit() or value not in text:
                continue
            else:
                text = text.replace(value, "{{" + name + "}}")
            self.entries[index].setdefault("capture", {})[name] = source
        return text

    def _learn(self, index: int, flask: Exchange) -> None:
        """Remember the ids and tokens of this answer, to be put as placeholders where a later request sends one
        back; each is captured on its entry at once (a value sent back nowhere too), so that parity compares it by
        presence and type and reads the port's own back as Flask's, as the mirror judged it (its ``own`` places)."""
        for parts, value in issued(flask):
            if len(self.values) >= MAX_VALUES:
                return
            key = parts[-1]
            text = value if isinstance(value, str) else str(value)
            if text not in self.values:
                taken = {n for _, n, _ in self.values.values()}
                name = "_".join(str(p) for p in parts) if len(parts) == 1 and key != "id" else f"{key}"
                name = re.sub(r"\W", "_", name)
                if key == "id":
                    name = (
                        re.sub(r"\W+", "_", flask.spec.path.strip("/").split("?")[0].split("/")[-1] or "item") + "_id"
                    )
                base, number = name, 2
                while name in taken:
                    name, number = f"{base}_{number}", number + 1
                source = "json." + ".".join(str(p) for p in parts)
                self.values[text] = (index, name, source)
                captures = self.entries[index].setdefault("capture", {})
                if source not in captures.values():  # a second order of one shape: its entry captures one already
                    captures[name] = source

    def document(self, rules: Rules, tally: Tally | None = None) -> dict[str, Any]:
        """The requests file: the rules' file-level keys, then the entries with their routes' own keys."""
        document: dict[str, Any] = {}
        base = rules.base.options
        if rules.suite is not None:
            if base.ignore_keys:
                document["ignore_keys"] = list(base.ignore_keys)
            if base.ignore_order:
                document["ignore_order"] = True
            extra = [h for h in base.compare_headers if h != "location"]
            if extra:
                document["compare_headers"] = extra
            if base.ignore_regex:
                document["ignore_regex"] = list(base.ignore_regex)
            if rules.base.expectations:
                document["expect_differences"] = [_declared(e) for e in rules.base.expectations]
        entries = []
        for entry in self.entries:
            entry = dict(entry)
            pattern = entry["name"].split(" ", 1)[1].split(" #")[0]
            rule = rules.rule(entry["method"], pattern)
            keys = [k for k in rule.options.ignore_keys if k not in base.ignore_keys]
            counts = tally.routes.get((entry["method"], pattern)) if tally is not None else None
            keys += [f for f in (counts.noise_fields if counts else []) if PLAIN_KEY.match(f) and f not in keys]
            if keys:
                entry["ignore_keys"] = keys
            own = [e for e in rule.expectations if e not in rules.base.expectations]
            if own:
                entry["expect_differences"] = [_declared(e) for e in own]
            sent = entry.get("headers", {})
            theirs = dict(rule.for_fastapi(RequestSpec(entry["method"], "/", tuple(sent.items()))).headers)
            if theirs != sent:  # the file sends FastAPI its own form of a header (Bearer for Token): so does this one
                entry["fastapi"] = {"headers": {k: v for k, v in theirs.items() if v != sent[k]}}
            entries.append(entry)
        document["requests"] = entries
        return document

    def write(self, path: str | Path, rules: Rules, tally: Tally | None, inputs: Iterable[Any], force: bool) -> Path:
        text = _HEADER + yaml.safe_dump(self.document(rules, tally), sort_keys=False, allow_unicode=True, width=110)
        return write_outputs([(path, text.encode("utf-8", "backslashreplace"))], "--record", inputs, force)[0]


def _declared(expectation: Expectation) -> dict[str, Any]:
    found = {k: v for k, v in expectation.to_dict().items() if k != "scope" and v != []}
    return found


def _body(spec: RequestSpec, content: bytes | None) -> Any:
    """The body as the file writes it: parsed JSON when it is JSON, else text (None when empty or not UTF-8)."""
    if not content:
        return None
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if "json" in (spec.header("content-type") or ""):
        try:
            return json.loads(text)
        except ValueError:
            pass
    return text
