"""Secrets kept out of reports: Authorization, Cookie and Set-Cookie values, and captured secrets.

A parity report is made to be shared (a CI log, a pull request), and a login flow puts live tokens
in it: in the request headers, in the answer that issued them, in the curl commands. Unless the user
asks for them (``--show-secrets``), every output (the text, ``--json``, ``--report``, ``--junit``, the
curl commands, the Parity screen) goes through one :class:`Redactor`, built by
``ParityReport.redactor()``, which

- keeps the shape of a secret header and hides its value: ``Bearer ‹redacted›``,
  ``session=‹redacted›; Path=/; HttpOnly`` (every cookie's value is hidden in its own header);
- learns the values that are secrets and hides them wherever else they appear (a body, a path, a
  curl command, a difference line), in every encoding they are written in: as they are,
  percent-encoded (``quote`` and ``quote_plus``), JSON-escaped, without the quotes of a quoted cookie
  (``sid="X"``), and as a JSON number when the value is one;
- is handed whole values, and lines are cut only after it ran (a cut secret can no longer be found);
  a text already cut before the secrets were known (``…``) loses any start of a secret at its cut.

Which values are searched for elsewhere (the rule): a value is a secret by name when it is the value
of a secret header (Authorization, X-Api-Key, ...), a captured value marked secret, or a cookie whose
name says so (session, sid, token, auth, jwt, csrf, key, secret, pass, login, ...); any other cookie
value is one by its look: 16 characters or more, or 8 or more mixing letters and digits. Values
shorter than four characters, and the words ``true false null none yes no on off undefined nan``,
are never searched for elsewhere: ``consent=true`` must not blank every ``true`` of every body.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, quote_plus

from explorer.parity.jsonwalk import map_json

__all__ = ["REDACTED", "SECRET_HEADERS", "Redactor", "looks_secret"]

REDACTED = "‹redacted›"
SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "x-auth-token"}
)
_MIN_SECRET = 4
_LONG = 16
_PLAIN = frozenset({"true", "false", "null", "none", "yes", "no", "on", "off", "undefined", "nan"})
_SECRET_COOKIE = re.compile(r"sess|sid|tok|auth|jwt|csrf|xsrf|key|secret|pass|pwd|login|remember|cred|sig|ticket", re.I)
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9._~+-]*\s+)(\S.*)$")
_CURL_HEADER = re.compile(r"(-H '?)([A-Za-z0-9-]+): ([^'\n]*)")
_CUT = "…"


def looks_secret(value: str) -> bool:
    """A value long or random enough to be a token, whatever it is called."""
    return len(value) >= _LONG or (
        len(value) >= 8 and any(c.isalpha() for c in value) and any(c.isdigit() for c in value)
    )


def _encodings(text: str) -> set[str]:
    """``text`` as a report may write it: raw, percent-encoded (both forms), JSON-escaped (both forms)."""
    return {
        text,
        quote(text, safe=""),
        quote(text),
        quote_plus(text),
        json.dumps(text, ensure_ascii=False)[1:-1],
        json.dumps(text)[1:-1],
    }


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class Redactor:
    """Hides secrets in text and in JSON-like documents; ``enabled=False`` passes everything through."""

    def __init__(self, secrets: Iterable[Any] = (), enabled: bool = True) -> None:
        self.enabled = enabled
        self._values: set[str] = set()
        self._numbers: set[float] = set()
        self._sorted: list[str] | None = None
        for value in secrets:
            self.learn(value)

    def learn(self, value: Any, by_name: bool = True) -> None:
        """Hide ``value`` wherever it appears from now on, if it is a secret by the rule above:
        ``by_name`` when its name (a secret header, a capture marked secret) says so, else by its look."""
        if value is None or isinstance(value, bool):
            return
        text = value if isinstance(value, str) else json.dumps(value) if _is_number(value) else str(value)
        if len(text) >= 2 and text[0] == text[-1] == '"':  # a quoted cookie value: the quotes are not the secret
            self.learn(text[1:-1], by_name)
        if len(text) < _MIN_SECRET or text.lower() in _PLAIN or not (by_name or looks_secret(text)):
            return
        if _is_number(value):
            self._numbers.add(value)
        self._values.update(form for form in _encodings(text) if len(form) >= _MIN_SECRET)
        self._sorted = None

    def learn_cookie(self, name: str, value: str) -> None:
        self.learn(value.strip(), by_name=bool(_SECRET_COOKIE.search(name)))

    def header(self, name: str, value: str) -> str:
        """A header's value as a report shows it (and the secret in it learnt)."""
        lowered = name.lower()
        if not self.enabled or lowered not in SECRET_HEADERS:
            return value
        if lowered in ("cookie", "set-cookie"):
            parts = value.split(";")
            for index, part in enumerate(parts):
                if lowered == "set-cookie" and index > 0:
                    break  # only the first pair is the cookie, the rest are its attributes
                cookie, eq, secret = part.partition("=")
                if eq and secret.strip():
                    self.learn_cookie(cookie, secret)
                    parts[index] = f"{cookie}={REDACTED}"
            return ";".join(parts)
        match = _SCHEME.match(value)
        if match:
            self.learn(match.group(2))
            return match.group(1) + REDACTED
        self.learn(value)
        return REDACTED

    def headers(self, pairs: Iterable[Any]) -> None:
        """Learn the secrets of ``(name, value)`` pairs (a request's or an answer's headers)."""
        for pair in pairs:
            if isinstance(pair, (list, tuple)) and len(pair) == 2 and all(isinstance(p, str) for p in pair):
                self.header(pair[0], pair[1])

    def text(self, text: str) -> str:
        """``text`` with every known secret hidden (longest first, so no part of one is left)."""
        if not self.enabled or not text:
            return text
        text = _CURL_HEADER.sub(lambda m: m.group(1) + f"{m.group(2)}: {self.header(m.group(2), m.group(3))}", text)
        if self._sorted is None:
            self._sorted = sorted(self._values, key=len, reverse=True)
        for secret in self._sorted:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return self._cut_starts(text) if _CUT in text and self._sorted else text

    def _cut_starts(self, text: str) -> str:
        """A text cut before the secrets were known: the start of a secret just before a ``…`` goes."""
        pieces = text.split(_CUT)
        for index, piece in enumerate(pieces[:-1]):
            kept = piece.rstrip(" ")  # "… (12 more bytes cut)" follows a space
            longest = 0
            for secret in self._sorted or ():
                tail = kept[-(len(secret) - 1) :]
                start = tail.find(secret[0])
                while 0 <= start <= len(tail) - _MIN_SECRET:
                    if secret.startswith(tail[start:]):
                        longest = max(longest, len(tail) - start)
                        break
                    start = tail.find(secret[0], start + 1)
            if longest:
                pieces[index] = kept[:-longest] + REDACTED + piece[len(kept) :]
        return _CUT.join(pieces)

    def value(self, value: Any) -> Any:
        """A JSON-like value with secrets hidden: a string's, a number that is one, inside lists and dicts."""
        if not self.enabled:
            return value
        if isinstance(value, str):
            return self.text(value)
        if _is_number(value):
            return REDACTED if value in self._numbers else value
        if isinstance(value, (dict, list, tuple)):
            return self.document(value)
        return value

    def document(self, value: Any) -> Any:
        """A copy of a JSON-like document with secrets hidden: header pairs first (learning their
        values; each ``headers`` list then shows them as :meth:`header` does), then every string and
        number. Iterative, so any depth of answer is fine."""
        if not self.enabled:
            return value
        self._learn_headers(value)
        return map_json(value, self._leaf, (list, tuple), self._headers_shown)

    def _leaf(self, node: Any) -> Any:
        if isinstance(node, str):
            return self.text(node)
        return REDACTED if _is_number(node) and node in self._numbers else node

    def _headers_shown(self, key: Any, item: Any) -> Any:
        return self._shown_headers(item) if key == "headers" else item

    def _shown_headers(self, headers: Any) -> Any:
        """A ``headers`` list of pairs with each secret header's value hidden in its own shape."""
        if not isinstance(headers, list):
            return headers
        return [
            [pair[0], self.header(pair[0], pair[1])]
            if isinstance(pair, (list, tuple)) and len(pair) == 2 and all(isinstance(p, str) for p in pair)
            else pair
            for pair in headers
        ]

    def _learn_headers(self, value: Any) -> None:
        """Find every ``headers: [[name, value], ...]`` list and learn the secrets in it."""
        stack = [value]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                headers = node.get("headers")
                if isinstance(headers, list):
                    self.headers(headers)
                stack.extend(node.values())
            elif isinstance(node, (list, tuple)):
                stack.extend(node)
