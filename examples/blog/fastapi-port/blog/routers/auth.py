"""Register, log in (a bearer token) and who am I."""

from __future__ import annotations

import secrets

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from blog.db import hash_password
from blog.deps import Database, User

router = APIRouter(prefix="/auth", tags=["auth"])


class Credentials(BaseModel):
    username: str
    password: str


@router.post("/register", status_code=201)
def register(body: Credentials, db: Database) -> dict[str, object]:
    username = body.username.strip()
    if not username or not body.password:
        return JSONResponse({"error": "username and password are required"}, 400)  # type: ignore[return-value]
    if db.execute("SELECT 1 FROM user WHERE username = ?", (username,)).fetchone():
        return JSONResponse({"error": f"user {username} is already registered"}, 409)  # type: ignore[return-value]
    cursor = db.execute("INSERT INTO user (username, password) VALUES (?, ?)", (username, hash_password(body.password)))
    db.commit()
    return {"id": cursor.lastrowid, "username": username}


# A wrong password is valid JSON that the handler refuses with a 400 of its own, as the Flask app does.
@router.post("/login")
def login(body: Credentials, db: Database) -> dict[str, str]:
    user = db.execute("SELECT id, password FROM user WHERE username = ?", (body.username.strip(),)).fetchone()
    if user is None or user["password"] != hash_password(body.password):
        return JSONResponse({"error": "incorrect username or password"}, 400)  # type: ignore[return-value]
    token = secrets.token_hex(16)
    db.execute("INSERT INTO token (token, user_id) VALUES (?, ?)", (token, user["id"]))
    db.commit()
    return {"token": token}


@router.get("/me")
def me(user: User) -> dict[str, object]:
    return {"id": user["id"], "username": user["username"]}
