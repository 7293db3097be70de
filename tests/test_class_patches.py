"""Textual's widget classes set up in less work (:mod:`explorer.tui.class_patches`, issue 24: the first paint).

Each class's reactives and compute names must be what Textual's own ``DOMNode.__init_subclass__`` gives it: here
they are found again as Textual finds them (every base's attributes, ``dir()``) for every widget, screen and app
class the app and the panels define, and for classes that override, mix and add to their bases' reactives.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from textual.dom import DOMNode
from textual.reactive import Reactive, reactive
from textual.widget import Widget

import explorer.tui.app  # noqa: F401 - the app's classes, made with the patch in place
import panels
from explorer.tui import class_patches


def textuals_own(cls: type[DOMNode]) -> tuple[list[tuple[str, Any]], frozenset[str]]:
    """``_reactives`` and ``_computes`` as Textual 8.2.8's ``DOMNode.__init_subclass__`` computes them."""
    reactives: dict[str, Any] = {}
    for base in reversed(cls.__mro__):
        reactives.update({name: value for name, value in base.__dict__.items() if isinstance(value, Reactive)})
    computes = frozenset(name.lstrip("_")[8:] for name in dir(cls) if name.startswith(("_compute_", "compute_")))
    return list(reactives.items()), computes


def every_subclass(cls: type[DOMNode]) -> list[type[DOMNode]]:
    found: list[type[DOMNode]] = []
    sub: type[DOMNode]
    for sub in cls.__subclasses__():
        found += [sub, *every_subclass(sub)]
    return found


def test_the_patch_is_installed_with_the_app() -> None:
    assert DOMNode.__dict__["__init_subclass__"].__func__ is class_patches._init_subclass


def test_every_class_of_the_app_is_as_textual_makes_it() -> None:
    for module in pkgutil.walk_packages(panels.__path__, "panels."):
        importlib.import_module(module.name)
    classes = every_subclass(DOMNode)
    assert len(classes) > 80
    for cls in classes:
        assert (list(cls._reactives.items()), cls._computes) == textuals_own(cls), cls


def test_overrides_mixins_and_later_attributes() -> None:
    class Base(Widget):
        count = reactive(0)
        label = reactive("")

        def compute_label(self) -> str:
            return str(self.count)

    class Mixin:
        shown = reactive(True)

        def _compute_total(self) -> int:
            return 1

    class Child(Mixin, Base):
        count = reactive(5)  # overrides Base's, in Base's place in the order
        total = reactive(0)

    assert (list(Child._reactives.items()), Child._computes) == textuals_own(Child)
    assert Child._reactives["count"] is Child.__dict__["count"]
    assert Child._computes >= {"label", "total"}

    Base.later = reactive(1)  # type: ignore[attr-defined]  # an attribute added after the class was made
    Base.compute_later = lambda self: 2  # type: ignore[attr-defined]  # likewise

    class Grandchild(Child):
        pass

    assert (list(Grandchild._reactives.items()), Grandchild._computes) == textuals_own(Grandchild)
    assert "later" in Grandchild._reactives and "later" in Grandchild._computes
