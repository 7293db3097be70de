"""The progress table of ``explorer routes --progress``: how far the port has come, route by route."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from explorer.apps.progress import Progress, RouteProgress
from explorer.cli.render import shown, whole_cells

__all__ = ["progress_view"]

_STYLES = {"match": "green", "declared": "cyan", "differs": "red", "error": "red", "untested": "dim"}


def _row(route: RouteProgress, pattern: str) -> list[Text]:
    counts = Text(f"{route.in_file:,} / {route.in_run:,}", style="" if route.exercised else "dim")
    return [shown(route.method), shown(pattern), counts, Text(route.result, style=_STYLES.get(route.result, ""))]


def progress_view(state: Progress) -> RenderableType:
    """The Flask app's routes (with their FastAPI counterpart), the totals, and the routes only FastAPI has."""
    table = Table("method", "Flask route", "FastAPI route", "file / run", "result", title="How far the port has come")
    for route in state.routes:
        cells = _row(route, route.flask)
        fastapi = shown(route.fastapi) if route.ported else Text("not ported", style="yellow")
        table.add_row(cells[0], cells[1], fastapi, *cells[2:])
    parts: list[RenderableType] = [whole_cells(table, [0]), Text(state.summary(), style="bold")]
    if state.only_fastapi:
        extra = Table("method", "FastAPI route", "file / run", "result", title="Only in FastAPI")
        for route in state.only_fastapi:
            extra.add_row(*_row(route, route.fastapi))
        parts.append(whole_cells(extra, [0]))
    if state.unmatched:
        listed = ", ".join(f"{e.method} {e.path}" for e in state.unmatched[:10])
        more = f" and {len(state.unmatched) - 10} more" if len(state.unmatched) > 10 else ""
        parts.append(shown(f"{len(state.unmatched)} request(s) matched no route of either app: {listed}{more}"))
    return Group(*parts)
