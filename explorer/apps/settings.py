"""One app's settings (folder, interpreter, environment, set-up, server), as given and as checked.

The command line (``--flask-dir``, ``--flask-python``, ``--flask-env``, ``--flask-env-file``,
``--flask-setup``, and the same for ``--fastapi-``) and the config file (:mod:`explorer.apps.config`)
both give an :class:`AppSettings`; the command line's win. Every value is checked here, before any
process starts, and a bad one is one line naming where it came from (:class:`SettingsError`).
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass, replace
from pathlib import Path

from explorer.runtime.errors import ExplorerError
from explorer.runtime.servers.launch import shell_variables
from explorer.runtime.userdata.datafile import DataFileError, FileLimits, load_data_file, user_path
from explorer.runtime.userdata.envfile import EnvError, check_name, check_value

__all__ = [
    "ENV_FILE_LIMITS",
    "MAX_SETUP_CHARS",
    "AppSettings",
    "SettingsError",
    "flask_dotenv",
    "read_env_file",
    "resolve_python",
    "split_setup",
]

ENV_FILE_LIMITS = FileLimits(max_bytes=256 * 1024, max_depth=4)
MAX_SETUP_CHARS = 4096
_MAX_SETUP_ARGS = 256


class SettingsError(ExplorerError):
    """A setting that cannot be used; the message names the option or the config entry."""


@dataclass(frozen=True)
class AppSettings:
    """One app's settings as given; paths already absolute (relative ones are taken from where they were written)."""

    target: str | None = None
    dir: Path | None = None
    python: str | None = None
    env: tuple[tuple[str, str], ...] = ()
    env_file: Path | None = None
    setup: tuple[str, ...] = ()
    server: str | None = None
    ready_timeout: float | None = None  # seconds to answer after its start
    dotenv: bool = True  # a Flask app's .flaskenv and .env are read as `flask run` reads them (--no-dotenv)
    setup_timeout: float | None = None  # seconds the set-up command may take (--setup-timeout)

    def over(self, base: AppSettings) -> AppSettings:
        """These settings where given, ``base``'s elsewhere; variables from both, these last (they win)."""
        merged = replace(base, env=base.env + self.env, dotenv=self.dotenv and base.dotenv)
        for name in ("target", "dir", "python", "env_file", "server", "ready_timeout", "setup_timeout"):
            if getattr(self, name) is not None:
                merged = replace(merged, **{name: getattr(self, name)})
        return replace(merged, setup=self.setup or base.setup)

    def environment(self, label: str) -> tuple[tuple[str, str], ...]:
        """The env file's variables, then the ones given one by one (later ones win), checked."""
        pairs = read_env_file(self.env_file, label) if self.env_file is not None else []
        for name, value in self.env:
            try:
                pairs.append((check_name(name), check_value(name, value)))
            except EnvError as exc:
                raise SettingsError(f"{label}: {exc}") from None
        return tuple(pairs)


def flask_dotenv(folder: Path, label: str) -> tuple[list[tuple[str, str]], list[str]]:
    """The variables of ``.flaskenv`` then ``.env`` in a Flask app's folder (``.env`` wins, as with
    ``flask run``), and the names of the files read. Only that folder: ``flask run`` also looks in the
    folders above the current one, where another project's ``.env`` may lie."""
    pairs: list[tuple[str, str]] = []
    read = []
    for name in (".flaskenv", ".env"):
        path = folder / name
        if path.exists():
            pairs += read_env_file(path, f"{label} ({name}; --no-dotenv skips it)")
            read.append(name)
    return pairs, read


def read_env_file(path: Path, label: str) -> list[tuple[str, str]]:
    """A dotenv file's variables, through the loader every user file goes through."""
    try:
        return list(load_data_file(path, ENV_FILE_LIMITS, fmt="dotenv", label=str(path), environ=shell_variables()))
    except DataFileError as exc:
        raise SettingsError(f"{label}: {exc}") from None


def resolve_python(text: str, label: str, base: Path | None = None) -> str:
    """An interpreter to run an app with: a ``python`` executable, or a venv folder holding one.

    The path is made absolute but symlinks are kept: a venv's ``bin/python`` is a link to the base
    interpreter, and only through the link does Python find the venv's packages.
    """
    path = user_path(text)
    if not path.is_absolute():
        path = (base or Path.cwd()) / path
    if path.is_dir():
        for candidate in ("bin/python", "bin/python3", "Scripts/python.exe"):
            if (path / candidate).is_file():
                path = path / candidate
                break
        else:
            raise SettingsError(f"{label}: {text[:120]!r} is a folder without bin/python (not a venv?)")
    if not path.is_file():
        raise SettingsError(f"{label}: no interpreter at {text[:120]!r}")
    if not os.access(path, os.X_OK):
        raise SettingsError(f"{label}: {text[:120]!r} is not executable")
    return os.path.abspath(path)


def split_setup(value: object, label: str) -> tuple[str, ...]:
    """A set-up command split like a shell line (never run through a shell), or a list of arguments as is.

    ``label`` names where it was given (empty on the command line, where argparse names the option).
    """
    where = f"{label}: " if label else ""
    if isinstance(value, list) and value and all(isinstance(arg, str) for arg in value):
        args = list(value)
    elif isinstance(value, str):
        if len(value) > MAX_SETUP_CHARS:
            raise SettingsError(f"{where}longer than {MAX_SETUP_CHARS:,} characters")
        try:
            args = shlex.split(value)
        except ValueError as exc:
            raise SettingsError(f"{where}cannot split {value[:80]!r}: {exc}") from None
    else:
        raise SettingsError(f"{where}must be a command line (text) or a list of arguments")
    if not args:
        raise SettingsError(f"{where}the command is empty")
    if len(args) > _MAX_SETUP_ARGS or sum(map(len, args)) > MAX_SETUP_CHARS:
        raise SettingsError(f"{where}more than {_MAX_SETUP_ARGS} arguments or {MAX_SETUP_CHARS:,} characters")
    if any("\x00" in arg for arg in args):
        raise SettingsError(f"{where}holds a NUL character")
    return tuple(args)
