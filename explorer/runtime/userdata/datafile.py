"""The one loader for every file a user hands the explorer: requests files, saved runs, the keymap,
env files (dotenv) and the explorer's config (``explorer.toml``, ``pyproject.toml``).

A file is data, bounded before it is used. Every file goes through the same guards, in this order,
and every refusal is one line naming the file (:class:`DataFileError`):

1. **Only a regular file.** It is opened without blocking and checked with ``fstat`` on the open
   descriptor, so a FIFO cannot hang the open or the read, ``/dev/zero`` is refused rather than
   read, and nothing can be swapped in between the check and the read.
2. **A byte cap** (:class:`FileLimits`): at most ``max_bytes + 1`` bytes are ever read.
3. **UTF-8**, with or without a byte order mark; a UTF-16 or UTF-32 mark is named, any other bad
   byte is reported with its offset.
4. **Nesting depth** (600 levels by default). JSON: the parser's own ``RecursionError`` is caught,
   then the depth is measured. YAML: the document is composed by an iterative composer that counts
   levels as it reads events, so PyYAML's recursive one never runs
   (:mod:`explorer.runtime.userdata.yamlcomposer`). TOML: the parser's
   ``RecursionError`` is caught.
5. **YAML aliases** are kept as what they are, shared references: a structure is never copied
   for them. The document's size with every alias expanded is measured without expanding it
   (:func:`explorer.runtime.userdata.bounded.measure` walks each shared part once) and refused past
   ``max_expanded`` bytes, so the 698-byte "billion laughs" is refused at load time. Merge keys
   (``<<``) are refused outright: PyYAML implements them by copying, which is how they explode.
6. **Values** (:attr:`FileLimits.values`, one per 16 bytes by default), counted before anything is
   built (:mod:`explorer.runtime.userdata.valuecount`): JSON in its text, YAML by its parser's events; the
   composer counts its nodes too. TOML files here are small (256 KiB) and are not counted.
7. **Numbers**: an integer longer than Python's limit for decimal text (4,300 digits) is refused.
8. **Lone surrogates** (``"\\ud800"`` in a JSON string): not valid Unicode, so they cannot be
   sent; refused with the place they are at, before any server starts. A saved run may hold them
   (answers can), so reports accept them and write them as escapes.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from explorer.runtime.errors import ExplorerError
from explorer.runtime.userdata.bounded import DataLimitError, check_depth, measure, printable
from explorer.runtime.userdata.valuecount import count_json, count_yaml

__all__ = [
    "MAX_FILE_DEPTH",
    "DataFileError",
    "FileLimits",
    "load_data_file",
    "parse_data",
    "read_text",
    "user_path",
]

MAX_FILE_DEPTH = 600  # a saved run holds answers of up to 500 levels, a few levels down
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_BOMS = {b"\xff\xfe\x00\x00": "UTF-32", b"\x00\x00\xfe\xff": "UTF-32", b"\xff\xfe": "UTF-16", b"\xfe\xff": "UTF-16"}
_MESSAGE_CHARS = 300


def user_path(text: str | os.PathLike[str]) -> Path:
    """A path the user gave, ``~`` and ``~name`` expanded as a shell does: every user path goes through here.

    ``Path.expanduser`` raises ``RuntimeError`` for a user it cannot find (``~nosuchuser/x``); like a
    shell, this leaves such a path as written, so what follows (no such folder, no such file) names it.
    """
    try:
        return Path(os.path.expanduser(text))
    except (ValueError, RuntimeError, KeyError):  # a NUL in the user name; no home to be found
        return Path(text)


class DataFileError(ExplorerError):
    """A file that cannot be read or used; the message is one line that starts with the file's name."""


