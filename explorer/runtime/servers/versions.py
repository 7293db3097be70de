"""The installed versions of the frameworks and servers, read from package metadata (nothing is imported).

Several claims hold only from a given version (FastAPI's 422 for JSON sent without a Content-Type
since 0.132, Werkzeug's 415 since 2.3, FastAPI's 401 from its security classes since 0.122), so every
answer the explorer reports carries the versions that gave it. A server runs on the explorer's own
interpreter unless its app names another (``--flask-python``): then the versions are those read from
that interpreter when it was checked (:mod:`explorer.runtime.servers.prestart`), or unknown (None) before.
"""

from __future__ import annotations

import os
import sys
from functools import cache

__all__ = ["PACKAGES", "STACKS", "installed", "record", "stack", "summary"]

# distribution name -> how people write it
PACKAGES: dict[str, str] = {
    "flask": "Flask",
    "werkzeug": "Werkzeug",
    "gunicorn": "gunicorn",
    "flask-cors": "flask-cors",
    "fastapi": "FastAPI",
    "starlette": "Starlette",
    "pydantic": "Pydantic",
    "uvicorn": "uvicorn",
    "python-multipart": "python-multipart",
}
# what each framework's answers depend on: the framework, its toolkit and its servers
STACKS: dict[str, tuple[str, ...]] = {
    "flask": ("flask", "werkzeug", "gunicorn", "flask-cors"),
    "fastapi": ("fastapi", "starlette", "pydantic", "uvicorn", "python-multipart"),
}


@cache
def installed() -> dict[str, str | None]:
    """Each package's installed version, or None when it is not installed; keyed by the names people write."""
    from importlib import metadata  # here: importing it cost every start of the app ~15 ms, before the first paint

    found: dict[str, str | None] = {}
    for dist, name in PACKAGES.items():
        try:
            found[name] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


_OTHER: dict[str, dict[str, str | None]] = {}  # another interpreter's path -> what it has installed


def record(python: str, found: dict[str, str | None]) -> None:
    """Versions read from another interpreter, keyed by distribution name as in :data:`PACKAGES`."""
    _OTHER[python] = {name: found.get(dist) for dist, name in PACKAGES.items()}


def stack(framework: str, python: str | None = None) -> dict[str, str | None]:
    """The versions one framework's answers depend on, e.g. ``{"Flask": "3.1.3", "Werkzeug": "3.1.9", ...}``.

    ``python``: the app's own interpreter, if it has one.
    """
    if python is None or os.path.abspath(python) == os.path.abspath(sys.executable):
        versions = installed()
    else:
        versions = _OTHER.get(python) or dict.fromkeys(PACKAGES.values())
    return {PACKAGES[dist]: versions[PACKAGES[dist]] for dist in STACKS.get(framework, ())}


def summary(framework: str) -> str:
    """``Flask 3.1.3, Werkzeug 3.1.9, gunicorn 27.0.1, flask-cors 6.0.5``: one line for a table or a header."""
    return ", ".join(f"{name} {version or 'not installed'}" for name, version in stack(framework).items())
