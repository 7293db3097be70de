"""Which apps to run: the bundled demos, or the user's own Flask app and its FastAPI port.

``--flask TARGET --fastapi TARGET [--app-dir DIR]`` and each app's settings (its own folder,
interpreter, environment, set-up command: :mod:`explorer.apps.settings`) become :class:`ServerSpec`
objects here, so every front end (the CLI, the app) builds them the same way and the supervisor
runs user apps with exactly the guarantees it gives the demos. Nothing here imports the user's
code: a bad import shows up as a crashed server, and :func:`startup_problems` turns that into one
readable line, the exception's whole message included.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from explorer.apps.bundled import demo_spec
from explorer.apps.settings import AppSettings, flask_dotenv
from explorer.runtime.child.apptarget import IMPORT_FAILED, NOT_AN_APP, SUMMARY, TargetSyntaxError, parse_target
from explorer.runtime.errors import ExplorerError
from explorer.runtime.frameworks import FRAMEWORKS, display_name
from explorer.runtime.servers.specs import ServerSpec, ServerState
from explorer.runtime.userdata.datafile import user_path

if TYPE_CHECKING:
    from explorer.runtime.servers.supervisor import ManagedServer

__all__ = [
    "TargetError",
    "app_lines",
    "check_app_dir",
    "check_target",
    "failure_detail",
    "import_error_line",
    "specs_from_options",
    "startup_problems",
    "summarize",
    "user_spec",
]

_MAX_TARGET = 300
_MESSAGE_CHARS = 400
_MESSAGE_LINES = 8


class TargetError(ExplorerError):
    """A ``--flask``/``--fastapi``/``--app-dir`` value that cannot name an app."""


def check_target(text: str) -> str:
    """``pkg.module:obj``, ``pkg.module:obj.attr`` or ``pkg.module:factory('literal')``, or :class:`TargetError`."""
    value = text.strip() if isinstance(text, str) else ""
    try:
        if len(value) > _MAX_TARGET:
            raise TargetSyntaxError(f"longer than {_MAX_TARGET} characters")
        parse_target(value)
    except TargetSyntaxError as exc:
        raise TargetError(f"app {str(text)[:60]!r}: {exc}") from None
    return value


def check_app_dir(text: str | Path) -> Path:
    """An existing folder, resolved, so the server's cwd and import path do not depend on ours."""
    path = user_path(text)
    if not path.is_dir():
        raise TargetError(f"--app-dir {str(text)[:80]!r} is not an existing folder")
    return path.resolve()


def user_spec(
    framework: str,
    target: str,
    app_dir: Path | None = None,
    flask_server: str = "dev",
    settings: AppSettings | None = None,
) -> ServerSpec:
    """A user's app under the server its framework gets in the demos (Werkzeug or gunicorn, uvicorn), with its settings.

    ``settings`` hold checked values (an absolute folder and interpreter, split set-up); the env
    file is read here, so a bad one stops everything before any process starts.
    """
    target = check_target(target)
    given = settings or AppSettings()
    folder = given.dir or (check_app_dir(app_dir) if app_dir is not None else Path.cwd().resolve())
    env = given.environment(f"the {display_name(framework)} app's environment")
    notes: tuple[str, ...] = ()
    if framework == "flask" and given.dotenv:
        found, read = flask_dotenv(folder, "the Flask app's environment")
        env = (*found, *env)  # the options and the env file win, as the shell's variables do for flask run
        if read:
            notes = (f"read {' and '.join(read)} in the app's folder, as flask run does (--no-dotenv skips them)",)
    extra: dict[str, Any] = {
        "python": given.python,
        "env": env,
        "setup": given.setup,
        "notes": notes,
        "setup_timeout": given.setup_timeout,
        "ready_timeout": given.ready_timeout,
    }
    if framework == "flask":
        server = given.server or flask_server
        if server not in ("dev", "gunicorn"):
            raise TargetError(f"unknown Flask server {server!r}; use dev or gunicorn")
        kind = "werkzeug" if server == "dev" else "gunicorn"
        return ServerSpec("flask", kind, target, app_dir=folder, **extra)
    if framework == "fastapi":
        if given.server not in (None, "uvicorn"):
            raise TargetError(f"unknown FastAPI server {given.server!r}; use uvicorn")
        return ServerSpec("fastapi", "uvicorn", target, app_dir=folder, **extra)
    raise TargetError(f"unknown framework {framework!r}; use flask or fastapi")


def _has_settings(settings: AppSettings) -> bool:
    return any((settings.dir, settings.python, settings.env, settings.env_file, settings.setup))


