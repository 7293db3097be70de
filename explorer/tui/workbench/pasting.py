"""A pasted URL or curl command for one of the explorer's servers becomes the request in the editor.

A plain function rather than a part of the widget: the workbench calls it from two places (a paste into the
path field, and a send whose path is a pasted URL), and it needs only the editor and the servers' addresses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from explorer.runtime.session import Session
    from panels.editor import RequestEditor

__all__ = ["import_pasted"]


def import_pasted(editor: RequestEditor, session: Session, text: str) -> bool:
    """Load ``text`` into ``editor`` when it names one of ``session``'s servers; anything else is refused, and
    the editor says why. Returns whether the request was loaded."""
    from explorer.runtime.errors import ExplorerError
    from explorer.runtime.http.pasted import read_pasted

    bases = [url for s in session.supervisor if (url := s.status.base_url)]
    try:
        pasted = read_pasted(text, bases)
    except ExplorerError as exc:
        editor.show_message(f"Not imported: {exc}", error=True)
        return False
    editor.load(pasted.spec)
    editor.show_message(pasted.note)
    return True
