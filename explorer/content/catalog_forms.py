"""Samples of what a browser sends: forms, file uploads, session cookies and bearer tokens.

The cookies and the token below are made with the demos' own secret (``demos/data.py``). The
cookies are signed when the catalog loads, as each framework signs them: both demos keep their
framework's default session age (Flask 31 days, Starlette 14), which a cookie signed once and
stored here would outlive. The token is deterministic; ``tests/test_topics.py`` checks it.
"""

from __future__ import annotations

from demos.data import SECRET_KEY
from explorer.content.cookie_format import flask_session, starlette_session
from explorer.content.sample import Expect, Sample, both, each, get, multipart, post, urlencoded

__all__ = ["FLASK_COOKIE", "FORM_SAMPLES", "STARLETTE_COOKIE", "TOKEN"]

# {"user": "ada"} signed as Flask (itsdangerous, salt "cookie-session") and Starlette's SessionMiddleware sign it
FLASK_COOKIE = f"session={flask_session({'user': 'ada'}, SECRET_KEY)}"
STARLETTE_COOKIE = f"session={starlette_session({'user': 'ada'}, SECRET_KEY)}"
FORGED_COOKIE = "session=eyJ1c2VyIjoiYWRtaW4ifQ.awr4jQ.forged-signature"  # {"user":"admin"}, not signed
TOKEN = "ada.ce157e53e5a0612da8ee0eb05b03fe7f"
HTML = "text/html"
JSON = "application/json"
_CONTACT = {"name": "Ada", "message": "Hello"}
_HELLO = ("file", "hello.txt", "text/plain", "Hello, upload!")  # no newline inside: the editor would make it CRLF
_LOGIN = {"username": "ada", "password": "lovelace"}
_WRONG = {"username": "ada", "password": "wrong"}
_BEARER = "Bearer"

