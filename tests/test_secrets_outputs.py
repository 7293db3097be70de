"""Issue 19, items 2-4 and 10: a secret hidden in every output and encoding, harmless values left alone,
and output files that never overwrite an input or an unasked file, never half-written, never a FIFO.

The redaction tests build a parity report from answers as a hostile app would give them (the data of an
exchange, as the client records it) and read every output the CLI makes of it: the text, ``--json``,
the Markdown of ``--report``, ``--junit`` and the curl commands. The file tests run ``explorer`` itself.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from explorer.cli.render_parity import parity_view
from explorer.parity.compare import compare
from explorer.parity.results import ParityReport, ParityResult
from explorer.parity.secrets import REDACTED, Redactor
from explorer.parity.suite import ParityOptions, parse_suite
from explorer.reports.junit import junit_xml
from explorer.reports.parity import parity_report
from explorer.runtime.http.client import Exchange, SentRequest
from explorer.runtime.http.request import RequestSpec
from tests.clitools import run_cli

ROOT = Path(__file__).resolve().parent.parent


Pairs = tuple[tuple[str, str], ...]


def _exchange(
    framework: str,
    body: str,
    content_type: str = "application/json",
    spec: RequestSpec | None = None,
    sent: Pairs = (),
    headers: Pairs = (),
) -> Exchange:
    spec = spec or RequestSpec("GET", "/x")
    port = 1111 if framework == "flask" else 2222
    return Exchange(
        framework,
        spec,
        SentRequest(spec.method, f"http://127.0.0.1:{port}{spec.path}", sent, b""),
        status=200,
        headers=(("content-type", content_type), *headers),
        body=body.encode(),
    )


def _report(pairs: list[tuple[Exchange, Exchange]], secrets: tuple[Any, ...] = ()) -> ParityReport:
    suite = parse_suite({"requests": [{"name": f"r{i}", "path": "/x"} for i in range(len(pairs))]}, "r.yaml")
    report = ParityReport("r.yaml", ParityOptions(), {}, secrets=list(secrets))
    for case, (flask, fastapi) in zip(suite.cases, pairs, strict=True):
        found = compare(case, flask, fastapi, ParityOptions())
        report.results.append(ParityResult(case, {"flask": flask, "fastapi": fastapi}, found.differences, found.more))
    return report


def _outputs(report: ParityReport) -> dict[str, str]:
    """Every output the CLI makes of a run: text, --json, the --report Markdown, --junit, the curl lines."""
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(parity_view(report, report.redactor()))
    document = report.to_dict()
    redactor = report.redactor()
    curls = [r.curl(fw, redactor) or "" for r in report.results for fw in ("flask", "fastapi")]
    return {
        "text": console.export_text(),
        "json": json.dumps(document, ensure_ascii=False),
        "md": parity_report(document).to_markdown(),
        "junit": junit_xml(document).decode(),
        "curl": "\n".join(curls),
    }


def _leaks(outputs: dict[str, str], *secrets: str) -> dict[str, list[str]]:
    found = {name: [s for s in secrets if s in text] for name, text in outputs.items()}
    return {name: leaked for name, leaked in found.items() if leaked}


def test_a_header_value_echoed_in_a_body_is_hidden_in_the_text_too() -> None:
    """2a: the text output learnt only captured values: an echoed Authorization or session cookie showed."""
    token, session = "tok-9f8e7d6c5b4a", "sess-1a2b3c4d5e6f"
    spec = RequestSpec("GET", "/x", headers=(("Authorization", f"Bearer {token}"),))
    sent = (("Authorization", f"Bearer {token}"), ("Cookie", f"session={session}"))
    pair = [
        _exchange(
            fw, json.dumps({"auth": f"Bearer {token}", "cookie": f"session={session}", "fw": fw}), spec=spec, sent=sent
        )
        for fw in ("flask", "fastapi")
    ]
    outputs = _outputs(_report([(pair[0], pair[1])]))
    assert _leaks(outputs, token, session) == {}
    assert "body fw: Flask 'flask', FastAPI 'fastapi'" in outputs["text"]


def test_a_long_secret_is_hidden_before_a_line_or_an_excerpt_is_cut() -> None:
    """2b: a 250-character token, cut at 120 (a line) or 60 (an excerpt) before redaction, left its start."""
    tokens = ["A" + "x" * 248 + "1", "B" + "y" * 248 + "2"]
    json_pair = (
        _exchange("flask", json.dumps({"token": tokens[0]})),
        _exchange("fastapi", json.dumps({"token": tokens[1]})),
    )
    text_pair = (
        _exchange("flask", f"token={tokens[0]}\nend", "text/plain"),
        _exchange("fastapi", f"token={tokens[1]}\nend", "text/plain"),
    )
    straddling = (
        _exchange("flask", f"same\n{'x' * 4000}{tokens[0]}", "text/plain"),  # kept to 4,096 when compared
        _exchange("fastapi", f"same\n{'y' * 4000}{tokens[1]}", "text/plain"),
    )
    outputs = _outputs(_report([json_pair, text_pair, straddling], secrets=tuple(tokens)))
    starts = [t[:20] for t in tokens]
    assert _leaks(outputs, *starts) == {}
    assert f"body token: Flask '{REDACTED}', FastAPI '{REDACTED}'" in outputs["text"]
    step = Redactor(tokens).text(f"{tokens[0][:200]} … (1,234 more bytes cut)")  # a step's output line, cut at 400
    assert step == f"{REDACTED} … (1,234 more bytes cut)"


def test_a_secret_sent_as_a_form_field_is_hidden_percent_encoded() -> None:
    """2c: the curl command writes a form field percent-encoded; the redactor looked only for the raw value."""
    secret = "s3cr3t/v@lue+with space"
    spec = RequestSpec("POST", "/x", form=(("password", secret), ("user", "ada")))
    pair = (_exchange("flask", "{}", spec=spec), _exchange("fastapi", '{"a": 1}', spec=spec))
    outputs = _outputs(_report([pair], secrets=(secret,)))
    encoded = ("s3cr3t%2Fv%40lue%2Bwith+space", "s3cr3t/v%40lue%2Bwith%20space", "s3cr3t%2Fv%40lue%2Bwith%20space")
    assert _leaks(outputs, secret, *encoded) == {}
    assert "user=ada" in outputs["curl"]


def test_a_numeric_secret_is_hidden_where_it_is_a_json_number() -> None:
    """2d: a captured numeric secret stayed a number in --json."""
    pin = 98765432
    pair = (
        _exchange("flask", json.dumps({"pin": pin, "a": 1})),
        _exchange("fastapi", json.dumps({"pin": pin, "a": 2})),
    )
    report = _report([pair], secrets=(pin,))
    document = report.to_dict()
    assert document["results"][0]["exchanges"]["flask"]["json"]["pin"] == REDACTED
    assert _leaks(_outputs(report), str(pin)) == {}
    assert report.to_dict(show_secrets=True)["results"][0]["exchanges"]["flask"]["json"]["pin"] == pin


def test_a_quoted_cookie_is_hidden_in_its_json_escaped_form() -> None:
    """2e: ``sid="X"`` was learnt with its quotes, so the body's ``\\"X\\"`` went through."""
    secret = "quoted-secret-77"
    sent = (("Cookie", f'sid="{secret}"'),)
    pair = [
        _exchange(fw, json.dumps({"cookie": f'sid="{secret}"', "fw": fw}), sent=sent) for fw in ("flask", "fastapi")
    ]
    assert _leaks(_outputs(_report([(pair[0], pair[1])])), secret) == {}


