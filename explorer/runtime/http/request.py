"""What the user asks to send, checked before anything leaves the process.

The explorer only ever talks to the servers it started, so a request is a method, a path
(with query), headers and a body: never a URL. Everything here is plain data and raises only
:class:`RequestError`, so the UI and the CLI can show one clear line for any mistake.
"""

from __future__ import annotations

import json
import re
import shlex
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Any

from explorer.runtime.errors import RequestError
from explorer.runtime.http.forms import FilePart, check_form, curl_file_arg, encode_form

DEFAULT_TIMEOUT = 5.0  # seconds a request may take before it is reported as timed out
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
MAX_BODY_BYTES = 1024 * 1024
MAX_PATH_CHARS = 8192
MAX_HEADERS = 64
MAX_HEADER_CHARS = 8192
# Headers the client must compute itself: letting the user set them would lie about what is sent.
RESERVED_HEADERS = frozenset({"host", "content-length", "transfer-encoding", "connection"})
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_CONTROL = re.compile(r"[\x00-\x20\x7f]")
_NOT_PRINTABLE_ASCII = re.compile(r"[^\t\x20-\x7e]")


@dataclass(frozen=True)
class RequestSpec:
    """One request as the user wrote it; :meth:`checked` validates it.

    The body is either ``body`` (text, sent as is) or form ``form`` fields and ``files``, which
    the client encodes (urlencoded, or multipart when there is a file or ``multipart`` is set;
    :mod:`explorer.runtime.http.forms`).
    """

    method: str = "GET"
    path: str = "/"
    headers: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    body: str | None = None
    form: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    files: tuple[FilePart, ...] = field(default_factory=tuple)
    multipart: bool = False  # fields sent as multipart/form-data even without a file

    @property
    def line(self) -> str:
        """The request line as people write it, e.g. ``GET /items/1``."""
        return f"{self.method} {self.path}"

    def header(self, name: str) -> str | None:
        """The value of the first header called ``name`` (any case), or None."""
        lowered = name.lower()
        return next((value for key, value in self.headers if key.lower() == lowered), None)

    def with_json(self, value: Any) -> RequestSpec:
        """This request with a JSON body and, unless one is set, a JSON Content-Type."""
        headers = self.headers
        if self.header("content-type") is None:
            headers = (*headers, ("Content-Type", "application/json"))
        return replace(self, body=json.dumps(value), headers=headers)

    def checked(self) -> RequestSpec:
        """Return a normalised copy, or raise :class:`RequestError` saying what is wrong."""
        method = check_method(self.method)
        path = check_path(self.path)
        headers = tuple(check_header(name, value) for name, value in self.headers)
        if len(headers) > MAX_HEADERS:
            raise RequestError(f"too many headers ({len(headers)}); the limit is {MAX_HEADERS}")
        if self.body is not None and len(self.body.encode("utf-8", "surrogatepass")) > MAX_BODY_BYTES:
            raise RequestError(f"body is larger than the {MAX_BODY_BYTES // 1024} KiB limit")
        form, files = tuple(self.form), tuple(self.files)
        if form or files or self.multipart:
            if self.body is not None:
                raise RequestError("a request carries either a body or form fields and files, not both")
            if self.header("content-type") is not None:
                raise RequestError(
                    "the Content-Type of a form is set by the client (with its multipart boundary); "
                    "remove the Content-Type header"
                )
            check_form(form, files)
        return RequestSpec(method, path, headers, self.body, form, files, bool(self.multipart))

    def encoded(self, boundary: str | None = None) -> tuple[tuple[tuple[str, str], ...], bytes | None]:
        """The headers and body bytes to write: the form encoded (its Content-Type added), or the body as UTF-8."""
        if self.form or self.files or self.multipart:
            content_type, content = encode_form(self.form, self.files, boundary, self.multipart)
            return (*self.headers, ("Content-Type", content_type)), content
        return self.headers, self.body.encode("utf-8", "surrogatepass") if self.body is not None else None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form, used by reports and ``--json`` output; ``form`` and ``files`` only when present."""
        document: dict[str, Any] = {
            "method": self.method,
            "path": self.path,
            "headers": [list(h) for h in self.headers],
            "body": self.body,
        }
        if self.form:
            document["form"] = [list(pair) for pair in self.form]
        if self.files:
            document["files"] = [part.to_dict() for part in self.files]
        if self.multipart:
            document["multipart"] = True
        return document


def check_method(method: str) -> str:
    """Upper-case a known method or refuse it."""
    if not isinstance(method, str):
        raise RequestError("method must be text")
    upper = method.strip().upper()
    if upper not in METHODS:
        shown = method.strip()[:20] or "(empty)"
        raise RequestError(f"unknown method {shown!r}; use one of {', '.join(METHODS)}")
    return upper


def check_path(path: str) -> str:
    """A path with optional query, starting with one '/', on the explorer's own servers."""
    if not isinstance(path, str):
        raise RequestError("path must be text")
    path = path.strip()
    if not path:
        raise RequestError("path is empty; it must start with '/', e.g. /items/1")
    if "://" in path.split("?", 1)[0] or path.startswith("//"):
        raise RequestError("only paths are accepted: the explorer talks to the servers it started, never another host")
    if not path.startswith("/"):
        raise RequestError(f"path must start with '/': {path[:40]!r}")
    if len(path) > MAX_PATH_CHARS:
        raise RequestError(f"path is longer than {MAX_PATH_CHARS} characters")
    if _CONTROL.search(path):
        raise RequestError("path contains spaces or control characters; percent-encode them (%20)")
    if "#" in path:
        raise RequestError("a fragment ('#...') is never sent to a server; remove it")
    target = request_target(path)
    if target.startswith("//"):
        raise RequestError(
            f"the path {path[:60]!r} would be sent as {target[:60]!r}, which names a host, "
            "not a path on the explorer's own server; remove the '.' and '..' segments"
        )
    return path


