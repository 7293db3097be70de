"""What the app says, checked without servers: the guide, the export, the comparison line, the table's figures."""

from __future__ import annotations

import pytest

from explorer.content.catalog import SAMPLES, by_id
from explorer.content.comparison import Measurements
from explorer.content.guide import QUESTIONS, recommend
from explorer.parity.differences import Difference
from explorer.reports.session import SessionLog, session_report
from explorer.runtime.http.client import BurstStats, Exchange, Timings
from explorer.runtime.http.request import RequestSpec
from explorer.tui.claims import NO_DIFFERENCE, answer_switch, comparison_line


@pytest.mark.serverless
def test_the_guide_names_samples_as_the_catalog_shows_them() -> None:
    everything = {key: True for key in (q.key for q in QUESTIONS)}
    texts = [q.text for q in QUESTIONS] + [q.reason for q in QUESTIONS] + list(recommend(everything).reasons)
    ids = [s.id for s in SAMPLES if "-" in s.id]  # ids such as io-burst appear nowhere on screen
    assert [(sid, t) for t in texts for sid in ids if sid in t] == []
    burst = by_id("io-burst")
    assert burst is not None and any(burst.title in t for t in texts)


@pytest.mark.serverless
def test_the_markdown_export_says_a_burst_is_a_burst() -> None:
    spec = RequestSpec("GET", "/io/blocking?ms=100")
    stats = BurstStats(
        count=5, wall_ms=515.0, min_ms=102.0, median_ms=309.0, max_ms=514.0, errors=0, statuses={"200": 5}
    )
    exchange = Exchange("fastapi", spec, status=200, reason="OK", timings=Timings(102.0, 101.0, 100.0), burst=stats)
    log = SessionLog()
    log.add_request({"fastapi": exchange.to_dict()}, [], {"fastapi": "curl …"})
    markdown = session_report(log.document({}, {})).to_markdown()
    assert "GET /io/blocking?ms=100 ×5" in markdown
    assert "a burst of 5 copies sent at the same moment, all done in 515 ms" in markdown
    assert "102 ms to 514 ms (median 309 ms)" in markdown and "200 ×5" in markdown


@pytest.mark.serverless
def test_the_export_keeps_each_requests_server_and_the_medians_per_server() -> None:
    """A restart between two requests: each keeps the process that answered it; bursts and errors add no median."""
    dev = {"label": "Werkzeug dev server (threaded)", "server": "werkzeug", "pid": 11, "versions": {"Flask": "3.1.3"}}
    log = SessionLog()
    for elapsed, server in ((4.0, dev), (6.0, dev), (9.0, {**dev, "pid": 12})):
        exchange = Exchange("flask", RequestSpec(), status=200, reason="OK", timings=Timings(elapsed, elapsed, None))
        log.add_request({"flask": exchange.to_dict()}, [], {}, {"flask": server})
    burst = BurstStats(count=5, wall_ms=50.0, min_ms=10.0, median_ms=30.0, max_ms=50.0, errors=0, statuses={"200": 5})
    failed = Exchange("flask", RequestSpec(), error="timed out")
    bursty = Exchange("flask", RequestSpec(), status=200, reason="OK", timings=Timings(99.0, 99.0, None), burst=burst)
    for exchange in (failed, bursty):
        log.add_request({"flask": exchange.to_dict()}, [], {}, {"flask": dev})
    document = log.document({}, {"median GET /items/1, back to back": {"fastapi": 2.5}})
    assert document["medians"] == [
        {"framework": "flask", "server": dev["label"], "pid": 11, "requests": 2, "median_ms": 5.0},
        {"framework": "flask", "server": dev["label"], "pid": 12, "requests": 1, "median_ms": 9.0},
    ]
    markdown = session_report(document).to_markdown()
    assert "flask answered on Werkzeug dev server (threaded), pid 12 (Flask 3.1.3)" in markdown
    assert "| flask | Werkzeug dev server (threaded), pid 11 | 2 | 5.00 ms |" in markdown
    assert "| median GET /items/1, back to back | n/a | 2.50 ms |" in markdown  # not "nan ms" for a side not measured