def test_harmless_cookies_do_not_blank_every_true_and_the_reports_agree_with_the_text() -> None:
    """3: ``consent=true`` and ``theme=none`` made every ``true`` and ``none`` ‹redacted› in --json, --report
    and JUnit, but not in the text. Now only secrets by name or by look are searched for elsewhere."""
    cookies = (
        ("Set-Cookie", "consent=true; Path=/"),
        ("Set-Cookie", "theme=none; Path=/"),
        ("Set-Cookie", "session=abcd1234efgh; Path=/; HttpOnly"),
    )
    flask = _exchange("flask", json.dumps({"enabled": True, "mode": "none", "s": "abcd1234efgh"}), headers=cookies)
    fastapi = _exchange("fastapi", json.dumps({"enabled": False, "mode": "none", "s": "x"}), headers=cookies)
    outputs = _outputs(_report([(flask, fastapi)]))
    line = "body enabled: Flask true, FastAPI false"
    assert all(line in text for text in outputs.values() if text is not outputs["curl"]), outputs
    assert _leaks(outputs, "abcd1234efgh") == {}
    assert f"consent={REDACTED}" in outputs["json"]  # the cookie's own header still hides its value


# --- output files -------------------------------------------------------------------------------------


def explorer(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "explorer", *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT
    )


