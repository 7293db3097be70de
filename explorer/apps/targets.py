"""Which apps to run: the bundled demos, or the user's own Flask app and its FastAPI port.

``--flask PKG.MODULE:app --fastapi PKG.MODULE:app [--app-dir DIR]`` become :class:`ServerSpec`
objects here, so every front end (the CLI, the app) builds them the same way and the supervisor
runs user apps with exactly the guarantees it gives the demos. Nothing here imports the user's
code: a bad import shows up as a crashed server, and :func:`startup_problems` turns that into one
readable line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from explorer.runtime.errors import ExplorerError
from explorer.runtime.specs import FRAMEWORKS, ServerSpec, ServerState, demo_spec

__all__ = [
    "TargetError",
    "check_app_dir",
    "check_target",
    "import_error_line",
    "specs_from_options",
    "startup_problems",
    "user_spec",
]

_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
_TARGET = re.compile(rf"^{_IDENT}(\.{_IDENT})*:{_IDENT}(\.{_IDENT})*$")
_IMPORT_MARKER = "explorer: could not import "


class TargetError(ExplorerError):
    """A ``--flask``/``--fastapi``/``--app-dir`` value that cannot name an app."""


def check_target(text: str) -> str:
    """``pkg.module:attr`` with Python identifiers on both sides, or :class:`TargetError`."""
    value = text.strip() if isinstance(text, str) else ""
    if not _TARGET.match(value):
        raise TargetError(f"app must look like PKG.MODULE:ATTR, e.g. shop_flask:app, got {str(text)[:60]!r}")
    return value


def check_app_dir(text: str | Path) -> Path:
    """An existing folder, resolved, so the server's cwd and import path do not depend on ours."""
    path = Path(text).expanduser()
    if not path.is_dir():
        raise TargetError(f"--app-dir {str(text)[:80]!r} is not an existing folder")
    return path.resolve()


def user_spec(framework: str, target: str, app_dir: Path | None = None, flask_server: str = "dev") -> ServerSpec:
    """A user's app under the server its framework gets in the demos: Werkzeug or gunicorn, uvicorn."""
    target = check_target(target)
    folder = check_app_dir(app_dir) if app_dir is not None else Path.cwd().resolve()
    if framework == "flask":
        if flask_server not in ("dev", "gunicorn"):
            raise TargetError(f"unknown Flask server {flask_server!r}; use dev or gunicorn")
        return ServerSpec("flask", "werkzeug" if flask_server == "dev" else "gunicorn", target, app_dir=folder)
    if framework == "fastapi":
        return ServerSpec("fastapi", "uvicorn", target, app_dir=folder)
    raise TargetError(f"unknown framework {framework!r}; use flask or fastapi")


def specs_from_options(
    flask: str | None = None,
    fastapi: str | None = None,
    app_dir: str | Path | None = None,
    flask_server: str = "dev",
    frameworks: Iterable[str] | None = None,
    require_both: bool = False,
) -> list[ServerSpec]:
    """The servers to run for the command-line options.

    No ``--flask``/``--fastapi`` means the demos. With user apps, only the given ones run (so a
    Flask service can be explored before its port exists); ``require_both`` is for parity, which
    needs a pair. ``frameworks`` narrows the choice further, e.g. ``send --framework fastapi``.
    """
    chosen = list(frameworks) if frameworks is not None else list(FRAMEWORKS)
    for framework in chosen:
        if framework not in FRAMEWORKS:
            raise TargetError(f"unknown framework {framework!r}; use flask or fastapi")
    given = {"flask": flask, "fastapi": fastapi}
    if not flask and not fastapi:
        if app_dir is not None:
            raise TargetError("--app-dir needs --flask or --fastapi (or both)")
        return [demo_spec(fw, flask_server) for fw in chosen]
    if require_both and not (flask and fastapi):
        missing = "--fastapi" if flask else "--flask"
        raise TargetError(f"parity compares two apps: {missing} is missing")
    folder = check_app_dir(app_dir) if app_dir is not None else None
    if frameworks is not None:
        for framework in chosen:
            if not given[framework]:
                raise TargetError(f"--framework {framework} needs --{framework} when user apps are given")
    return [user_spec(fw, given[fw] or "", folder, flask_server) for fw in chosen if given[fw]]


_EXCEPTION_LINE = re.compile(r"[A-Za-z_][\w.]*: ")


def import_error_line(log_lines: Iterable[str]) -> str | None:
    """The last line of the traceback ``_serve`` prints when the app fails to import, e.g.

    ``ModuleNotFoundError: No module named 'shop'``; None when the log holds no such traceback.
    """
    lines = list(log_lines)
    starts = [i for i, line in enumerate(lines) if line.startswith(_IMPORT_MARKER)]
    if not starts:
        return None
    found = named = None
    for line in lines[starts[-1] + 1 :]:
        if not line.strip() or line.startswith((" ", "\t", "[explorer]", "Traceback")):
            continue
        if line.startswith(("[", "During handling", "The above exception")):
            continue  # gunicorn's own log lines and chained-exception banners
        found = line.strip()
        if _EXCEPTION_LINE.match(line):
            named = found  # a message of several lines ends below its "Name: first line"
    return named or found


def startup_problems(session: object) -> list[str]:
    """One line per server that did not come up, naming the app and why (the import error if any).

    ``session`` is an :class:`explorer.runtime.session.Session` (typed loosely to keep this module free of
    the client stack).
    """
    problems = []
    for server in session.supervisor:  # type: ignore[attr-defined]
        status = server.status
        if status.state is ServerState.READY:
            continue
        spec = server.spec
        name = {"flask": "Flask", "fastapi": "FastAPI"}.get(spec.framework, spec.framework)
        reason = import_error_line(server.log.lines())
        if reason:
            problems.append(f"the {name} app {spec.target} failed to import: {reason}")
        elif status.state is ServerState.CRASHED:
            problems.append(f"the {name} app {spec.target} did not start: {status.message}")
        else:
            problems.append(f"the {name} app {spec.target} is {status.describe()}")
    return problems
