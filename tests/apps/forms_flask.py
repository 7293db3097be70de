"""Parity test app (Flask side): a form echo and a cookie login."""

from flask import Flask, request
from forms_common import describe

app = Flask(__name__)


@app.post("/form")
def form():  # type: ignore[no-untyped-def]
    return describe(request.content_type or "", request.get_data())


@app.post("/login")
def login():  # type: ignore[no-untyped-def]
    response = app.make_response({"ok": True})
    response.set_cookie("sid", "flask-" + request.args.get("user", "ada"))
    return response


@app.get("/me")
def me():  # type: ignore[no-untyped-def]
    sid = request.cookies.get("sid", "")
    return {"user": sid.partition("-")[2] or None}
