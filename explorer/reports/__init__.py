"""Reports as Markdown and JSON: one generic shape, and the session and parity reports built on it.

Built on the runtime and the content. Public face (imported on first use):

- :class:`Report`, :class:`Section`, :class:`Table`, :func:`exchange_block` (``base``): the shape.
- :func:`parity_report` (``parity``), :func:`session_report`, :class:`SessionLog`,
  :func:`export_session` (``session``): the two concrete reports.
- :func:`load_report`, :func:`report_from_document`, :func:`register_converter` (``load``): a report
  rebuilt from a saved document, by its ``kind``.
"""

from __future__ import annotations

from explorer.runtime.faces import lazy_face

_WHERE = {
    "Report": "base",
    "ReportError": "base",
    "Section": "base",
    "Table": "base",
    "exchange_block": "base",
    "parity_report": "parity",
    "SessionLog": "session",
    "export_session": "session",
    "session_report": "session",
    "load_report": "load",
    "register_converter": "load",
    "report_from_document": "load",
}

__all__ = [
    "Report",
    "ReportError",
    "Section",
    "SessionLog",
    "Table",
    "exchange_block",
    "export_session",
    "load_report",
    "parity_report",
    "register_converter",
    "report_from_document",
    "session_report",
]

__getattr__, __dir__ = lazy_face(__name__, _WHERE, __all__)
