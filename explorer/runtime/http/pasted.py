"""A URL or a curl command pasted where a path belongs, read back into a request for the explorer's servers.

Server logs print full URLs (``http://127.0.0.1:41234/items/1``) and the explorer itself copies curl
commands, so both are what users paste. Either is accepted only when it points at one of the
servers the explorer started: its host is a loopback name and its port one of theirs. Any other
host is refused, as everywhere else: the explorer never talks to another server. The text is the
user's data: at most :data:`MAX_PASTE_CHARS` are read, split with :mod:`shlex` (never a shell), and
every part ends as a :class:`~explorer.runtime.http.request.RequestSpec` checked by the usual rules.
The curl reader (:func:`read_curl`, its option tables) is the one ``explorer parity --from-curl`` uses
too: one list of what is read, ignored or refused, each caller making its own object of the result.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from explorer.runtime.errors import RequestError
from explorer.runtime.http.request import RequestSpec, parse_header

__all__ = [
    "CURL_DATA",
    "CURL_IGNORED",
    "CURL_IGNORED_WITH_VALUE",
    "CURL_REFUSED",
    "MAX_PASTE_CHARS",
    "CurlWord",
    "Pasted",
    "curl_words",
    "looks_pasted",
    "read_curl",
    "read_pasted",
]

MAX_PASTE_CHARS = 1024 * 1024 + 64 * 1024  # a body at its limit, plus the command around it
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
_AS_HEADER = {"--user-agent": "User-Agent", "--referer": "Referer", "--cookie": "Cookie"}


@dataclass(frozen=True)
class Pasted:
    """The request read from a pasted URL or curl command, and what was made of it (one line)."""

    spec: RequestSpec
    note: str


def looks_pasted(text: str) -> bool:
    """True for text that is a URL or a curl command rather than a path."""
    start = text.lstrip()[:8].lower()
    return start.startswith(("http://", "https://", "curl ", "curl\t", "curl\\"))


def read_pasted(text: str, base_urls: Iterable[str]) -> Pasted:
    """The request in ``text`` (a URL or a curl command) if it targets one of ``base_urls``; else :class:`RequestError`."""
    if len(text) > MAX_PASTE_CHARS:
        raise RequestError(f"the pasted text is longer than {MAX_PASTE_CHARS:,} characters")
    bases = {_host_port(url) for url in base_urls}
    stripped = text.strip()
    if stripped[:4].lower() != "curl":
        path = _own_path(stripped, bases)
        return Pasted(RequestSpec("GET", path).checked(), f"Read the URL as GET {path}.")
    return _read_curl(stripped, bases)


def _host_port(url: str) -> tuple[str, int | None]:
    parts = urlsplit(url)
    return (parts.hostname or "").lower(), parts.port


def _own_path(url: str, bases: set[tuple[str, int | None]]) -> str:
    """The path and query of ``url``, which must name a loopback host on one of the explorer's ports."""
    try:
        parts = urlsplit(url)
        host, port = (parts.hostname or "").lower(), parts.port
    except ValueError as exc:
        raise RequestError(f"not a URL the explorer can read: {exc}") from None
    if parts.scheme not in ("http", "https") or not host:
        raise RequestError(f"not an http URL: {url[:60]!r}")
    ports = sorted(p for _, p in bases if p is not None)
    if host not in LOOPBACK or port not in ports:
        shown = ", ".join(str(p) for p in ports) or "none yet"
        where = f"{host}:{port}" if port is not None else host
        raise RequestError(
            f"{where} is not one of the explorer's servers (127.0.0.1, ports {shown}); "
            "the explorer only talks to the servers it started"
        )
    if parts.scheme == "https":
        raise RequestError("the explorer's servers speak plain http, not https")
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


# A backslash ends a line to continue it; terminals send the line end as LF, CRLF or a lone CR
# (GNOME Terminal, iTerm and tmux paste CR), and all three join the next line.
_CONTINUED = re.compile(r"\\(?:\r\n|\r|\n)")


def _read_curl(text: str, bases: set[tuple[str, int | None]]) -> Pasted:
    try:
        words = curl_words(text)
    except ValueError as exc:
        raise RequestError(f"the curl command does not parse: {exc}") from None
    method: str | None = None
    headers: list[tuple[str, str]] = []
    body: str | None = None
    url: str | None = None
    json_flag = False
    ignored: list[str] = []
    for part in read_curl(words[1:]):
        name, value = part.name, part.value or ""
        if part.kind == "url":
            if url is not None:
                raise RequestError(f"the curl command names more than one URL: {value[:60]!r}")
            url = value
        elif part.kind != "option":
            if part.kind != "ignored" or part.takes:  # -s and the like change only what curl prints
                ignored.append(part.written)
        elif name == "--request":
            method = value
        elif name == "--header":
            headers.append(parse_header(value))
        elif name in CURL_DATA and name != "--data-urlencode":
            body = value
            json_flag = json_flag or name == "--json"
        elif name in _AS_HEADER:
            headers.append(parse_header(f"{_AS_HEADER[name]}: {value}"))
        elif name == "--head":
            method = "HEAD"
        elif name == "--url":
            url = value
        elif name != "--location":
            ignored.append(part.written)
    if url is None:
        raise RequestError("the curl command has no URL")
    if "://" not in url:
        url = f"http://{url}"  # curl's default scheme
    if json_flag and not any(name.lower() == "content-type" for name, _ in headers):
        headers.append(("Content-Type", "application/json"))
    path = _own_path(url, bases)
    spec = RequestSpec(method or ("POST" if body is not None else "GET"), path, tuple(headers), body).checked()
    note = (
        f"Read the curl command as {spec.line}"
        + (f"; ignored the options {', '.join(ignored[:5])}" if ignored else "")
        + "."
    )
    return Pasted(spec, note)


