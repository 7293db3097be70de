"""The Headers tab at the widths an answer panel has: nothing cut silently, values given the panel's room.

An audit at 80x24 and 160x48 found the request line cut to ``GET /items/1?q=`` (reads as an empty query) and
values squeezed into ~14 columns beside the longest name, broken inside words (``Content-Langua`` / ``ge``).
"""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from explorer.runtime.http.exchange import Exchange, SentRequest
from explorer.runtime.http.request import RequestSpec
from panels.header_table import headers_table

pytestmark = pytest.mark.serverless

PATH = "/items/1?q=a-rather-long-query-value"
SENT = (("host", "127.0.0.1:37271"), ("accept", "*/*"), ("user-agent", "flask-fastapi-explorer"))
ANSWERED = (
    ("Server", "Werkzeug/3.1.9 Python/3.11.7"),
    ("Content-Language", "en"),
    ("Access-Control-Allow-Credentials", "true"),
    ("Content-Security-Policy", "default-src 'self'; script-src 'self' 'unsafe-inline'; img-src 'self' data:"),
)


def _exchange(path: str = PATH) -> Exchange:
    sent = SentRequest("GET", f"http://127.0.0.1:1{path}", SENT, b"")
    spec = RequestSpec("GET", path)
    return Exchange("flask", spec, request=sent, status=200, reason="OK", http_version="HTTP/1.1", headers=ANSWERED)


def _lines(width: int, path: str = PATH) -> list[str]:
    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    console.print(headers_table(_exchange(path)))
    return [line.rstrip() for line in console.export_text().splitlines()]


@pytest.mark.parametrize("width", [30, 46, 48, 76])
def test_the_request_line_is_shown_whole_at_every_width(width: int) -> None:
    """Wrapped if it must be, never cut: joined back, the lines hold the whole method and path."""
    text = "".join(line.strip() for line in _lines(width))
    assert f"GET{PATH}" in text.replace(" ", ""), _lines(width)
    assert max(len(line) for line in _lines(width)) <= width


@pytest.mark.parametrize("width", [46, 48, 76])
def test_values_have_the_panels_room_and_break_between_words(width: int) -> None:
    """Beside a 32-character name the value column was ~14 wide; a short value now fits on the name's line or
    the next, whole: no value is broken inside a word that fits the panel."""
    lines = _lines(width)
    text = "\n".join(lines)
    for whole in ("127.0.0.1:37271", "Werkzeug/3.1.9", "Python/3.11.7", "Content-Language", "'unsafe-inline';"):
        assert whole in text, lines
    assert any(line.startswith("←  Access-Control-Allow-Credentials") for line in lines), lines
    assert any(line.startswith("←  Content-Language ") and line.endswith(" en") for line in lines), lines


def test_a_value_column_beside_short_names_starts_where_the_names_end() -> None:
    """With room for every name and a value beside it, the rows are a table: values start in one column."""
    lines = _lines(120)
    rows = [next(line for line in lines if line.startswith(f"←  {name} ")) for name, _ in ANSWERED]
    assert len({row.rindex(value) for row, (_, value) in zip(rows, ANSWERED, strict=True)}) == 1, rows
