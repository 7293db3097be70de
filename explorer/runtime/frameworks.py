"""The two frameworks the explorer compares: their keys, in the order every view shows them, and their names.

The one definition of the pair: every layer above (the client, the apps, parity, the lab, the panels)
says ``FRAMEWORKS`` and ``display_name`` rather than spelling the pair out. The child processes
(:mod:`explorer.runtime.child`) keep their own literal: they import the standard library only.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["FRAMEWORKS", "NAMES", "display_name"]

FRAMEWORKS: tuple[str, str] = ("flask", "fastapi")
NAMES: Mapping[str, str] = MappingProxyType({"flask": "Flask", "fastapi": "FastAPI"})


def display_name(framework: str) -> str:
    """``Flask`` for ``flask``; a key the explorer does not know is shown as given."""
    return NAMES.get(framework, framework)
