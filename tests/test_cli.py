"""The headless CLI as a user runs it: a real process, real servers, exit codes and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def explorer(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "explorer", *args], capture_output=True, text=True, timeout=timeout)


def test_send_json_reports_both_frameworks() -> None:
    result = explorer("send", "--json", "GET", "/items/abc")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    by_framework = {r["framework"]: r for r in document["results"]}
    assert by_framework["flask"]["status"] == 404
    assert by_framework["fastapi"]["status"] == 422
    assert by_framework["fastapi"]["validation"][0]["location"] == "path.item_id"
    for key in ("framework", "status", "reason", "headers", "body", "json", "elapsed_ms", "ttfb_ms", "server_ms", "validation", "error"):
        assert key in by_framework["flask"]


def test_send_panels_one_framework_with_body_and_header() -> None:
    result = explorer("send", "--framework", "flask", "--flask-server", "gunicorn", "POST", "/items",
                      "--json-body", '{"name": "pen", "price": "3.5"}', "--header", "X-Demo: 1")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "400 BAD REQUEST" in result.stdout and "body.price" in result.stdout and "FastAPI" not in result.stdout
    assert "gunicorn gthread" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("send", "--framework", "django", "GET", "/"),
        ("send", "FETCH", "/items/1"),
        ("send", "POST", "/items", "--json-body", "{not json"),
        ("send", "GET", "items/1"),
        ("send", "GET", "http://example.com/"),
        ("send", "GET", "/x", "--header", "X-A: 1\r\nX-B: 2"),
        ("send", "GET", "/x", "--burst", "0"),
        ("--request", "GET nowhere"),
        ("no-such-command",),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: tuple[str, ...]) -> None:
    result = explorer(*args, timeout=20)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "error" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_samples_and_table_json() -> None:
    samples = json.loads(explorer("samples", "--json").stdout)["samples"]
    assert len(samples) >= 20 and {"id", "title", "request", "claim"} <= set(samples[0])
    rows = json.loads(explorer("table", "--json").stdout)["rows"]
    assert [r["key"] for r in rows] == ["model", "validation", "docs", "html", "ecosystem"]


def test_table_measure_fills_measured_rows() -> None:
    rows = json.loads(explorer("table", "--json", "--measure").stdout)["rows"]
    measured = {r["key"]: r for r in rows if r["measured"]}
    assert measured["spawn"]["flask_ms"] > 0 and measured["latency"]["fastapi_ms"] > 0
