"""A cookie jar per server, as a browser keeps one per site, so that a login then a page works by keys.

Each server the explorer runs gets its own jar: both listen on 127.0.0.1 and differ only by port,
which cookies ignore, so one shared jar would hand Flask's session cookie to FastAPI (the app can
still do that on purpose: :meth:`Session.swap_cookies`). The jar follows RFC 6265 where it matters
here: ``Path`` (default: the request path's folder), ``Max-Age`` and ``Expires`` (a past date or a
zero age deletes), ``Domain`` (only the server's own host), and a cookie replaces the one of the
same name and path. ``Secure`` cookies are kept and sent: browsers count loopback as secure.

What a server sends is data, bounded: at most :data:`MAX_COOKIES` cookies a jar and
:data:`MAX_COOKIE_BYTES` for a name and value; a cookie past those (or malformed) is refused with
a note, never an exception. So is a cookie that could never be sent back: one with a control
character (RFC 6265bis ignores those) or a character outside ASCII, which no header may carry.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

__all__ = ["MAX_COOKIES", "MAX_COOKIE_BYTES", "Cookie", "CookieJar"]

MAX_COOKIES = 50
MAX_COOKIE_BYTES = 4096  # name and value together, as browsers cap them
_ATTRIBUTE_CHARS = 1024  # of one attribute's value
_MAX_AGE = re.compile(r"-?[0-9]+")  # RFC 6265 5.2.2: ASCII digits only (int() would take '١٢٣' and '1_0')
_UNSENDABLE = re.compile(r"[^\t\x20-\x7e]")  # RFC 6265bis refuses controls (not tab); an HTTP client sends ASCII only
_MAX_AGE_SECONDS = 400 * 86400  # RFC 6265bis caps every expiry at 400 days; later ones are clamped to it


@dataclass(frozen=True)
class Cookie:
    """One stored cookie; ``expires`` is a wall-clock time (``time.time()``), None for a session cookie."""

    name: str
    value: str
    path: str = "/"
    expires: float | None = None
    http_only: bool = False
    secure: bool = False
    same_site: str = ""

    def attributes(self, now: float | None = None) -> str:
        """``path=/, expires in 31 d, HttpOnly``: the attributes that decide when it is sent."""
        parts = [f"path={self.path}"]
        if self.expires is None:
            parts.append("until the jar is cleared")
        else:
            left = self.expires - (time.time() if now is None else now)
            parts.append(f"expires in {_duration(left)}")
        parts += [flag for flag, on in (("HttpOnly", self.http_only), ("Secure", self.secure)) if on]
        if self.same_site:
            parts.append(f"SameSite={self.same_site}")
        return ", ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": self.value,
            "path": self.path,
            "expires": self.expires,
            "http_only": self.http_only,
            "secure": self.secure,
            "same_site": self.same_site,
        }


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{max(seconds, 0):.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:.0f} d"


def default_path(request_path: str) -> str:
    """RFC 6265 5.1.4: the request path up to, not including, its last '/' ('/' when that is the first)."""
    route = request_path.split("?", 1)[0]
    if not route.startswith("/") or route.count("/") == 1:
        return "/"
    return route[: route.rindex("/")]


def path_matches(cookie_path: str, request_path: str) -> bool:
    """RFC 6265 5.1.4: the same path, or a path below it."""
    route = request_path.split("?", 1)[0] or "/"
    if route == cookie_path:
        return True
    return route.startswith(cookie_path) and (cookie_path.endswith("/") or route[len(cookie_path)] == "/")


class CookieJar:
    """The cookies one server has set, sent back to it on every later request whose path matches."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self._cookies: dict[tuple[str, str], Cookie] = {}

    def __len__(self) -> int:
        self._expire()
        return len(self._cookies)

    def cookies(self) -> tuple[Cookie, ...]:
        """The live cookies, in the order they were first set."""
        self._expire()
        return tuple(self._cookies.values())

    def clear(self) -> None:
        self._cookies.clear()

    def replace_all(self, cookies: tuple[Cookie, ...]) -> None:
        """Hold exactly ``cookies`` (another server's, to show they are not interchangeable)."""
        self._cookies = {(c.name, c.path): c for c in cookies[:MAX_COOKIES]}

    def header_for(self, request_path: str) -> str | None:
        """The ``Cookie`` header for a request to ``request_path``: longer paths first, as RFC 6265 orders them."""
        self._expire()
        chosen = [c for c in self._cookies.values() if path_matches(c.path, request_path)]
        chosen.sort(key=lambda c: -len(c.path))
        return "; ".join(f"{c.name}={c.value}" for c in chosen) or None

    def update(self, set_cookies: list[str], request_path: str) -> list[str]:
        """Store what ``Set-Cookie`` headers say; returns a note for each cookie refused."""
        notes = []
        for header in set_cookies:
            try:
                cookie, delete = self._parse(header, request_path)
            except (ValueError, OverflowError) as exc:
                notes.append(f"cookie not stored: {exc}")
                continue
            key = (cookie.name, cookie.path)
            if delete:
                self._cookies.pop(key, None)
            elif key not in self._cookies and len(self) >= MAX_COOKIES:
                notes.append(f"cookie {cookie.name[:40]!r} not stored: the jar holds {MAX_COOKIES} cookies already")
            else:
                self._cookies[key] = cookie
        return notes

    def _expire(self) -> None:
        now = time.time()
        for key in [k for k, c in self._cookies.items() if c.expires is not None and c.expires <= now]:
            del self._cookies[key]

    def _parse(self, header: str, request_path: str) -> tuple[Cookie, bool]:
        first, *attributes = header.split(";")
        if "=" not in first:
            raise ValueError(f"no 'name=value' in {first[:40]!r}")
        name, value = (part.strip(" \t") for part in first.split("=", 1))
        if not name:
            raise ValueError("a cookie without a name")
        if len(name.encode()) + len(value.encode()) > MAX_COOKIE_BYTES:
            raise ValueError(f"cookie {name[:40]!r} is larger than {MAX_COOKIE_BYTES} bytes")
        if bad := _UNSENDABLE.search(name + "=" + value):
            raise ValueError(
                f"cookie {name[:40]!r} holds {bad.group()!r}: only ASCII without control characters "
                "can be sent back in a Cookie header"
            )
        path, expires, max_age, http_only, secure, same_site = None, None, None, False, False, ""
        for attribute in attributes:
            key, _, raw = attribute.partition("=")
            key, raw = key.strip(" \t").lower(), raw.strip(" \t")[:_ATTRIBUTE_CHARS]
            if key == "path" and raw.startswith("/"):
                path = raw
            elif key == "max-age":
                if not _MAX_AGE.fullmatch(raw):
                    continue  # RFC 6265: a Max-Age that is not ASCII digits (an optional '-' first) is ignored
                max_age = max(-1, min(int(raw), _MAX_AGE_SECONDS))  # in whole numbers: 10**400 never meets a float
            elif key == "expires":
                try:
                    from email.utils import parsedate_to_datetime  # here: the email package is slow to import

                    expires = parsedate_to_datetime(raw).timestamp()
                except (TypeError, ValueError, IndexError, OverflowError):
                    continue
            elif key == "domain" and raw.lstrip(".").lower() not in ("", self.host):
                raise ValueError(f"cookie {name[:40]!r} is for domain {raw[:60]!r}, not {self.host}")
            elif key == "httponly":
                http_only = True
            elif key == "secure":
                secure = True
            elif key == "samesite":
                same_site = raw
        now = time.time()
        if max_age is not None:  # Max-Age wins over Expires
            expires = now + max_age if max_age > 0 else now - 1
        elif expires is not None:
            expires = min(expires, now + _MAX_AGE_SECONDS)
        cookie = Cookie(name, value, path or default_path(request_path), expires, http_only, secure, same_site)
        return cookie, expires is not None and expires <= now
