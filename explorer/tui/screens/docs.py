"""The docs screen (``d``) and its fetch: FastAPI's ``/openapi.json`` and what Flask answers for ``/docs``.

The screen is pushed only once both answers are in, so it never shows half-filled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from explorer.runtime.http.request import RequestSpec
from explorer.runtime.session import Session
from panels.docs_screen import DocsScreen

if TYPE_CHECKING:
    from explorer.apps.openapi import OperationOutline

__all__ = ["fetch_docs"]


async def fetch_docs(session: Session) -> DocsScreen:
    """The docs screen, once FastAPI's ``/openapi.json`` and Flask's answer to ``/docs`` are in."""
    from explorer.apps.openapi import outline_skipped

    operations: list[OperationOutline] = []
    fastapi_note, flask_answer = "FastAPI is not running.", "Flask is not running."
    if "fastapi" in session.frameworks:
        schema = await session.send_one("fastapi", RequestSpec("GET", "/openapi.json"))
        operations, skipped = outline_skipped(schema.json)
        unused = f" {len(skipped)} part(s) could not be used, first {skipped[0]}." if skipped else ""
        fastapi_note = (
            f"GET /openapi.json → {schema.status} {schema.reason}: {len(operations)} operations.{unused} "
            "Press o to open the interactive /docs page in your browser."
            if schema.status
            else f"GET /openapi.json failed: {schema.error}"
        )
    if "flask" in session.frameworks:
        docs = await session.send_one("flask", RequestSpec("GET", "/docs"))
        flask_answer = (
            f"GET /docs → {docs.status} {docs.reason} ({docs.content_type})"
            if docs.status
            else f"GET /docs failed: {docs.error}"
        )
    return DocsScreen(operations, fastapi_note, flask_answer)
