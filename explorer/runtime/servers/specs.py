"""What a server is and where it stands, as plain data: the spec of what to run, its state, its status.

The supervisor (:mod:`explorer.runtime.servers.supervisor`) keeps these up to date; the CLI, the panels and the
lab only read them, so they import this module and never the process machinery.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "CHECK_TIMEOUT",
    "SETUP_TIMEOUT",
    "SETUP_TIMEOUT_BOUNDS",
    "ServerSpec",
    "ServerState",
    "ServerStatus",
    "StatusListener",
]

# The bounds of a server's checks before its start (:mod:`explorer.runtime.servers.prestart`), here with the spec
# they apply to so that the command line and the supervisor read them without loading the start's machinery.
SETUP_TIMEOUT = 120.0  # seconds a set-up command may take
SETUP_TIMEOUT_BOUNDS = (1.0, 3600.0)  # an install step may take a while; a hung one must still end
# A venv's python answers the check in 0.05 s idle and 0.16 s at most with four busy loops on two
# cores (10 runs each): 5 s leaves a wide margin for a cold disk, and a script that never exits is
# named in 5 s rather than 20.
CHECK_TIMEOUT = 5.0


class ServerState(enum.StrEnum):
    """Where a server is in its life; UNRESPONSIVE means alive but not answering the probe."""

    IDLE = "idle"
    STARTING = "starting"
    READY = "ready"
    UNRESPONSIVE = "unresponsive"
    STOPPING = "stopping"
    STOPPED = "stopped"
    CRASHED = "crashed"

    @property
    def running(self) -> bool:
        return self in (ServerState.STARTING, ServerState.READY, ServerState.UNRESPONSIVE)


@dataclass(frozen=True)
class ServerSpec:
    """What to run: which framework's app, under which server, with how many workers and threads.

    A user's app may also name its own interpreter (``python``: a venv's ``bin/python``), variables
    added to its environment (``env``, names and values as given) and a set-up command run once in
    its folder before the first start (``setup``, already split into arguments). A bundled demo
    names the folder its package lies in (``demo_home``), put on its import path.
    """

    framework: str
    kind: str  # werkzeug | gunicorn | gunicorn-gevent | uvicorn | gunicorn-uvicorn | granian-wsgi | granian-asgi
    target: str  # module:attribute, module:obj.attr or module:factory(literal, args)
    app_dir: Path | None = None
    workers: int = 1
    threads: int = 8  # gthread and granian-wsgi: threads per worker; gunicorn-gevent: connections per worker
    python: str | None = None
    env: tuple[tuple[str, str], ...] = ()
    setup: tuple[str, ...] = ()
    demo_home: Path | None = None  # a bundled demo: the folder its package lies in (explorer.apps.bundled)
    ready_timeout: float | None = None  # seconds it has to answer after its start (None: the supervisor's 30)
    notes: tuple[str, ...] = ()  # lines for the app's log before it starts (the dotenv files read, say)
    setup_timeout: float | None = None  # seconds its set-up command may take (None: the supervisor's default)

    @property
    def demo(self) -> bool:
        """One of the bundled demo apps (whose known routes and requests file the app offers)."""
        return self.demo_home is not None

    @property
    def label(self) -> str:
        """How the server is described next to every figure it produces."""
        if self.kind == "werkzeug":
            return "Werkzeug dev server (threaded)"
        if self.kind == "gunicorn":
            return f"gunicorn gthread, {self.workers} worker x {self.threads} threads"
        if self.kind == "gunicorn-gevent":
            return f"gunicorn gevent, {_count(self.workers, 'worker')} x {self.threads} connections"
        if self.kind == "uvicorn":
            return "uvicorn, 1 process, access log off"
        if self.kind == "granian-wsgi":
            return f"granian (WSGI), 1 worker x {self.threads} threads"
        if self.kind == "granian-asgi":
            return "granian (ASGI), 1 worker"
        per_core = " (one per core)" if self.workers == os.cpu_count() else ""
        return f"gunicorn + uvicorn worker, {_count(self.workers, 'process', 'processes')}{per_core}"

    @property
    def short(self) -> str:
        return _SHORT.get(self.kind, self.kind)

    @property
    def loop(self) -> str:
        """What schedules the requests inside the server: an event loop, or threads."""
        return _LOOPS.get(self.kind, "?")

    @property
    def parser(self) -> str:
        """Which HTTP parser reads the requests."""
        return _PARSERS.get(self.kind, "?")

    def to_dict(self) -> dict[str, object]:
        """The settings that come with every figure and answer, the installed versions included."""
        from explorer.runtime.servers.versions import stack

        return {
            "framework": self.framework,
            "server": self.kind,
            "label": self.label,
            "target": self.target,
            "workers": self.workers,
            "threads": self.threads if self.kind in ("gunicorn", "granian-wsgi") else None,
            "connections": self.threads if self.kind == "gunicorn-gevent" else None,
            "loop": self.loop,
            "parser": self.parser,
            "dir": str(self.app_dir) if self.app_dir else None,
            "python": self.python,
            "env": sorted({name for name, _ in self.env}),  # names only: values may be secrets
            "setup": list(self.setup),
            "versions": stack(self.framework, self.python),
        }


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


_SHORT = {
    "werkzeug": "dev",
    "gunicorn": "gunicorn",
    "gunicorn-gevent": "gevent",
    "uvicorn": "uvicorn",
    "gunicorn-uvicorn": "gunicorn+uvicorn",
    "granian-wsgi": "granian",
    "granian-asgi": "granian",
}
_LOOPS = {
    "werkzeug": "none: a thread per connection",
    "gunicorn": "none: a thread pool behind a selector",
    "gunicorn-gevent": "gevent (greenlets on libev)",
    "uvicorn": "asyncio",
    "gunicorn-uvicorn": "asyncio",
    "granian-wsgi": "none: Rust's tokio hands requests to a thread pool",
    "granian-asgi": "asyncio, fed by Rust's tokio",
}
_PARSERS = {
    "werkzeug": "http.server (Python)",
    "gunicorn": "gunicorn's own (Python)",
    "gunicorn-gevent": "gunicorn's own (Python)",
    "uvicorn": "httptools (C)",
    "gunicorn-uvicorn": "httptools (C)",
    "granian-wsgi": "hyper (Rust)",
    "granian-asgi": "hyper (Rust)",
}


@dataclass(frozen=True)
class ServerStatus:
    """An immutable snapshot of one server, handed to the UI and the CLI."""

    framework: str
    state: ServerState = ServerState.IDLE
    port: int | None = None
    pid: int | None = None
    returncode: int | None = None
    message: str = ""  # one line
    detail: str = ""  # more lines when there are more to say (a failed set-up's last output)
    spawn_to_ready_ms: float | None = None
    log_tail: tuple[str, ...] = field(default_factory=tuple)

    @property
    def base_url(self) -> str | None:
        return f"http://127.0.0.1:{self.port}" if self.port else None

    def describe(self) -> str:
        """One line for a header strip or a CLI error, e.g. 'ready on port 41234'."""
        if self.state is ServerState.READY:
            return f"ready on port {self.port}"
        if self.state is ServerState.CRASHED:
            return f"crashed ({self.message})"
        if self.state is ServerState.UNRESPONSIVE:
            return f"not answering on port {self.port}"
        return self.state.value


StatusListener = Callable[[ServerStatus], None]
