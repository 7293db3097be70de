"""The SQLite database: a connection per request (a dependency), and ``python -m blog.db`` to create it."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from blog import settings

SEED_USER = ("alice", "wonderland")
SEED_POST = ("Hello", "The first post, written by the set-up command.")


def hash_password(password: str) -> str:
    return hashlib.sha256(("blog:" + password).encode()).hexdigest()


def connect() -> sqlite3.Connection:
    db = sqlite3.connect(settings.DATABASE)
    db.row_factory = sqlite3.Row
    return db


def get_db() -> Iterator[sqlite3.Connection]:
    db = connect()
    try:
        yield db
    finally:
        db.close()


def init_db() -> None:
    """Create the tables afresh, with one user and one post (the Flask app's schema)."""
    with connect() as db:
        db.executescript((Path(__file__).with_name("schema.sql")).read_text(encoding="utf-8"))
        db.execute("INSERT INTO user (username, password) VALUES (?, ?)", (SEED_USER[0], hash_password(SEED_USER[1])))
        db.execute("INSERT INTO post (author_id, title, body) VALUES (1, ?, ?)", SEED_POST)


if __name__ == "__main__":
    init_db()
    print("Initialized the database.")
