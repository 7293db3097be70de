"""The posts: list, read one, write one (logged in)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from blog.deps import Database, User

router = APIRouter(prefix="/posts", tags=["posts"])

QUERY = "SELECT post.id, title, body, username AS author FROM post JOIN user ON user.id = author_id"


class PostIn(BaseModel):
    title: str
    body: str = ""


@router.get("")
def index(db: Database) -> dict[str, list[dict[str, object]]]:
    return {"posts": [dict(row) for row in db.execute(QUERY + " ORDER BY post.id").fetchall()]}


@router.get("/{post_id}")
def get_post(post_id: int, db: Database) -> dict[str, object]:
    row = db.execute(QUERY + " WHERE post.id = ?", (post_id,)).fetchone()
    if row is None:
        return JSONResponse({"error": "post not found"}, 404)  # type: ignore[return-value]
    return dict(row)


@router.post("", status_code=201)
def create(body: PostIn, db: Database, user: User) -> dict[str, object]:
    title = body.title.strip()
    if not title:
        return JSONResponse({"error": "title is required"}, 400)  # type: ignore[return-value]
    cursor = db.execute("INSERT INTO post (author_id, title, body) VALUES (?, ?, ?)", (user["id"], title, body.body))
    db.commit()
    return {"id": cursor.lastrowid, "title": title, "body": body.body, "author": user["username"]}
