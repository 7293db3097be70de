"""A migration in one process: the Flask demo, wrapped by a2wsgi, mounted in the FastAPI demo at ``/flask``.

Routes move to FastAPI one at a time while the rest keep being served by Flask, unchanged: a2wsgi runs
the WSGI app in a thread pool and turns its answers into ASGI messages. ``tests/test_more_topics.py``
sends every Flask sample of the catalog through this mount and names the ones that change.

The Flask demo is imported at the mount's first request (or when the route table opens the mount), not as
the FastAPI demo starts: importing Flask, Werkzeug and marshmallow was a fifth of the FastAPI server's start
(0.71 s of CPU against 0.56 s without, uvicorn included), paid at every start for a mount most sessions never call,
and the FastAPI process's memory held a second framework it does not use.
"""

from __future__ import annotations

import threading
from typing import Any

from a2wsgi import WSGIMiddleware
from starlette.concurrency import run_in_threadpool


class FlaskOnFirstUse:
    """An ASGI app that is ``WSGIMiddleware(demos.flask_app.app)``, built the first time it is needed."""

    def __init__(self) -> None:
        self._mounted: WSGIMiddleware | None = None
        self._lock = threading.Lock()

    def _mount(self) -> WSGIMiddleware:
        with self._lock:  # two first requests at once import it once
            if self._mounted is None:
                from demos.flask_app import app as flask_demo

                self._mounted = WSGIMiddleware(flask_demo)  # Starlette's own WSGIMiddleware is deprecated for a2wsgi
            return self._mounted

    @property
    def app(self) -> Any:
        """The Flask app, as a2wsgi's ``WSGIMiddleware.app``: what the route table opens to list its views."""
        return self._mount().app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        mounted = self._mounted
        if mounted is None:
            mounted = await run_in_threadpool(self._mount)  # the import, off the event loop
        await mounted(scope, receive, send)


flask_app = FlaskOnFirstUse()