FORM_SAMPLES: tuple[Sample, ...] = (
    # Forms and file uploads
    Sample(
        "form-page",
        "forms",
        "An HTML form page",
        get("/forms/contact"),
        "Both render the same form from a Jinja2 template; a browser will post it urlencoded to the route below.",
        both(200, content_type=HTML, contains='<form method="post" action="/forms/contact">'),
    ),
    Sample(
        "form-urlencoded",
        "forms",
        "Post the form, urlencoded",
        urlencoded("/forms/contact", _CONTACT),
        "request.form and Form() read the same fields; FastAPI's Form() needs python-multipart and refuses to import without it.",
        both(200, content_type=JSON, json=_CONTACT),
    ),
    Sample(
        "form-multipart",
        "forms",
        "The same form as multipart/form-data",
        multipart("/forms/contact", _CONTACT),
        "Neither handler changes for multipart: request.form and Form() parse both encodings.",
        both(200, json=_CONTACT),
    ),
    Sample(
        "form-missing",
        "forms",
        "A form with a field missing",
        urlencoded("/forms/contact", {"name": "Ada"}),
        "request.form['message'] raises a KeyError that Flask answers with an HTML 400; FastAPI's 422 names body.message.",
        each(Expect(400, content_type=HTML, contains="Bad Request"), Expect(422, ("body.message",), JSON)),
    ),
    Sample(
        "form-as-json",
        "forms",
        "JSON sent to a form route",
        post("/forms/contact", _CONTACT),
        "A form route does not read JSON: request.form is empty (HTML 400), and Form() reports each field missing (422).",
        each(Expect(400, content_type=HTML), Expect(422, ("body.name", "body.message"), JSON)),
    ),
    Sample(
        "upload",
        "forms",
        "Upload a text file",
        multipart("/upload", {}, (_HELLO,)),
        "request.files['file'] and an UploadFile parameter get the same part: its name, type and 14 bytes.",
        both(
            200, json={"filename": "hello.txt", "content_type": "text/plain", "size": 14, "sha256": "138b909e032ef720"}
        ),
    ),
    Sample(
        "upload-missing",
        "forms",
        "An upload without its file",
        multipart("/upload", {"note": "no file here"}),
        "No file part: Flask's request.files raises a KeyError answered as an HTML 400; FastAPI's 422 names body.file.",
        each(Expect(400, content_type=HTML), Expect(422, ("body.file",), JSON)),
    ),
    # Sessions and cookies
    Sample(
        "session-login",
        "sessions",
        "Log in: the session cookie is set",
        urlencoded("/session/login", _LOGIN),
        'Both set a signed cookie called session holding {"user": "ada"}; the signatures, the JSON inside and the flags differ.',
        each(
            Expect(
                200,
                json={"logged_in": "ada"},
                headers=(("set-cookie", r"session=eyJ1c2VyIjoiYWRhIn0\.[\w-]+\.[\w-]+; HttpOnly; Path=/"),),
            ),
            Expect(
                200,
                json={"logged_in": "ada"},
                headers=(
                    (
                        "set-cookie",
                        r"session=eyJ1c2VyIjogImFkYSJ9\.[\w-]+\.[\w-]+; path=/; Max-Age=1209600; httponly; samesite=lax",
                    ),
                ),
            ),
        ),
    ),
    Sample(
        "session-wrong",
        "sessions",
        "Log in with a wrong password",
        urlencoded("/session/login", _WRONG),
        "A failed login answers 401 and puts nothing in the session; each says why in its own error shape.",
        each(
            Expect(401, json={"error": "wrong user name or password"}),
            Expect(401, json={"detail": "Wrong user name or password"}),
        ),
    ),
    Sample(
        "session-flask-cookie",
        "sessions",
        "Flask's session cookie, sent to both",
        get("/session/me", (("Cookie", FLASK_COOKIE),)),
        "Same name, same secret key, different signing: Starlette cannot verify Flask's cookie and sees no session (401).",
        each(Expect(200, json={"user": "ada"}), Expect(401, json={"detail": "Not logged in"})),
    ),
    Sample(
        "session-starlette-cookie",
        "sessions",
        "Starlette's session cookie, sent to both",
        get("/session/me", (("Cookie", STARLETTE_COOKIE),)),
        "The other way round: Flask cannot verify Starlette's cookie either, so a session never carries across a port.",
        each(Expect(401, json={"error": "not logged in"}), Expect(200, json={"user": "ada"})),
    ),
    Sample(
        "session-forged",
        "sessions",
        "A session cookie edited by the client",
        get("/session/me", (("Cookie", FORGED_COOKIE),)),
        "The cookie is base64 JSON anyone can read, but its signature stops edits: a forged user is refused by both.",
        both(401, content_type=JSON),
    ),
    # Authentication
    Sample(
        "auth-no-token",
        "auth",
        "A protected route without a token",
        get("/auth/me"),
        "Both answer 401 with WWW-Authenticate: Bearer; FastAPI's OAuth2PasswordBearer does it by itself, Flask's decorator by hand.",
        each(
            Expect(401, json={"error": "not authenticated"}, headers=(("www-authenticate", _BEARER),)),
            Expect(401, json={"detail": "Not authenticated"}, headers=(("www-authenticate", _BEARER),)),
        ),
        since="FastAPI 0.122",
    ),
    Sample(
        "auth-token",
        "auth",
        "Get a token: the OAuth2 password flow",
        urlencoded("/auth/token", _LOGIN),
        "Form fields in, a bearer token out; FastAPI reads them with OAuth2PasswordRequestForm, which also feeds /docs' Authorize.",
        both(200, json={"access_token": TOKEN, "token_type": "bearer"}),
    ),
    Sample(
        "auth-with-token",
        "auth",
        "The protected route with the token",
        get("/auth/me", (("Authorization", f"Bearer {TOKEN}"),)),
        "With a valid token both run the handler: FastAPI injects the user with Depends, Flask's decorator puts it on g.",
        both(200, json={"username": "ada", "full_name": "Ada Lovelace"}),
    ),
    Sample(
        "auth-bad-token",
        "auth",
        "A forged token",
        get("/auth/me", (("Authorization", "Bearer ada.00000000"),)),
        "A token whose signature does not check out: 401 and WWW-Authenticate from both.",
        both(401, headers=(("www-authenticate", _BEARER),)),
    ),
    Sample(
        "auth-wrong-password",
        "auth",
        "Ask for a token with a wrong password",
        urlencoded("/auth/token", _WRONG),
        "The token endpoint answers 400, as OAuth2 asks for a bad grant; only the error bodies differ.",
        each(
            Expect(400, json={"error": "invalid_grant"}), Expect(400, json={"detail": "Incorrect username or password"})
        ),
    ),
)
