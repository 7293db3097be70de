"""Register, log in (a bearer token, and the session cookie Flask apps usually keep), and who am I."""

import functools
import secrets

from flask import Blueprint, g, request, session

from .db import get_db, hash_password

bp = Blueprint("auth", __name__, url_prefix="/auth")


def login_required(view):
    """The user behind ``Authorization: Bearer TOKEN``, in ``g.user``; 401 without a valid token."""

    @functools.wraps(view)
    def wrapped(**kwargs):
        header = request.headers.get("Authorization", "")
        token = header[7:] if header.startswith("Bearer ") else ""
        row = (
            get_db()
            .execute(
                "SELECT user.id, username FROM token JOIN user ON user.id = token.user_id WHERE token = ?", (token,)
            )
            .fetchone()
        )
        if row is None:
            return {"error": "authentication required"}, 401
        g.user = row
        return view(**kwargs)

    return wrapped


def _credentials():
    data = request.get_json(silent=True) or {}
    return str(data.get("username") or "").strip(), str(data.get("password") or "")


@bp.post("/register")
def register():
    username, password = _credentials()
    if not username or not password:
        return {"error": "username and password are required"}, 400
    db = get_db()
    if db.execute("SELECT 1 FROM user WHERE username = ?", (username,)).fetchone():
        return {"error": f"user {username} is already registered"}, 409
    cursor = db.execute("INSERT INTO user (username, password) VALUES (?, ?)", (username, hash_password(password)))
    db.commit()
    return {"id": cursor.lastrowid, "username": username}, 201


# A wrong password is valid JSON that the handler refuses with a 400 of its own.
@bp.post("/login")
def login():
    username, password = _credentials()
    user = get_db().execute("SELECT id, password FROM user WHERE username = ?", (username,)).fetchone()
    if user is None or user["password"] != hash_password(password):
        return {"error": "incorrect username or password"}, 400
    token = secrets.token_hex(16)
    get_db().execute("INSERT INTO token (token, user_id) VALUES (?, ?)", (token, user["id"]))
    get_db().commit()
    session["user_id"] = user["id"]
    return {"token": token}


@bp.get("/me")
@login_required
def me():
    return {"id": g.user["id"], "username": g.user["username"]}
