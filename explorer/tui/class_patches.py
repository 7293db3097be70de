"""Textual's widget classes made in less work: each base's share of a new class's attributes found once (issue 24).

Every subclass of Textual's ``DOMNode`` (each widget, screen and container type, Textual's own and the explorer's)
runs ``DOMNode.__init_subclass__`` as it is defined, which looks through every class it inherits from: each one's
attributes for reactives, and ``dir()`` of the new class (~700 names, built and sorted) for compute methods. That was
~1.6 M machine instructions a class, ~80 classes before the first frame (docs/how-it-works.md, "The first paint").
Here each base's own reactives and compute names are found once and kept (checked against the size of its
``__dict__``, so a class given more attributes later is looked through again), and a new class's are merged from
them in the same order: ``_reactives`` and ``_computes`` hold what Textual's own code gives them, and the rest of
Textual's method is as it was. Installed before any widget class is defined (:mod:`explorer.tui`'s ``__init__``).
"""

from __future__ import annotations

from typing import Any
from weakref import WeakKeyDictionary

from textual.dom import DOMNode
from textual.reactive import Reactive

__all__ = ["install"]

_COMPUTE_PREFIXES = ("_compute_", "compute_")
_own: WeakKeyDictionary[type, tuple[int, dict[str, Reactive[Any]], frozenset[str]]] = WeakKeyDictionary()


def _own_parts(base: type) -> tuple[dict[str, Reactive[Any]], frozenset[str]]:
    """The reactives ``base`` defines itself, and the names of its compute methods as ``_computes`` holds them."""
    attributes = base.__dict__
    kept = _own.get(base)
    if kept is not None and kept[0] == len(attributes):
        return kept[1], kept[2]
    reactives = {name: value for name, value in attributes.items() if isinstance(value, Reactive)}
    computes = frozenset(name.lstrip("_")[8:] for name in attributes if name.startswith(_COMPUTE_PREFIXES))
    _own[base] = (len(attributes), reactives, computes)
    return reactives, computes


def _init_subclass(
    cls: type[DOMNode],
    inherit_css: bool = True,
    inherit_bindings: bool = True,
    inherit_component_classes: bool = True,
) -> None:
    """Textual 8.2.8's ``DOMNode.__init_subclass__`` with each base's reactives and computes found once."""
    super(DOMNode, cls).__init_subclass__()
    reactives: dict[str, Reactive[Any]] = {}
    computes: set[str] = set()
    for base in reversed(cls.__mro__):  # as Textual's: the nearest class's reactive wins
        own_reactives, own_computes = _own_parts(base)
        reactives.update(own_reactives)
        computes.update(own_computes)
    cls._reactives = reactives
    cls._inherit_css = inherit_css
    cls._inherit_bindings = inherit_bindings
    cls._inherit_component_classes = inherit_component_classes
    bases = cls._css_bases(cls)
    cls._css_type_name = bases[0].__name__
    cls._merged_bindings = cls._merge_bindings()
    cls._css_type_names = frozenset(base.__name__ for base in bases)
    cls._computes = frozenset(computes)  # dir(cls): the names of every class cls inherits from, its own included
    kept = _own.get(cls)
    if kept is not None:  # the attributes set above are neither: its own parts are as they were
        _own[cls] = (len(cls.__dict__), kept[1], kept[2])


def install() -> None:
    """From now on, each new DOMNode subclass is set up by :func:`_init_subclass` (once per process)."""
    patched: Any = classmethod(_init_subclass)
    DOMNode.__init_subclass__ = patched  # type: ignore[method-assign]  # Textual's own, replaced
