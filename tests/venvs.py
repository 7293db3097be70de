"""A second interpreter for the tests: a venv holding Flask 2.3 (not the explorer's Flask 3), and nothing of ours.

It stands for a legacy app pinned in its own venv. Building it needs PyPI (or pip's cache), so it is
built once and kept in the user's cache folder, keyed by the Python version and the pins; a lock
lets several test runs on one machine share it, and a marker written last means "complete".
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

PINS = ("flask==2.3.3", "werkzeug==2.3.8")
FLASK_VERSION = "2.3.3"


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "flask-fastapi-explorer-tests"


def legacy_venv(python: str = sys.executable, pins: tuple[str, ...] = PINS) -> Path:
    """The venv folder (``bin/python`` inside) of ``python`` holding ``pins``, built on first use."""
    version = subprocess.run(
        [python, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    key = f"py{version}-" + "-".join(pin.replace("==", "") for pin in pins)
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    folder, marker = root / key, root / key / ".complete"
    with open(root / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not marker.exists():
            shutil.rmtree(folder, ignore_errors=True)
            ours = python == sys.executable  # another Python gets a pip of its own: ours may not support it
            venv = [python, "-m", "venv", *(["--without-pip"] if ours else []), str(folder)]
            subprocess.run(venv, check=True, capture_output=True)
            pip = (
                [sys.executable, "-m", "pip", "--python", str(folder / "bin" / "python")]
                if ours
                else [str(folder / "bin" / "python"), "-m", "pip"]
            )
            subprocess.run(  # our pip, installing into that interpreter: no ensurepip, no pip inside it
                [*pip, "install", "--quiet", "--disable-pip-version-check", *pins],
                check=True,
                capture_output=True,
                timeout=300,
            )
            marker.write_text("\n".join(pins) + "\n")
    return folder
