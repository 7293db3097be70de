"""The explorer's own cache files: where they live, and how one is read and written (issue 24: the first paint).

Two caches make a start cheaper: Textual's parsed CSS (:mod:`explorer.tui.css_cache`) and the code Python compiles
for dataclasses' methods (:mod:`explorer.cli.code_cache`). Both are files under
``$XDG_CACHE_HOME/flask-fastapi-explorer`` (``~/.cache`` when it is unset or relative, as the XDG spec says), never
the repository or the current folder. Each holds objects Python rebuilds as it reads them (a pickle, compiled code),
so a file is read only if it is a regular file of at most :data:`MAX_BYTES` that is the user's own and writable by
no one else; it is written whole to a temporary file and then renamed, and a write that fails is only a slower
next start, never an error.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

__all__ = ["MAX_BYTES", "cache_folder", "read_own_file", "write_whole"]

MAX_BYTES = 8 * 1024 * 1024


def cache_folder(environ: dict[str, str] | os._Environ[str] = os.environ) -> Path:
    """Under ``$XDG_CACHE_HOME``, or ``~/.cache`` when it is unset or relative (the XDG spec ignores those)."""
    base = Path(environ.get("XDG_CACHE_HOME") or "")
    return (base if base.is_absolute() else Path.home() / ".cache") / "flask-fastapi-explorer"


def read_own_file(path: Path, max_bytes: int = MAX_BYTES) -> bytes | None:
    """The file's bytes if it is a regular file of at most ``max_bytes``, the user's own and writable by no one
    else; None for any other file, a missing one or one that cannot be read."""
    try:
        with open(path, "rb") as file:
            found = os.fstat(file.fileno())
            if (
                not stat.S_ISREG(found.st_mode)
                or found.st_uid != os.getuid()
                or found.st_mode & 0o022
                or found.st_size > max_bytes
            ):
                return None
            return file.read(max_bytes + 1)
    except OSError:
        return None


def write_whole(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path`` (the folder made private if new), then rename it there."""
    with contextlib.suppress(Exception):  # a cache that cannot be written is only a slower next start
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            os.replace(temporary, path)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
