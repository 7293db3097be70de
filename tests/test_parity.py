"""Parity, routes and user apps against real servers: the example shop pair from examples/shop.

The in-process tests share one started session; the CLI tests run the explorer as a user does and
each starts (and stops) its own servers.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from explorer.apps.routes import list_all_routes, merge_routes
from explorer.apps.targets import specs_from_options, startup_problems
from explorer.parity.check import run_parity
from explorer.parity.suite import load_suite
from explorer.runtime.session import Session
from tests.clitools import cli_in_process, run_cli
from tests.conftest import LoopThread

ROOT = Path(__file__).resolve().parent.parent
SHOP = ROOT / "examples" / "shop"
REQUESTS = SHOP / "requests.yaml"
APPS = ["--app-dir", str(SHOP), "--flask", "shop_flask:app", "--fastapi", "shop_fastapi:app"]
SHOP_ROUTES = {
    ("GET", "/health"),
    ("GET", "/status"),
    ("POST", "/login"),
    ("GET", "/me"),
    ("GET", "/products"),
    ("GET", "/products/{}"),
    ("POST", "/orders"),
    ("GET", "/orders/{}"),
}


def explorer(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "explorer", *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT
    )


@pytest.fixture(scope="module")
def shop(loop_thread: LoopThread) -> Iterator[Session]:
    session = Session(specs_from_options("shop_flask:app", "shop_fastapi:app", SHOP), timeout=10)
    loop_thread.run(session.start())
    try:
        assert startup_problems(session.supervisor) == []
        yield session
    finally:
        loop_thread.run(session.stop())


@pytest.fixture(scope="module")
def regressed(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The shop with a regression planted in the port: `POST /orders` loses its `status_code=201`."""
    folder = tmp_path_factory.mktemp("regressed")
    shutil.copy(SHOP / "shop_flask.py", folder / "shop_flask.py")
    port = (SHOP / "shop_fastapi.py").read_text()
    assert '@app.post("/orders", status_code=201)' in port
    (folder / "shop_fastapi.py").write_text(
        port.replace('@app.post("/orders", status_code=201)', '@app.post("/orders")')
    )
    return ["--app-dir", str(folder), "--flask", "shop_flask:app", "--fastapi", "shop_fastapi:app"]


def test_the_shop_matches_with_its_declared_difference_listed(shop: Session, loop_thread: LoopThread) -> None:
    seen: list[str] = []
    report = loop_thread.run(run_parity(shop, load_suite(REQUESTS), on_result=lambda r: seen.append(r.case.name)))
    assert len(seen) == len(report.results) >= 15
    assert report.passed and [r.case.name for r in report.results if not r.matched] == []
    outcomes = {r.case.name: r.outcome for r in report.results}
    assert outcomes["login, wrong password"] == "declared" and outcomes["who am I"] == "match"
    declared = next(r for r in report.results if r.case.name == "login, wrong password").declared
    assert [(d.where, d.note, e.reason.startswith("the port raises")) for d, e in declared] == [
        ("error", "only in Flask", True),
        ("detail", "only in FastAPI", True),
    ]
    summary = report.to_dict()["summary"]
    assert (summary["declared"], summary["differ"], summary["errors"], summary["passed"]) == (1, 0, 0, True)
    me = next(r for r in report.results if r.case.name == "who am I")  # each app got its own scheme and token
    flask_auth, fastapi_auth = (me.exchanges[fw].spec.header("authorization") for fw in ("flask", "fastapi"))
    assert flask_auth is not None and fastapi_auth is not None
    assert flask_auth.startswith("Token ") and fastapi_auth.startswith("Bearer ") and flask_auth[6:] != fastapi_auth[7:]
    assert (me.curl("flask") or "").startswith("curl -i -X GET")


def test_routes_of_both_apps(shop: Session, loop_thread: LoopThread) -> None:
    listings = loop_thread.run(list_all_routes(shop))
    for framework, source in (("flask", "url_map"), ("fastapi", "openapi")):
        assert listings[framework].error is None and listings[framework].source == source
        assert {r.key for r in listings[framework].routes} == SHOP_ROUTES
    rows = {(row.method, row.pattern): row for row in merge_routes(listings.values())}
    assert all(row.frameworks == ("flask", "fastapi") for row in rows.values())
    order = rows[("POST", "/orders")].request
    assert json.loads(order.body or "") == {"product_id": 1, "quantity": 1}  # sketched from the OpenAPI schema
    product = rows[("GET", "/products/{product_id}")].request
    answers = loop_thread.run(shop.send(product))
    assert [e.status for e in answers.values()] == [200, 200]


