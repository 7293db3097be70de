"""The headless CLI as a user runs it: a real process, real servers, exit codes and one-line errors."""

from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.clitools import cli_in_process, run_cli

APPS = Path(__file__).parent / "apps"
HOSTILE = ("--app-dir", str(APPS), "--flask", "hostile_app:app", "--framework", "flask")


def explorer(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "explorer", *args], capture_output=True, text=True, timeout=timeout, env=env
    )


def test_send_json_reports_both_frameworks() -> None:
    result = explorer("send", "--json", "GET", "/items/abc")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    by_framework = {r["framework"]: r for r in document["results"]}
    assert by_framework["flask"]["status"] == 404
    assert by_framework["fastapi"]["status"] == 422
    assert by_framework["fastapi"]["validation"][0]["location"] == "path.item_id"
    for key in (
        "framework",
        "status",
        "reason",
        "headers",
        "body",
        "json",
        "elapsed_ms",
        "ttfb_ms",
        "server_ms",
        "validation",
        "error",
    ):
        assert key in by_framework["flask"]
    assert set(document["servers"]["flask"]["versions"]) == {"Flask", "Werkzeug", "gunicorn", "flask-cors"}
    assert document["servers"]["fastapi"]["versions"]["Starlette"] == importlib.metadata.version("starlette")


def test_send_panels_one_framework_with_body_and_header() -> None:
    result = explorer(
        "send",
        "--framework",
        "flask",
        "--flask-server",
        "gunicorn",
        "POST",
        "/items",
        "--json-body",
        '{"name": "pen", "price": "3.5"}',
        "--header",
        "X-Demo: 1",
    )
    assert result.returncode == 0, result.stderr
    assert "400 BAD REQUEST" in result.stdout and "body.price" in result.stdout and "FastAPI" not in result.stdout
    assert "gunicorn gthread" in result.stdout


@pytest.mark.serverless
@pytest.mark.parametrize(
    "args",
    [
        ("send", "--framework", "django", "GET", "/"),
        ("send", "FETCH", "/items/1"),
        ("send", "POST", "/items", "--json-body", "{not json"),
        ("send", "GET", "items/1"),
        ("send", "GET", "http://example.com/"),
        ("send", "GET", "/./..//127.0.0.1:18999/x"),
        ("send", "GET", "/x", "--header", "X-A: 1\r\nX-B: 2"),
        ("send", "GET", "/x", "--header", "X-A: caf\u00e9"),
        ("send", "GET", "/x", "--header", "X-A: 1\u2028X-B: 2"),
        ("send", "GET", "/x", "--header", "X-A: a\x0bb"),
        ("send", "GET", "/x", "--burst", "0"),
        ("send", "POST", "/x", "--form", "novalue"),
        ("send", "POST", "/x", "--form", "a=1", "--body", "x"),
        ("send", "POST", "/x", "--file", "doc=/etc/hostname"),
        ("send", "POST", "/x", "--file", "doc=@/no/such/file"),
        ("send", "POST", "/x", "--file", "doc=@/"),
        ("send", "POST", "/x", "--form", "a=1", "--header", "Content-Type: text/plain"),
        ("send", "--sample", "no-such-sample"),
        ("send", "--sample", "item", "GET", "/items/2"),
        ("send", "--sample", "item", "--header", "X-A: 1"),
        ("send",),
        ("--request", "GET nowhere"),
        ("no-such-command",),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str], args: tuple[str, ...]) -> None:
    assert "error" in run_cli(capsys, *args)  # in this process (tests/clitools.py); a real process just below


# In a real process: one refusal as a shell sees it, and the endless file (a regression there would read for ever:
# a child's timeout ends it, where the test process would fill its memory).
@pytest.mark.parametrize("args", [("send", "GET", "items/1"), ("send", "POST", "/x", "--file", "doc=@/dev/zero")])
def test_bad_input_in_a_real_process_is_one_line_on_stderr_and_exit_2(args: tuple[str, ...]) -> None:
    result = explorer(*args, timeout=20)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "error" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


