"""The notes app ported to FastAPI: the same form routes (``Form()``, ``UploadFile``), SQLite schema at import,
failing page."""

import os
import sqlite3

from fastapi import FastAPI, File, Form, UploadFile

DB = os.environ.get("NOTES_DB", "notes_fastapi.db")

with sqlite3.connect(DB) as db:  # the schema, created at import
    db.execute("CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, title TEXT NOT NULL, description TEXT)")

app = FastAPI()


@app.post("/notes", status_code=201)
def create_note(title: str = Form(...), description: str = Form("")) -> dict[str, str]:
    with sqlite3.connect(DB) as db:
        db.execute("INSERT INTO notes (title, description) VALUES (?, ?)", (title, description))
    return {"title": title, "description": description}


@app.get("/notes")
def list_notes() -> dict[str, object]:
    with sqlite3.connect(DB) as db:
        rows = db.execute("SELECT title, description FROM notes ORDER BY id").fetchall()
    return {"notes": [{"title": t, "description": d} for t, d in rows]}


@app.post("/attachments", status_code=201)
async def attach(note: str = Form(...), attachment: UploadFile = File(...)) -> dict[str, object]:
    content = await attachment.read()
    return {"note": note, "filename": attachment.filename, "size": len(content)}


@app.get("/report")
def report() -> None:
    raise RuntimeError("report service unreachable: fastapi-side-cause")