@dataclass(frozen=True)
class FileLimits:
    """How much of a file the explorer accepts: bytes on disk, nesting levels, bytes with aliases expanded."""

    max_bytes: int
    max_depth: int = MAX_FILE_DEPTH
    max_expanded: int | None = None  # default: four times max_bytes
    surrogates: bool = False  # accept lone surrogates: only for files written back out, never sent (saved runs)
    max_values: int | None = None  # values parsed (YAML: nodes, keys included); default: one per 16 bytes

    @property
    def expanded(self) -> int:
        return self.max_expanded if self.max_expanded is not None else 4 * self.max_bytes

    @property
    def values(self) -> int:
        return self.max_values if self.max_values is not None else max(self.max_bytes // 16, 1000)


def _size(count: int) -> str:
    return f"{count // (1024 * 1024)} MiB" if count >= 1024 * 1024 else f"{count // 1024} KiB"


def _one_line(text: str) -> str:
    text = printable(" ".join(str(text).split()))
    return text if len(text) <= _MESSAGE_CHARS else text[: _MESSAGE_CHARS - 1] + "…"


def _fail(label: str, reason: str) -> DataFileError:
    return DataFileError(f"{label}: {_one_line(reason)}")


def _kind_of(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a pipe"),
        (stat.S_ISCHR, "a device"),
        (stat.S_ISBLK, "a device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def read_bytes(path: Path, max_bytes: int, label: str) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``; anything else is refused, never waited on."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise DataFileError(f"{printable(str(path))}: no such file") from None
    except IsADirectoryError:
        raise _fail(str(path), "is a folder, not a file") from None
    except OSError as exc:
        raise _fail(label, f"cannot read it: {exc.strerror or exc}") from None
    except ValueError:  # a NUL in the path (TOML and JSON can spell one), or one that cannot be encoded
        raise _fail(label, "cannot read it: the path holds a NUL or a character no file name can have") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _fail(str(path), f"is {_kind_of(info.st_mode)}, not a regular file")
        if info.st_size > max_bytes:
            raise _fail(label, f"larger than {_size(max_bytes)}")
        chunks: list[bytes] = []
        total = 0
        while total <= max_bytes:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > max_bytes:
            raise _fail(label, f"larger than {_size(max_bytes)}")
        return b"".join(chunks)
    except OSError as exc:
        raise _fail(label, f"cannot read it: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def decode(data: bytes, label: str) -> str:
    """UTF-8 text, a UTF-8 byte order mark dropped; any other encoding is one clear line."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for mark, name in _BOMS.items():
        if data.startswith(mark):
            raise _fail(label, f"is {name} text; save it as UTF-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _fail(label, f"is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})") from None


def read_text(path: Path, max_bytes: int, label: str | None = None) -> str:
    """Guards 1 to 3: a regular file, at most ``max_bytes``, UTF-8."""
    return decode(read_bytes(path, max_bytes, label or path.name), label or path.name)


# --- parsing ---------------------------------------------------------------------------------------


def _format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    return "json" if suffix == ".json" else "toml" if suffix == ".toml" else "yaml"


def load_data_file(
    path: str | Path,
    limits: FileLimits,
    fmt: str | None = None,
    label: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Any:
    """Read, check and parse a file: ``fmt`` is json, yaml, toml or dotenv (default: by suffix, YAML otherwise).

    A dotenv file gives a list of ``(name, value)`` pairs (:mod:`explorer.runtime.userdata.envfile`), its
    ``${NAME}`` expanded from its own earlier variables, else from ``environ``.
    """
    path = Path(path)
    name = label or path.name
    return parse_data(read_text(path, limits.max_bytes, name), fmt or _format_of(path), limits, name, environ=environ)


def parse_data(
    text: str,
    fmt: str,
    limits: FileLimits,
    label: str,
    yaml_loader: type | None = None,
    environ: Mapping[str, str] | None = None,
) -> Any:
    """Guards 4 to 8 on text already read: parse within the depth bound, then measure the result.

    ``yaml_loader`` replaces the YAML loader class (one with
    :class:`~explorer.runtime.userdata.yamlcomposer.BoundedComposer` first).
    """
    if fmt == "dotenv":
        from explorer.runtime.userdata.envfile import EnvError, parse_dotenv

        try:
            return parse_dotenv(text, environ)
        except EnvError as exc:
            raise _fail(label, str(exc)) from None
    if fmt == "json":
        try:
            count_json(text, limits.values)
        except DataLimitError as exc:
            raise _fail(label, str(exc)) from None
        value = _parse_json(text, limits, label)
    elif fmt == "toml":
        value = _parse_toml(text, limits, label)
    else:
        value = _parse_yaml(text, limits, label, yaml_loader)
    try:
        if fmt == "json" and (limits.surrogates or not _SURROGATE_ESCAPE.search(text)):
            check_depth(value, limits.max_depth)  # nothing shared, no surrogate: only the depth is left
        else:
            measure(value, max_depth=limits.max_depth, max_size=limits.expanded, surrogates=limits.surrogates)
    except DataLimitError as exc:
        raise _fail(label, str(exc)) from None
    return value


def _parse_json(text: str, limits: FileLimits, label: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _fail(label, f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    except RecursionError:
        raise _fail(label, f"nested deeper than {limits.max_depth} levels") from None
    except ValueError as exc:  # an integer past Python's limit for decimal text
        raise _fail(label, _number_reason(exc)) from None


def _number_reason(exc: ValueError) -> str:
    if "digits" in str(exc):
        return "holds a number with more than 4,300 digits"
    return f"a value cannot be read: {exc}"


def _parse_toml(text: str, limits: FileLimits, label: str) -> Any:
    import tomllib  # loaded with the first TOML file read, not with every start of the app (issue 24)

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _fail(label, f"not valid TOML: {exc}") from None
    except RecursionError:
        raise _fail(label, f"nested deeper than {limits.max_depth} levels") from None
    except ValueError as exc:
        raise _fail(label, _number_reason(exc)) from None


def _parse_yaml(text: str, limits: FileLimits, label: str, loader_class: type | None) -> Any:
    import yaml  # PyYAML and the bounded composer load with the first YAML file, not with the app (issue 24)

    from explorer.runtime.userdata.yamlcomposer import BoundedLoader, ComposeRefused

    loader_class = loader_class or BoundedLoader
    loader = loader_class(text)
    loader.max_depth = limits.max_depth
    loader.max_values = limits.values
    try:
        count_yaml(text, limits.values, loader_class)
        return loader.get_single_data()
    except (ComposeRefused, DataLimitError) as exc:
        raise _fail(label, str(exc)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "malformed"
        if "nesting depth" in problem:  # libyaml's own bound (1,000 levels) may come first
            raise _fail(
                label, f"nested deeper than {limits.max_depth} levels{where.replace(' at ', ' (', 1)})"
            ) from None
        raise _fail(label, f"not valid YAML: {problem}{where}") from None
    except RecursionError:
        raise _fail(label, f"nested deeper than {limits.max_depth} levels") from None
    except (ValueError, TypeError, OverflowError) as exc:  # a scalar the constructor could not convert
        reason = _number_reason(exc) if isinstance(exc, ValueError) else f"a value cannot be read: {exc}"
        raise _fail(label, reason) from None
    finally:
        loader.dispose()
