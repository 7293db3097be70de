"""The sample catalog, grouped by topic and filtered as the user types."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static, Tree

from explorer.content.catalog import TOPICS, Sample, matching


class SampleBrowser(Vertical):
    """A filter box over a tree of samples. Enter (or a click) on a sample posts :class:`Chosen`."""

    class Chosen(Message):
        """The user picked a sample to load and send."""

        def __init__(self, sample: Sample) -> None:
            super().__init__()
            self.sample = sample

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Filter samples…", id="sample-filter")
        tree: Tree[Sample | None] = Tree("Samples", id="sample-tree")
        tree.show_root = False
        tree.guide_depth = 2
        yield tree
        yield Static("", id="sample-claim")

    def on_mount(self) -> None:
        self._fill("")

    def _fill(self, text: str) -> None:
        tree: Tree[Sample | None] = self.query_one("#sample-tree", Tree)
        tree.clear()
        found = matching(text)
        for topic, title in TOPICS.items():
            group = [s for s in found if s.topic == topic]
            if not group:
                continue
            node = tree.root.add(Text(title, style="bold"), data=None, expand=True)
            for sample in group:
                node.add_leaf(Text(sample.title), data=sample)
        if not found:
            tree.root.add_leaf(Text("No sample matches.", style="italic"), data=None)

    @on(Input.Changed, "#sample-filter")
    def _filter(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#sample-filter")
    def _to_tree(self) -> None:
        tree = self.query_one("#sample-tree", Tree)
        tree.focus()
        tree.move_cursor(next((n for n in _leaves(tree) if n.data is not None), None))

    @on(Tree.NodeHighlighted, "#sample-tree")
    def _preview(self, event: Tree.NodeHighlighted[Sample | None]) -> None:
        sample = event.node.data
        claim = self.query_one("#sample-claim", Static)
        if sample is None:
            claim.update("")
        else:
            claim.update(Text.assemble((sample.request.line, "bold"), "\n", sample.claim))

    @on(Tree.NodeSelected, "#sample-tree")
    def _choose(self, event: Tree.NodeSelected[Sample | None]) -> None:
        if event.node.data is not None:
            self.post_message(self.Chosen(event.node.data))

    def select(self, sample_id: str) -> None:
        """Move the cursor to a sample (used when another screen asks for one)."""
        tree = self.query_one("#sample-tree", Tree)
        for node in _leaves(tree):
            if node.data is not None and node.data.id == sample_id:
                tree.move_cursor(node)


def _leaves(tree: Tree[Sample | None]) -> list:  # type: ignore[type-arg]
    return [leaf for group in tree.root.children for leaf in (group.children or [group])]
