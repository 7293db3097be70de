"""The sample catalog, grouped by topic and filtered as the user types."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static, Tree
from textual.widgets.tree import TreeNode

from explorer.content.catalog import TOPICS, Sample, matching
from panels.fields import Field, Left
from panels.fitted import FittedText
from panels.typeahead import TypeAheadTree, apply_typed, first_leaf, put_cursor

__all__ = ["SampleBrowser"]


class SampleBrowser(Vertical):
    """A filter box over a tree of samples. Enter (or a click) on a sample posts :class:`Chosen`.

    Typing on the list goes to the filter (see :mod:`panels.typeahead`); after every change of the
    filter the cursor is put on the first match (when the filter is cleared, it stays on the sample it
    was on) and the preview below describes the entry under the cursor, so what Enter sends is always
    what the preview shows.
    """

    ALLOW_MAXIMIZE = True  # z zooms it

    HELP = (
        "The sample catalog. Type to filter it (the letters go to the filter box, not to the app's keys); "
        "up and down move, Enter loads the sample into the editor, sends it and moves the keyboard to the answers, "
        "where the one-letter keys work (Escape comes back here). Escape clears the filter, then leaves the list "
        "for the answers."
    )

    class Chosen(Message):
        """The user picked a sample to load and send."""

        def __init__(self, sample: Sample) -> None:
            super().__init__()
            self.sample = sample

    def compose(self) -> ComposeResult:
        yield Field(placeholder="Type to filter samples…", id="sample-filter", compact=True)
        # the root's label as Text: a str is read as markup, and Rich then loads its emoji table (~3 ms of the start)
        tree: TypeAheadTree[Sample | None] = TypeAheadTree(Text("Samples"), id="sample-tree")
        tree.show_root = False
        tree.guide_depth = 2
        yield tree
        yield FittedText(
            id="sample-claim", whole_if_it_fits=True
        )  # a claim longer than the room left ends in a visible ellipsis

    def on_mount(self) -> None:
        self._shown: list[Sample] | None = None
        self._previewed: Sample | bool | None = False  # nothing drawn yet
        self._fill("")

    def _fill(self, text: str) -> None:
        """Show the samples that match ``text``, best first, with the cursor on the best one.

        Each key typed calls this, so it does only what changed: the tree is rebuilt only when the
        matches (or their order) differ from what it shows, and the preview is drawn only when the
        sample under the cursor changes. Typing a long title once cost a full rebuild per key.
        """
        tree: TypeAheadTree[Sample | None] = self.query_one("#sample-tree", TypeAheadTree)
        tree.set_filter_text(text)
        kept = tree.cursor_node.data if tree.cursor_node is not None and not text else None
        found = matching(text)
        if found != self._shown:
            self._shown = found
            self._rebuild(tree, found)
        if kept is not None and (node := self._node(kept.id)) is not None:
            # the filter cleared (Escape): the cursor stays on the sample it was on, the one just sent, not the first
            put_cursor(tree, node, scroll=True)
            self._show_preview(kept)
            return
        leaf = first_leaf(tree)
        if tree.cursor_node is not leaf:
            put_cursor(tree, leaf)
        self._show_preview(leaf.data if leaf is not None else None)

    def _rebuild(self, tree: TypeAheadTree[Sample | None], found: list[Sample]) -> None:
        """Groups in the order of their best match (the catalog's order when nothing is typed)."""
        groups: dict[str, list[Sample]] = {}
        for sample in found:
            groups.setdefault(sample.topic, []).append(sample)
        with tree.refilling():
            tree.clear()
            for topic, group in groups.items():
                node = tree.root.add(Text(TOPICS[topic], style="bold"), data=None, expand=True)
                for sample in group:
                    node.add_leaf(Text(sample.title), data=sample)
            if not found:
                tree.root.add_leaf(Text("No sample matches.", style="italic"), data=None)
        tree.scroll_home(animate=False)  # the first match is near the top: so is the view, its group's title included

    @on(Input.Changed, "#sample-filter")
    def _filter(self, event: Input.Changed) -> None:
        if event.value != self.query_one("#sample-tree", TypeAheadTree).filter_text:  # typed in the box, not the list
            self._fill(event.value)

    @on(TypeAheadTree.Typed, "#sample-tree")
    def _typed(self, event: TypeAheadTree.Typed) -> None:
        event.stop()
        apply_typed(self.query_one("#sample-filter", Field), event, self._fill)

    @on(Left, "#sample-filter")
    def _to_tree(self, event: Message) -> None:
        event.stop()
        self.screen.set_focus(self.query_one("#sample-tree", Tree))  # now: Escape runs as it arrives (leave_now)

    @on(Input.Submitted, "#sample-filter")
    def _submitted(self, event: Input.Submitted) -> None:
        """Enter in the filter box sends the match under the cursor, as Enter on the list does (not just moves there)."""
        event.stop()
        tree: Tree[Sample | None] = self.query_one("#sample-tree", Tree)
        tree.focus()
        node = tree.cursor_node
        if node is not None and node.data is not None:
            self.post_message(self.Chosen(node.data))

    @on(Tree.NodeHighlighted, "#sample-tree")
    def _preview(self, event: Tree.NodeHighlighted[Sample | None]) -> None:
        """The cursor moved: the preview follows, unless it has moved again since (the tree posts this note, which
        comes round after the keys read meanwhile: a filter typed at once refilled the list, and put its cursor on
        the first match, once a letter; an earlier note then named a sample the cursor had left)."""
        if event.node is event.control.cursor_node:
            self._show_preview(event.node.data)

    def _show_preview(self, sample: Sample | None) -> None:
        if sample is self._previewed:
            return
        self._previewed = sample
        claim = self.query_one("#sample-claim", Static)
        if sample is None:
            claim.update("")
        else:
            line = "" if sample.request.line in sample.title else f"\n{sample.request.line}"
            claim.update(Text.assemble((sample.title + line, "bold"), "\n", sample.claim))

    @on(Tree.NodeSelected, "#sample-tree")
    def _choose(self, event: Tree.NodeSelected[Sample | None]) -> None:
        if event.node.data is not None:
            self._show_preview(event.node.data)
            self.post_message(self.Chosen(event.node.data))

    def select(self, sample_id: str) -> None:
        """Move the cursor to a sample (used when another screen asks for one), clearing a filter that hides it."""
        if self._node(sample_id) is None and self.query_one("#sample-filter", Field).value:
            self.query_one("#sample-filter", Field).value = ""
            self._fill("")
        node = self._node(sample_id)
        if node is not None:
            put_cursor(self.query_one("#sample-tree", TypeAheadTree), node, scroll=True)
            self._show_preview(node.data)

    def _node(self, sample_id: str) -> TreeNode[Sample | None] | None:
        tree: TypeAheadTree[Sample | None] = self.query_one("#sample-tree", TypeAheadTree)
        for group in tree.root.children:
            for node in group.children or [group]:
                if node.data is not None and node.data.id == sample_id:
                    return node
        return None
