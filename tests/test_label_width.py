"""The sample list's label widths (``panels.typeahead.TypeAheadTree.get_label_width``) measured without drawing.

Textual measures each entry's label every time the tree is filled or filtered, by drawing it; the list
measures the labels it does not cut from their text (issue 24: the first paint). The width must be the
one drawn, whatever the list's width: a wrong one would give the list a horizontal scrollbar or cut a line.
"""

from __future__ import annotations

from typing import Any

import pytest
from rich.text import Text
from textual.widgets import Tree

from explorer.tui.app import ExplorerApp
from panels.typeahead import TypeAheadTree
from tests.apptools import without_servers


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_each_label_is_measured_as_drawn_and_only_a_cut_one_is_drawn_to_measure_it(
    size: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    without_servers(monkeypatch)
    drawn: list[object] = []
    textual_render = TypeAheadTree.render_label

    def counting(self: TypeAheadTree[object], node: object, *args: object) -> object:
        drawn.append(node)
        return textual_render(self, node, *args)  # type: ignore[arg-type]  # node is a TreeNode here

    app = ExplorerApp(mask=True)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        tree: TypeAheadTree[object] = app.query_one("#sample-tree", TypeAheadTree)
        nodes = [node for group in tree.root.children for node in (group, *group.children)]
        assert len(nodes) > 100
        monkeypatch.setattr(TypeAheadTree, "render_label", counting)
        widths = [tree.get_label_width(node) for node in nodes]
        measured_by_drawing = len(drawn)
        assert widths == [Tree.get_label_width(tree, node) for node in nodes]  # Textual's measure: draws each
        # only the labels too long for the list are drawn to be measured (Textual drew them all): at 160x48 few are
        assert measured_by_drawing < (len(nodes) if size[0] < 100 else len(nodes) // 2)


async def test_a_label_of_one_line_is_kept_as_given_and_one_of_two_lines_is_cut_to_its_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Tree splits every label it is given into a new Text for its first line; the sample list's are one line each,
    and its ~110 splits at each fill were ~0.4% of the instructions to the first frame (issue 24: the first paint)."""
    without_servers(monkeypatch)
    splits: list[Text] = []
    rich_split = Text.split

    def counting(self: Text, *args: Any, **kwargs: Any) -> Any:
        splits.append(self)
        return rich_split(self, *args, **kwargs)

    app = ExplorerApp(mask=True)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        tree: TypeAheadTree[object] = app.query_one("#sample-tree", TypeAheadTree)
        monkeypatch.setattr(Text, "split", counting)
        await pilot.press("r", "o")  # a refill, as at the start
        await pilot.pause()
        labels = {node.label.plain for group in tree.root.children for node in (group, *group.children)}
        assert len(labels) > 10 and not [text for text in splits if text.plain in labels]  # the filter box splits too
        title = Text("first\nsecond", style="bold")
        node = tree.root.add_leaf(title)
        label = node.label
        assert isinstance(label, Text) and label.plain == "first" and label.style == "bold"  # Tree's first line
        assert title.plain == "first\nsecond"  # the label given is not changed
        one = Text("one line")
        assert tree.root.add_leaf(one).label is one
