"""API docs (``d``): FastAPI's generated schema as an outline, and what Flask answers instead.

:func:`fetch_docs` asks FastAPI for ``/openapi.json`` and Flask for ``/docs`` and only then builds the
screen, so it never shows half-filled; :class:`DocsScreen` draws what it is handed. The outline is a
tree that scrolls itself (its note sits above it, outside the scroll), so the arrows, Home, End and the
page keys move its cursor and the view follows, and it opens at its first line.

The app keeps the screen while the same server processes answer (:func:`served`): FastAPI builds its schema
once per process, so ``d`` then shows the kept screen (reset to its first line, every operation unfolded)
instead of fetching and building it again, about half of what the key cost.
"""

from __future__ import annotations

import asyncio

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Static, Tree

from explorer.apps.openapi import OperationOutline, outline_skipped
from explorer.runtime.http.request import RequestSpec
from explorer.runtime.session import Session
from panels.footer import FittedFooter
from panels.kept import left
from panels.steady_tree import SteadyTree

__all__ = ["DocsScreen", "fetch_docs", "served"]

FLASK_DOCS_NOTE = (
    "Flask publishes no API description of its own. To get OpenAPI and a docs page, a Flask project adds an "
    "extension and describes its schemas to it, for example:\n"
    "  • flask-smorest: marshmallow schemas, OpenAPI 3, Swagger UI / ReDoc\n"
    "  • APIFlask: a Flask wrapper with schemas and generated docs\n"
    "  • flasgger or spectree: docs from docstrings or Pydantic models\n"
    "With FastAPI the schema is a by-product of the type hints already in the code."
)


class DocsScreen(Screen[None]):
    """Draws an operations outline and Flask's answer, both fetched before it opens (:func:`fetch_docs`)."""

    AUTO_FOCUS = "#openapi-tree"  # on_mount's pick: Textual focused another first (a restyle)
    HELP_TITLE = "API docs"
    HELP = (
        "FastAPI's generated OpenAPI schema as an outline (every operation, its parameters, body fields and "
        "responses), next to what Flask answers for /docs. Up and down move through the outline (Home and End to its "
        "ends, page up and page down by a screen, space folds an operation). o opens FastAPI's interactive /docs "
        "page in a browser when one can be started from here, and otherwise copies its URL."
    )
    BINDINGS = [
        Binding("escape,d", "dismiss(None)", "Back", id="docs.back"),
        # Its own action name: the main view's open_docs is offered on the main view only.
        Binding("o", "app.open_docs_page", "Open /docs", id="docs.open"),
    ]

    def __init__(
        self, operations: list[OperationOutline] | None = None, fastapi_note: str = "", flask_answer: str = ""
    ) -> None:
        """Without ``operations`` it is built empty, ahead (:mod:`explorer.tui.ahead`): :meth:`fill` fills it with
        what the servers answer as ``d`` first opens it (no request is sent before the user asks)."""
        super().__init__()
        self.operations = operations or []
        self.fastapi_note = fastapi_note
        self.flask_answer = flask_answer
        self.filled = operations is not None
        self.fetched_from: tuple[object, ...] = ()  # served() as its fetches began, had they all answered
        self._left = False  # set as it is suspended: left (a new opening follows), not covered by the help

    def compose(self) -> ComposeResult:
        with Horizontal(id="docs"):
            with Vertical(id="docs-fastapi", classes="docs-side"):
                yield Static(Text(self.fastapi_note), id="docs-note")
                tree: Tree[None] = SteadyTree("/openapi.json", id="openapi-tree")
                self._outline(tree)
                tree.root.expand()
                yield tree
            with VerticalScroll(id="docs-flask", classes="docs-side"):
                yield Static(Text(self.flask_answer, style="bold"), id="docs-flask-answer")
                yield Static(Text(FLASK_DOCS_NOTE))
        yield FittedFooter()  # Textual's Footer while its keys fit; each key composed without a restyle

    def _outline(self, tree: Tree[None]) -> None:
        for op in self.operations:
            node = tree.root.add(
                Text.assemble((f"{op.method:7}", "bold"), op.path, (f"  {op.summary}", "dim")), expand=True
            )
            for param in op.parameters:
                node.add_leaf(Text(f"param {param}"))
            for field in op.body:
                node.add_leaf(Text(f"body  {field}"))
            if op.responses:
                node.add_leaf(Text(f"responses {', '.join(op.responses)}", style="dim"))

    def fill(self, operations: list[OperationOutline], fastapi_note: str, flask_answer: str) -> None:
        """A screen built empty ahead, filled as it is first opened: drawn as one built with these."""
        self.operations, self.fastapi_note, self.flask_answer, self.filled = (
            operations,
            fastapi_note,
            flask_answer,
            True,
        )
        self.query_one("#docs-note", Static).update(Text(fastapi_note))
        self._outline(self.query_one("#openapi-tree", Tree))
        self.query_one("#docs-flask-answer", Static).update(Text(flask_answer, style="bold"))

    def on_mount(self) -> None:
        self.query_one("#docs-fastapi").border_title = "FastAPI: generated from type hints"
        self.query_one("#docs-flask").border_title = "Flask"
        self.query_one("#openapi-tree", Tree).focus()

    def on_screen_resume(self) -> None:
        """Shown again (the app keeps this screen): at the outline's first line, every operation unfolded, as new."""
        if not self._left:
            return  # its first showing (on_mount did this), or the help over it closed
        self._left = False
        tree: Tree[None] = self.query_one("#openapi-tree", Tree)
        for node in (tree.root, *tree.root.children):
            if not node.is_expanded and node.allow_expand:
                node.expand()
        tree.move_cursor_to_line(0)
        tree.scroll_home(animate=False)
        self.query_one("#docs-flask", VerticalScroll).scroll_home(animate=False)
        tree.focus()

    def on_screen_suspend(self) -> None:
        self._left = left(self)


