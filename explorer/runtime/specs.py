"""What a server is and where it stands, as plain data: the spec of what to run, its state, its status.

The supervisor (:mod:`explorer.runtime.servers`) keeps these up to date; the CLI, the panels and the
lab only read them, so they import this module and never the process machinery.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from explorer.runtime.errors import ServerError

__all__ = ["FRAMEWORKS", "ServerSpec", "ServerState", "ServerStatus", "StatusListener", "demo_requests_file", "demo_spec"]

FRAMEWORKS = ("flask", "fastapi")


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
    its folder before the first start (``setup``, already split into arguments).
    """

    framework: str
    kind: str  # werkzeug | gunicorn | uvicorn | gunicorn-uvicorn
    target: str  # module:attribute, module:obj.attr or module:factory(literal, args)
    app_dir: Path | None = None
    workers: int = 1
    threads: int = 8
    python: str | None = None
    env: tuple[tuple[str, str], ...] = ()
    setup: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """How the server is described next to every figure it produces."""
        if self.kind == "werkzeug":
            return "Werkzeug dev server (threaded)"
        if self.kind == "gunicorn":
            return f"gunicorn gthread, {self.workers} worker x {self.threads} threads"
        if self.kind == "uvicorn":
            return "uvicorn, 1 process, access log off"
        return f"gunicorn + uvicorn worker, {self.workers} processes"

    @property
    def short(self) -> str:
        return {"werkzeug": "dev", "gunicorn": "gunicorn", "uvicorn": "uvicorn"}.get(self.kind, "gunicorn+uvicorn")

    def to_dict(self) -> dict[str, object]:
        """The settings that come with every figure and answer, the installed versions included."""
        from explorer.runtime.versions import stack

        return {
            "framework": self.framework,
            "server": self.kind,
            "label": self.label,
            "target": self.target,
            "workers": self.workers,
            "threads": self.threads if self.kind == "gunicorn" else None,
            "dir": str(self.app_dir) if self.app_dir else None,
            "python": self.python,
            "env": sorted({name for name, _ in self.env}),  # names only: values may be secrets
            "setup": list(self.setup),
            "versions": stack(self.framework, self.python),
        }


def demo_spec(framework: str, flask_server: str = "dev", workers: int = 1, threads: int = 8) -> ServerSpec:
    """The spec for one of the bundled demo apps."""
    if framework == "flask":
        if flask_server not in ("dev", "gunicorn"):
            raise ServerError(f"unknown Flask server {flask_server!r}; use dev or gunicorn")
        kind = "werkzeug" if flask_server == "dev" else "gunicorn"
        return ServerSpec("flask", kind, "demos.flask_app:app", workers=workers, threads=threads)
    if framework == "fastapi":
        kind = "uvicorn" if workers <= 1 else "gunicorn-uvicorn"
        return ServerSpec("fastapi", kind, "demos.fastapi_app:app", workers=workers)
    raise ServerError(f"unknown framework {framework!r}; use flask or fastapi")


def demo_requests_file() -> Path:
    """The requests file that checks the demo apps for parity (shipped with them, so the Parity screen has one)."""
    import demos

    return Path(demos.__file__).resolve().parent / "parity.yaml"


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
