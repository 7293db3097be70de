"""The SQLite database: one connection per request, and the ``init-db`` command that creates it."""

import hashlib
import sqlite3

import click
from flask import current_app, g

SEED_USER = ("alice", "wonderland")
SEED_POST = ("Hello", "The first post, written by the set-up command.")


def hash_password(password):
    return hashlib.sha256(("blog:" + password).encode()).hexdigest()


def get_db():
    if "db" not in g:
        g.db = sqlite3.connect(current_app.config["DATABASE"])
        g.db.row_factory = sqlite3.Row
    return g.db


def close_db(exc=None):
    db = g.pop("db", None)
    if db is not None:
        db.close()


def init_db():
    """Create the tables afresh, with one user and one post."""
    db = get_db()
    with current_app.open_resource("schema.sql") as file:
        db.executescript(file.read().decode("utf-8"))
    db.execute("INSERT INTO user (username, password) VALUES (?, ?)", (SEED_USER[0], hash_password(SEED_USER[1])))
    db.execute("INSERT INTO post (author_id, title, body) VALUES (1, ?, ?)", SEED_POST)
    db.commit()


@click.command("init-db")
def init_db_command():
    """Clear the existing data and create new tables."""
    init_db()
    click.echo("Initialized the database.")


def init_app(app):
    app.teardown_appcontext(close_db)
    app.cli.add_command(init_db_command)
