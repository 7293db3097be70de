"""Validation errors from either framework in one shape: where, what, and what kind.

FastAPI answers 422 with ``{"detail": [{"loc": [...], "msg": ..., "type": ...}]}``; the Flask demo's
hand-written checks answer 400 with ``{"errors": [{"field", "message", "type"}]}``, and its marshmallow
route with ``{"errors": {"field": ["message"]}}``. :func:`normalise` accepts any JSON value at all and
returns a list, never raising, so a hostile body cannot break the panel that shows it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

MAX_ISSUES = 200
_MAX_TEXT = 500


@dataclass(frozen=True)
class ValidationIssue:
    """One rejected input: ``location`` is dotted, e.g. ``path.item_id`` or ``body.tags.0``."""

    location: str
    message: str
    type: str

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


def _text(value: Any) -> str:
    try:
        text = value if isinstance(value, str) else str(value)
    except Exception:  # noqa: BLE001 - a hostile __str__ must not escape
        text = "?"
    return text[:_MAX_TEXT]


def _dotted(parts: Any) -> str:
    if isinstance(parts, (list, tuple)):
        return ".".join(_text(p) for p in parts[:20])
    return _text(parts)


def _from_fastapi(detail: list[Any]) -> list[ValidationIssue]:
    issues = []
    for entry in detail[:MAX_ISSUES]:
        if isinstance(entry, dict) and "msg" in entry:
            issues.append(
                ValidationIssue(_dotted(entry.get("loc", ())), _text(entry["msg"]), _text(entry.get("type", "")))
            )
    return issues


def _from_flask_list(errors: list[Any]) -> list[ValidationIssue]:
    issues = []
    for entry in errors[:MAX_ISSUES]:
        if isinstance(entry, dict) and "message" in entry:
            field = _text(entry.get("field", ""))
            location = f"body.{field}" if field else "body"
            issues.append(ValidationIssue(location, _text(entry["message"]), _text(entry.get("type", ""))))
    return issues


def _from_marshmallow(errors: dict[Any, Any], prefix: str = "body", depth: int = 0) -> list[ValidationIssue]:
    issues: list[ValidationIssue] = []
    for key, value in list(errors.items())[:MAX_ISSUES]:
        location = f"{prefix}.{_text(key)}"
        if isinstance(value, dict) and depth < 10:
            issues += _from_marshmallow(value, location, depth + 1)
        elif isinstance(value, list):
            issues += [
                ValidationIssue(location, _text(msg), "marshmallow")
                for msg in value[:MAX_ISSUES]
                if isinstance(msg, str)
            ]
        elif isinstance(value, str):
            issues.append(ValidationIssue(location, value[:_MAX_TEXT], "marshmallow"))
    return issues[:MAX_ISSUES]


def normalise(body: Any) -> list[ValidationIssue]:
    """The validation errors in a parsed JSON body, or ``[]`` when it holds none we recognise."""
    if not isinstance(body, dict):
        return []
    detail = body.get("detail")
    if isinstance(detail, list):
        return _from_fastapi(detail)
    errors = body.get("errors")
    if isinstance(errors, list):
        return _from_flask_list(errors)
    if isinstance(errors, dict):
        return _from_marshmallow(errors)
    return []
