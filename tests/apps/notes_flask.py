"""A notes app as small teams write one (Flask side): an HTML form posts a note, SQLite keeps it.

Shaped like the Flask tutorial's apps: the schema is created when the module is imported, the form
is read with ``request.form`` (a file with ``request.files``), and one page fails with a traceback (a
back end it cannot reach).
"""

from __future__ import annotations

import os
import sqlite3

from flask import Flask, request

DB = os.environ.get("NOTES_DB", "notes_flask.db")

with sqlite3.connect(DB) as db:  # the schema, created at import
    db.execute("CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, title TEXT NOT NULL, description TEXT)")

app = Flask(__name__)


@app.post("/notes")
def create_note() -> tuple[dict[str, str], int]:
    title, description = request.form["title"], request.form.get("description", "")
    with sqlite3.connect(DB) as db:
        db.execute("INSERT INTO notes (title, description) VALUES (?, ?)", (title, description))
    return {"title": title, "description": description}, 201


@app.get("/notes")
def list_notes() -> dict[str, list[dict[str, str]]]:
    with sqlite3.connect(DB) as db:
        rows = db.execute("SELECT title, description FROM notes ORDER BY id").fetchall()
    return {"notes": [{"title": t, "description": d} for t, d in rows]}


@app.post("/attachments")
def attach() -> tuple[dict[str, object], int]:
    upload = request.files["attachment"]  # a file part of the multipart form, as a FileStorage
    content = upload.read()
    return {"note": request.form["note"], "filename": upload.filename, "size": len(content)}, 201


@app.get("/report")
def report() -> str:
    raise RuntimeError("report service unreachable: flask-side-cause")
