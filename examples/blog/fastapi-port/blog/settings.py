"""Settings, read once from the environment (an env file in practice), as twelve-factor apps do."""

import os

MISSING_SECRET = """
BLOG_SECRET_KEY is not set!
Steps to fix:
  1. put BLOG_SECRET_KEY=... in fastapi.env (any long random text)
  2. start the app with that file, e.g. --fastapi-env-file fastapi.env
"""

SECRET_KEY = os.environ.get("BLOG_SECRET_KEY", "")
if not SECRET_KEY:
    raise RuntimeError(MISSING_SECRET)
DATABASE = os.environ.get("BLOG_DATABASE", "blog.sqlite")
ADMIN_KEY = os.environ.get("BLOG_ADMIN_KEY", "")
BACKUP_DIR = os.environ.get("BLOG_BACKUP_DIR", "")
