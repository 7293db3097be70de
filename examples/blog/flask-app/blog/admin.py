"""Admin endpoints behind an ``X-API-Key`` header (``BLOG_ADMIN_KEY``)."""

import os

from flask import Blueprint, current_app, request

from .db import get_db

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def check_key():
    key = current_app.config["ADMIN_KEY"]
    if not key or request.headers.get("X-API-Key") != key:
        return {"error": "a valid X-API-Key header is required"}, 403
    return None


@bp.get("/stats")
def stats():
    db = get_db()
    return {name: db.execute(f"SELECT COUNT(*) FROM {name}").fetchone()[0] for name in ("user", "post")}


@bp.post("/backup")
def backup():
    folder = os.environ.get("BLOG_BACKUP_DIR")
    if not folder:  # an unfinished feature: the traceback shows under the 500 in `explorer send`
        raise RuntimeError("backups are not configured: set BLOG_BACKUP_DIR")
    return {"written": folder}