def _har(path: Path) -> None:
    entry = {"request": {"method": "GET", "url": "http://localhost:8000/", "headers": []}}
    path.write_text(json.dumps({"log": {"entries": [entry]}}))


def test_write_never_replaces_its_own_input(tmp_path: Path) -> None:
    """4: ``--from-har x.har --write x.har`` replaced the HAR. Refused before anything starts, even with --force."""
    har = tmp_path / "x.har"
    _har(har)
    before = har.read_bytes()
    for extra in ([], ["--force"]):
        result = explorer("parity", "--from-har", str(har), "--write", str(har), *extra)
        assert result.returncode == 2 and "is an input of this run" in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert har.read_bytes() == before


@pytest.mark.serverless
def test_an_existing_junit_file_needs_force(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """4: --junit and --report overwrote without asking; refused now, before the apps start, unless --force.
    In this process (tests/clitools.py: status 2, one line); the test above runs ``explorer`` as a real process."""
    har, junit = tmp_path / "x.har", tmp_path / "old.xml"
    _har(har)
    junit.write_text("keep me")
    refused = run_cli(capsys, "parity", "--from-har", str(har), "--junit", str(junit))
    assert "exists; add --force" in refused and junit.read_text() == "keep me"
    (tmp_path / "r.md").write_text("old report")
    refused = run_cli(capsys, "parity", "--from-har", str(har), "--report", str(tmp_path / "r"))
    assert "r.md' exists; add --force" in refused
    both = run_cli(
        capsys, "parity", "--from-har", str(har), "--junit", str(tmp_path / "n.md"), "--report", str(tmp_path / "n")
    )
    assert "would both write" in both, both


def test_force_writes_over_an_existing_file_and_a_failed_write_leaves_no_partial_file(tmp_path: Path) -> None:
    """4: the bytes go to a temporary file renamed into place: a write cut short (here by a file-size limit,
    a full disk alike) leaves the old file whole and no partial one, with a one-line error."""
    target = tmp_path / "out.xml"
    target.write_text("old")
    script = f"""
import resource, signal, sys
from explorer.runtime.userdata.outfile import write_outputs
from explorer.runtime.errors import ExplorerError
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
write_outputs([({str(target)!r}, b"new")], "--junit", force=True)
assert open({str(target)!r}).read() == "new"
resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
try:
    write_outputs([({str(target)!r}, b"x" * 100000)], "--junit", force=True)
except ExplorerError as exc:
    print(exc)
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=30, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("--junit: cannot write") and "File too large" in result.stdout
    assert target.read_text() == "new" and sorted(p.name for p in tmp_path.iterdir()) == ["out.xml"]


@pytest.mark.parametrize("option", ["--junit", "--write", "--report"])
def test_a_fifo_as_an_output_is_refused_at_once(tmp_path: Path, option: str) -> None:
    """10: ``--junit FIFO`` blocked in open() for ever; now refused by its stat, exit 2, within seconds."""
    har = tmp_path / "x.har"
    _har(har)
    fifo = tmp_path / ("out.md" if option == "--report" else "out")
    os.mkfifo(fifo)
    result = explorer("parity", "--from-har", str(har), option, str(tmp_path / "out"), timeout=20)
    assert result.returncode == 2 and "is a FIFO, not a regular file" in result.stderr, result.stderr


@pytest.mark.serverless
def test_report_out_refuses_its_own_input(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    saved = tmp_path / "run.json"
    saved.write_text(json.dumps({"kind": "parity", "results": []}))
    for extra in ([], ["--force"]):
        refused = run_cli(capsys, "report", "--from", str(saved), "--out", str(tmp_path / "run"), *extra)
        assert "is an input of this run" in refused, refused
    assert json.loads(saved.read_text()) == {"kind": "parity", "results": []}