def answer(framework: str, status: int | None, error: str | None = None) -> Exchange:
    return Exchange(framework, RequestSpec(), status=status, reason="OK" if status else "", error=error)


@pytest.mark.serverless
def test_two_answers_are_compared_only_when_both_came_back() -> None:
    frameworks = ["flask", "fastapi"]
    both_failed = {
        "flask": answer("flask", None, "timed out"),
        "fastapi": answer("fastapi", None, "connection refused"),
    }
    line = comparison_line(both_failed, [], frameworks).plain
    assert line.startswith("Not compared") and "timed out" in line and "connection refused" in line
    assert NO_DIFFERENCE not in line
    one_failed = {"flask": answer("flask", 200), "fastapi": answer("fastapi", None, "timed out")}
    assert "Flask answered 200 OK" in comparison_line(one_failed, [], frameworks).plain
    only = comparison_line({"fastapi": answer("fastapi", 422)}, [], frameworks).plain
    assert only.startswith("Only FastAPI was sent") and "Flask shows no answer to it" in only
    same = {"flask": answer("flask", 200), "fastapi": answer("fastapi", 200)}
    assert comparison_line(same, [], frameworks).plain == NO_DIFFERENCE
    differ = comparison_line(same, [Difference("status", "", "404", "422")], frameworks).plain
    assert differ == "Differences: status: 404 ≠ 422"


@pytest.mark.serverless
def test_the_answer_line_marks_an_earlier_send() -> None:
    shown = {"flask": answer("flask", 404), "fastapi": answer("fastapi", 422)}
    line = answer_switch(shown, "fastapi", latest=3, numbers={"flask": 2, "fastapi": 3}).plain
    assert "Flask 404 (earlier send)" in line and "FastAPI 422 " in line and "(earlier send)" not in line.split("│")[1]


@pytest.mark.serverless
def test_the_table_shows_latency_back_to_back_and_one_at_a_time() -> None:
    figures = Measurements(latency_ms={"flask": 0.57}, spaced_ms={"flask": 1.62})
    assert figures.cell("latency", "flask") == "0.57 ms back to back; 1.62 ms one at a time"
    assert figures.cell("latency", "fastapi") == "measuring…"
    figures.forget("flask")
    assert figures.cell("latency", "flask") == "measuring…"


@pytest.mark.serverless
def test_long_lines_are_shown_in_pieces() -> None:
    from panels.body_view import LINE_LIMIT, display_lines

    assert display_lines("short\nlines") == ("short\nlines", 0)
    text, broken = display_lines("x" * (2 * LINE_LIMIT + 5) + "\nend")
    assert broken == 1 and text.split("\n") == ["x" * LINE_LIMIT, "x" * LINE_LIMIT, "x" * 5, "end"]


async def test_a_body_of_one_4_mib_line_keeps_the_keys_quick() -> None:
    """A text editor draws a whole line for every row it shows: 0.85 s a key for this body before it was cut up."""
    import time

    from textual.app import App, ComposeResult

    from panels.body_view import BodyView

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield BodyView(id="view")

    body = b'{"x": "' + b"a" * (4 * 1024 * 1024) + b'"}'
    exchange = Exchange(
        "fastapi", RequestSpec(), status=200, reason="OK", headers=(("content-type", "application/json"),), body=body
    )
    app = Host()
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.query_one(BodyView)
        view.show(exchange)
        await pilot.pause()
        view.text_area.focus()
        # The CPU this process spent, not the time that passed: a loaded machine (load 13) stretched the 0.45 s
        # a wall clock measured here past its bound, though the keys cost no more work.
        started = time.process_time()
        await pilot.press(*["pagedown"] * 5)
        spent = time.process_time() - started
        assert spent < 2.0, spent  # 0.2 s of CPU here; 3.9 s for the same keys with the line left whole
        assert "shown in pieces" in str(view.query_one("#body-note").render())
