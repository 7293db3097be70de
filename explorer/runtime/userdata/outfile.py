"""Files the explorer writes for the user (``--write``, ``--junit``, ``--report``, ``--out``), written safely.

One path through :func:`check_output` before the run (so a mistake costs no server start) and
:func:`write_outputs` at its end. The promise: never overwrite a file the user did not ask for.

- an input of the run (``--from-har x.har --write x.har``) is never written over, even with ``--force``;
- an existing file is refused unless ``force`` (the commands' ``--force``);
- only a regular file is written: a FIFO, a device or a folder is refused by its ``stat`` (the path is
  never opened, so nothing can block the way ``open()`` on a FIFO with no reader does);
- the bytes go to a temporary file in the same folder, renamed over the target with ``os.replace``
  once complete: a run that fails leaves the old file (or none), never half a file.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from explorer.runtime.errors import ExplorerError
from explorer.runtime.userdata.datafile import user_path

__all__ = ["OutputError", "check_output", "write_outputs"]

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
)


class OutputError(ExplorerError):
    """An output file that must not or cannot be written (one line, exit status 2)."""


def _path(path: str | Path, option: str) -> Path:
    return user_path(path)  # ~nosuchuser/ stays as written, as a shell leaves it


def _identity(path: str | Path) -> tuple[int, int] | None:
    try:
        found = os.stat(user_path(path))
    except (OSError, RuntimeError, ValueError):
        return None
    return found.st_dev, found.st_ino


def check_output(path: str | Path, option: str, inputs: Iterable[str | Path | None] = (), force: bool = False) -> Path:
    """``path`` as it will be written, or :class:`OutputError` saying in one line why it must not be."""
    target = _path(path, option)
    shown = str(path)
    folder = target.parent
    if not folder.is_dir():
        raise OutputError(f"{option}: no folder {str(folder)!r} to write into")
    try:
        found = os.stat(target)
    except FileNotFoundError:
        return target
    except OSError as exc:
        raise OutputError(f"{option}: cannot write {shown!r}: {exc.strerror or exc}") from None
    for test, kind in _KINDS:
        if test(found.st_mode):
            raise OutputError(f"{option}: {shown!r} is {kind}, not a regular file; give a file name")
    if any(_identity(given) == (found.st_dev, found.st_ino) for given in inputs if given is not None):
        raise OutputError(f"{option}: {shown!r} is an input of this run; it is never written over")
    if not force:
        raise OutputError(f"{option}: {shown!r} exists; add --force to write over it")
    return target


def write_outputs(
    files: Sequence[tuple[str | Path, bytes]],
    option: str,
    inputs: Iterable[str | Path | None] = (),
    force: bool = False,
) -> list[Path]:
    """Write each ``(path, bytes)``: checked again (the path may have changed during the run), written to a
    temporary file beside it, then all renamed into place; on any failure no temporary file is left."""
    inputs = list(inputs)
    targets = [check_output(path, option, inputs, force) for path, _ in files]
    temporary: list[str] = []
    current = targets[0] if targets else Path()
    try:
        for target, (_, data) in zip(targets, files, strict=True):
            current = target
            handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
            temporary.append(name)
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.chmod(name, _mode(target))
        for target, name in zip(targets, temporary, strict=True):
            current = target
            os.replace(name, target)
    except OSError as exc:
        raise OutputError(f"{option}: cannot write {str(current)!r}: {exc.strerror or exc}") from None
    finally:
        for name in temporary:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name)
    return targets


def _mode(target: Path) -> int:
    """An existing file keeps its mode; a new one gets what ``open()`` would give it under the umask."""
    with contextlib.suppress(OSError):
        return stat.S_IMODE(os.stat(target).st_mode)
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask
