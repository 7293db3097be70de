"""The package as users get it: the wheel ships every module and data file, and the explorer works from
the wheel and from an editable install, run from another folder, child processes included.

The explorer starts three kinds of children with ``python -m``: the servers
(``explorer.runtime.child.serve``), the Flask route lister (``explorer.runtime.child.routetable``) and the load process
(``explorer.bench.loadprocess``). Each must be found wherever the explorer itself was imported from.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("explorer", "panels", "demos")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from a copy of the sources: an in-tree ``build/`` from an older layout would ship stale modules.

    Built with this environment's setuptools when it has one (constraints.txt pins it): pip's isolated build made a
    fresh environment and installed setuptools into it first, 2.6 s of CPU against 1.0 for the same wheel (the same
    245 files, byte for byte the same size; 2026-12-07, load 7)."""
    src, out = tmp_path_factory.mktemp("src"), tmp_path_factory.mktemp("wheel")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    for folder in PACKAGES:
        shutil.copytree(ROOT / folder, src / folder, ignore=shutil.ignore_patterns("__pycache__"))
    isolation = ["--no-build-isolation"] if importlib.util.find_spec("setuptools") else []
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", *isolation, "-q", "-w", str(out), str(src)],
        check=True,
        capture_output=True,
    )
    return next(out.glob("*.whl"))


def test_wheel_contains_every_package_file(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    wanted = {
        str(path.relative_to(ROOT))
        for folder in PACKAGES
        for path in (ROOT / folder).rglob("*")
        if path.suffix in (".py", ".tcss", ".html", ".yaml", ".txt") and "__pycache__" not in path.parts
    }
    assert wanted - names == set()


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return {**env, **extra}


def where(module: str, cwd: Path, env: dict[str, str]) -> Path:
    code = f"import {module} as m; print(m.__file__)"
    return Path(
        subprocess.run(
            [sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, check=True
        ).stdout.strip()
    )


# What the Code tab does for GET /items/1 on each demo: the file of the app's module, then its handler.
CODE_TAB = """
from explorer.apps.source import find_handler, module_file
from explorer.apps.bundled import demo_spec
for fw in ("flask", "fastapi"):
    lookup = find_handler(module_file(demo_spec(fw).target), "GET", "/items/1", fw)
    print(lookup.route.function if lookup.route else lookup.note)
"""


def check_children(explorer: list[str], cwd: Path, env: dict[str, str]) -> None:
    """Each child entry point starts and does its job from this install, away from the checkout.

    The four commands run at once: each spends most of its time starting Python and importing.
    """
    config = json.dumps({"parent": os.getpid(), "engine": "no-such-engine"})
    commands = {
        "routes": [
            sys.executable,
            "-m",
            "explorer.runtime.child.routetable",
            "demos.flask_app:app",
            "--parent",
            str(os.getpid()),
        ],
        "worker": [sys.executable, "-m", "explorer.bench.loadprocess", config],
        "samples": [*explorer, "samples", "--json"],
        "send": [*explorer, "send", "--json", "GET", "/items/1"],  # both demo servers: explorer.runtime.child.serve
        "code": [sys.executable, "-c", CODE_TAB],  # the Code tab's lookup, as the app does it
    }
    procs = {
        name: subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for name, argv in commands.items()
    }
    out = {}
    try:
        for name, proc in procs.items():
            stdout, stderr = proc.communicate(timeout=60)
            out[name] = (proc.returncode, stdout, stderr)
    finally:
        for proc in procs.values():
            if proc.poll() is None:  # only when one timed out: stop the rest too
                proc.kill()
                proc.communicate()
    code, stdout, stderr = out["routes"]
    assert code == 0 and "/items/<int:item_id>" in stdout, stdout + stderr
    code, stdout, stderr = out["worker"]
    assert [json.loads(line)["event"] for line in stdout.splitlines()] == ["started", "error"], stderr
    code, stdout, stderr = out["samples"]
    assert code == 0 and len(json.loads(stdout)["samples"]) >= 20, stderr
    code, stdout, stderr = out["code"]
    assert code == 0 and stdout.split() == ["get_item", "get_item"], stdout + stderr
    code, stdout, stderr = out["send"]
    assert code == 0, stderr
    assert [r["status"] for r in json.loads(stdout)["results"]] == [200, 200]


def test_children_run_from_the_wheel(wheel: Path, tmp_path: Path) -> None:
    site, elsewhere = tmp_path / "site", tmp_path / "elsewhere"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere.mkdir()
    env = clean_env(PYTHONPATH=str(site))
    assert where("explorer.runtime.child.serve", elsewhere, env).is_relative_to(site)
    check_children([sys.executable, "-m", "explorer"], elsewhere, env)


def test_children_run_from_the_editable_install(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "explorer"
    env = clean_env()
    if not script.exists() or not where("explorer", tmp_path, env).is_relative_to(ROOT):
        pytest.skip("the explorer is not installed in editable mode here (make test installs it so)")
    check_children([str(script)], tmp_path, env)
