"""Parity flows against real servers (tests/apps/forms_*.py): forms and files, each app's cookie jar,
setup and teardown steps (requests and commands), ``--reset``, and ``--strict`` on stale declarations."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from explorer.apps.targets import specs_from_options, startup_problems
from explorer.parity.check import run_parity
from explorer.parity.suite import parse_suite
from explorer.runtime.session import Session
from tests.conftest import LoopThread

APPS = Path(__file__).resolve().parent / "apps"


@pytest.fixture(scope="module")
def forms(loop_thread: LoopThread) -> Iterator[Session]:
    session = Session(specs_from_options("forms_flask:app", "forms_fastapi:app", APPS), timeout=10)
    loop_thread.run(session.start())
    try:
        assert startup_problems(session.supervisor) == []
        yield session
    finally:
        loop_thread.run(session.stop())


def test_forms_files_and_each_apps_cookie_jar(forms: Session, loop_thread: LoopThread, tmp_path: Path) -> None:
    (tmp_path / "sheet.csv").write_bytes(b"a,b\n1,2\n")
    suite = parse_suite(
        {
            "requests": [
                {"name": "urlencoded", "method": "POST", "path": "/form", "form": {"title": "Notes", "n": 2}},
                {
                    "name": "multipart",
                    "method": "POST",
                    "path": "/form",
                    "form": {"title": "Notes"},
                    "files": {"sheet": {"path": "sheet.csv", "type": "text/csv"}},
                },
                {"name": "login", "method": "POST", "path": "/login?user=ada"},
                {"name": "me", "path": "/me", "status": 200},
            ]
        },
        "forms.yaml",
        tmp_path,
    )
    forms.clear_cookies()
    report = loop_thread.run(run_parity(forms, suite))
    assert [r.outcome for r in report.results] == ["match"] * 4, [
        d.line() for r in report.results for d in r.differences
    ]
    urlencoded, multipart, login, me = report.results
    assert urlencoded.exchanges["fastapi"].json == {
        "media": "application/x-www-form-urlencoded",
        "fields": {"title": "Notes", "n": "2"},
        "files": [],
    }
    sent = multipart.exchanges["flask"].json
    assert sent["media"] == "multipart/form-data" and sent["files"][0]["filename"] == "sheet.csv"
    assert me.exchanges["flask"].json == {"user": "ada"} == me.exchanges["fastapi"].json  # each jar sent its own cookie
    assert login.cookies == {"flask": ["sid=flask-ada"], "fastapi": ["sid=fastapi-ada"]}
    shown = report.to_dict()["results"][2]["cookies"]
    assert shown == {"flask": ["sid=‹redacted›"], "fastapi": ["sid=‹redacted›"]}
    assert "flask-ada" not in json.dumps(report.to_dict()) and "flask-ada" in json.dumps(
        report.to_dict(show_secrets=True)
    )


def test_setup_teardown_and_reset_run_in_order(forms: Session, loop_thread: LoopThread, tmp_path: Path) -> None:
    marker = tmp_path / "ran.txt"
    write = [
        sys.executable,
        "-c",
        f"import sys; open({str(marker)!r}, 'a').write(sys.argv[1] + '\\n'); print('wrote', sys.argv[1])",
    ]
    suite = parse_suite(
        {
            "setup": [
                {"command": [*write, "setup"], "framework": "flask"},
                {"name": "sign in", "method": "POST", "path": "/login?user=bob", "capture": {"who": "json.ok"}},
            ],
            "requests": [{"name": "me", "path": "/me", "headers": {"X-Who": "{{who}}"}}],
            "teardown": [{"command": [*write, "teardown"], "framework": "fastapi"}],
        },
        "steps.yaml",
    )
    report = loop_thread.run(run_parity(forms, suite, reset=True))
    assert report.passed, [s.line() for s in report.setup + report.teardown]
    assert marker.read_text().split() == ["teardown", "setup", "teardown"]  # --reset: teardown, setup; then teardown
    assert [(s.phase, s.framework) for s in report.setup] == [
        ("reset", "fastapi"),
        ("setup", "flask"),
        ("setup", "flask"),
        ("setup", "fastapi"),
    ]
    assert report.setup[1].output == ("wrote setup",) and report.results[0].exchanges["flask"].json == {"user": "bob"}
    assert report.results[0].exchanges["fastapi"].spec.header("x-who") == "true"  # captured in setup


def test_a_failed_setup_step_stops_the_suite_and_fails_the_run(forms: Session, loop_thread: LoopThread) -> None:
    suite = parse_suite(
        {
            "setup": [{"command": [sys.executable, "-c", "print('no database'); raise SystemExit(3)"]}],
            "requests": [{"path": "/me"}],
            "teardown": [{"method": "POST", "path": "/login", "status": 201}],
        },
        "steps.yaml",
    )
    report = loop_thread.run(run_parity(forms, suite))
    assert not report.passed and report.results == []
    failed = report.setup[0]
    assert (failed.ok, failed.detail, failed.output) == (False, "failed with exit code 3", ("no database",))
    assert [s.framework for s in report.setup] == ["flask", "fastapi"]  # once per app; no step after it ran
    assert [s.detail for s in report.teardown] == ["200 OK (expected 201)"] * 2  # the teardown still runs


def test_stale_declarations_warn_and_fail_with_strict(forms: Session, loop_thread: LoopThread) -> None:
    suite = parse_suite(
        {
            "expect_differences": [{"aspect": "status", "reason": "fixed long ago"}],
            "requests": [
                {
                    "name": "me",
                    "path": "/me",
                    "expect_differences": [{"aspect": "body", "where": "user", "reason": "no longer differs"}],
                }
            ],
        },
        "stale.yaml",
    )
    forms.clear_cookies()
    report = loop_thread.run(run_parity(forms, suite))
    assert report.passed and report.stale_count == 2
    assert [e.reason for e in report.results[0].stale] == ["no longer differs"]
    assert [e.reason for e in report.stale] == ["fixed long ago"]
    strict = loop_thread.run(run_parity(forms, suite, strict=True))
    assert not strict.passed and strict.to_dict()["summary"]["stale"] == 2


def test_a_form_login_followed_to_its_page_and_a_percent_encoded_self_url(
    forms: Session, loop_thread: LoopThread
) -> None:
    """curl -L's recording: the final page is compared, each app's cookie carried; a sign-in redirect
    naming the app's own URL (percent-encoded, another port on each side) is the same redirect."""
    suite = parse_suite(
        {
            "requests": [
                {
                    "name": "sign in",
                    "method": "POST",
                    "path": "/signin",
                    "form": {"user": "cy"},
                    "follow_redirects": True,
                    "status": 200,
                },
                {"name": "private", "path": "/private", "redirects": "location"},
            ]
        },
        "flow.yaml",
    )
    report = loop_thread.run(run_parity(forms, suite))
    found = [d.line() for r in report.results for d in r.differences]
    assert [r.outcome for r in report.results] == ["match"] * 2, found
    signin, private = report.results
    assert signin.exchanges["flask"].json == {"user": "cy"} == signin.exchanges["fastapi"].json
    assert signin.exchanges["fastapi"].spec.line == "GET /me?via=signin"  # a 303 continues as a GET
    assert private.exchanges["flask"].status == 302 and private.exchanges["fastapi"].status == 307
    assert "returnTo=http%3A%2F%2F127.0.0.1%3A" in (private.exchanges["fastapi"].header("location") or "")


