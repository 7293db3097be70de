"""Reports as Markdown and JSON: one generic shape, and the session and parity reports built on it.

Built on the runtime and the content. Public face (imported on first use):

- :class:`Report`, :class:`Section`, :class:`Table`, :func:`exchange_block` (``base``): the shape.
- :func:`parity_report` (``parity``), :func:`session_report`, :class:`SessionLog`,
  :func:`export_session` (``session``): the two concrete reports.
- :func:`load_report`, :func:`report_from_document`, :func:`register_converter` (``load``): a report
  rebuilt from a saved document, by its ``kind``.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "Report": "base", "ReportError": "base", "Section": "base", "Table": "base", "exchange_block": "base",
    "parity_report": "parity",
    "SessionLog": "session", "export_session": "session", "session_report": "session",
    "load_report": "load", "register_converter": "load", "report_from_document": "load",
}  # fmt: skip

__all__ = [
    "Report", "ReportError", "Section", "SessionLog", "Table", "exchange_block", "export_session", "load_report",
    "parity_report", "register_converter", "report_from_document", "session_report",
]  # fmt: skip


def __getattr__(name: str) -> Any:
    """Import the module that holds ``name`` on first use, so importing the package costs nothing."""
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)


def __dir__() -> list[str]:
    return sorted(__all__)
