"""The bundled demo apps: their specs under each server the explorer offers, and their parity requests file.

Which apps run is this package's business, so the runtime below knows no app: a demo's spec carries
the folder its package lies in (``ServerSpec.demo_home``), which the launcher puts on the import path,
and the front ends ask ``spec.demo`` rather than reading the target's name.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import demos
from explorer.runtime.errors import ServerError
from explorer.runtime.servers.specs import ServerSpec

__all__ = [
    "FASTAPI_SERVERS",
    "FLASK_SERVERS",
    "GEVENT_CONNECTIONS",
    "LAB_TARGETS",
    "demo_requests_file",
    "demo_spec",
    "lab_spec",
]

FLASK_SERVERS = ("dev", "gunicorn", "gevent", "granian")
FASTAPI_SERVERS = ("uvicorn", "gunicorn", "granian")
GEVENT_CONNECTIONS = 1000  # gunicorn's own default worker_connections


def demo_spec(
    framework: str, flask_server: str = "dev", workers: int = 1, threads: int = 8, fastapi_server: str = "uvicorn"
) -> ServerSpec:
    """The spec for one of the bundled demo apps.

    Flask: ``dev``, ``gunicorn`` (gthread, ``workers`` x ``threads``), ``gevent`` (gunicorn's gevent
    worker, ``workers`` x 1,000 connections) or ``granian`` (``threads`` threads). FastAPI: ``uvicorn``
    (one process; gunicorn with ``workers`` uvicorn workers when ``workers`` > 1), ``gunicorn``
    (gunicorn with one uvicorn worker per core) or ``granian``.
    """
    if framework == "flask":
        if flask_server not in FLASK_SERVERS:
            raise ServerError(f"unknown Flask server {flask_server!r}; use {', '.join(FLASK_SERVERS)}")
        kind = {"dev": "werkzeug", "gunicorn": "gunicorn", "gevent": "gunicorn-gevent", "granian": "granian-wsgi"}[
            flask_server
        ]
        threads = GEVENT_CONNECTIONS if kind == "gunicorn-gevent" else threads
        return ServerSpec(
            "flask",
            kind,
            "demos.flask_app:app",
            workers=1 if kind == "granian-wsgi" else workers,
            threads=threads,
            demo_home=_home(),
        )
    if framework == "fastapi":
        if fastapi_server not in FASTAPI_SERVERS:
            raise ServerError(f"unknown FastAPI server {fastapi_server!r}; use {', '.join(FASTAPI_SERVERS)}")
        if fastapi_server == "granian":
            return ServerSpec("fastapi", "granian-asgi", "demos.fastapi_app:app", demo_home=_home())
        if fastapi_server == "gunicorn":
            workers = os.cpu_count() or 1
        kind = "uvicorn" if workers <= 1 else "gunicorn-uvicorn"
        return ServerSpec("fastapi", kind, "demos.fastapi_app:app", workers=workers, demo_home=_home())
    raise ServerError(f"unknown framework {framework!r}; use flask or fastapi")


LAB_TARGETS = {"flask": "demos.lab_flask:app", "fastapi": "demos.lab_fastapi:app"}


def lab_spec(framework: str, server: str, workers: int = 1, threads: int = 8) -> ServerSpec:
    """The performance lab's server: the demo's lab routes on a bare app (no session, no timing layer).

    As :func:`demo_spec`, except that FastAPI under ``gunicorn`` runs ``workers`` uvicorn workers,
    as many as Flask's gunicorn, so the gunicorn pair differs in the framework and not the process count.
    """
    if framework == "fastapi" and server == "gunicorn":
        spec = ServerSpec("fastapi", "gunicorn-uvicorn", LAB_TARGETS["fastapi"], workers=workers, demo_home=_home())
    elif framework == "flask":
        spec = demo_spec("flask", server, workers, threads)
    else:
        spec = demo_spec("fastapi", fastapi_server=server)
    return replace(spec, target=LAB_TARGETS[framework])


def demo_requests_file() -> Path:
    """The requests file that checks the demo apps for parity (shipped with them, so the Parity screen has one)."""
    return Path(demos.__file__).resolve().parent / "parity.yaml"


def _home() -> Path:
    """The folder that holds the ``demos`` package, whether installed or checked out: on the demos' import path."""
    return Path(demos.__file__).resolve().parent.parent