@pytest.fixture(scope="module")
def samples_json() -> dict[str, Any]:
    """``explorer samples --json``, run once for the two tests that read it."""
    result = explorer("samples", "--json")
    assert result.returncode == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_samples_and_table_json(samples_json: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    document = samples_json
    samples = document["samples"]
    assert len(samples) >= 20 and {"id", "title", "request", "claim"} <= set(samples[0])
    assert document["versions"]["FastAPI"] == importlib.metadata.version("fastapi")
    crash = next(s for s in samples if s["id"] == "error-crash")
    assert "s3cret" in crash["expect"]["fastapi"]["excludes"]
    code, out, _ = cli_in_process(capsys, "table", "--json")  # in this process: `samples` above ran as a user runs it
    assert code == 0
    table = json.loads(out)
    assert [r["key"] for r in table["rows"]][:5] == ["model", "validation", "docs", "html", "ecosystem"]
    versions = table["rows"][-1]
    assert versions["key"] == "versions" and f"Werkzeug {importlib.metadata.version('werkzeug')}" in versions["flask"]
    assert table["versions"]["Pydantic"] == importlib.metadata.version("pydantic")


def test_send_sample_sends_the_catalog_request_and_samples_json_carries_it_whole(samples_json: dict[str, Any]) -> None:
    """``send --sample ID`` sends the sample as the catalog holds it (headers included); ``samples --json`` carries it."""
    from explorer.content.catalog import SAMPLES, by_id

    def shape(request: dict[str, Any]) -> dict[str, Any]:  # a session cookie is signed anew by each process
        return {**request, "headers": [[k, "signed" if k == "Cookie" else v] for k, v in request["headers"]]}

    listed = {s["id"]: shape(s["request"]) for s in samples_json["samples"]}
    assert listed == {s.id: shape(s.request.to_dict()) for s in SAMPLES}
    sample = by_id("cors-preflight-put")
    assert sample is not None and sample.request.headers
    result = explorer("send", "--json", "--sample", "cors-preflight-put")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["request"] == sample.request.to_dict()
    statuses = {r["framework"]: r["status"] for r in document["results"]}
    assert statuses == {"flask": 200, "fastapi": 400}  # the preflight's Origin and method reached both servers


def test_table_measure_fills_measured_rows() -> None:
    rows = json.loads(explorer("table", "--json", "--measure").stdout)["rows"]
    measured = {r["key"]: r for r in rows if r["measured"]}
    assert measured["spawn"]["flask_ms"] > 0 and measured["latency"]["fastapi_ms"] > 0


def test_send_shows_the_first_answer_and_notes_the_bytes_after_it() -> None:
    """The server writes 200 then 404 on one connection: `send` shows the 200, as curl does, with a note."""
    result = explorer("send", *HOSTILE, "--json", "GET", "/twice")
    assert result.returncode == 0, result.stderr
    (flask,) = json.loads(result.stdout)["results"]
    assert (flask["status"], flask["body"], flask["error"]) == (200, "first", None)
    assert len(flask["notes"]) == 1 and "after the answer ended" in flask["notes"][0]
    panels = explorer("send", *HOSTILE, "GET", "/twice")
    assert "200 OK" in panels.stdout and "note: the server sent more bytes after the answer ended" in panels.stdout


def explorer_with_few_descriptors(*args: str, limit: int = 256) -> subprocess.CompletedProcess[str]:
    """The CLI in a child whose open-file limit is ``limit`` (as after `ulimit -n 256`), set before it execs."""
    lower = (
        "import os, resource, sys; resource.setrlimit(resource.RLIMIT_NOFILE, (int(sys.argv[1]),) * 2); "
        "os.execv(sys.executable, [sys.executable, '-m', 'explorer', *sys.argv[2:]])"
    )
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-c", lower, str(limit), *args], capture_output=True, text=True, timeout=60, env=env
    )


def test_out_of_descriptors_is_named_in_a_burst() -> None:
    result = explorer_with_few_descriptors(
        "send", "--framework", "fastapi", "--burst", "500", "--json", "GET", "/items/1"
    )
    assert result.returncode == 0, result.stderr
    (fastapi,) = json.loads(result.stdout)["results"]
    burst = fastapi["burst"]
    assert burst["errors"] > 0 and burst["statuses"]["error"] == burst["errors"]
    assert (
        burst["first_error"].startswith("not sent: too many open files (EMFILE)")
        and "ulimit -n" in burst["first_error"]
    )
    assert "connection refused" not in result.stdout


