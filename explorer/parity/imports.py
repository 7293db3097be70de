"""Requests recorded elsewhere: a browser's HAR file, or curl commands typed into a text file.

Both become entries of a requests file (then checked like any other, so the same bounds hold), each
keeping only what a request to the explorer's own servers can carry: the path and query (the host
is dropped: the explorer only talks to the servers it started), the method, the headers it may set,
the body. ``Host``, ``Content-Length``, ``Connection`` and HTTP/2 pseudo-headers are dropped, and so
is ``Cookie``: cookies belong to each app's own run. A ``{{`` in a recording is escaped (``\\{{``):
it is sent as recorded, never taken for a placeholder. Both files are read by the loader every user
file goes through (:mod:`explorer.runtime.userdata.datafile`), and so is a ``-d @file`` a curl command names.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from explorer.parity.entry import ParityFileError
from explorer.parity.template import literal
from explorer.runtime.errors import RequestError
from explorer.runtime.http.curl import curl_words, read_curl, request_of
from explorer.runtime.http.forms import parse_file_arg
from explorer.runtime.http.request import MAX_BODY_BYTES, RESERVED_HEADERS
from explorer.runtime.userdata.datafile import DataFileError, FileLimits, load_data_file, read_text
from explorer.runtime.userdata.envfile import split_lines

__all__ = ["from_curl", "from_har"]

HAR_LIMITS = FileLimits(32 * 1024 * 1024, max_expanded=64 * 1024 * 1024)
CURL_MAX_BYTES = 4 * 1024 * 1024
MAX_IMPORTED = 1000
_DROPPED = RESERVED_HEADERS | {"cookie", "accept-encoding"}


def _path_of(url: str, where: str) -> str:
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 (a port that is not a number from 0 to 65535 raises only when read)
    except ValueError as exc:
        raise ParityFileError(f"{where}: not a URL that can be read: {exc}") from None
    if parts.scheme and parts.scheme not in ("http", "https"):
        raise ParityFileError(f"{where}: only http and https requests can be imported, not {parts.scheme}:")
    path = parts.path or "/"
    return path + (f"?{parts.query}" if parts.query else "")


def _headers(pairs: list[tuple[str, str]]) -> dict[str, str]:
    kept: dict[str, str] = {}
    for name, value in pairs:
        name = name.strip()
        if not name or name.startswith(":") or name.lower() in _DROPPED:
            continue
        kept[name] = value.strip()
    return kept


def _entry(name: str, method: str, path: str, headers: dict[str, str], body: str | None) -> dict[str, Any]:
    """An entry that sends what was recorded: a ``{{`` in it is text, not a placeholder (:func:`literal`)."""
    entry: dict[str, Any] = {"name": name, "method": method.upper(), "path": literal(path)}
    if headers:
        entry["headers"] = literal(headers)
    if body is not None:
        entry["body"] = literal(body)  # text, as recorded: its Content-Type header (if any) says what it is
    return entry


def from_har(path: str | Path) -> list[dict[str, Any]]:
    """The requests of a HAR 1.2 file (``log.entries[].request``), in recorded order."""
    path = Path(path)
    try:
        document = load_data_file(path, HAR_LIMITS, "json")
    except DataFileError as exc:
        raise ParityFileError(str(exc)) from None
    log = document.get("log") if isinstance(document, dict) else None
    entries = log.get("entries") if isinstance(log, dict) else None
    if not isinstance(entries, list) or not entries:
        raise ParityFileError(f"{path.name}: not a HAR file with requests (no log.entries list)")
    if len(entries) > MAX_IMPORTED:
        raise ParityFileError(f"{path.name}: {len(entries)} requests; the limit is {MAX_IMPORTED}")
    result = []
    for number, item in enumerate(entries, start=1):
        where = f"{path.name}: entry {number}"
        request = item.get("request") if isinstance(item, dict) else None
        if not isinstance(request, dict) or not isinstance(request.get("url"), str):
            raise ParityFileError(f"{where}: no request with a url")
        method = request.get("method", "GET")
        raw_headers = request.get("headers", [])
        if not isinstance(method, str) or not isinstance(raw_headers, list):
            raise ParityFileError(f"{where}: the method or the headers are not in HAR form")
        pairs = [(str(h.get("name", "")), str(h.get("value", ""))) for h in raw_headers if isinstance(h, dict)]
        body = None
        post = request.get("postData")
        if isinstance(post, dict) and isinstance(post.get("text"), str):
            body = post["text"]
            if post.get("encoding") == "base64":
                try:
                    body = base64.b64decode("".join(body.split()), validate=True).decode("utf-8", "replace")
                except ValueError as exc:  # binascii.Error
                    raise ParityFileError(f"{where}: postData is not valid base64: {exc}") from None
        line = f"{method.upper()} {_path_of(request['url'], where)}"
        result.append(_entry(f"{number}. {line}"[:120], method, _path_of(request["url"], where), _headers(pairs), body))
    return result


def _commands(text: str) -> list[tuple[int, str]]:
    """Each curl command with its first line number: continuation backslashes joined, comments skipped."""
    commands: list[tuple[int, str]] = []
    current, start = "", 0
    for number, line in enumerate(split_lines(text), start=1):
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if not current:
            start = number
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        current += stripped
        commands.append((start, current))
        current = ""
    if current:
        commands.append((start, current))
    return commands


def from_curl(path: str | Path, notes: list[str] | None = None) -> list[dict[str, Any]]:
    """The requests of a file of curl commands (one per line, ``\\`` continues a line, ``#`` comments).

    ``notes`` gets a line per command whose options were ignored (``-s``: what curl prints only).
    """
    notes = [] if notes is None else notes
    path = Path(path)
    try:
        text = read_text(path, CURL_MAX_BYTES)
    except DataFileError as exc:
        raise ParityFileError(str(exc)) from None
    commands = _commands(text)
    if not commands:
        raise ParityFileError(f"{path.name}: no curl command in it")
    if len(commands) > MAX_IMPORTED:
        raise ParityFileError(f"{path.name}: {len(commands)} commands; the limit is {MAX_IMPORTED}")
    found = [_curl(command, f"{path.name}: line {line}", path.parent, notes) for line, command in commands]
    return found


def _curl(command: str, where: str, folder: Path, notes: list[str]) -> dict[str, Any]:
    try:
        words = curl_words(command)
    except ValueError as exc:
        raise ParityFileError(f"{where}: cannot be split like a shell line: {exc}") from None
    if not words or words[0] != "curl":
        raise ParityFileError(f"{where}: expected a command starting with 'curl'")
    parts = read_curl(words[1:])
    for part in parts:  # a cookie belongs to each app's own jar; a proxy or a retry is not repeated
        if part.kind in ("refused", "unknown") or part.name in ("--referer", "--cookie"):
            raise ParityFileError(f"{where}: the curl option {part.written[:30]!r} cannot be imported")
    try:
        curl = request_of(parts, lambda name: _read(name, where, folder))
    except RequestError as exc:
        raise ParityFileError(f"{where}: {exc}") from None
    if curl.url is None:
        raise ParityFileError(f"{where}: no URL")
    target = curl.target(_path_of(curl.url, where))
    chosen = curl.chosen
    entry = _entry(
        f"{where.split(': ', 1)[1]}: {chosen.upper()} {target}"[:120], chosen, target, _headers(curl.headers), curl.body
    )
    if curl.form:
        entry["form"] = literal(dict(curl.form))
    if curl.files:
        entry["files"] = {value.partition("=")[0]: _file(value, where) for value in curl.files}
    if curl.follow:
        entry["follow_redirects"] = True  # -L: the final page is compared, as curl showed it
    ignored = [part.written for part in curl.skipped]
    if ignored:
        notes.append(
            f"{where}: ignored {', '.join(dict.fromkeys(ignored))} (they change what curl prints, not the request)"
        )
    return entry


def _file(value: str, where: str) -> str | dict[str, str]:
    """A ``-F name=@path`` file as the requests file writes it: the path, or ``{path, type, filename}``."""
    try:
        _, path, media, filename = parse_file_arg(value)
    except RequestError as exc:
        raise ParityFileError(f"{where}: -F: {exc}") from None
    if media is None and filename is None:
        return path
    return (
        {"path": path} | ({"type": media} if media else {}) | ({"filename": filename} if filename is not None else {})
    )


def _read(name: str, where: str, folder: Path) -> str:
    """A file a curl option names, relative to the curl file's folder, through the bounded loader."""
    try:
        return read_text((folder / name) if not Path(name).is_absolute() else Path(name), MAX_BODY_BYTES, name)
    except DataFileError as exc:
        raise ParityFileError(f"{where}: {exc}") from None
