"""A URL or a curl command pasted where a path belongs, read back into a request for the explorer's servers.

Server logs print full URLs (``http://127.0.0.1:41234/items/1``) and the explorer itself copies curl
commands, so both are what users paste. Either is accepted only when it points at one of the
servers the explorer started: its host is a loopback name and its port one of theirs. Any other
host is refused, as everywhere else: the explorer never talks to another server. The text is the
user's data: at most :data:`MAX_PASTE_CHARS` are read, split into words as shlex does (never by a shell), and
every part ends as a :class:`~explorer.runtime.http.request.RequestSpec` checked by the usual rules.
The curl command is read by :mod:`explorer.runtime.http.curl`, as ``explorer parity --from-curl`` reads
it: one list of what is read, ignored or refused, so both send what curl would send.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from explorer.runtime.errors import RequestError
from explorer.runtime.http.request import RequestSpec, parse_header

__all__ = ["MAX_PASTE_CHARS", "Pasted", "looks_pasted", "read_pasted"]

MAX_PASTE_CHARS = 1024 * 1024 + 64 * 1024  # a body at its limit, plus the command around it
_FOLLOWS = "`explorer parity --from-curl` follows it"  # the Workbench sends one request: a redirect is its answer
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


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


def _read_curl(text: str, bases: set[tuple[str, int | None]]) -> Pasted:
    """The request a pasted curl command sends, as curl would send it (:func:`request_of`); an option it
    cannot send is refused by name, one that changes only what curl prints or where it connects is skipped."""
    from explorer.runtime.http.curl import curl_words, read_curl, request_of  # on the first paste, not at start

    try:
        words = curl_words(text)
    except ValueError as exc:
        raise RequestError(f"the curl command does not parse: {exc}") from None
    curl = request_of(read_curl(words[1:]))
    ignored = [part.written for part in curl.skipped if part.takes]  # -s and the like change only what curl prints
    if curl.url is None:
        raise RequestError("the curl command has no URL")
    url = curl.url if "://" in curl.url else f"http://{curl.url}"  # curl's default scheme
    headers = tuple(parse_header(f"{name}:{value}") for name, value in curl.headers)
    form = tuple(curl.form)
    spec = RequestSpec(curl.chosen, curl.target(_own_path(url, bases)), headers, curl.body, form, (), bool(form))
    spec = spec.checked()
    note = (
        f"Read the curl command as {spec.line}"
        + (f"; ignored the options {', '.join(ignored[:5])}" if ignored else "")
        + (f"; -L is not followed here: each app's first answer is shown ({_FOLLOWS})" if curl.follow else "")
        + "."
    )
    return Pasted(spec, note)