def test_cli_parity_exits_0_on_the_shop_and_1_after_a_planted_regression(
    regressed: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ok = explorer("parity", str(REQUESTS), *APPS, "--junit", str(tmp_path / "ok.xml"))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "all 15 requests match (1 as declared)" in ok.stdout and "declared: body error: only in Flask" in ok.stdout
    suite = ET.parse(tmp_path / "ok.xml").getroot().find("testsuite")
    assert suite is not None and (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("15", "0", "0")
    # the same --junit file again: written over only with --force (issue 19 item 4); the report of the same run
    args = ("--junit", str(tmp_path / "ok.xml"), "--force", "--report", str(tmp_path / "run"))
    result = explorer("parity", str(REQUESTS), *regressed, *args)
    assert result.returncode == 1, result.stderr
    failed = [c for c in ET.parse(tmp_path / "ok.xml").getroot().iter("testcase") if c.find("failure") is not None]
    assert [c.get("name") for c in failed] == ["create order (POST /orders)"]
    assert "status: Flask 201, FastAPI 200 (expected 201)" in result.stdout
    assert result.stdout.count("✗") == 1 and "create order" in result.stdout
    assert "1 of 15 requests differ" in result.stdout

    # the report written beside (`--json` prints the same document: test_cli_parity_never_calls_different_answers_equal)
    markdown = (tmp_path / "run.md").read_text()
    assert "| 7 | create order | POST /orders | 201 | 200 |" in markdown and "curl -i -X POST" in markdown
    saved = json.loads((tmp_path / "run.json").read_text())
    document = saved["data"]
    assert saved["kind"] == "report" and document["kind"] == "parity" and document["summary"]["differ"] == 1
    lines = [d["line"] for r in document["results"] for d in r["differences"]]
    assert lines == ["status: Flask 201, FastAPI 200 (expected 201)"]
    code, out, _ = cli_in_process(capsys, "report", "--from", str(tmp_path / "run.json"), "--format", "md")
    assert code == 0 and "create order (POST /orders): status: Flask 201" in out.replace("\\", "")


def test_cli_parity_json_suite_with_ignored_keys_all_match(
    shop: Session, loop_thread: LoopThread, tmp_path: Path
) -> None:
    """A JSON requests file, its `ignore_keys` leaving out a message the two apps word differently: all match (the
    CLI's exit 0 on a passed run: the test above). On the module's shop servers (a CLI run started its own)."""
    suite = tmp_path / "ok.json"
    suite.write_text(
        json.dumps(
            {
                "requests": [
                    {"name": "health", "path": "/health", "status": 200},
                    {
                        "name": "bad quantity",
                        "method": "POST",
                        "path": "/orders",
                        "body": {"product_id": 1, "quantity": 0},
                        "status": 400,
                        "ignore_keys": ["message"],
                    },
                ]
            }
        )
    )
    report = loop_thread.run(run_parity(shop, load_suite(suite)))
    assert [(r.case.name, r.outcome) for r in report.results] == [("health", "match"), ("bad quantity", "match")]
    assert report.passed and report.to_dict()["summary"]["all_match"]
    unignored = suite.read_text().replace(', "ignore_keys": ["message"]', "")
    (tmp_path / "strict.json").write_text(unignored)  # the key is what made them match
    strict = loop_thread.run(run_parity(shop, load_suite(tmp_path / "strict.json")))
    assert [r.outcome for r in strict.results] == ["match", "differ"] and not strict.passed


@pytest.mark.serverless
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("requests:\n  - path: /x\n    bad: [\n", "not valid YAML"),
        ("- name: one\n  path: /x\n  ignore_key: [a]\n", "entry 1 ('one'): unknown key 'ignore_key'"),
        ("- path: /health\n- name: two\n  path: health\n", "entry 2 ('two'): path must start with '/'"),
        ("- name: one\n  path: /x\n  status: 999\n", "'status' must be an HTTP status"),
        ("just text", "expected a list of requests"),
    ],
)
def test_cli_parity_bad_file_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "requests.yaml"
    if content is not None:
        path.write_text(content)
    assert message in run_cli(capsys, "parity", str(path), *APPS)  # in this process (tests/clitools.py)


def test_cli_parity_bad_file_in_a_real_process_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "requests.yaml").write_text("just text")
    result = explorer("parity", str(tmp_path / "requests.yaml"), *APPS, timeout=15)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.count("\n") == 1 and "expected a list of requests" in result.stderr and result.stdout == ""


