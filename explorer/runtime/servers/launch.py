"""How a server, its set-up command and the route lister are launched: interpreter, command line, environment,
and the loopback socket a server is handed and the probe that tells when it answers.

Every app runs in its own folder, under its own interpreter when the user names one (a venv's
``bin/python``), with the environment built here: a short allow-list of the user's shell
variables, then the variables the user added for that app (``--flask-env``, an env file), then the
explorer's own switches. Nothing else of the shell reaches an app: no proxies, no secrets, no debug
switches the user did not name. The names (never the values) are written to the app's log.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import sys
from pathlib import Path

from explorer.runtime.errors import ServerError
from explorer.runtime.servers.specs import ServerSpec

__all__ = [
    "CHILD",
    "ENV_KEEP",
    "PROBE_PATH",
    "bin_folder",
    "bind_loopback",
    "child_argv",
    "env_summary",
    "interpreter",
    "own_interpreter",
    "probe",
    "server_env",
    "secret_values",
    "shell_variables",
]

CHILD = str(Path(__file__).parent.parent / "child" / "bootstrap.py")
ENV_KEEP = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TZ", "SYSTEMROOT", "VIRTUAL_ENV")
_OURS = ("PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE")


def shell_variables() -> dict[str, str]:
    """The user's shell variables an app gets (:data:`ENV_KEEP`): all an env file's ``${NAME}`` can name besides its own."""
    return {key: os.environ[key] for key in ENV_KEEP if key in os.environ}


_SECRET_NAME = re.compile(r"token|secret|passw|key|session|auth|cookie|csrf|jwt|bearer|credential|dsn|_url$", re.I)
_SHORTEST_SECRET = 6  # shorter values ("true", "dev") would blank every line they appear in


def secret_values(spec: ServerSpec) -> list[str]:
    """The values of the app's own variables whose names look secret (``BLOG_SECRET_KEY``,
    ``DATABASE_URL``): hidden in its Log tab, its set-up's output included."""
    return [value for name, value in spec.env if _SECRET_NAME.search(name) and len(value) >= _SHORTEST_SECRET]


def interpreter(spec: ServerSpec) -> str:
    """The Python that runs this app: the user's choice, else the explorer's own."""
    return spec.python or sys.executable


def own_interpreter(spec: ServerSpec) -> bool:
    return spec.python is None or os.path.abspath(spec.python) == os.path.abspath(sys.executable)


def bin_folder(spec: ServerSpec) -> str:
    """The folder of the app's interpreter (a venv's ``bin``), put first on PATH."""
    return os.path.dirname(os.path.abspath(interpreter(spec)))


def child_argv(spec: ServerSpec, module: str, *args: str) -> list[str]:
    """Run one of our child modules (``explorer.runtime.child.serve``, ``explorer.runtime.child.routetable``) for this app."""
    return [interpreter(spec), CHILD, module, *args]


def _project_paths(spec: ServerSpec) -> list[str]:
    """The folder that holds the ``explorer`` package (installed or checked out), and a bundled demo's own."""
    here = {str(Path(__file__).resolve().parents[3])}
    if spec.demo_home is not None:
        here.add(str(spec.demo_home))
    return sorted(here)


def server_env(spec: ServerSpec) -> dict[str, str]:
    """The allow-list, the user's variables for this app, then PATH, PYTHONPATH and two Python switches.

    The interpreter's ``bin`` folder comes first on PATH (so a set-up command such as ``flask --app
    blog init-db`` finds that venv's ``flask``). Under another interpreter ``VIRTUAL_ENV`` names its
    venv, and the explorer's own packages are not on its PYTHONPATH.
    """
    env = shell_variables()
    given = dict(spec.env)
    env.update({key: value for key, value in given.items() if key not in ("PYTHONPATH", *_OURS)})
    folder = bin_folder(spec)
    path = env.get("PATH", "").split(os.pathsep) if env.get("PATH") else []
    env["PATH"] = os.pathsep.join([folder, *(p for p in path if p != folder)])
    own = own_interpreter(spec)
    venv = os.path.dirname(folder)
    if not own and "VIRTUAL_ENV" not in given and os.path.isfile(os.path.join(venv, "pyvenv.cfg")):
        env["VIRTUAL_ENV"] = venv
    paths = [str(spec.app_dir.resolve())] if spec.app_dir else []
    if own:
        paths += _project_paths(spec)
    for text in (given.get("PYTHONPATH", ""), os.environ.get("PYTHONPATH", "")):  # the user's, after ours
        paths += [p for p in text.split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def env_summary(spec: ServerSpec) -> str:
    """The names that reach the app, for its log: the allow-list's and the user's, never a value."""
    env = server_env(spec)
    given = sorted({key for key, _ in spec.env})
    passed = sorted(key for key in env if key not in given)
    text = f"environment (names only): {', '.join(passed)}"
    return text + (f"; added for this app: {', '.join(given)}" if given else "; none added for this app")


PROBE_PATH = "/.well-known/explorer-probe"


def bind_loopback(preferred: int | None = None) -> socket.socket:
    """A listening TCP socket on 127.0.0.1: the preferred port if free, else one the kernel picks."""
    for port in ([preferred] if preferred else []) + [0]:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            sock.close()
            continue
        sock.listen(1024)
        return sock
    raise ServerError("could not bind any port on 127.0.0.1")


async def probe(port: int, timeout: float) -> bool:
    """True when an HTTP server on ``port`` answers a request with a status line within ``timeout``."""
    writer = None
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(f"GET {PROBE_PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode())
            await writer.drain()
            line = await reader.readline()
            return line.startswith(b"HTTP/")
    except (OSError, TimeoutError, asyncio.IncompleteReadError):
        return False
    finally:
        if writer is not None:
            writer.close()
