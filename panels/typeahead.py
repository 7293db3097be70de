"""A tree that is filtered by typing: printable keys go to its filter box, never to the app's letter keys.

The catalog (and the route picker) is where the keyboard starts. Had its letters reached the app,
typing "extract" to find a sample would have exported the session, restarted the servers and
opened two screens. Here every printable key typed on the list, space and ``/`` included, is posted
as :class:`TypeAheadTree.Typed` for its container to append to the filter box, and
:meth:`check_consume_key` tells Textual so: the app's one-letter bindings are then neither run nor
shown in the footer while the list has focus. The focus stays on the list, so the arrows and Enter
keep working on the filtered result; Escape clears the filter, or, once it is empty, leaves the list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar, TypeVar

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.widgets import Input, Tree
from textual.widgets.tree import TreeNode

from panels.fields import leave_now, run_in_turn
from panels.steady_tree import SteadyTree

__all__ = ["TypeAheadTree", "apply_typed", "first_leaf", "put_cursor"]

T = TypeVar("T")


class TypeAheadTree(SteadyTree[T]):
    """A Tree whose printable keys and Backspace edit a filter held by its container.

    | Key | Action |
    | --- | --- |
    | letters, digits, space | type into the filter |
    | backspace | delete the filter's last character |
    | escape | clear the filter; when it is empty, leave the list |
    | enter | pick the highlighted entry |
    | ctrl+j | the same (an Enter typed before the app had the terminal arrives as one) |
    """

    # Labels are cut to the width (:meth:`render_label`), so the list never scrolls sideways. Textual's ``auto``
    # also showed a horizontal scroll bar in the first frame: the labels were measured before the list had a width
    # (uncut, wider than it), so the first layout kept a row for that bar and the vertical one a row short; the
    # next frame, 150-300 ms later, had the list's last row and its bar as they stay.
    DEFAULT_CSS = """
    TypeAheadTree { overflow-x: hidden; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "clear_filter", "Clear filter", id="list.clear_filter"),
        # run as Escape arrives at the app, not after the keys it has read since (a priority binding): see leave_now
        Binding("escape", "leave", "Leave list", id="list.leave", priority=True),
        # Enter pressed while the app starts reaches it as ctrl+j: the terminal, not yet in raw mode, made it a newline
        Binding("ctrl+j", "select_cursor", "Pick", show=False),
    ]

    class Typed(Message):
        """Text typed on the list for the container's filter box: ``None`` is Backspace, ``""`` clears it."""

        def __init__(self, tree: TypeAheadTree[Any], text: str | None) -> None:
            super().__init__()
            self.tree = tree
            self.text = text

        @property
        def control(self) -> TypeAheadTree[Any]:
            return self.tree

    filter_text = ""  # what the container's filter holds, kept here so Escape knows what it does
    _refilling = False

    @contextmanager
    def refilling(self) -> Iterator[None]:
        """Clear and fill the tree inside this: its lines are dropped once, at the end, not at every node added.

        Textual drops the tree's cached lines and asks for a layout of it for each node added (each request also
        clears its containers' arrangements): the catalog's ~110 entries made ~110 of each at every fill, the first
        frame's and each filter key's (issue 24: the first paint). Lines read meanwhile are built from the nodes
        added so far, as before."""
        self._refilling = True
        try:
            yield
        finally:
            self._refilling = False
            self._invalidate()

    def _invalidate(self) -> None:
        if self._refilling:
            self._tree_lines_cached = None  # what reading the lines during a fill needs; the rest once it ends
            return
        super()._invalidate()

    def process_label(self, label: str | Text) -> Text:
        """The label's first line, as Tree's; a Text of one line is used as it is, where Tree split each into a new
        one (the catalog's ~110 entries at every fill, the first frame's included: issue 24, the first paint). Tree
        copies a label before it styles it, so the one given is never changed."""
        if isinstance(label, Text) and "\n" not in label.plain:
            return label
        return super().process_label(label)

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return character is not None and character.isprintable()

    def render_label(self, node: TreeNode[T], base_style: Style, style: Style) -> Text:
        """The label, cut with "…" where the list is too narrow for it (the preview below shows it whole).

        Room is kept for a vertical scrollbar whether or not one shows: a label that fits only
        without it would lose its end, unmarked, when the list grows long enough to scroll.
        """
        label = super().render_label(node, base_style, style)
        room = self._room(node)
        if room > 1 and label.cell_len > room:
            label.truncate(room, overflow="ellipsis")
        return label

    def get_label_width(self, node: TreeNode[T]) -> int:
        """The width :meth:`render_label` draws, measured without drawing the label where it is not cut.

        Textual measures every entry's label each time the tree is filled or filtered (the catalog has ~110
        entries), by drawing each one (issue 24: the first paint; and each key typed in the filter).
        """
        icon = (self.ICON_NODE_EXPANDED if node.is_expanded else self.ICON_NODE) if node.allow_expand else ""
        width = cell_len(icon) + cell_len(str(node.label))  # a label is Text, whose str is its plain text
        room = self._room(node)
        return super().get_label_width(node) if room > 1 and width > room else width

    def _room(self, node: TreeNode[T]) -> int:
        """The cells a label has at ``node``'s depth, with room kept for the scrollbar."""
        depth, parent = 0, node.parent
        while parent is not None and (parent is not self.root or self.show_root):
            depth, parent = depth + 1, parent.parent
        return self.size.width - self.styles.scrollbar_size_vertical - depth * self.guide_depth

    def validate_virtual_size(self, size: Size) -> Size:
        """The lines' count, not their width: every label is cut to the list's width (it never scrolls sideways),
        so the widest line changed with the list's width, and, found as the lines were drawn after a resize, asked
        for a second layout of the whole screen and a second frame, the same picture."""
        return Size(0, size.height)

    def notify_style_update(self) -> None:
        """A new style (the keyboard coming or going restyles the list) draws every line again, as Tree's does;
        Tree's also laid the whole screen out again, though no line's width nor their count depends on a style."""
        super(Tree, self).notify_style_update()  # the widget's own, not Tree's
        self._redraw_lines()

    def _redraw_lines(self) -> None:
        """Tree's ``_invalidate`` without its layout of the screen: the lines are built again as they are drawn
        (their virtual size, if it changes, asks for the layout)."""
        self._clear_line_cache()
        self._updates += 1
        self.root._reset()
        self.refresh()

    def watch_virtual_size(self) -> None:
        """The scroll bars as the new lines need them, before the layout the new size asks for: Textual decides
        them after a layout, from the size that layout gave, and the layout that does so lays out with the bars as
        they were, so a list refilled with more lines than it shows (a filter cleared) came without its scroll bar
        for a frame (and one emptied kept it, with the lines laid out around it).

        Filled before its first layout (the catalog, as the app starts), the tree has no size to decide by yet: with
        more lines than the terminal has rows, the vertical bar is sure, and set now; the first layout then places the
        lines beside it, where it found the bar after placing them and laid the whole screen out again (issue 24)."""
        if (
            not self.container_size
            and self.styles.overflow_y == "auto"
            and self.virtual_size.height > self.app.size.height
        ):
            self.show_vertical_scrollbar = True
            return
        self._refresh_scrollbars()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_filter":
            return bool(self.filter_text)
        if action == "leave":
            return not self.filter_text
        return True

    async def on_key(self, event: events.Key) -> None:
        """A printable key or Backspace goes to the filter; the tree's own keys (Enter, the arrows) run in turn
        with them: "Enter, 3" typed at once sent the filter's first match for "3", not the sample under the cursor."""
        if await run_in_turn(self, event):
            return
        if event.character is not None and event.character.isprintable():
            text: str | None = event.character
        elif event.key == "backspace":
            text = None
        else:
            return
        event.stop()
        event.prevent_default()
        self.post_message(self.Typed(self, text))

    def _on_paste(self, event: events.Paste) -> None:
        """A paste on the list goes to the filter as typed keys would (its first line, printable characters only);
        Tree has no use for a paste, so it was dropped without a word."""
        event.stop()
        lines = event.text.splitlines()
        text = "".join(c for c in lines[0] if c.isprintable()) if lines else ""
        if text:
            self.post_message(self.Typed(self, text))

    def action_clear_filter(self) -> None:
        self.post_message(self.Typed(self, ""))

    async def action_leave(self) -> None:
        await leave_now(self)

    def set_filter_text(self, text: str) -> None:
        """Called by the container whenever its filter changes (typed here or in the box).

        The footer is redrawn only when the filter goes from empty to not (Escape then changes
        meaning): redrawing it on every key made typing slow.
        """
        changed = bool(text) != bool(self.filter_text)
        self.filter_text = text
        if changed:
            self.refresh_bindings()


