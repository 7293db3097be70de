"""The user's own routes, listed from FastAPI's OpenAPI schema and Flask's URL map, to pick from."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static, Tree

from explorer.runtime.userdata.bounded import printable
from panels.fields import Field, Left
from panels.typeahead import TypeAheadTree, apply_typed, first_leaf, put_cursor

if TYPE_CHECKING:
    from explorer.apps.routes import RouteRow

GROUPS = {("fastapi", "flask"): "In both apps", ("flask",): "Flask only", ("fastapi",): "FastAPI only"}


class RouteBrowser(Vertical):
    """A filter box over the routes of both apps. Enter on a route posts :class:`Chosen`.

    Typing on the list goes to the filter, as in the sample catalog (see :mod:`panels.typeahead`).
    """

    ALLOW_MAXIMIZE = True  # z zooms it

    HELP = (
        "Your apps' routes, read from FastAPI's OpenAPI schema and Flask's URL map, grouped by which app "
        "has them. Type to filter them; Enter puts the route's example request in the editor, sends it and moves the "
        "keyboard to the answers. "
        "Escape clears the filter, then leaves the list for the answers, where the one-letter keys work."
    )

    class Chosen(Message):
        """The user picked a route: load its example request and send it."""

        def __init__(self, row: RouteRow) -> None:
            super().__init__()
            self.row = row

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rows: list[RouteRow] = []
        self.note = "Listing routes once the servers are ready…"

    def compose(self) -> ComposeResult:
        yield Field(placeholder="Type to filter routes…", id="route-filter", compact=True)
        tree: TypeAheadTree[RouteRow | None] = TypeAheadTree(Text("Routes"), id="route-tree")
        tree.show_root = False
        yield tree
        yield Static(Text(self.note, style="italic"), id="route-note")

    def show_rows(self, rows: list[RouteRow], note: str) -> None:
        """Replace the listing (called by the app when the routes have been read)."""
        self.rows = rows
        self.query_one("#route-note", Static).update(Text(printable(note), style="italic"))
        self._fill(self.query_one("#route-filter", Input).value)

    def _fill(self, text: str) -> None:
        tree: TypeAheadTree[RouteRow | None] = self.query_one("#route-tree", TypeAheadTree)
        tree.set_filter_text(text)
        words = text.lower().split()
        shown = [r for r in self.rows if all(w in f"{r.method} {r.pattern}".lower() for w in words)]
        with tree.refilling():  # the tree's lines dropped once, not at every route added
            tree.clear()
            for key, title in GROUPS.items():
                group = [r for r in shown if tuple(sorted(r.frameworks)) == key]
                if group:
                    node = tree.root.add(Text(title, style="bold"), data=None, expand=True)
                    for row in group:
                        label = Text.assemble((printable(f"{row.method:7}"), "bold"), printable(row.pattern))
                        node.add_leaf(label, data=row)
        tree.scroll_home(animate=False)
        put_cursor(tree, first_leaf(tree))

    @on(Input.Changed, "#route-filter")
    def _filter(self, event: Input.Changed) -> None:
        if event.value != self.query_one("#route-tree", TypeAheadTree).filter_text:  # typed in the box, not the list
            self._fill(event.value)

    @on(TypeAheadTree.Typed, "#route-tree")
    def _typed(self, event: TypeAheadTree.Typed) -> None:
        event.stop()
        apply_typed(self.query_one("#route-filter", Field), event, self._fill)

    @on(Left, "#route-filter")
    def _to_tree(self, event: Message) -> None:
        event.stop()
        self.screen.set_focus(self.query_one("#route-tree", Tree))  # now: Escape runs as it arrives (leave_now)

    @on(Input.Submitted, "#route-filter")
    def _submitted(self, event: Input.Submitted) -> None:
        """Enter in the filter box sends the match under the cursor, as Enter on the list does (not just moves there)."""
        event.stop()
        tree: Tree[RouteRow | None] = self.query_one("#route-tree", Tree)
        tree.focus()
        node = tree.cursor_node
        if node is not None and node.data is not None:
            self.post_message(self.Chosen(node.data))

    @on(Tree.NodeSelected, "#route-tree")
    def _choose(self, event: Tree.NodeSelected[RouteRow | None]) -> None:
        if event.node.data is not None:
            self.post_message(self.Chosen(event.node.data))
