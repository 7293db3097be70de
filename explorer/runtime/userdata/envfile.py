"""Environment variables as data: ``KEY=VALUE`` from the command line and from dotenv files, checked and bounded.

The dotenv format is python-dotenv's, read by its own parser (as ``flask run`` reads ``.env``): one
``KEY=VALUE`` per line (a line ends at ``\\n`` or ``\\r\\n`` only: a lone ``\\r`` or any other Unicode
line break is part of the value), an optional ``export``, ``#`` comments, single and double quotes
(escapes in double quotes, over several lines if need be), and ``${NAME}`` or ``${NAME:-default}``
expanded from the file's earlier variables, else from the variables the caller names (an app's
allow-listed shell variables), each value sized before it is built. A file is read by :func:`explorer.runtime.userdata.datafile.load_data_file`
(``fmt="dotenv"``), like every file a user hands over; a line that cannot be read is one error naming it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping

from explorer.runtime.errors import ExplorerError

__all__ = [
    "MAX_VALUE_CHARS",
    "MAX_VARIABLES",
    "EnvError",
    "check_name",
    "check_value",
    "parse_assignment",
    "parse_dotenv",
    "split_lines",
]

MAX_VARIABLES = 1000
MAX_VALUE_CHARS = 32768
_MAX_VARIABLE_BYTES = 128 * 1024  # Linux's MAX_ARG_STRLEN: 'NAME=value' and its NUL; past it exec fails with E2BIG
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NEWLINE = re.compile(r"\r?\n")


class EnvError(ExplorerError):
    """A variable that cannot be passed to an app: a bad name, a NUL character, too long, too many."""


def split_lines(text: str) -> list[str]:
    """The lines of a text file: ended by ``\\n`` or ``\\r\\n`` only, never ``str.splitlines()``'s other breaks.

    A U+2028, a form feed or a U+0085 inside a value (a dotenv value, a curl command's quoted data)
    is part of it: splitting there would make a second variable, or cut a command in two.
    """
    return _NEWLINE.split(text)


def check_name(name: str) -> str:
    if not _NAME.fullmatch(name):
        shown = name if len(name) <= 40 else name[:40] + "…"
        raise EnvError(f"{shown!r} is not a variable name (letters, digits and _, not starting with a digit)")
    return name


def check_value(name: str, value: str) -> str:
    if "\x00" in value:
        raise EnvError(f"the value of {name} holds a NUL character, which no environment can carry")
    if len(value) > MAX_VALUE_CHARS:
        raise EnvError(f"the value of {name} is longer than {MAX_VALUE_CHARS:,} characters")
    if len(name) + len(value.encode("utf-8", "surrogatepass")) + 2 > _MAX_VARIABLE_BYTES:
        raise EnvError(
            f"{name}={{value}} is over {_MAX_VARIABLE_BYTES // 1024} KiB in UTF-8, "
            "more than one variable can carry (the kernel refuses to start the app)"
        )
    return value


def parse_assignment(text: str) -> tuple[str, str]:
    """``KEY=VALUE`` as given on the command line (the value taken as is)."""
    name, equals, value = text.partition("=")
    if not equals:
        raise EnvError(f"expected KEY=VALUE, got {text[:60]!r}")
    return check_name(name.strip()), check_value(name.strip(), value)


def _protected(text: str) -> tuple[str, str | None]:
    """``text`` with ``\r\n`` as ``\n`` and each lone ``\r`` (which python-dotenv would take for a line
    end, making a second variable) replaced by a character the text does not hold; and that character."""
    text = text.replace("\r\n", "\n")
    if "\r" not in text:
        return text, None
    mark = next(chr(c) for c in range(0xE000, 0xF900) if chr(c) not in text)  # 6,400 candidates, 256 KiB of text
    return text.replace("\r", mark), mark


def _expanded(name: str, value: str, known: dict[str, str]) -> str:
    """``${NAME}`` and ``${NAME:-default}`` in ``value`` (python-dotenv's syntax), from ``known``; sized
    before it is built, so a line of a thousand ``${BIG}`` is refused, not made."""
    from dotenv.variables import Variable, parse_variables

    parts = [
        known.get(atom.name, atom.default or "") if isinstance(atom, Variable) else atom.resolve({})
        for atom in parse_variables(value)
    ]
    if sum(len(part) for part in parts) > MAX_VALUE_CHARS:
        raise EnvError(f"the value of {name} is longer than {MAX_VALUE_CHARS:,} characters once ${{…}} is expanded")
    return "".join(parts)


def parse_dotenv(text: str, environ: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """The assignments of a dotenv file, in order (a later one wins when the app reads them), read by
    python-dotenv's own parser as ``flask run`` reads ``.env``, with ``${NAME}`` expanded from the
    file's earlier variables, else from ``environ`` (the caller's: an app's allow-listed shell variables)."""
    from dotenv.parser import parse_stream

    text, mark = _protected(text)
    known = dict(environ or {})
    found: list[tuple[str, str]] = []
    for binding in parse_stream(io.StringIO(text)):
        line = binding.original.line
        if binding.error:
            raise EnvError(f"line {line}: {_why(binding.original.string)}")
        if binding.key is None:
            continue  # a comment or a blank line
        if binding.value is None:
            raise EnvError(f"line {line}: expected KEY=VALUE")
        try:
            name = check_name(binding.key)
        except EnvError as exc:
            raise EnvError(f"line {line}: {exc}") from None
        value = binding.value if mark is None else binding.value.replace(mark, "\r")
        check_value(name, value)
        value = check_value(name, _expanded(name, value, known))
        known[name] = value
        found.append((name, value))
        if len(found) > MAX_VARIABLES:
            raise EnvError(f"more than {MAX_VARIABLES:,} variables")
    return found


def _why(line: str) -> str:
    """Why python-dotenv could not read a line (it says only that it could not)."""
    value = line.partition("=")[2].lstrip()
    if value.startswith("'"):
        return "a single quote is never closed"
    if value.startswith('"'):
        return "a double quote is never closed"
    return "expected KEY=VALUE"
