"""A class set on one widget, restyling that widget alone.

Textual restyles a widget and every widget inside it when one of its classes changes, as a rule on the
class may style a descendant. The classes set here style the widget they are on and nothing inside it
(an answer panel's border, whether it shows), so restyling its subtree was pure cost: about 12 ms per
answer panel (36 widgets) each time one was shown, hidden or got the keyboard.
"""

from __future__ import annotations

from textual.dom import DOMNode

__all__ = ["set_own_class"]


def set_own_class(node: DOMNode, add: bool, name: str) -> None:
    """Add or remove ``name`` on ``node``; only ``node`` is restyled, and only when the class changed.

    For a class no stylesheet rule uses to style a descendant (``.x .y``, ``.x > .y``): those would go stale.
    """
    if node.has_class(name) == add:
        return
    node.set_class(add, name, update=False)
    if node.is_attached:
        node.app.stylesheet.update_nodes([node], animate=True)