def served(session: Session) -> tuple[object, ...]:
    """Which process answers for each framework: a docs screen whose fetches all answered from the same ones is
    still what they would answer (FastAPI builds its schema once per process; Flask's answer is its own)."""
    return tuple((fw, s.status.pid, s.status.port) for fw, s in session.supervisor.servers.items())


async def fetch_docs(session: Session, into: DocsScreen | None = None) -> DocsScreen:
    """The docs screen, once FastAPI's ``/openapi.json`` and Flask's answer to ``/docs`` are in: ``into`` (one
    built empty ahead) filled with them, or a new one built with them. The two requests are in flight together:
    asked one after the other, Flask's waited for FastAPI's first schema build, and the key for both."""
    fetched_from = served(session)
    operations: list[OperationOutline] = []
    fastapi_note, flask_answer = "FastAPI is not running.", "Flask is not running."
    asked = [fw for fw in ("fastapi", "flask") if fw in session.frameworks]
    paths = {"fastapi": "/openapi.json", "flask": "/docs"}
    sent = await asyncio.gather(*(session.send_one(fw, RequestSpec("GET", paths[fw])) for fw in asked))
    answers = dict(zip(asked, sent, strict=True))
    schema, docs = answers.get("fastapi"), answers.get("flask")
    if schema is not None:
        operations, skipped = outline_skipped(schema.json)
        unused = f" {len(skipped)} part(s) could not be used, first {skipped[0]}." if skipped else ""
        fastapi_note = (
            f"GET /openapi.json → {schema.status} {schema.reason}: {len(operations)} operations.{unused} "
            "Press o to open the interactive /docs page in your browser."
            if schema.status
            else f"GET /openapi.json failed: {schema.error}"
        )
    if docs is not None:
        flask_answer = (
            f"GET /docs → {docs.status} {docs.reason} ({docs.content_type})"
            if docs.status
            else f"GET /docs failed: {docs.error}"
        )
    answered = all(answer.status for answer in answers.values())
    if into is not None:
        into.fill(operations, fastapi_note, flask_answer)
    screen = into or DocsScreen(operations, fastapi_note, flask_answer)
    screen.fetched_from = fetched_from if answered else ()  # one that did not answer is asked again next time
    return screen
