"""Flask: what a browser sends. Forms, a file upload, the session cookie and a bearer token.

A blueprint the app registers; its routes carry their full paths, so each reads as it is served.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, g, render_template, request, session
from flask.typing import ResponseReturnValue

from demos.data import check_password, issue_token, user_for_token

bp = Blueprint("forms", __name__)


@bp.get("/forms/contact")
def contact_page() -> ResponseReturnValue:
    return render_template("contact.html", framework="Flask")


# request.form holds urlencoded and multipart fields alike; a missing key answers 400 by itself.
@bp.post("/forms/contact")
def contact_submit() -> ResponseReturnValue:
    return {"name": request.form["name"], "message": request.form["message"]}


# request.files holds the file parts of a multipart body, each a FileStorage.
@bp.post("/upload")
def upload() -> ResponseReturnValue:
    file = request.files["file"]
    data = file.read()
    digest = hashlib.sha256(data).hexdigest()[:16]
    return {"filename": file.filename, "content_type": file.content_type, "size": len(data), "sha256": digest}


# The session is built in: a cookie signed with app.secret_key, readable by the client, not forgeable.
@bp.post("/session/login")
def login() -> ResponseReturnValue:
    user = check_password(request.form.get("username", ""), request.form.get("password", ""))
    if user is None:
        return {"error": "wrong user name or password"}, 401
    session["user"] = user["username"]
    return {"logged_in": user["username"]}


@bp.get("/session/me")
def session_me() -> ResponseReturnValue:
    if "user" not in session:
        return {"error": "not logged in"}, 401
    return {"user": session["user"]}


@bp.post("/session/logout")
def logout() -> ResponseReturnValue:
    session.pop("user", None)
    return {"logged_in": None}


def token_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Flask has no security layer: a decorator reads the Authorization header and answers 401 itself."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        user = user_for_token(token) if scheme.lower() == "bearer" else None
        if user is None:
            return {"error": "not authenticated"}, 401, {"WWW-Authenticate": "Bearer"}
        g.user = user
        return view(*args, **kwargs)

    return guarded


@bp.post("/auth/token")
def token() -> ResponseReturnValue:
    user = check_password(request.form.get("username", ""), request.form.get("password", ""))
    if user is None:
        return {"error": "invalid_grant"}, 400
    return {"access_token": issue_token(user["username"]), "token_type": "bearer"}


@bp.get("/auth/me")
@token_required
def auth_me() -> ResponseReturnValue:
    return {"username": g.user["username"], "full_name": g.user["full_name"]}
