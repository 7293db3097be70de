"""Form fields and files: what an HTML form sends, encoded the way a browser encodes it.

A request may carry form fields (``name=value`` pairs) and files instead of a raw body. With
fields only, the body is ``application/x-www-form-urlencoded``; with any file it is
``multipart/form-data`` (RFC 7578), as a browser does for ``<form enctype="multipart/form-data">``.
The encoding is done here, not by httpx, so that the exact bytes sent are known before they go
out (they are recorded on the exchange and measured against the caps) and a burst encodes once.

Everything a user hands over is bounded: at most :data:`MAX_FIELDS` fields and :data:`MAX_FILES`
files, a file of at most :data:`MAX_FILE_BYTES` (read from a regular file only, never waited on),
an encoded body of at most :data:`MAX_FORM_BYTES`. Mistakes raise :class:`RequestError` with one
line, like every other part of a request.
"""

from __future__ import annotations

import dataclasses
import mimetypes
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

from explorer.runtime.errors import ExplorerError, RequestError

__all__ = [
    "MAX_FIELDS",
    "MAX_FILES",
    "MAX_FILE_BYTES",
    "MAX_FORM_BYTES",
    "FilePart",
    "check_form",
    "curl_file_arg",
    "encode_form",
    "encode_multipart",
    "encode_urlencoded",
    "form_media_type",
    "form_text",
    "parse_file_arg",
    "parse_form_field",
    "parse_form_text",
    "read_file_part",
]

MAX_FIELDS = 256
MAX_FILES = 16
MAX_FILE_BYTES = 1024 * 1024  # per file, as read from disk
MAX_FORM_BYTES = 2 * 1024 * 1024  # the whole encoded body: every field and file with their part headers
MAX_NAME_CHARS = 256  # a field name or a file name
URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
_TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
# type/subtype, then parameters (';charset=utf-8', a quoted value in printable ASCII): never a line break
_MEDIA_TYPE = re.compile(rf'^{_TOKEN}/{_TOKEN}(?:[ \t]*;[ \t]*{_TOKEN}=(?:{_TOKEN}|"[\x20\x21\x23-\x5b\x5d-\x7e]*"))*$')
_CURL_UNSUPPORTED = ("headers=", "encoder=")  # curl's other -F parameters: nothing here can send them


@dataclass(frozen=True)
class FilePart:
    """One file of a multipart form: the field it is sent as, its file name, its bytes and media type."""

    field: str
    filename: str
    content: bytes = dataclasses.field(repr=False)
    content_type: str = "application/octet-stream"

    def to_dict(self) -> dict[str, Any]:
        """What reports and ``--json`` show: the bytes themselves are not repeated, only their size."""
        return {
            "field": self.field,
            "filename": self.filename,
            "content_type": self.content_type,
            "size": len(self.content),
        }


def _check_text(text: object, what: str, limit: int | None = None) -> str:
    if not isinstance(text, str):
        raise RequestError(f"{what} must be text")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise RequestError(f"{what} {text[:40]!r} holds a lone surrogate, which cannot be sent as UTF-8") from None
    if limit is not None and len(text) > limit:
        raise RequestError(f"{what} is longer than {limit} characters")
    return text


def check_form(form: tuple[tuple[str, str], ...], files: tuple[FilePart, ...]) -> None:
    """Refuse fields and files past the bounds, or that cannot be encoded; return None when all is well."""
    if len(form) > MAX_FIELDS:
        raise RequestError(f"too many form fields ({len(form)}); the limit is {MAX_FIELDS}")
    if len(files) > MAX_FILES:
        raise RequestError(f"too many files ({len(files)}); the limit is {MAX_FILES}")
    for pair in form:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise RequestError("a form field must be a (name, value) pair")
        name = _check_text(pair[0], "a form field name", MAX_NAME_CHARS)
        if not name:
            raise RequestError("a form field needs a name")
        _check_text(pair[1], f"the value of form field {name[:40]!r}")
    for part in files:
        if not isinstance(part, FilePart) or not isinstance(part.content, bytes):
            raise RequestError("a file must be a FilePart holding bytes")
        if not _check_text(part.field, "a file's field name", MAX_NAME_CHARS):
            raise RequestError("a file needs a field name")
        _check_text(part.filename, "a file name", MAX_NAME_CHARS)
        if len(part.content) > MAX_FILE_BYTES:
            raise RequestError(f"file {part.filename[:60]!r} is larger than the {MAX_FILE_BYTES // 1024} KiB limit")
        if not isinstance(part.content_type, str) or not _MEDIA_TYPE.fullmatch(part.content_type):
            raise RequestError(f"the media type of file {part.filename[:60]!r} must look like 'text/plain'")


def encode_urlencoded(form: tuple[tuple[str, str], ...]) -> bytes:
    """``name=value&...`` as a browser sends a form: UTF-8, percent-encoded, spaces as ``+``."""
    return "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in form).encode("ascii")


