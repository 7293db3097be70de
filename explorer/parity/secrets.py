"""Secrets kept out of reports: Authorization, Cookie and Set-Cookie values, and captured secrets.

A parity report is made to be shared (a CI log, a pull request), and a login flow puts live tokens
in it: in the request headers, in the answer that issued them, in the curl commands. Unless the user
asks for them (``--show-secrets``), every report goes through :class:`Redactor`, which

- keeps the shape of a secret header and hides its value: ``Bearer ‹redacted›``,
  ``session=‹redacted›; Path=/; HttpOnly``;
- learns each value it hid, and each captured value marked secret, and hides them wherever else
  they appear: in a body, a path, a curl command, a difference line.

Values shorter than four characters are not searched for elsewhere (a captured ``1`` would blank
every digit); their headers are still hidden.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

__all__ = ["REDACTED", "SECRET_HEADERS", "Redactor"]

REDACTED = "‹redacted›"
SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "x-auth-token"}
)
_MIN_SECRET = 4
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9._~+-]*\s+)(\S.*)$")
_CURL_HEADER = re.compile(r"(-H '?)([A-Za-z0-9-]+): ([^'\n]*)")


def _cookie_values(value: str, set_cookie: bool) -> tuple[str, list[str]]:
    """``a=1; b=2`` (Cookie) or ``a=1; Path=/`` (Set-Cookie: only the first pair is the cookie)."""
    parts = value.split(";")
    hidden: list[str] = []
    for index, part in enumerate(parts):
        if set_cookie and index > 0:
            break
        name, eq, secret = part.partition("=")
        if eq and secret.strip():
            hidden.append(secret.strip())
            parts[index] = f"{name}={REDACTED}"
    return ";".join(parts), hidden


class Redactor:
    """Hides secrets in text and in JSON-like documents; ``enabled=False`` passes everything through."""

    def __init__(self, secrets: Iterable[Any] = (), enabled: bool = True) -> None:
        self.enabled = enabled
        self._values: set[str] = set()
        for value in secrets:
            self.learn(value)

    def learn(self, value: Any) -> None:
        """Hide ``value`` (as text) wherever it appears from now on."""
        text = value if isinstance(value, str) else str(value)
        if len(text) >= _MIN_SECRET:
            self._values.add(text)

    def header(self, name: str, value: str) -> str:
        """A header's value as a report shows it (and the secret in it learnt)."""
        if not self.enabled or name.lower() not in SECRET_HEADERS:
            return value
        lowered = name.lower()
        if lowered in ("cookie", "set-cookie"):
            shown, hidden = _cookie_values(value, lowered == "set-cookie")
            for secret in hidden:
                self.learn(secret)
            return shown
        match = _SCHEME.match(value)
        if match:
            self.learn(match.group(2))
            return match.group(1) + REDACTED
        self.learn(value)
        return REDACTED

    def text(self, text: str) -> str:
        """``text`` with every known secret hidden (longest first, so no part of one is left)."""
        if not self.enabled or not text:
            return text
        text = _CURL_HEADER.sub(lambda m: m.group(1) + f"{m.group(2)}: {self.header(m.group(2), m.group(3))}", text)
        for secret in sorted(self._values, key=len, reverse=True):
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text

    def document(self, value: Any) -> Any:
        """A copy of a JSON-like document with secrets hidden: header pairs first (learning their
        values), then every string. Iterative, so any depth of answer is fine."""
        if not self.enabled:
            return value
        self._learn_headers(value)
        root: list[Any] = [None]
        stack: list[tuple[Any, Any, Any]] = [(value, root, 0)]
        while stack:
            node, parent, key = stack.pop()
            if isinstance(node, dict):
                copy: Any = dict.fromkeys(node)  # keys in their order; values filled as they come off the stack
                parent[key] = copy
                stack.extend((child, copy, k) for k, child in node.items())
            elif isinstance(node, (list, tuple)):
                copy = [None] * len(node)
                parent[key] = copy
                stack.extend((child, copy, i) for i, child in enumerate(node))
            elif isinstance(node, str):
                parent[key] = self.text(node)
            else:
                parent[key] = node
        return root[0]

    def _learn_headers(self, value: Any) -> None:
        """Find every ``headers: [[name, value], ...]`` list and learn the secrets in it."""
        stack = [value]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                headers = node.get("headers")
                if isinstance(headers, list):
                    for pair in headers:
                        if isinstance(pair, (list, tuple)) and len(pair) == 2 and all(isinstance(p, str) for p in pair):
                            self.header(pair[0], pair[1])
                stack.extend(node.values())
            elif isinstance(node, (list, tuple)):
                stack.extend(node)
