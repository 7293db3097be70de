"""The docs site builds with ``mkdocs build --strict`` (a broken link or anchor fails it), and the README
stays a short page that links into it.

CI runs ``make test``, so this file is where the docs build is checked; ``make docs`` runs the same build.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _nav_pages() -> list[str]:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    return [page for entry in config["nav"] for page in entry.values()]


def test_mkdocs_build_strict_passes(tmp_path: Path) -> None:
    """The whole site, into a folder of its own: every page of the nav is built, and the screenshot's script is not."""
    site = tmp_path / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}  # Material's end-of-life banner, printed on every build
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "WARNING" not in done.stderr, done.stderr
    for page in _nav_pages():
        built = site / ("index.html" if page == "index.md" else f"{page.removesuffix('.md')}/index.html")
        assert built.is_file(), page
    assert (site / "screenshot.svg").is_file() and not (site / "screenshot.py").exists()


@pytest.mark.serverless
def test_every_docs_page_is_in_the_nav() -> None:
    """A page left out of the nav is built but found by no one (mkdocs only says so at INFO level)."""
    assert sorted(_nav_pages()) == sorted(p.name for p in (ROOT / "docs").glob("*.md"))


@pytest.mark.serverless
def test_the_readme_is_short_and_links_into_the_docs() -> None:
    """At most ~200 lines; it says it holds a subset, names the one command that builds the docs, and each
    of its links to a docs page names a page that exists (its anchor too)."""
    assert len(README.splitlines()) <= 200
    assert "subset" in README and "make docs" in README and "make run" in README and "make test" in README
    links = re.findall(r"\]\((docs/[^)#\s]+)(#[^)\s]+)?\)", README)
    assert {path for path, _ in links} >= {f"docs/{page}" for page in _nav_pages()}
    for path, anchor in links:
        assert (ROOT / path).is_file(), path
        if anchor:
            headings = re.findall(r"^#+ (.+)$", (ROOT / path).read_text(encoding="utf-8"), re.MULTILINE)
            assert anchor[1:] in {_slug(h) for h in headings}, (path, anchor)


def _slug(heading: str) -> str:
    """The anchor Python-Markdown's toc gives a heading (its default ``slugify``), for plain headings."""
    text = re.sub(r"[^\w\s-]", "", heading.replace("`", "")).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


@pytest.mark.serverless
def test_what_the_readme_repeats_is_the_docs_text() -> None:
    """The README's quick start and endpoint table are the overview's, word for word, so neither goes stale alone."""
    overview = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    start = README.index("## Quick start")
    repeated = README[start : README.index("Beyond these, each app")]
    assert "| endpoint | Flask | FastAPI |" in repeated
    assert repeated in overview


@pytest.mark.serverless
def test_the_readme_picture_is_what_the_screenshot_script_writes() -> None:
    """The README shows the file ``docs/screenshot.py`` writes (the app at 160x48 after a real send to both
    servers), and the contributors' page says how to make it again."""
    script = (ROOT / "docs" / "screenshot.py").read_text(encoding="utf-8")
    assert 'OUT = Path(__file__).resolve().parent / "screenshot.svg"' in script
    assert "size=(160, 48)" in script and "send_and_wait" in script
    assert "](docs/screenshot.svg)" in README
    contributing = (ROOT / "docs" / "contributing.md").read_text(encoding="utf-8")
    assert "make screenshot" in contributing and "docs/screenshot.py" in contributing
    picture = (ROOT / "docs" / "screenshot.svg").read_text(encoding="utf-8")
    assert "path.item_id" in picture and "int_parsing" in picture  # FastAPI's answer, as the alt text says


@pytest.mark.serverless
def test_the_readme_names_the_folder_exports_go_to(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 24: ``ctrl+s`` writes "under a folder the README names"; the README named none."""
    from explorer.reports.session import EXPORT_DIR_VARIABLE, export_folder

    monkeypatch.delenv(EXPORT_DIR_VARIABLE, raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    folder = "~/" + str(export_folder().relative_to(Path.home()))
    assert f"`{folder}`" in README and f"`${EXPORT_DIR_VARIABLE}`" in README
