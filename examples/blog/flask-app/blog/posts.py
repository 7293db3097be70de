"""The posts: list, read one, write one (logged in)."""

from flask import Blueprint, g, request

from .auth import login_required
from .db import get_db

bp = Blueprint("posts", __name__, url_prefix="/posts")

QUERY = "SELECT post.id, title, body, username AS author FROM post JOIN user ON user.id = author_id"


@bp.get("")
def index():
    rows = get_db().execute(QUERY + " ORDER BY post.id").fetchall()
    return {"posts": [dict(row) for row in rows]}


@bp.get("/<int:post_id>")
def get_post(post_id):
    row = get_db().execute(QUERY + " WHERE post.id = ?", (post_id,)).fetchone()
    if row is None:
        return {"error": "post not found"}, 404
    return dict(row)


@bp.post("")
@login_required
def create():
    data = request.get_json(silent=True) or {}
    title, body = str(data.get("title") or "").strip(), str(data.get("body") or "")
    if not title:
        return {"error": "title is required"}, 400
    db = get_db()
    cursor = db.execute("INSERT INTO post (author_id, title, body) VALUES (?, ?, ?)", (g.user["id"], title, body))
    db.commit()
    return {"id": cursor.lastrowid, "title": title, "body": body, "author": g.user["username"]}, 201
