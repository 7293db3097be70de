"""The config file, so a pair of real apps needs no long command line.

``explorer.toml`` in the current folder, or a ``[tool.explorer]`` table in its ``pyproject.toml``
(or the file ``--config FILE`` names), holds a ``[flask]`` and a ``[fastapi]`` table::

    [flask]
    target = "blog:create_app()"
    dir = "flask-app"                     # relative paths are taken from the config file's folder
    python = "flask-app/.venv"            # a venv folder or its bin/python
    env = { BLOG_DEBUG = "1" }
    env_file = "flask.env"
    setup = "flask --app blog init-db"    # or a list of arguments
    server = "dev"                        # dev or gunicorn (FastAPI: uvicorn)
    ready_timeout = 60                    # seconds it has to answer after its start (default 30)
    setup_timeout = 600                   # seconds its set-up command may take (default 120)

The file is read by the one loader of user files (a regular file, at most 256 KiB, UTF-8, TOML);
every key is checked, an unknown one is refused, and each refusal is one line naming the file, the
table and the key. Command-line options override what the file says.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from explorer.apps.settings import AppSettings, SettingsError, resolve_python, split_setup
from explorer.runtime.frameworks import FRAMEWORKS
from explorer.runtime.servers.specs import SETUP_TIMEOUT_BOUNDS
from explorer.runtime.userdata.datafile import DataFileError, FileLimits, load_data_file, user_path
from explorer.runtime.userdata.envfile import EnvError, check_name, check_value

__all__ = ["CONFIG_LIMITS", "CONFIG_NAME", "KEYS", "find_config", "load_config"]

CONFIG_NAME = "explorer.toml"
CONFIG_LIMITS = FileLimits(max_bytes=256 * 1024, max_depth=8)
KEYS = ("target", "dir", "python", "env", "env_file", "setup", "server", "ready_timeout", "setup_timeout")
READY_TIMEOUT_BOUNDS = (0.1, 600.0)  # as --ready-timeout


def find_config(cwd: Path | None = None) -> Path | None:
    """``explorer.toml`` in ``cwd``, else its ``pyproject.toml`` (used only if it has ``[tool.explorer]``)."""
    folder = cwd or Path.cwd()
    for name in (CONFIG_NAME, "pyproject.toml"):
        if (folder / name).exists():
            return folder / name
    return None


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SettingsError(f"{where}: must be a non-empty string")
    return value


def _path(value: Any, where: str, base: Path) -> Path:
    path = user_path(_string(value, where))
    return path if path.is_absolute() else base / path


def _seconds(value: Any, where: str, bounds: tuple[float, float]) -> float:
    low, high = bounds
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise SettingsError(f"{where}: must be a number of seconds from {low:g} to {high:g}")
    return float(value)


def _env(value: Any, where: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict):
        raise SettingsError(f'{where}: must be a table of NAME = "value"')
    pairs = []
    for name, raw in value.items():
        if isinstance(raw, bool) or not isinstance(raw, (str, int)):
            raise SettingsError(f"{where}.{name}: must be a string (or a whole number)")
        try:
            pairs.append((check_name(name), check_value(name, str(raw))))
        except EnvError as exc:
            raise SettingsError(f"{where}: {exc}") from None
    return tuple(pairs)


def _table(table: Any, where: str, base: Path) -> AppSettings:
    if not isinstance(table, dict):
        raise SettingsError(f"{where}: must be a table")
    unknown = [key for key in table if key not in KEYS]
    if unknown:
        raise SettingsError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(KEYS)})")
    folder = _path(table["dir"], f"{where}.dir", base) if "dir" in table else None
    if folder is not None and not folder.is_dir():
        raise SettingsError(f"{where}.dir: {str(folder)[:120]!r} is not an existing folder")
    return AppSettings(
        target=_string(table["target"], f"{where}.target") if "target" in table else None,
        dir=folder.resolve() if folder is not None else None,
        python=resolve_python(_string(table["python"], f"{where}.python"), f"{where}.python", base)
        if "python" in table
        else None,
        env=_env(table["env"], f"{where}.env") if "env" in table else (),
        env_file=_path(table["env_file"], f"{where}.env_file", base) if "env_file" in table else None,
        setup=split_setup(table["setup"], f"{where}.setup") if "setup" in table else (),
        server=_string(table["server"], f"{where}.server") if "server" in table else None,
        ready_timeout=_seconds(table["ready_timeout"], f"{where}.ready_timeout", READY_TIMEOUT_BOUNDS)
        if "ready_timeout" in table
        else None,
        setup_timeout=_seconds(table["setup_timeout"], f"{where}.setup_timeout", SETUP_TIMEOUT_BOUNDS)
        if "setup_timeout" in table
        else None,
    )


def load_config(path: Path, named: bool = True) -> dict[str, AppSettings]:
    """The ``[flask]`` and ``[fastapi]`` settings of a config file (``[tool.explorer]`` in a pyproject.toml).

    ``named``: the user named the file (``--config``); a ``pyproject.toml`` found by itself without
    a ``[tool.explorer]`` table is simply no config.
    """
    name = path.name
    try:
        document = load_data_file(path, CONFIG_LIMITS, fmt="toml", label=str(path))
    except DataFileError as exc:
        raise SettingsError(str(exc)) from None
    prefix = name
    tool = document.get("tool") if isinstance(document, dict) else None
    if isinstance(tool, dict) and "explorer" in tool:
        document, prefix = tool["explorer"], f"{name}: [tool.explorer]"
    elif name == "pyproject.toml":
        if not named:
            return {}
        raise SettingsError(f"{path}: no [tool.explorer] table")
    if not isinstance(document, dict):
        raise SettingsError(f"{prefix}: must be a table")
    unknown = [key for key in document if key not in FRAMEWORKS and not (key == "tool" and prefix == name)]
    if unknown:
        raise SettingsError(f"{prefix}: unknown table or key {unknown[0]!r} (known: [flask], [fastapi])")
    base = path.resolve().parent
    where = f"{path}: " if prefix == name else f"{path}: [tool.explorer]."
    return {
        fw: _table(document[fw], f"{where}[{fw}]" if prefix == name else f"{where}{fw}", base)
        for fw in FRAMEWORKS
        if fw in document
    }
