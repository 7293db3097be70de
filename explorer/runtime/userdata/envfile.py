"""Environment variables as data: ``KEY=VALUE`` from the command line and from dotenv files, checked and bounded.

The dotenv format is the common one (python-dotenv, docker compose): one ``KEY=VALUE`` per line
(a line ends at ``\\n`` or ``\\r\\n`` only: any other Unicode line break is part of the value),
an optional ``export`` before the key, ``#`` comments on their own line or after an unquoted value
(with a space before the ``#``), values in single quotes taken literally, values in double quotes with
``\\n``, ``\\t``, ``\\"`` and ``\\\\`` escapes and spanning lines if need be. ``${NAME}`` is not
expanded: what is written is what the app gets. A file is read by :func:`explorer.runtime.userdata.datafile.load_data_file`
(``fmt="dotenv"``), like every file a user hands over; a line that cannot be read is one error naming it.
"""

from __future__ import annotations

import re

from explorer.runtime.errors import ExplorerError

__all__ = [
    "MAX_VALUE_CHARS", "MAX_VARIABLES", "EnvError", "check_name", "check_value", "parse_assignment", "parse_dotenv",
    "split_lines",
]  # fmt: skip

MAX_VARIABLES = 1000
MAX_VALUE_CHARS = 32768
_MAX_VARIABLE_BYTES = 128 * 1024  # Linux's MAX_ARG_STRLEN: 'NAME=value' and its NUL; past it exec fails with E2BIG
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_LINE = re.compile(r"\s*(?:export\s+)?(?P<name>[^=\s]+)\s*=\s*(?P<rest>.*)", re.DOTALL)
_NEWLINE = re.compile(r"\r?\n")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "$": "$"}


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
        raise EnvError(f"{name}={{value}} is over {_MAX_VARIABLE_BYTES // 1024} KiB in UTF-8, "
                       "more than one variable can carry (the kernel refuses to start the app)")  # fmt: skip
    return value


def parse_assignment(text: str) -> tuple[str, str]:
    """``KEY=VALUE`` as given on the command line (the value taken as is)."""
    name, equals, value = text.partition("=")
    if not equals:
        raise EnvError(f"expected KEY=VALUE, got {text[:60]!r}")
    return check_name(name.strip()), check_value(name.strip(), value)


def _double_quoted(rest: str, lines: list[str], index: int) -> tuple[str, int]:
    """A double-quoted value starting after the quote, maybe over several lines; (value, next line index)."""
    out: list[str] = []
    text, i = rest, 0
    while True:
        while i < len(text):
            char = text[i]
            if char == "\\" and i + 1 < len(text):
                out.append(_ESCAPES.get(text[i + 1], "\\" + text[i + 1]))
                i += 2
                continue
            if char == '"':
                tail = text[i + 1 :].strip()
                if tail and not tail.startswith("#"):
                    raise EnvError(f"line {index + 1}: unexpected text after the closing quote")
                return "".join(out), index + 1
            out.append(char)
            i += 1
        index += 1
        if index >= len(lines):
            raise EnvError("a double quote is never closed")
        out.append("\n")
        text, i = lines[index], 0


def parse_dotenv(text: str) -> list[tuple[str, str]]:
    """The assignments of a dotenv file, in order (a later one wins when the app reads them)."""
    lines = split_lines(text)
    found: list[tuple[str, str]] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            index += 1
            continue
        match = _LINE.fullmatch(line)
        if match is None:
            raise EnvError(f"line {index + 1}: expected KEY=VALUE")
        try:
            name = check_name(match["name"])
        except EnvError as exc:
            raise EnvError(f"line {index + 1}: {exc}") from None
        rest = match["rest"]
        if rest.startswith('"'):
            value, index = _double_quoted(rest[1:], lines, index)
        elif rest.startswith("'"):
            end = rest.find("'", 1)
            if end < 0:
                raise EnvError(f"line {index + 1}: a single quote is never closed")
            value, index = rest[1:end], index + 1
        else:
            value, index = re.split(r"\s+#", rest, maxsplit=1)[0].strip(), index + 1
        found.append((name, check_value(name, value)))
        if len(found) > MAX_VARIABLES:
            raise EnvError(f"more than {MAX_VARIABLES:,} variables")
    return found