def _quoted(text: str) -> str:
    """A name for a Content-Disposition parameter, escaped as browsers do (HTML's form encoding)."""
    return text.replace("\r", "%0D").replace("\n", "%0A").replace('"', "%22")


def encode_multipart(form: tuple[tuple[str, str], ...], files: tuple[FilePart, ...], boundary: str) -> bytes:
    """The ``multipart/form-data`` body: the fields first, then the files, each as one part."""
    mark = f"--{boundary}\r\n".encode("ascii")
    parts: list[bytes] = []
    for name, value in form:
        parts += [
            mark,
            f'Content-Disposition: form-data; name="{_quoted(name)}"\r\n\r\n'.encode(),
            value.encode("utf-8"),
            b"\r\n",
        ]
    for part in files:
        head = (
            f'Content-Disposition: form-data; name="{_quoted(part.field)}"; filename="{_quoted(part.filename)}"\r\n'
            f"Content-Type: {part.content_type}\r\n\r\n"
        )
        parts += [mark, head.encode(), part.content, b"\r\n"]
    parts.append(f"--{boundary}--\r\n".encode("ascii"))
    return b"".join(parts)


def encode_form(
    form: tuple[tuple[str, str], ...], files: tuple[FilePart, ...], boundary: str | None = None, multipart: bool = False
) -> tuple[str, bytes]:
    """The Content-Type and the body for these fields and files; checked against :data:`MAX_FORM_BYTES`.

    Multipart when there is a file or ``multipart`` is set, urlencoded otherwise. The boundary is
    random unless given, and never one that occurs in a file's bytes or a value.
    """
    check_form(form, files)
    if not files and not multipart:
        content_type, body = URLENCODED, encode_urlencoded(form)
    else:
        import secrets  # here: it loads hashlib and hmac, which every start of the app paid for before its first paint

        while True:
            mark = boundary or f"explorer-{secrets.token_hex(16)}"
            needle = mark.encode("ascii")
            if boundary or (not any(needle in p.content for p in files) and not any(mark in v for _, v in form)):
                break
        content_type, body = f"{MULTIPART}; boundary={mark}", encode_multipart(form, files, mark)
    if len(body) > MAX_FORM_BYTES:
        raise RequestError(f"the encoded form is larger than the {MAX_FORM_BYTES // 1024} KiB limit")
    return content_type, body


def parse_form_field(text: str) -> tuple[str, str]:
    """``'name=value'`` as given to ``--form`` or typed in the editor; the value may be empty or hold ``=``."""
    if not isinstance(text, str) or "=" not in text:
        raise RequestError(f"a form field must look like 'name=value', got {str(text)[:40]!r}")
    name, value = text.split("=", 1)
    if not name:
        raise RequestError(f"a form field needs a name before '=', got {text[:40]!r}")
    _check_text(name, "a form field name", MAX_NAME_CHARS)
    return name, _check_text(value, f"the value of form field {name[:40]!r}")


def _curl_word(text: str, start: int) -> tuple[str, int]:
    """One word of a curl ``-F`` value from ``start``: up to ';' or ',', or in double quotes (``\\"`` inside).

    As curl's ``get_param_word``: an unquoted word loses its trailing spaces; a quote never closed
    is read as unquoted; after a closing quote, anything up to the next ';' or ',' is dropped.
    Returns the word and the index of the separator (or the end).
    """
    while start < len(text) and text[start] in " \t":
        start += 1
    if text.startswith('"', start):
        out, i = [], start + 1
        while i < len(text) and text[i] != '"':
            if text[i] == "\\" and i + 1 < len(text) and text[i + 1] in '"\\':
                i += 1
            out.append(text[i])
            i += 1
        if i < len(text):  # closed
            end = i + 1
            while end < len(text) and text[end] not in ";,":
                end += 1
            return "".join(out), end
    end = start
    while end < len(text) and text[end] not in ";,":
        end += 1
    return text[start:end].rstrip(" \t"), end