def test_a_recorded_flow_compares_each_apps_own_ids(loop_thread: LoopThread, tmp_path: Path) -> None:
    """A file `explorer mirror --record` writes captures the id an answer made and sends it back; the port
    numbering its orders from 7 (its own database) answered its own id in the Location header and in every
    later answer, each flagged. The captured pairs are read back as the mirror reads them (Flask's 1 for the
    port's 7, where it names an order), so the flow compares per app, and a real difference still shows."""
    shop = Path(__file__).resolve().parent.parent / "examples" / "shop"
    (tmp_path / "shop_flask.py").write_text((shop / "shop_flask.py").read_text())
    port = (shop / "shop_fastapi.py").read_text()
    assert "_ids = itertools.count(1)" in port
    (tmp_path / "shop_fastapi.py").write_text(port.replace("_ids = itertools.count(1)", "_ids = itertools.count(7)"))
    order = {"method": "POST", "path": "/orders", "body": {"product_id": 2, "quantity": 3}}
    suite = parse_suite(
        {
            "ignore_keys": ["created_at"],
            "requests": [
                {"name": "POST /orders", **order, "capture": {"orders_id": "json.id"}},
                {"name": "GET /orders/{order_id}", "path": "/orders/{{orders_id}}"},
                {"name": "GET /orders/{order_id} #2", "path": "/orders/{{orders_id}}?again=1"},
                {"name": "another order", **order, "body": {"product_id": 1, "quantity": 1}},
            ],
        },
        "recorded.yaml",
    )
    session = Session(specs_from_options("shop_flask:app", "shop_fastapi:app", tmp_path), timeout=10)
    try:
        loop_thread.run(session.start())
        assert startup_problems(session.supervisor) == []
        report = loop_thread.run(run_parity(session, suite))
    finally:
        loop_thread.run(session.stop())
    first, fetched, again, another = report.results
    assert (first.captures["flask"], first.captures["fastapi"]) == ({"orders_id": 1}, {"orders_id": 7})
    assert fetched.exchanges["fastapi"].json["id"] == 7 and fetched.exchanges["fastapi"].spec.path == "/orders/7"
    lines = [[d.line() for d in r.differences] for r in report.results]
    assert [r.outcome for r in (first, fetched, again)] == ["match"] * 3, lines
    assert another.exchanges["fastapi"].json["id"] == 8 and "body id: Flask 2, FastAPI 8" in lines[3]  # not captured
