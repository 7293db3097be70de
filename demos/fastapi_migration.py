"""A migration in one process: the Flask demo, wrapped by a2wsgi, mounted in the FastAPI demo at ``/flask``.

Routes move to FastAPI one at a time while the rest keep being served by Flask, unchanged: a2wsgi runs
the WSGI app in a thread pool and turns its answers into ASGI messages. ``tests/test_more_topics.py``
sends every Flask sample of the catalog through this mount and names the ones that change.
"""

from __future__ import annotations

from a2wsgi import WSGIMiddleware

from demos.flask_app import app as flask_demo

# Starlette's own WSGIMiddleware is deprecated in favour of a2wsgi.
flask_app = WSGIMiddleware(flask_demo)