@pytest.mark.serverless
@pytest.mark.parametrize(
    "args",
    [
        ("parity", str(REQUESTS), "--flask", "shop_flask:app"),
        ("parity", str(REQUESTS), "--flask", "shop_flask", "--fastapi", "shop_fastapi:app"),
        ("send", "GET", "/", "--flask", "a:app", "--app-dir", "/no/such/folder"),
        ("send", "GET", "/", "--app-dir", str(SHOP)),
        ("send", "--framework", "fastapi", "GET", "/", "--flask", "shop_flask:app"),
    ],
)
def test_cli_bad_app_options_exit_2(capsys: pytest.CaptureFixture[str], args: tuple[str, ...]) -> None:
    run_cli(capsys, *args)  # status 2, one line, no traceback


@pytest.mark.parametrize("command", ["parity", "send", "routes"])
def test_broken_app_is_one_clear_line_exit_1_and_nothing_left(tmp_path: Path, command: str) -> None:
    module = f"broken_{command}_{tmp_path.name[-8:]}".replace("-", "_")
    shutil.copy(ROOT / "tests" / "apps" / "broken_app.py", tmp_path / f"{module}.py")
    apps = ["--app-dir", str(tmp_path), "--flask", f"{module}:app", "--fastapi", "shop_fastapi:app"]
    args = {"parity": ["parity", str(REQUESTS)], "send": ["send", "GET", "/health"], "routes": ["routes"]}[command]
    result = explorer(*args, *apps, timeout=20)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert (
        f"explorer: error: the Flask app {module}:app failed to import: RuntimeError: this module is broken on purpose"
        in lines
    )
    assert "No module named 'shop_fastapi'" in result.stderr  # the other app is not in that folder: named too
    assert "Traceback" not in result.stderr
    assert not [p for p in psutil.process_iter(["cmdline"]) if module in " ".join(p.info["cmdline"] or [])]


def test_cli_routes_json_lists_both() -> None:
    result = explorer("routes", "--json", *APPS)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert {(r["method"], r["pattern"]) for r in document["routes"]} >= {
        ("GET", "/products/{product_id}"),
        ("POST", "/orders"),
    }
    assert all(r["frameworks"] == ["flask", "fastapi"] for r in document["routes"])
    assert document["listings"]["flask"]["source"] == "url_map"


def test_cli_routes_lists_mounts_and_websockets_from_the_route_tree() -> None:
    """FastAPI's schema leaves out a StaticFiles mount, routes outside the schema and WebSocket routes:
    `routes` showed `/static/{filename}` and `/ws/echo` (as GET) as Flask-only, `/cors/data` FastAPI `-`."""
    result = explorer("routes", "--json", timeout=60)
    assert result.returncode == 0, result.stderr
    rows = {(r["method"], r["pattern"]): r["frameworks"] for r in json.loads(result.stdout)["routes"]}
    both = ["flask", "fastapi"]
    assert rows[("GET", "/static/{filename}")] == both and rows[("WEBSOCKET", "/ws/echo")] == both
    assert rows[("GET", "/cors/data")] == both and rows[("GET", "/hooks/ping")] == both
    assert ("GET", "/ws/echo") not in rows and rows[("GET", "/hooks/base/ping")] == ["fastapi"]
    assert "/static/" not in result.stderr  # a static folder answers GET and HEAD only: nothing to note


# --- answers built to defeat a diff: tests/apps/parity_{flask,fastapi}.py ---------------------------

PAIR_APPS = [
    "--app-dir",
    str(ROOT / "tests" / "apps"),
    "--flask",
    "parity_flask:app",
    "--fastapi",
    "parity_fastapi:app",
]
HARD_CASES = {  # name: (outcome, listed differences, more)
    "products": ("differ", ["body [29].price: Flask 17.25, FastAPI 99.5"], 0),
    "same": ("match", [], 0),
    "flat": ("differ", ["body key_119: Flask 119, FastAPI -1"], 0),
    "wide": ("differ", ["body key_4999: Flask 4999, FastAPI -1"], 0),
    "deep": ("differ", ["body " + "a." * 20 + "…" + ".a" * 25 + ": Flask 'old', FastAPI 'new'"], 0),
    "too-deep": (
        "error",
        [
            "error: body could not be compared: Flask's answer is nested deeper than 500 levels; "
            "FastAPI's answer is nested deeper than 500 levels"
        ],
        0,
    ),
    "too-deep-same": ("match", [], 0),
    "many": ("differ", [f"body [{i}]: Flask {i}, FastAPI {i + 1}" for i in range(50)], 4950),
    "bag": ("match", [], 0),
    "bag-changed": ("differ", ["body [4321]: Flask 4321, FastAPI -1"], 0),
    "surrogate": ("differ", ["body name: Flask '\\ud800', FastAPI '\\udc00'"], 0),  # printed as escapes
}