def request_target(path: str) -> str:
    """The request target written on the wire for ``path``: its '.' and '..' segments removed.

    This is RFC 3986's remove_dot_segments as httpx applies it when it builds the URL, so that
    ``/./..//host:port/x`` is seen here as the ``//host:port/x`` it becomes. The client checks
    the target it actually writes as well.
    """
    route, mark, query = path.partition("?")
    segments = route.split("/")
    if "." in segments or ".." in segments:
        kept: list[str] = []
        for segment in segments:
            if segment == "..":
                if kept and kept != [""]:
                    kept.pop()
            elif segment != ".":
                kept.append(segment)
        route = "/".join(kept) or "/"
    return route + mark + query


def describe_character(ch: str) -> str:
    """``U+2028 LINE SEPARATOR``: a character named so that an invisible one can be found."""
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X}" + (f" {name}" if name else "")


def control_character(text: str, allowed: str = "\t") -> str | None:
    """The first control or line-separating character of ``text`` not in ``allowed``, described; else None.

    Control characters (C0, DEL, C1) and the Unicode line and paragraph separators: everything
    that ``str.splitlines`` (and so a text editor) could take for the end of a line.
    """
    for ch in text:
        if ch not in allowed and unicodedata.category(ch) in ("Cc", "Zl", "Zp"):
            return describe_character(ch)
    return None


def check_header(name: str, value: str) -> tuple[str, str]:
    """A header whose name is an HTTP token and whose value is printable ASCII (tabs allowed).

    Anything else could smuggle a second header (a line break) or would fail only when the
    request is encoded, so it is refused here, where the CLI, the app and requests files all pass.
    """
    if not isinstance(name, str) or not isinstance(value, str):
        raise RequestError("header names and values must be text")
    name = name.strip(" \t")
    if not name or not _TOKEN.fullmatch(name):
        raise RequestError(f"invalid header name {name[:40]!r}")
    if name.lower() in RESERVED_HEADERS:
        raise RequestError(f"the {name} header is set by the client itself and cannot be changed")
    if any(ch in value for ch in "\r\n\x00"):
        raise RequestError(f"the value of header {name} contains a line break or NUL (header injection)")
    if len(name) + len(value) > MAX_HEADER_CHARS:
        raise RequestError(f"header {name} is longer than {MAX_HEADER_CHARS} characters")
    if bad := _NOT_PRINTABLE_ASCII.search(value):
        ch = bad.group()
        if control_character(ch):
            raise RequestError(
                f"the value of header {name} contains {describe_character(ch)}, a control character "
                "or line separator; only printable ASCII and tabs can be sent"
            )
        raise RequestError(
            f"the value of header {name} contains the non-ASCII character {describe_character(ch)}; "
            "header values are sent as ASCII: percent-encode it"
        )
    return name, value.strip(" \t")


