"""``explorer routes --progress``: how far a port has come, against the real routes of the example apps."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from explorer.apps.progress import Exercise, RunFormatError, exercises_from_run, progress
from explorer.apps.routes import RouteListing, merge_routes
from explorer.apps.templates import RouteTemplate
from tests.clitools import run_cli

ROOT = Path(__file__).resolve().parent.parent
SHOP = ROOT / "examples" / "shop"
BLOG = ROOT / "examples" / "blog"
SHOP_APPS = ["--app-dir", str(SHOP), "--flask", "shop_flask:app", "--fastapi", "shop_fastapi:app"]


def explorer(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "60"}  # narrow: every figure must still be whole
    return subprocess.run(
        [sys.executable, "-m", "explorer", *args],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
        env=env,
        cwd=cwd,
    )


def _run(*cases: tuple[str, str]) -> dict[str, object]:
    """A saved run as `explorer parity --json` writes it (the fields the progress table reads)."""
    return {
        "kind": "parity",
        "version": 2,
        "results": [{"name": line, "line": line, "outcome": o} for line, o in cases],
    }


def test_the_shop_progress_reads_its_routes_its_file_and_a_run(tmp_path: Path) -> None:
    run = tmp_path / "run.json"
    run.write_text(
        json.dumps(
            _run(
                ("GET /health", "match"),
                ("GET /products/2", "match"),
                ("GET /products/999", "differ"),
                ("POST /login", "declared"),
                ("GET /nowhere", "match"),
            )
        )
    )
    result = explorer("routes", "--progress", "--json", "--run", str(run), *SHOP_APPS)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    routes = {(r["method"], r["flask"]): r for r in document["routes"]}
    assert len(routes) == 8 and all(r["ported"] for r in routes.values()) and document["only_fastapi"] == []
    product = routes["GET", "/products/<int:product_id>"]
    assert product["fastapi"] == "/products/{product_id}" and product["in_run"] == 2
    assert product["result"] == "differs"  # one request of two differed: the route does not match
    assert routes["POST", "/login"]["result"] == "declared" and routes["GET", "/health"]["result"] == "match"
    assert routes["GET", "/status"] == {**routes["GET", "/status"], "exercised": False, "result": "untested"}
    assert document["unmatched"] == [{"method": "GET", "path": "/nowhere"}]
    assert document["summary"] == "8 of 8 routes ported (100%), 3 exercised (38%), 1 match (13%); 1 declared, 1 differs"
    table = explorer("routes", "--progress", "--run", str(run), str(SHOP / "requests.yaml"), *SHOP_APPS)
    assert table.returncode == 0, table.stderr
    said = " ".join(table.stdout.split())  # the summary wraps at 60 columns: whole, never cut
    assert "8 of 8 routes ported (100%), 7 exercised (88%), 1 match (13%); 1 declared, 1 differs" in said
    assert "…" not in table.stdout and "matched no route of either app: GET /nowhere" in said


def test_the_blog_progress_counts_the_requests_of_its_file() -> None:
    result = explorer("routes", "--progress", "--json", "requests.yaml", cwd=BLOG)  # explorer.toml names the apps
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    routes = {(r["method"], r["fastapi"]): r for r in document["routes"]}
    assert routes["POST", "/auth/register"]["in_file"] == 3 and routes["POST", "/admin/backup"]["in_file"] == 0
    assert {r["result"] for r in routes.values()} == {"untested"}  # a file alone has no results
    assert document["summary"] == "9 of 9 routes ported (100%), 8 exercised (89%), 0 match (0%)"


@pytest.mark.serverless
@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["routes", "--run", "x.json"], "go with --progress"),
        (["routes", "--progress", "--run", "missing.json"], "missing.json"),
    ],
)
def test_bad_progress_arguments_are_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, args: list[str], said: str
) -> None:
    monkeypatch.chdir(ROOT)
    assert said in run_cli(capsys, *args, *SHOP_APPS)  # in this process: status 2, one line, no traceback


def _template(framework: str, method: str, template: str, pattern: str) -> RouteTemplate:
    return RouteTemplate(framework, method, template, pattern, pattern)


@pytest.mark.serverless
def test_routes_not_ported_and_only_in_fastapi_are_told_apart() -> None:
    flask = RouteListing(
        "flask",
        "url_map",
        (
            _template("flask", "GET", "/a/<int:i>", "/a/{i}"),
            _template("flask", "GET", "/a/new", "/a/new"),
            _template("flask", "DELETE", "/b", "/b"),
        ),
    )
    fastapi = RouteListing(
        "fastapi", "openapi", (_template("fastapi", "GET", "/a/{i}", "/a/{i}"), _template("fastapi", "GET", "/c", "/c"))
    )
    state = progress(merge_routes([flask, fastapi]), [Exercise("GET", "/a/new", "match"), Exercise("HEAD", "/a/1")])
    assert [(r.flask, r.fastapi, r.in_file, r.in_run, r.result) for r in state.routes] == [
        ("/a/<int:i>", "/a/{i}", 1, 0, "untested"),  # HEAD is answered by the GET route
        ("/a/new", "", 0, 1, "match"),  # the static route wins over /a/<int:i>, as in Werkzeug
        ("/b", "", 0, 0, "untested"),
    ]
    assert [r.fastapi for r in state.only_fastapi] == ["/c"]
    assert state.summary() == "1 of 3 routes ported (33%), 2 exercised (67%), 1 match (33%)"
    with pytest.raises(RunFormatError):
        exercises_from_run({"kind": "session"})


@pytest.mark.serverless
def test_a_mirror_summary_is_a_run_by_flask_route() -> None:
    """The mirror counts under Flask's pattern (``/a/{i}``): its route, never the static ``/a/new`` beside it."""
    flask = RouteListing(
        "flask",
        "url_map",
        (_template("flask", "GET", "/a/<int:i>", "/a/{i}"), _template("flask", "GET", "/a/new", "/a/new")),
    )
    summary = {
        "kind": "mirror",
        "routes": [
            {"method": "GET", "route": "/a/{i}", "requests": 4, "match": 2, "noise": 1, "differ": 1, "dropped": 0},
            {"method": "GET", "route": "/a/new", "requests": 2, "match": 1, "noise": 1, "differ": 0, "dropped": 0},
            {"method": "GET", "route": "(no route)", "requests": 9, "match": 9},
        ],
    }
    state = progress(merge_routes([flask]), exercises_from_run(summary))
    assert [(r.flask, r.in_run, r.result) for r in state.routes] == [
        ("/a/<int:i>", 4, "differs"),
        ("/a/new", 2, "match"),
    ]
    assert state.unmatched == ()