def parse_file_arg(text: str) -> tuple[str, str, str | None, str | None]:
    """``'field=@path'`` as curl's ``-F`` spells it: field, path, media type, the file name to send.

    After the path, curl's ``;type=text/csv`` (its parameters included, ``;charset=utf-8``) and
    ``;filename=sent.csv``, in either order. A path or a name holding ';' or ',' is written in
    double quotes, as for curl. What curl would do and this cannot (several files in one field,
    ``;headers=``, ``;encoder=``) is refused with one line, never read as part of the path.
    """
    if not isinstance(text, str) or "=@" not in text:
        raise RequestError(f"a file must look like 'field=@path', got {str(text)[:60]!r}")
    name, _, value = text.partition("=")
    if not name:
        raise RequestError(f"a file needs a field name before '=@', got {text[:60]!r}")
    if not value.startswith("@"):
        raise RequestError(f"a file must look like 'field=@path', got {text[:60]!r}")
    path, end = _curl_word(value, 1)
    content_type = filename = None
    while end < len(value) and value[end] == ";":
        start = end + 1
        while start < len(value) and value[start] in " \t":
            start += 1
        param = value[start:].lower()
        if param.startswith("type=") and content_type is None:
            end = start + 5
            while end < len(value) and value[end] not in ";,":
                end += 1
            content_type = value[start + 5 : end].strip()
        elif param.startswith("filename="):
            filename, end = _curl_word(value, start + 9)
        elif param.startswith(_CURL_UNSUPPORTED):
            raise RequestError(f"curl's ';{param.split('=', 1)[0]}=' for file {path[:40]!r} cannot be used here")
        elif content_type is not None:  # curl: what follows the type and is no known parameter belongs to it
            end = start
            while end < len(value) and value[end] not in ";,":
                end += 1
            content_type += ";" + value[start:end].strip()
        else:
            word = value[start:].split(";", 1)[0].split("=", 1)[0]
            raise RequestError(
                f"unknown ';{word[:20]}=' after file {path[:40]!r}; curl's are ';type=' and ';filename='"
            )
    if end < len(value):  # a ','
        raise RequestError(
            f"one file per field: give another '{name[:20]}=@...' for each file "
            "(a path holding ',' or ';' goes in double quotes)"
        )
    if content_type is not None and not _MEDIA_TYPE.fullmatch(content_type):
        raise RequestError(f"the media type {content_type[:40]!r} must look like 'text/plain'")
    if not path:
        raise RequestError(f"a file needs a path after '=@', got {text[:60]!r}")
    return name, path, content_type, filename


def _curl_name(name: str) -> str:
    """A file name as curl's ``-F`` reads it back: in double quotes when it holds ';', ',', a quote,
    a backslash or an edge space (:func:`parse_file_arg` reads either form)."""
    if re.search(r'[;,"\\]|^\s|\s$', name):
        return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return name


def curl_file_arg(part: FilePart) -> str:
    """The ``-F`` value that sends ``part`` as curl would."""
    return f"{part.field}=@{_curl_name(part.filename)};type={part.content_type}"


def read_file_part(
    field_name: str, path: str | Path, content_type: str | None = None, filename: str | None = None
) -> FilePart:
    """A :class:`FilePart` from a file on disk: a regular file of at most :data:`MAX_FILE_BYTES`.

    A pipe or a device is refused at once, never waited on or read for ever. The part is sent as
    ``filename`` (default: the file's own name), and the media type, when not given, is guessed
    from that name, as curl does.
    """
    from explorer.runtime.userdata.datafile import read_bytes

    path = Path(path)
    try:
        content = read_bytes(path, MAX_FILE_BYTES, path.name or str(path))
    except ExplorerError as exc:
        raise RequestError(f"file for field {field_name[:40]!r}: {exc}") from None
    sent = path.name if filename is None else filename
    guessed = mimetypes.guess_type(sent)[0] or "application/octet-stream"
    part = FilePart(field_name, sent, content, content_type or guessed)
    check_form((), (part,))
    return part


def form_media_type(content_type: str | None) -> str | None:
    """``URLENCODED`` or ``MULTIPART`` when a Content-Type value names a form, else None."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media if media in (URLENCODED, MULTIPART) else None


def parse_form_text(
    text: str, multipart: bool, known: tuple[FilePart, ...] = ()
) -> tuple[tuple[tuple[str, str], ...], tuple[FilePart, ...]]:
    """Fields and files from the editor: one ``name=value`` or ``field=@path`` per line.

    Blank lines and lines starting with ``#`` are skipped. A ``field=@name`` that names a file of
    ``known`` (the files of a request loaded into the editor, e.g. a sample's) is that file;
    otherwise the path is read from disk, bounded like ``--file``. Files need multipart.
    """
    form: list[tuple[str, str]] = []
    files: list[FilePart] = []
    for line in text.split("\n"):
        line = line.removesuffix("\r")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        _name, _, value = line.partition("=")
        if value.startswith("@"):
            if not multipart:
                raise RequestError(f"a file ({line[:40]!r}) needs Content-Type: {MULTIPART}, not {URLENCODED}")
            field_name, path, content_type, filename = parse_file_arg(line)
            match = next((p for p in known if (p.field, p.filename) == (field_name, path)), None)
            if match is None:
                files.append(read_file_part(field_name, path, content_type, filename))
            else:
                sent = match.filename if filename is None else filename
                files.append(replace(match, content_type=content_type or match.content_type, filename=sent))
        else:
            form.append(parse_form_field(line))
        if len(form) > MAX_FIELDS or len(files) > MAX_FILES:
            check_form(tuple(form), tuple(files))
    return tuple(form), tuple(files)


def form_text(form: tuple[tuple[str, str], ...], files: tuple[FilePart, ...]) -> str:
    """The editor's text for fields and files, which :func:`parse_form_text` reads back.

    One line per field, so a value holding a line break does not survive the round trip (the CLI's
    ``--form`` and requests files can send one).
    """
    lines = [f"{name}={value}" for name, value in form] + [f"{p.field}=@{_curl_name(p.filename)}" for p in files]
    return "\n".join(lines)
