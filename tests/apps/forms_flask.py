"""Parity test app (Flask side): a form echo and a cookie login."""

from flask import Flask, request
from forms_common import describe

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
