"""How the two answers of one send differ, at a glance: the main view's differences line and the session log.

Four aspects, each one :class:`~explorer.parity.differences.Difference` (the class parity's reports
use) holding both values as the user reads them: status, content type, body (with where it differs,
from :mod:`explorer.parity.bodydiff`) and the fields the validation errors name. Parity's own
comparison (:mod:`explorer.parity.compare`) goes further for a requests file: headers, every body
path, ignore rules and declared differences.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from explorer.parity.bodydiff import body_detail
from explorer.parity.differences import Difference

if TYPE_CHECKING:
    from explorer.runtime.http.client import Exchange

__all__ = ["differences"]


def differences(left: Exchange, right: Exchange) -> list[Difference]:
    """Status, content type, body and validation: what differs between two answers to one request.

    ``left`` is Flask's answer and ``right`` FastAPI's, in the order every view shows the pair; each
    difference's :meth:`~Difference.shown` is its line. An answer against an error is an ``error``
    (shown as ``outcome``); two errors are not compared.
    """
    found: list[Difference] = []
    if left.error or right.error:
        if (left.error is None) != (right.error is None):
            found.append(Difference("error", "", left.error or "answered", right.error or "answered"))
        return found
    if left.status != right.status:
        found.append(Difference("status", "", f"{left.status} {left.reason}", f"{right.status} {right.reason}"))
    if left.content_type != right.content_type:
        found.append(Difference("content-type", "", left.content_type or "(none)", right.content_type or "(none)"))
    same_json = left.json is not None and left.json == right.json
    if not same_json and left.body != right.body:
        sizes = f"{left.size:,} bytes", f"{right.size:,} bytes"
        found.append(Difference("body", "", *sizes, body_detail(left, right)))
    left_locs = sorted(i.location for i in left.validation)
    right_locs = sorted(i.location for i in right.validation)
    if left_locs != right_locs:
        found.append(Difference("validation", "", ", ".join(left_locs) or "none", ", ".join(right_locs) or "none"))
    return found