def specs_from_options(
    flask: str | None = None,
    fastapi: str | None = None,
    app_dir: str | Path | None = None,
    flask_server: str = "dev",
    frameworks: Iterable[str] | None = None,
    require_both: bool = False,
    settings: dict[str, AppSettings] | None = None,
) -> list[ServerSpec]:
    """The servers to run for the command-line options (and the config file's, merged in ``settings``).

    No ``--flask``/``--fastapi`` means the demos. With user apps, only the given ones run (so a
    Flask service can be explored before its port exists); ``require_both`` is for parity, which
    needs a pair. ``frameworks`` narrows the choice further, e.g. ``send --framework fastapi``.
    """
    chosen = list(frameworks) if frameworks is not None else list(FRAMEWORKS)
    for framework in chosen:
        if framework not in FRAMEWORKS:
            raise TargetError(f"unknown framework {framework!r}; use flask or fastapi")
    per_app = {fw: (settings or {}).get(fw) or AppSettings() for fw in FRAMEWORKS}
    given = {"flask": flask or per_app["flask"].target, "fastapi": fastapi or per_app["fastapi"].target}
    for framework in FRAMEWORKS:
        if not given[framework] and _has_settings(per_app[framework]):
            raise TargetError(
                f"settings for the {display_name(framework)} app need --{framework} (or target in the config)"
            )
    if not given["flask"] and not given["fastapi"]:
        if app_dir is not None:
            raise TargetError("--app-dir needs --flask or --fastapi (or both)")
        return [demo_spec(fw, flask_server) for fw in chosen]
    if require_both and not (given["flask"] and given["fastapi"]):
        missing = "--fastapi" if given["flask"] else "--flask"
        raise TargetError(f"parity compares two apps: {missing} is missing")
    folder = check_app_dir(app_dir) if app_dir is not None else None
    if frameworks is not None:
        for framework in chosen:
            if not given[framework]:
                raise TargetError(f"--framework {framework} needs --{framework} when user apps are given")
    return [user_spec(fw, given[fw] or "", folder, flask_server, per_app[fw]) for fw in chosen if given[fw]]


def summarize(message: str) -> str:
    """A multi-line message as one line: its first lines joined, cut at a word near the bound."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    text = " ".join(lines[:_MESSAGE_LINES])
    cut = len(lines) > _MESSAGE_LINES
    if len(text) > _MESSAGE_CHARS:
        text = text[:_MESSAGE_CHARS].rsplit(" ", 1)[0]
        cut = True
    return text + (" …" if cut else "")


def _summary(line: str) -> tuple[str, str] | None:
    """(stage, "Type: message") from the child's summary line, or None if it cannot be read."""
    try:
        found = json.loads(line[len(SUMMARY) :])
        kind, message, stage = str(found["type"]), str(found["message"]), str(found.get("stage", "import"))
    except (ValueError, KeyError, TypeError):
        return None
    text = summarize(message)
    return stage, f"{kind}: {text}" if text else kind


def _from_traceback(lines: list[str]) -> str | None:
    """The exception's lines after the last frame of a printed traceback (when no summary line came)."""
    frames = [i for i, line in enumerate(lines) if line.startswith('  File "')]
    start = frames[-1] + 1 if frames else 0
    while start < len(lines) and lines[start].startswith((" ", "\t")):
        start += 1
    block = []
    for line in lines[start:]:
        if not line.strip() or line.startswith(("[", "During handling", "The above exception", "Traceback")):
            break
        block.append(line)
    return summarize("\n".join(block)) or None


def _load_failure(log_lines: Iterable[str]) -> tuple[str, str] | None:
    lines = list(log_lines)
    starts = [i for i, line in enumerate(lines) if line.startswith((IMPORT_FAILED, NOT_AN_APP))]
    if not starts:
        return None
    first = lines[starts[-1]]
    if first.startswith(NOT_AN_APP):
        return "not an app", first[len(NOT_AN_APP) :].partition(": ")[2] or first[len(NOT_AN_APP) :]
    after = lines[starts[-1] + 1 :]
    for line in after:
        if line.startswith(SUMMARY) and (found := _summary(line)) is not None:
            return found
    text = _from_traceback(after)
    return ("import", text) if text else None


def import_error_line(log_lines: Iterable[str]) -> str | None:
    """``Type: message`` of the exception that stopped the app loading (the whole message, on one line).

    E.g. ``RuntimeError: BLOG_SECRET_KEY is not set! Steps to fix: 1. copy .env.example …``; None
    when the log holds no such failure.
    """
    found = _load_failure(log_lines)
    return found[1] if found is not None and found[0] != "not an app" else None


def failure_detail(log_lines: Iterable[str]) -> str | None:
    """Why the app could not be loaded, as the end of a sentence about it (``failed to import: …``)."""
    found = _load_failure(log_lines)
    if found is None:
        return None
    stage, text = found
    if stage == "not an app":
        return f"cannot be served: {text}"
    return f"failed in its factory: {text}" if stage == "factory" else f"failed to import: {text}"


def app_lines(log_lines: Iterable[str], count: int = 10) -> list[str]:
    """The last ``count`` lines the app and its server printed (not the explorer's own notes): why it stopped."""
    printed = [line for line in log_lines if line.strip() and not line.startswith("[explorer] ")]
    return printed[-count:]


def startup_problems(servers: Iterable[ManagedServer]) -> list[str]:
    """One message per server that did not come up, naming the app and why (the load error if any).

    ``servers`` is a session's supervisor: only the servers, so this module knows nothing of the client.
    A failed set-up's last lines follow its first line, indented.
    """
    problems = []
    for server in servers:
        status = server.status
        if status.state is ServerState.READY:
            continue
        spec = server.spec
        name = display_name(spec.framework)
        reason = failure_detail(server.log.lines())
        if status.detail:
            detail = f"; its last lines:\n{status.detail}"
        else:  # a lifespan that failed, a server that never answered: the app's own words say why
            printed = app_lines(server.log.lines())
            detail = "; its last lines:\n" + "\n".join(f"  | {line}" for line in printed) if printed else ""
        if reason:
            problems.append(f"the {name} app {spec.target} {reason}")
        elif status.state is ServerState.CRASHED:
            problems.append(f"the {name} app {spec.target} did not start: {status.message}{detail}")
        else:
            problems.append(f"the {name} app {spec.target} is {status.describe()}")
    return problems