def parse_header(text: str) -> tuple[str, str]:
    """Parse ``'Name: value'`` as given on the command line or in the editor."""
    if not isinstance(text, str) or ":" not in text:
        raise RequestError(f"header must look like 'Name: value', got {str(text)[:40]!r}")
    name, value = text.split(":", 1)
    return check_header(name, value)


def parse_headers(text: str) -> tuple[tuple[str, str], ...]:
    """Parse one ``Name: value`` per line; blank lines and ``#`` comments are skipped.

    Lines end at ``\n`` (or ``\r\n``) only: ``str.splitlines`` would also split at U+2028, a
    vertical tab or a form feed, making two headers of one; those are refused as part of the value.
    """
    headers = []
    for line in text.split("\n"):
        line = line.removesuffix("\r")
        if line.strip(" \t") and not line.lstrip(" \t").startswith("#"):
            headers.append(parse_header(line))
    return tuple(headers)


def parse_request_line(text: str) -> RequestSpec:
    """``'GET /items/1'`` (or just ``'/items/1'``) into a checked :class:`RequestSpec`."""
    parts = text.split()
    if len(parts) == 1 and parts[0].startswith("/"):
        parts = ["GET", parts[0]]
    if len(parts) != 2:  # 'GET' alone was answered "path must start with '/': 'GET'", which names no form
        raise RequestError(f"expected 'METHOD /path' or '/path' (e.g. 'GET /items/1'), got {text[:60]!r}")
    return RequestSpec(parts[0], parts[1]).checked()


def check_json_text(text: str) -> Any:
    """Parse JSON the user typed, raising :class:`RequestError` with the line and column at fault."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise RequestError(f"body is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    except (TypeError, ValueError, RecursionError) as exc:
        raise RequestError(f"body is not valid JSON: {exc}") from None


# Headers of a request as sent that curl writes itself (or must not copy: a compressed answer would
# print as bytes), so a curl command rebuilt from what was sent leaves them to curl.
_CURL_OWN_HEADERS = RESERVED_HEADERS | {"accept", "accept-encoding", "user-agent", "content-type"}


def curl_command(spec: RequestSpec, base_url: str, sent: tuple[tuple[str, str], ...] | None = None) -> str:
    """The same request as a shell-quoted curl command, for copying out of the explorer.

    ``sent``: the headers as they went out. Those the client added (the Cookie from the server's jar)
    are then written too, and a body sent without a Content-Type keeps none (``-H 'Content-Type:'``;
    curl would otherwise label it a form), so the command sends what the explorer sent.
    """
    parts = ["curl", "-i", "-X", spec.method]
    for name, value in spec.headers:
        parts += ["-H", f"{name}: {value}"]
    if sent is not None:
        typed = {name.lower() for name, _ in spec.headers}
        for name, value in sent:
            if name.lower() not in typed and name.lower() not in _CURL_OWN_HEADERS:
                parts += ["-H", f"{name}: {value}"]
        if spec.body is not None and not any(name.lower() == "content-type" for name, _ in sent):
            parts += ["-H", "Content-Type:"]
    if spec.body is not None:
        parts += ["--data-raw", spec.body]
    elif spec.files or spec.multipart:  # curl builds the multipart body itself; --form-string keeps '@' and '<' literal
        for name, value in spec.form:
            parts += ["--form-string", f"{name}={value}"]
        for part in spec.files:
            parts += ["-F", curl_file_arg(part)]
    elif spec.form:  # the exact urlencoded bytes; curl's -d sets the form Content-Type
        parts += ["--data-raw", encode_form(spec.form, ())[1].decode("ascii")]
    parts.append(base_url.rstrip("/") + spec.path)
    return shlex.join(parts)