def first_leaf(tree: Tree[T]) -> TreeNode[T] | None:
    """The first entry that carries data (a sample, a route), below the group nodes."""
    for group in tree.root.children:
        for node in group.children or [group]:
            if node.data is not None:
                return node
    return None


def put_cursor(tree: Tree[T], node: TreeNode[T] | None, scroll: bool = False) -> None:
    """Move the cursor to ``node`` at once, even right after the tree was refilled.

    A node's line number is known only once the tree has laid out its lines, so ``move_cursor``
    just after a refill would put the cursor nowhere. These trees are groups of entries below a
    hidden root, so the line is counted here. ``scroll`` brings the line into view; without it
    nothing scrolls, which is what a tree that has no size yet needs (scrolling it then would
    hide the first group's title from the first frame).
    """
    line = 0
    for group in tree.root.children:
        if group is node:
            break
        line += 1
        entries = list(group.children) if group.is_expanded else []
        if node in entries:
            line += entries.index(node)
            break
        line += len(entries)
    else:
        return
    if scroll:
        tree.move_cursor_to_line(line)
    else:
        tree.cursor_line = line


def apply_typed(box: Input, typed: TypeAheadTree.Typed, fill: Callable[[str], None]) -> None:
    """Edit the filter box as :class:`TypeAheadTree.Typed` says (append, delete the last character, or clear) and
    ``fill`` the list for it at once, in the same message: filled on the box's ``Changed``, a message later, a frame
    could show the new box over the old rows (Escape at 160x48: the empty box over the filtered rows for ~100 ms,
    under load). That ``Changed`` then finds the tree's ``filter_text`` already its value: nothing to fill."""
    text = typed.text
    box.value = "" if text == "" else box.value[:-1] if text is None else box.value + text
    box.cursor_position = len(box.value)
    if box.value != typed.tree.filter_text:
        fill(box.value)
