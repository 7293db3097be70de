"""What happens before a user's app starts: its interpreter is checked, then its set-up command runs once.

Both run under a keeper (:mod:`explorer.runtime.servers.kept`), like the servers: whatever they start is
ended with them, on every exit path, and a time-out ends them too. Their output goes to the app's
log. A failure is one sentence (:class:`PrestartError`) the supervisor shows as the server's crash.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shlex
from collections.abc import Callable

from explorer.runtime.errors import ServerError
from explorer.runtime.servers.kept import spawn_kept
from explorer.runtime.servers.launch import interpreter, own_interpreter, server_env
from explorer.runtime.servers.logbuffer import LogBuffer, keep_tail
from explorer.runtime.servers.specs import CHECK_TIMEOUT, SETUP_TIMEOUT, SETUP_TIMEOUT_BOUNDS, ServerSpec
from explorer.runtime.servers.versions import PACKAGES, record
from explorer.runtime.userdata.bounded import printable

__all__ = [
    "CHECK_TIMEOUT",
    "SETUP_TIMEOUT",
    "SETUP_TIMEOUT_BOUNDS",
    "PrestartError",
    "check_interpreter",
    "needed_modules",
    "run_kept",
    "run_setup",
]

_SETUP_TAIL = 8  # lines of a failed set-up's output shown with the error
_CHECK_OUTPUT = 64 * 1024  # the check's last bytes kept: its answer is one short last line (a flood cost 1.6 GB)
_SERVER_MODULES = {
    "werkzeug": ("werkzeug",),
    "gunicorn": ("gunicorn",),
    "uvicorn": ("uvicorn", "httptools"),  # pinned, never uvicorn's "auto" choice (serve.UVICORN_PINNED)
    "gunicorn-uvicorn": ("gunicorn", "uvicorn", "httptools"),
}
_FRAMEWORK_MODULES = {"flask": ("flask",)}
_PIP_NAMES = {"werkzeug": "flask"}  # Werkzeug comes with Flask: install what the user would
_PROBE = (  # run by the other interpreter: any Python 3, standard library only (an old one is named, no traceback)
    "import sys, json, importlib.util\n"
    "cut = sys.argv.index('--')\n"
    "mods, dists = sys.argv[1:cut], sys.argv[cut + 1:]\n"
    "missing = [m for m in mods if importlib.util.find_spec(m) is None]\n"
    "def version(dist):\n"
    "    try:\n"
    "        try:\n"
    "            from importlib import metadata\n"
    "        except ImportError:  # Python 3.7: the backport, which Flask 2.2 installs there\n"
    "            import importlib_metadata as metadata\n"
    "        return metadata.version(dist)\n"
    "    except Exception:\n"
    "        return None\n"
    "found = {'version': list(sys.version_info[:3]), 'missing': missing, 'versions': {d: version(d) for d in dists}}\n"
    "print('EXPLORER-CHECK ' + json.dumps(found))\n"
)
_MIN_PYTHON = (3, 7)  # the child modules' syntax (tests/test_app_settings.py parses them as 3.7)
_checked: dict[tuple[str, tuple[str, ...]], None] = {}


class PrestartError(ServerError):
    """The interpreter lacks what the app needs, or the set-up command failed: one sentence saying which."""


def needed_modules(spec: ServerSpec) -> tuple[str, ...]:
    """What the server child imports besides the standard library: the framework and the server."""
    wanted = [*_FRAMEWORK_MODULES.get(spec.framework, ()), *_SERVER_MODULES.get(spec.kind, ())]
    return tuple(dict.fromkeys(wanted))


async def run_kept(argv: list[str], spec: ServerSpec, timeout: float, feed: Callable[[bytes], None]) -> int | None:
    """Run ``argv`` under a keeper in the app's folder and environment; its exit code, None on time-out.

    The one way a command runs for an app: its set-up, the interpreter check, parity's setup and
    teardown commands. ``feed`` gets its output as it comes; an :class:`OSError` means it could not start.
    """
    cwd = str(spec.app_dir) if spec.app_dir else None
    kept = await spawn_kept(argv, env=server_env(spec), cwd=cwd)
    assert kept.proc.stdout is not None
    stdout = kept.proc.stdout

    async def drain() -> None:
        while chunk := await stdout.read(65536):
            feed(chunk)

    reading = asyncio.create_task(drain())
    try:
        code: int | None = await asyncio.wait_for(asyncio.shield(kept.wait()), timeout)
    except BaseException as exc:  # time-out or cancellation: the command and all it started end now
        kept.kill_now()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(kept.wait()), 5.0)
        if not isinstance(exc, TimeoutError):
            reading.cancel()
            raise
        code = None
    with contextlib.suppress(TimeoutError):  # its output is in the pipe; an escaped process may hold it open
        await asyncio.wait_for(asyncio.shield(reading), 1.0)
    reading.cancel()
    return code


async def check_interpreter(spec: ServerSpec, timeout: float = CHECK_TIMEOUT) -> None:
    """Under another interpreter: a Python new enough, with the framework and the server the app needs.

    Checked once per interpreter and set of modules; :class:`PrestartError` names what is missing
    and the command that installs it.
    """
    if own_interpreter(spec):
        return
    python, modules = interpreter(spec), needed_modules(spec)
    if (python, modules) in _checked:
        return
    printed = bytearray()
    try:
        code = await run_kept(
            [python, "-c", _PROBE, *modules, "--", *PACKAGES],
            spec,
            timeout,
            lambda chunk: keep_tail(printed, chunk, _CHECK_OUTPUT),
        )
    except OSError as exc:
        raise PrestartError(f"could not run {python}: {exc}") from None
    line = next((x for x in printed.decode("utf-8", "replace").splitlines() if x.startswith("EXPLORER-CHECK ")), "")
    try:
        found = json.loads(line.removeprefix("EXPLORER-CHECK "))
        said = {str(m) for m in found["missing"]}
        version, missing = tuple(int(v) for v in found["version"]), [m for m in modules if m in said]  # our names only
        versions = {
            str(d): (printable(str(v)[:40]) if v is not None else None)
            for d, v in dict(found["versions"]).items()
            if d in PACKAGES
        }
    except (ValueError, KeyError, TypeError, OverflowError):
        raise PrestartError(_not_usable(python, code, timeout)) from None
    shown = ".".join(map(str, version))
    if version < _MIN_PYTHON:
        raise PrestartError(
            f"{python} is Python {shown}; the explorer's server child and route lister need 3.7 or newer there"
        )
    if missing:
        packages = list(dict.fromkeys(_PIP_NAMES.get(m, m) for m in missing))
        raise PrestartError(
            f"{python} (Python {shown}) lacks {', '.join(missing)}, needed to run this app; "
            f"install with: {shlex.quote(python)} -m pip install {' '.join(packages)}"
        )
    record(python, versions)
    _checked[(python, modules)] = None


def _not_usable(python: str, code: int | None, timeout: float) -> str:
    """Why the check printed no answer: it hung (stopped, with all it started) or it ended without one."""
    if code is None:
        return (
            f"{python} did not answer within {timeout:g} s: is it a Python interpreter? "
            "It was stopped, with everything it started"
        )
    return f"{python} is not a Python the explorer can use (it ended with exit code {code} without answering the check)"


async def run_setup(spec: ServerSpec, log: LogBuffer, timeout: float = SETUP_TIMEOUT) -> None:
    """Run the app's set-up command, its output fed to the app's log; :class:`PrestartError` if it fails."""
    if not spec.setup:
        return
    shown = shlex.join(spec.setup)
    log.write(f"set-up: {shown} (in {spec.app_dir or 'the current folder'})")
    own = LogBuffer(max_lines=_SETUP_TAIL, max_line_chars=300)  # its last lines, for the error
    own.hide(log.secrets)

    def feed(chunk: bytes) -> None:
        log.feed(chunk)
        own.feed(chunk)

    try:
        code = await run_kept(list(spec.setup), spec, timeout, feed)
    except OSError as exc:
        raise PrestartError(f"its set-up `{shown}` could not start: {exc}") from None
    log.flush()
    own.flush()
    if code == 0:
        log.write("set-up done")
        return
    lines = [line for line in own.lines() if line.strip()]
    why = f"did not finish within {timeout:g} s and was stopped" if code is None else f"failed with exit code {code}"
    log.write(f"set-up {why}")
    last = "; its last lines:\n" + "\n".join(f"  | {line}" for line in lines) if lines else " without printing anything"
    raise PrestartError(f"its set-up `{shown}` {why}{last}")