# --- the curl reader both a paste (here) and `explorer parity --from-curl` (parity/imports.py) use -------------
# Each option curl spells two ways, under its long name; each takes a value unless it is in _NO_VALUE.
_LONG = {
    "-X": "--request",
    "-H": "--header",
    "-d": "--data",
    "-A": "--user-agent",
    "-e": "--referer",
    "-b": "--cookie",
    "-u": "--user",
    "-F": "--form",
    "-L": "--location",
    "-G": "--get",
    "-I": "--head",
}
_NO_VALUE = frozenset({"--location", "--get", "--head"})
CURL_DATA = frozenset({"--data", "--data-raw", "--data-binary", "--data-ascii", "--data-urlencode", "--json"})
_KNOWN = frozenset(_LONG.values()) | CURL_DATA | {"--url", "--form-string"}
# Options that change only what curl prints or how it connects: skipped with their value (an import names them).
CURL_IGNORED = frozenset(
    {
        "-i",
        "--include",
        "-s",
        "--silent",
        "-S",
        "--show-error",
        "-v",
        "--verbose",
        "-k",
        "--insecure",
        "--compressed",
        "-f",
        "--fail",
        "-g",
        "--globoff",
        "--http1.1",
        "-#",
        "--no-progress-meter",
    }
)
CURL_IGNORED_WITH_VALUE = frozenset({"-o", "--output", "-m", "--max-time", "--connect-timeout", "-w", "--write-out"})
# Options with a value that change the request in a way the explorer does not repeat (another server, a
# cookie jar, retries): an import refuses them by name; a paste skips them with their value and says so.
CURL_REFUSED = frozenset({"-c", "--cookie-jar", "-x", "--proxy", "--retry"})
_WITH_VALUE = CURL_IGNORED_WITH_VALUE | CURL_REFUSED
_SHORT_FLAGS = set("sSivkfgLGI#")  # short options without a value, which curl lets one write together (-sL)

CurlKind = Literal["option", "url", "ignored", "refused", "unknown"]


@dataclass(frozen=True)
class CurlWord:
    """One part of a curl command, in order: an option the reader knows (``name`` its long name, ``value``
    None when the command ends before it), a URL, or an option ignored, refused or unknown (as written)."""

    kind: CurlKind
    name: str
    written: str
    value: str | None = None

    @property
    def missing(self) -> bool:
        """True for an option that takes a value where the command ended before one."""
        return self.value is None and self.kind != "url" and self.takes

    @property
    def takes(self) -> bool:
        """True for an option followed by a value of its own."""
        return _takes_value(self.written)


def curl_words(command: str) -> list[str]:
    """The words of a curl command, split like a shell line (never by a shell): a backslash before a
    line end (LF, CRLF or a lone CR, as terminals paste it) continues the line. :class:`ValueError` if
    the quoting does not close."""
    return shlex.split(_CONTINUED.sub(" ", command))


def read_curl(words: Iterable[str]) -> list[CurlWord]:
    """The options and URLs of a curl command's words after ``curl``: ``-sL`` read as ``-s -L``, each
    option's value taken with it, so a value is never taken for the URL."""
    flat = [flag for word in words for flag in _short_flags(word)]
    parts: list[CurlWord] = []
    index = 0
    while index < len(flat):
        word = flat[index]
        name = _LONG.get(word, word)
        takes = _takes_value(word)
        value = flat[index + 1] if takes and index + 1 < len(flat) else None
        if not word.startswith("-"):
            parts.append(CurlWord("url", word, word, word))
        elif name in _KNOWN:
            parts.append(CurlWord("option", name, word, value))
        elif word in CURL_IGNORED or word in CURL_IGNORED_WITH_VALUE:
            parts.append(CurlWord("ignored", word, word, value))
        elif word in CURL_REFUSED:
            parts.append(CurlWord("refused", word, word, value))
        else:
            parts.append(CurlWord("unknown", word, word))
        index += 2 if takes else 1
    return parts


def _takes_value(option: str) -> bool:
    name = _LONG.get(option, option)
    return (name in _KNOWN and name not in _NO_VALUE) or option in _WITH_VALUE


def _short_flags(word: str) -> list[str]:
    """``-sL`` as ``-s -L``; any other word as it is (an unknown letter is left to the caller, by name)."""
    if len(word) > 2 and word[0] == "-" and word[1] != "-" and set(word[1:]) <= _SHORT_FLAGS:
        return [f"-{letter}" for letter in word[1:]]
    return [word]
