"""The lab screen's choices: scenarios, servers, loops, and what the levels field holds for each loop."""

from __future__ import annotations

__all__ = ["DEFAULT_INPUT", "FASTAPI_SERVERS", "FLASK_SERVERS", "MODES", "SCENARIO_CHOICES"]

SCENARIO_CHOICES = [
    ("I/O-bound: /io?ms=50", "io"),
    ("CPU-bound: /cpu", "cpu"),
    ("Plain JSON: /items/1", "json"),
    ("Hooks and middleware", "middleware"),
    ("Coordinated omission: stalls", "stall"),
]
FLASK_SERVERS = [
    ("Flask on gunicorn (gthread)", "gunicorn"),
    ("Flask on gunicorn (gevent)", "gevent"),
    ("Flask on granian", "granian"),
    ("Flask on the dev server (baseline)", "dev"),
    ("Flask: gthread, gevent, granian", "gunicorn,gevent,granian"),
]
FASTAPI_SERVERS = [
    ("FastAPI on uvicorn (1 process)", "uvicorn"),
    ("FastAPI on gunicorn (uvicorn worker)", "gunicorn"),
    ("FastAPI on granian", "granian"),
    ("FastAPI: uvicorn and granian", "uvicorn,granian"),
]
MODES = [
    ("closed loop: concurrency", "closed"),
    ("closed loop, one stage", "closed-1"),  # --no-extend: the planned repeats only, each interval at 95%
    ("open loop: rates (req/s)", "open"),
]
DEFAULT_INPUT = {"closed": "1,10,50,100", "open": "100,500,1000"}
