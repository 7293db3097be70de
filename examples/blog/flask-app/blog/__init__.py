"""A small blog shaped like Flask's tutorial app (flaskr): an app factory, blueprints, a session cookie,
and an SQLite database that a set-up command creates (``flask --app blog init-db``).

Configured only through the environment (an env file in practice): ``BLOG_SECRET_KEY`` (required),
``BLOG_DATABASE`` (default ``blog.sqlite`` in the working folder), ``BLOG_ADMIN_KEY``. Written so it
runs on Flask 2.3 and on Flask 3, as a legacy app pinned in its own venv would.
"""

import os
from importlib.metadata import version

from flask import Flask

MISSING_SECRET = """
BLOG_SECRET_KEY is not set!
Steps to fix:
  1. put BLOG_SECRET_KEY=... in flask.env (any long random text)
  2. start the app with that file, e.g. --flask-env-file flask.env
"""


def create_app(config_name="production"):
    """The factory Flask's CLI and the explorer call: ``blog:create_app()`` or ``blog:create_app('testing')``."""
    secret = os.environ.get("BLOG_SECRET_KEY")
    if not secret:
        raise RuntimeError(MISSING_SECRET)
    app = Flask(__name__)
    app.config.from_mapping(
        SECRET_KEY=secret,
        DATABASE=os.environ.get("BLOG_DATABASE", "blog.sqlite"),
        ADMIN_KEY=os.environ.get("BLOG_ADMIN_KEY", ""),
        TESTING=config_name == "testing",
    )

    from . import admin, auth, db, posts

    db.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(posts.bp)
    app.register_blueprint(admin.bp)

    @app.get("/health")
    def health():
        return {"status": "ok", "framework": "flask", "version": version("flask")}

    return app
