"""A Flask app that echoes what its own parsers found in a request: form fields, files, cookies.

Used to check that what the explorer sends is what a framework reads.
"""

import hashlib

from flask import Flask, jsonify, request, session

app = Flask(__name__)


@app.post("/echo")
def echo():
    files = [
        {
            "field": name,
            "filename": f.filename,
            "content_type": f.content_type,
            "sha256": hashlib.sha256(f.read()).hexdigest(),
        }
        for name, f in request.files.items(multi=True)
    ]
    return jsonify(content_type=request.mimetype, form=dict(request.form.lists()), files=files)


app.secret_key = "tests-only"


@app.post("/login")
def login():
    session["user"] = request.args.get("user", "ada")
    return {"logged_in": session["user"]}


@app.get("/me")
def me():
    return {"user": session.get("user"), "cookies": sorted(request.cookies)}


@app.get("/set")
def set_cookie():
    """Sets the cookie described by the query, to check the jar: name, value, path, max_age, domain."""
    response = jsonify(ok=True)
    args = request.args
    max_age = int(args["max_age"]) if "max_age" in args else None
    response.set_cookie(
        args["name"], args.get("value", ""), path=args.get("path", "/"), max_age=max_age, domain=args.get("domain")
    )
    return response


@app.get("/cookies/<path:rest>")
def cookies_under(rest):
    return {"cookie": request.headers.get("Cookie")}
