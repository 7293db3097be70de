"""Parity test app (Flask side): a form echo, a cookie login, and redirects after a form or to a sign-in page."""

from urllib.parse import quote

from flask import Flask, redirect, request
from forms_common import describe
from werkzeug.wrappers import Response

app = Flask(__name__)


@app.post("/form")
def form():
    return describe(request.content_type or "", request.get_data())


@app.post("/login")
def login():
    response = app.make_response({"ok": True})
    response.set_cookie("sid", "flask-" + request.args.get("user", "ada"))
    return response


@app.get("/me")
def me():
    sid = request.cookies.get("sid", "")
    return {"user": sid.partition("-")[2] or None}


@app.post("/signin")
def signin() -> Response:
    response = redirect("/me?via=signin")  # 302, relative
    response.set_cookie("sid", "flask-" + request.form.get("user", "ada"))
    return response


@app.get("/private")
def private() -> Response:
    return redirect("/auth?returnTo=" + quote(request.url, safe=""))  # the app's own URL, percent-encoded
