"""Reports rebuilt from documents: a saved report, or any document kind a converter is registered for.

The generic shape (:mod:`explorer.reports.base`) knows no concrete report; this module is where the
concrete ones (parity, session) are looked up by the ``kind`` of a document, so the shape stays
below them and nothing imports in a circle.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from explorer.reports.base import Report, ReportError
from explorer.runtime.userdata.datafile import DataFileError, FileLimits, load_data_file

__all__ = ["REPORT_LIMITS", "Converter", "load_report", "register_converter", "report_from_document"]

Converter = Callable[[dict[str, Any]], Report]
_CONVERTERS: dict[str, Callable[[], Converter]] = {}


def register_converter(kind: str, load: Callable[[], Converter]) -> None:
    """Teach :func:`report_from_document` a document ``kind`` (``load`` is called lazily)."""
    _CONVERTERS[kind] = load


def _parity_converter() -> Converter:
    from explorer.reports.parity import parity_report

    return parity_report


register_converter("parity", _parity_converter)


def _session_converter() -> Converter:
    from explorer.reports.session import session_report

    return session_report


register_converter("session", _session_converter)


def report_from_document(document: Any) -> Report:
    """A report from a saved report, or from any document kind a converter is registered for."""
    if not isinstance(document, dict):
        raise ReportError("expected a JSON object")
    kind = document.get("kind")
    if kind == "report":
        return Report.from_dict(document)
    if kind in _CONVERTERS:
        return _CONVERTERS[kind]()(document)
    known = ", ".join(["report", *_CONVERTERS])
    raise ReportError(f"unknown document kind {str(kind)[:40]!r}; expected one of: {known}")


# A saved run holds every answer (each up to 16 MiB) twice; its answers may hold lone surrogates.
REPORT_LIMITS = FileLimits(64 * 1024 * 1024, surrogates=True)


def load_report(path: str | Path) -> Report:
    """Read a JSON file written by ``--report`` or ``--json`` and make it a :class:`Report`.

    Through the same loader as every user file (a regular file of at most 64 MiB, UTF-8, 600 levels):
    a pipe, a device or a file built to hurt is one line, never a hang.
    """
    path = Path(path)
    try:
        document = load_data_file(path, REPORT_LIMITS, "json")
    except DataFileError as exc:
        raise ReportError(str(exc)) from None
    try:
        return report_from_document(document)
    except ReportError as exc:
        raise ReportError(f"{path.name}: {exc}") from None
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ReportError(f"{path.name}: not a report this version can read ({type(exc).__name__}: {exc})") from None