def hard_suite(tmp_path: Path) -> Path:
    path = tmp_path / "hard.json"
    entries: list[dict[str, Any]] = [{"name": name, "path": f"/body/{name}", "status": 200} for name in HARD_CASES]
    for entry in entries:
        if entry["name"].startswith("bag"):
            entry["ignore_order"] = True
    path.write_text(json.dumps({"requests": entries}))
    return path


def test_cli_parity_never_calls_different_answers_equal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Every answer the deepdiff version called equal (or crashed on) is now found, counted or refused."""
    suite = hard_suite(tmp_path)
    result = explorer("parity", str(suite), *PAIR_APPS, "--json", "--report", str(tmp_path / "run"))
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)
    found = {
        r["name"]: (r["outcome"], [d["line"] for d in r["differences"]], r["more_differences"])
        for r in document["results"]
    }
    assert found == HARD_CASES
    deep = next(r for r in document["results"] if r["name"] == "deep")
    assert deep["differences"][0]["where"] == ".".join(["a"] * 450)
    assert document["summary"] == {
        "cases": 11,
        "matched": 3,
        "declared": 0,
        "differ": 7,
        "errors": 1,
        "stale": 0,
        "steps_failed": 0,
        "all_match": False,
        "passed": False,
    }
    markdown = (tmp_path / "run.md").read_text()
    assert "… and 4,950 more differences" in markdown and "nested deeper than 500 levels" in markdown
    again = explorer("report", "--from", str(tmp_path / "run.json"), "--format", "json")  # `report` in a process once
    assert again.returncode == 0 and json.loads(again.stdout)["data"]["summary"]["errors"] == 1
    assert '"\\ud800"' in again.stdout  # a saved run's lone surrogate comes back as its escape
    (tmp_path / "stdout.json").write_text(result.stdout)  # what `--json` printed reads as a report too
    code, out, _ = cli_in_process(capsys, "report", "--from", str(tmp_path / "stdout.json"), "--format", "md")
    assert code == 0 and "… and 4,950 more differences" in out and "nested deeper than 500 levels" in out

    text = explorer("parity", str(suite), *PAIR_APPS)
    assert text.returncode == 1
    assert "… and 4,950 more differences" in text.stdout and text.stdout.count("✗ error") == 1
    assert "8 of 11 requests differ" in text.stdout and "Traceback" not in text.stderr


def test_cli_routes_on_a_malformed_openapi_document_names_what_it_skipped() -> None:
    apps = ["--app-dir", str(ROOT / "tests" / "apps"), "--fastapi", "bad_openapi_app:app"]
    result = explorer("routes", *apps, "--json")
    assert result.returncode == 0, result.stderr
    listing = json.loads(result.stdout)["listings"]["fastapi"]
    assert [(r["method"], r["path"]) for r in listing["routes"]] == [
        ("GET", "/items/example"),
        ("POST", "/items/example"),
        ("PUT", "/items/example"),
        ("PATCH", "/items/example"),
        ("GET", "/ok"),
    ]
    assert listing["skipped"] == [
        "components.schemas: is a list, not an object; references are not followed",
        'paths["/items/{item_id}"].get.parameters[0].schema.anyOf: is text, not a list',
        'paths["/items/{item_id}"].get.parameters[1]: a parameter is a number, not an object',
        'paths["/items/{item_id}"].get.parameters[2]: a parameter is a number, not an object',
        'paths["/items/{item_id}"].post.requestBody.content: is text, not an object; no body example',
        'paths["/items/{item_id}"].put.requestBody.content: is a list, not an object; no body example',
        'paths["/items/{item_id}"].patch.parameters: is a number, not a list',
        'paths["/orders"]: is a list, not an object',
        "paths.no-slash: not a path: it must start with '/' and be valid Unicode",
    ]
    notes = result.stderr.split("explorer: note: ")[1:]  # one sentence each, wrapped at 80 columns (test_cli_notes)
    assert len(notes) == 9 and all(n.startswith("Part of FastAPI's routes was left out,") for n in notes), notes
    assert all(len(line) <= 80 for line in result.stderr.splitlines()) and "Traceback" not in result.stderr


# --- flows, noise, secrets, generated and imported requests ---------------------------------------


def test_noise_classifies_live_fields_without_ignore_keys(shop: Session, loop_thread: LoopThread) -> None:
    suite = load_suite(SHOP / "noise.yaml")
    plain = loop_thread.run(run_parity(shop, suite))
    assert [r.outcome for r in plain.results] == ["differ", "match"]
    assert {d.where for d in plain.results[0].differences} == {"time", "request_id"}
    noisy = loop_thread.run(run_parity(shop, suite, noise=True))
    assert noisy.passed and [r.outcome for r in noisy.results] == ["match", "match"]
    assert {(n.where, n.frameworks) for n in noisy.results[0].noise} == {
        ("time", ("flask", "fastapi")),
        ("request_id", ("flask", "fastapi")),
    }
    assert noisy.results[1].noise == []


def test_captured_tokens_are_hidden_unless_asked(shop: Session, loop_thread: LoopThread) -> None:
    report = loop_thread.run(run_parity(shop, load_suite(REQUESTS)))
    login = next(r for r in report.results if r.case.name == "login")
    tokens = [login.captures[fw]["token"] for fw in ("flask", "fastapi")]
    assert len(set(tokens)) == 2 and all(len(t) == 32 for t in tokens)
    hidden = json.dumps(report.to_dict(), ensure_ascii=False)
    assert not any(t in hidden for t in tokens) and "Token ‹redacted›" in hidden and "Bearer ‹redacted›" in hidden
    shown = json.dumps(report.to_dict(show_secrets=True), ensure_ascii=False)
    assert all(t in shown for t in tokens)


def test_a_har_recording_runs_as_a_suite(shop: Session, loop_thread: LoopThread, tmp_path: Path) -> None:
    from explorer.parity.imports import from_har
    from explorer.parity.suite import parse_suite

    har = tmp_path / "shop.har"
    har.write_text(
        json.dumps(
            {
                "log": {
                    "entries": [
                        {"request": {"method": "GET", "url": "http://localhost:8000/products/1", "headers": []}},
                        {"request": {"method": "GET", "url": "http://localhost:8000/products?limit=x", "headers": []}},
                    ]
                }
            }
        )
    )
    report = loop_thread.run(run_parity(shop, parse_suite({"requests": from_har(har)}, "shop.har")))
    assert [(r.case.request.line, r.outcome) for r in report.results] == [
        ("GET /products/1", "match"),
        ("GET /products?limit=x", "differ"),
    ]
    assert report.results[1].differences[0].where == "fields[0].message"


def test_cli_generate_writes_an_editable_file_and_fuzz_finds_minimal_cases(tmp_path: Path) -> None:
    written = tmp_path / "generated.yaml"
    result = explorer("parity", "--generate", *APPS, "--fuzz", "5", "--write", str(written), "--json", timeout=60)
    assert result.returncode == 1, result.stderr  # the shop's ports differ on inputs nobody wrote a request for
    document = json.loads(result.stdout)
    generated = [r["name"] for r in document["results"] if not r["name"].startswith("fuzz ")]
    assert {"GET /health", "POST /orders", "GET /orders/{order_id}", "POST /login"} <= set(generated)
    assert generated.index("POST /orders") < generated.index("GET /orders/{order_id}")  # create before read
    fuzzed = {f["operation"]: f for f in document["fuzz"]}
    assert fuzzed["GET /products/{product_id}"]["failing"] and fuzzed["GET /products"]["sent"] == 5
    minimal = fuzzed["GET /products/{product_id}"]["minimal"]
    assert minimal["path"] == "/products/-1"  # shrunk: Flask's int converter refuses the sign, FastAPI does not
    suite = load_suite(written)  # the written file is a requests file: loaded, checked, editable
    assert [c.name for c in suite.cases][: len(generated)] == generated and suite.cases[-1].name.startswith("fuzz ")
    assert "explorer: " in result.stderr and "requests written to" in result.stderr


@pytest.mark.serverless
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("parity", str(REQUESTS), "--generate"), "REQUESTS and --generate cannot be used together"),
        (("parity",), "give one of REQUESTS, --generate"),
        (("parity", str(REQUESTS), "--write", "x.yaml"), "--write writes generated or imported requests"),
        (("parity", "--from-curl", "/no/such.sh"), "no such file"),
        (("parity", str(REQUESTS), "--junit", "/no/such/dir/j.xml"), "--junit: no folder"),
    ],
)
def test_cli_parity_source_mistakes_exit_2_before_any_server(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    assert message in run_cli(capsys, *args, *APPS)