def test_bench_gives_no_verdict_when_the_load_client_runs_out_of_descriptors() -> None:
    args = (
        "bench",
        "--scenario",
        "json",
        "--concurrency",
        "500",
        "--duration",
        "0.3",
        "--warmup",
        "0",
        "--timeout",
        "0.5",
        "--repeat",
        "1",  # what this test checks needs one run (the default is 5 fresh starts)
    )
    result = explorer_with_few_descriptors(*args, "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert all(row["errors"].get("emfile", 0) > 0 and row["fd_limit"] == 256 for row in document["results"])
    assert document["verdict"].startswith(
        "No verdict at 500 concurrent: the load client itself failed to connect: too many open files (EMFILE)"
    )
    assert "(now 256)" in document["verdict"] and "served" not in document["verdict"]


def test_send_form_fields_and_a_file(tmp_path: Path) -> None:
    upload = tmp_path / "notes.csv"
    upload.write_bytes(b"a,b\r\n1,2\r\n")
    result = explorer(
        "send",
        "--json",
        "--app-dir",
        str(APPS),
        "--flask",
        "echo_app:app",
        "--framework",
        "flask",
        "POST",
        "/echo",
        "--form",
        "name=a pen & a cup",
        "--form",
        "empty=",
        "--file",
        f"doc=@{upload}",
    )
    assert result.returncode == 0, result.stderr
    (flask,) = json.loads(result.stdout)["results"]
    assert flask["json"]["form"] == {"name": ["a pen & a cup"], "empty": [""]}
    assert [(f["field"], f["filename"], f["content_type"]) for f in flask["json"]["files"]] == [
        ("doc", "notes.csv", "text/csv")
    ]
    assert flask["request"]["files"] == [
        {"field": "doc", "filename": "notes.csv", "content_type": "text/csv", "size": 10}
    ]


@pytest.mark.serverless
def test_a_file_over_the_cap_is_refused_before_any_server_starts(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    big = tmp_path / "big.bin"
    big.write_bytes(b"\0" * (1024 * 1024 + 1))
    err = run_cli(capsys, "send", "POST", "/x", "--file", f"doc=@{big}")
    assert err == "explorer: error: file for field 'doc': big.bin: larger than 1 MiB\n"


@pytest.mark.serverless
def test_every_option_of_every_command_says_what_it_does() -> None:
    """``samples --json``, ``table --json``, ``routes --json`` and ``send --framework`` had no help text."""
    import argparse

    from explorer.cli.main import build_parser

    def silent(parser: argparse.ArgumentParser, command: str) -> list[str]:
        found = []
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, child in action.choices.items():
                    found += silent(child, f"{command} {name}".strip())
            elif not action.help:
                found.append(f"{command} {'/'.join(action.option_strings) or action.dest}")
        return found

    assert silent(build_parser(), "") == []


@pytest.mark.serverless
def test_no_argument_reads_as_the_parser_reads_it() -> None:
    """``explorer`` with no argument starts the app without building a parser (issue 24: the first paint): what it
    reads must be every option's default as the app's parser gives it."""
    from explorer.cli.main import NoArguments, build_parser

    parsed = vars(build_parser(commands=False).parse_args([]))
    assert len(parsed) > 20 and parsed["timeout"] == 5.0 and parsed["mask"] is False
    given = NoArguments()
    assert {name: getattr(given, name) for name in parsed} == parsed
    assert getattr(given, "flask_env", ()) is None  # an option left out is None, as argparse's default here


def test_a_404_from_no_route_reads_as_the_app_reads_it() -> None:
    """The CLI said "...so no handler ran (or a handler's bare abort(404)...)" where the app, reading the same
    demo module, said "...so no handler and no validation ran": one sentence, from one rule."""
    from explorer.content.explain import why
    from explorer.runtime.http.exchange import Exchange
    from explorer.runtime.http.request import RequestSpec

    said = " ".join(explorer("send", "--framework", "flask", "GET", "/nowhere").stdout.split())
    app = why(Exchange("flask", RequestSpec("GET", "/nowhere"), status=404), handler=False)  # the app's word
    assert app in said, said
