"""Disturbed starts: the rule on constructed level results, its order with the second stage, and one real short run
that reruns a start."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pytest
from textual.widgets import DataTable, Input, ProgressBar, Select, Static

from explorer.bench.disturbed import Reruns, SetAside, flag
from explorer.bench.levels import BenchEvent, LevelResult
from explorer.bench.results import BenchReport, name_of, verdict
from explorer.bench.runner import _more_steps
from explorer.bench.stages import Stages
from explorer.cli.main import build_parser
from explorer.cli.render_bench import report_view
from explorer.tui.app import ExplorerApp
from tests.apptools import leave_the_list, until, without_servers
from tests.test_app import SIZE, plain
from tests.test_bench import fake_result, repeated
from tests.test_bench_stages import FASTAPI, FLASK
from tests.test_cli_width import shown

# The idle machine's flipped run (tests/test_bench_stages.py): Flask's fourth start and FastAPI's fifth ran at
# about twice their others' server CPU per request, and served ~40% less.
FLASK_CPU = [0.090, 0.088, 0.092, 0.175, 0.089]
FASTAPI_CPU = [0.120, 0.118, 0.125, 0.121, 0.230]


def disturbed_run() -> BenchReport:
    report = repeated("json", FLASK, FASTAPI, FLASK_CPU, FASTAPI_CPU, c=100)
    report.reruns, report.stages = Reruns(), Stages(5)  # a default run: two stages, each at 97.5%
    return report


def rerun(report: BenchReport, key: str, rps: float, cpu: float) -> None:
    report.results.append(fake_result(key, 100, rps, cpu_ms=cpu, repeat=1 + max(r.repeat for r in report.results)))


@pytest.mark.serverless
def test_a_disturbed_start_is_set_aside_rerun_and_named_in_the_verdict() -> None:
    report = disturbed_run()
    assert "within noise" in verdict(report).text  # as the idle machine's tenth run said
    reruns = report.reruns
    assert reruns is not None
    todo = reruns.review(report.results, lambda level: 5)
    assert todo == {100.0: ["flask", "fastapi"]}  # one fresh start reruns both routes
    assert [r.repeat for r in report.results if r.target.key == "flask"] == [0, 1, 2, 4]
    rerun(report, "flask", 11050, 0.091)
    rerun(report, "fastapi", 7620, 0.119)
    assert reruns.review(report.results, lambda level: 5) == {}  # the reruns are like their others
    said = verdict(report)
    assert "Flask served 1.45x FastAPI (97.5% interval 1.43-1.48x" in said.text
    assert (
        "2 starts set aside and rerun: their servers used 1.96x and 1.91x the CPU per request of their others "
        "(Flask's #4, FastAPI's #5; the rule: over 1.3x the median)." in said.text
    )
    assert said.evidence is not None and said.evidence["disturbed"]["factor"] == 1.3
    assert said.evidence["disturbed"]["set_aside"] == 2 and said.evidence["rps"]["n_flask"] == 5
    aside = json.loads(json.dumps(reruns.by_level()))["100"]  # the JSON's set_aside
    assert [(s["framework"], s["repeat"], s["rps"], s["kept"]) for s in aside] == [
        ("flask", 3, 6267, False),
        ("fastapi", 4, 4300, False),
    ]
    assert aside[0]["server_cpu_ms_per_request"] == 0.175 and aside[0]["others_median_cpu_ms"] == 0.0895
    assert "1.96x the median of its route's other starts (over 1.3x)" in aside[0]["reason"]


@pytest.mark.serverless
def test_two_frameworks_with_the_usual_scatter_have_no_disturbed_start() -> None:
    report = repeated("json", FLASK, FASTAPI, [0.09, 0.1, 0.085, 0.095, 0.11], [0.12, 0.13, 0.11, 0.125, 0.118], c=100)
    assert flag(report.results) == []
    report.reruns = Reruns()
    assert report.reruns.review(report.results, lambda level: 5) == {} and len(report.results) == 10
    assert "set aside" not in verdict(report).text and "disturbed" not in verdict(report).text
    two = repeated("json", [1000, 1100], [900, 950], [0.1, 0.3], [0.1, 0.1], c=100)  # 2 starts: no yardstick
    assert flag(two.results) == []


@pytest.mark.serverless
def test_past_the_limit_every_start_is_kept_and_the_machine_called_disturbed() -> None:
    """A route whose CPU per request is bimodal by nature keeps getting reruns: after half the planned starts
    (2 of 5) every start counts, the set-aside ones too, and the verdict says so."""
    report = repeated("json", FLASK, FASTAPI, [0.09, 0.18, 0.09, 0.18, 0.09], [*FASTAPI_CPU[:4], 0.12], c=100)
    reruns = report.reruns = Reruns()
    for _ in range(2):
        assert reruns.review(report.results, lambda level: 5) == {100.0: ["flask"]}
        rerun(report, "flask", 6000, 0.18)
    assert reruns.review(report.results, lambda level: 5) == {}
    assert len([r for r in report.results if r.target.key == "flask"]) == 7  # 5 planned and 2 reruns, all kept
    text = verdict(report).text
    assert (
        "The machine was disturbed: Flask's starts here still ran over 1.3x the CPU per request of the others "
        "after 2 reruns (one used 2.00x), so every start is kept and the interval is wider for it." in text
    )
    assert "set aside and rerun" not in text and "of 5 runs each" in text  # min over the two frameworks
    assert [s["kept"] for s in reruns.by_level()["100"]] == [True, True]
    evidence = verdict(report).evidence
    assert evidence is not None and evidence["disturbed"]["exhausted"] == [
        {"target": "flask", "level": 100.0, "times": 2.0}  # the ratio the sentence quotes
    ]
    assert (evidence["disturbed"]["set_aside"], evidence["disturbed"]["put_back"]) == (0, 2)


@pytest.mark.serverless
def test_reruns_come_before_the_second_stage_and_number_on() -> None:
    report = disturbed_run()
    plan = report.plan
    steps = _more_steps(plan, report)
    assert [(s.target.key, s.repeat) for s in steps] == [("fastapi", 5), ("flask", 5)]
    assert report.stages == Stages(5)  # the stage decision waits for the reruns
    rerun(report, "flask", 11050, 0.091)
    rerun(report, "fastapi", 7620, 0.119)  # repeat 6: numbered one past every start, set aside or not
    assert {r.repeat for r in report.results} == {0, 1, 2, 3, 4, 5, 6}
    second = _more_steps(plan, report)  # resolved now: no second stage
    assert second == [] and report.stages == Stages(5)
    parser = build_parser()
    assert parser.parse_args(["bench", "--no-rerun"]).rerun is False
    assert parser.parse_args(["bench"]).rerun is True and parser.parse_args(["bench"]).rerun_factor == 1.3
    assert name_of("flask") == "Flask"


def test_a_bad_rerun_factor_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        build_parser().parse_args(["bench", "--rerun-factor", "0.5"])
    assert stopped.value.code == 2 and "must be between 1.05 and 5 times" in capsys.readouterr().err


def declare_once(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The rule's judgement forced, once, as a stray start would make it: Flask's second start is disturbed. Returns
    how many results each review judged."""
    judged: list[int] = []

    def once(results: Sequence[LevelResult], factor: float) -> list[SetAside]:
        judged.append(len(results))
        if len(judged) > 1:
            return []
        return [SetAside(next(r for r in results if r.target.key == "flask" and r.repeat == 1), 0.01)]

    monkeypatch.setattr("explorer.bench.disturbed.flag", once)
    return judged


@pytest.mark.serverless
def test_both_routes_past_the_limit_at_one_level_make_one_sentence() -> None:
    report = repeated("json", [900, 1000, 1100], [800, 900, 1000], [0.1, 0.1, 0.2], [0.1, 0.2, 0.1], c=100)
    reruns = report.reruns = Reruns()
    assert reruns.review(report.results, lambda level: 3) == {100.0: ["flask", "fastapi"]}  # 3 // 2: one rerun
    rerun(report, "flask", 900, 0.2)
    rerun(report, "fastapi", 800, 0.2)
    assert reruns.review(report.results, lambda level: 3) == {}
    assert reruns.clause(100.0, name_of) == (
        "The machine was disturbed: Flask's and FastAPI's starts here still ran over 1.3x the CPU per request of "
        "the others after 1 rerun (one used 2.00x), so every start is kept and the interval is wider for it."
    )


@pytest.mark.serverless
def test_routes_past_the_limit_after_different_reruns_each_say_their_own_count() -> None:
    """A route past the limit in the first stage keeps its count while the other reaches a later stage's."""
    report = repeated("json", [900, 1000, 1100], [800, 900, 1000], [0.1, 0.1, 0.2], [0.1, 0.2, 0.1], c=100)
    reruns = report.reruns = Reruns()
    reruns.review(report.results, lambda level: 3)
    rerun(report, "flask", 900, 0.2)
    rerun(report, "fastapi", 800, 0.2)
    assert reruns.review(report.results, lambda level: 3) == {}
    reruns.counts[("fastapi", 100.0)] = 3  # as if its limit had grown with a second stage of starts
    said = reruns.clause(100.0, name_of)
    assert "1 rerun and 3 reruns" not in said and "3 reruns and 1 rerun" not in said, said
    assert "Flask's (after 1 rerun) and FastAPI's (after 3 reruns) starts here still ran over 1.3x" in said, said


async def test_the_lab_screen_reruns_a_disturbed_start_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real servers (the granian pair) and real load, run by the app's lab as by the CLI (one runner); only the
    judgement is forced. The rerun is a fresh start with the next number, the JSON holds the set-aside start, the
    bar never passes 100%, the verdict has the clause, and once the run ends the table holds the starts the
    verdict read."""
    from explorer.tui.screens.lab import LabScreen

    judged = declare_once(monkeypatch)
    without_servers(monkeypatch)  # the lab starts servers of its own
    app = ExplorerApp()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.focused is app.query_one("#sample-tree"))
        await leave_the_list(pilot)
        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, LabScreen))
        lab: Any = app.screen
        lab.query_one("#lab-scenario", Select).value = "json"
        lab.query_one("#lab-mode", Select).value = "closed-1"  # no second stage: a short run
        await pilot.pause()
        # the shortest run allowed: the judgement is forced, so nothing asserted depends on the run's length
        for field, value in (("levels", "2"), ("duration", "0.1"), ("warmup", "0.05"), ("repeat", "3")):
            lab.query_one(f"#lab-{field}", Input).value = value
        events: list[BenchEvent] = []
        reports: list[BenchReport | None] = []
        heard, shown = lab.on_bench_event, lab.show_report

        def spy(event: BenchEvent) -> None:
            events.append(event)
            heard(event)

        def show(report: BenchReport | None, error: str | None = None) -> None:
            reports.append(report)
            shown(report, error)

        lab.on_bench_event, lab.show_report = spy, show
        await pilot.press("ctrl+r")
        verdict = lambda: " ".join(plain(lab.query_one("#lab-verdict", Static)).split())  # noqa: E731  # unwrapped
        await until(pilot, lambda: "Plain JSON at 2 concurrent" in verdict(), timeout=60)
        assert "1 start set aside and rerun: its server used" in verdict() and "(Flask's #2;" in verdict()
        assert max(e.fraction for e in events) <= 1.0 and lab.query_one("#lab-progress", ProgressBar).percentage == 1.0
        assert {e.steps for e in events if e.repeat == 3} == {7}  # the rerun comes with a new total
        report = reports[-1]
        assert report is not None and report.complete and judged == [6, 6]
        document = json.loads(json.dumps(report.to_dict()))
        assert document["server_starts"] == 4
        assert [(r["target"], r["repeat"]) for r in document["results"]][-1] == ("flask", 3)
        aside = document["set_aside"]["2"]
        assert [(s["framework"], s["repeat"], s["kept"]) for s in aside] == [("flask", 1, False)]
        assert aside[0]["rps"] > 0 and aside[0]["server_cpu_ms_per_request"] > 0
        assert "1 start set aside and rerun: its server used" in document["verdict"]
        assert document["verdict_rule"]["disturbed"]["set_aside"] == 1
        assert all(r["error_count"] == 0 for r in document["results"])
        assert [r.repeat for r in lab.results if r.target.key == "flask"] == [0, 2, 3]
        assert lab.query_one("#lab-results", DataTable).row_count == 6


def twice_over_fastapi() -> BenchReport:
    """Ten starts a route at c=100 (so up to five reruns): FastAPI's #9 (2.0x) and Flask's #4 (1.9x) are set aside
    at the first review, FastAPI's #5 (1.5x, second worst of its route) at the next, after FastAPI's rerun."""
    flask, fastapi = [0.09] * 10, [0.12] * 10
    flask[3], fastapi[4], fastapi[8] = 0.171, 0.18, 0.24
    report = repeated("json", [11000.0] * 10, [7600.0] * 10, flask, fastapi, c=100)
    reruns = report.reruns = Reruns()
    assert reruns.review(report.results, lambda level: 10) == {100.0: ["fastapi", "flask"]}
    rerun(report, "flask", 11050, 0.09)
    rerun(report, "fastapi", 7620, 0.12)
    assert reruns.review(report.results, lambda level: 10) == {100.0: ["fastapi"]}
    rerun(report, "fastapi", 7610, 0.12)
    assert reruns.review(report.results, lambda level: 10) == {}
    return report


def test_the_clause_names_each_framework_once_in_start_order() -> None:
    """Set aside at two reviews, FastAPI's starts read "FastAPI's #9, FastAPI's #5" before; one group a framework,
    frameworks and starts in start order, each ratio in the place of the start it belongs to: in the sentence the
    CLI prints, the JSON holds and the TUI lab shows (all three print ``verdict(report).text``)."""
    report = twice_over_fastapi()
    said = (
        "3 starts set aside and rerun: their servers used 1.90x, 1.50x and 2.00x the CPU per request of their "
        "others (Flask's #4, FastAPI's #5 and #9; the rule: over 1.3x the median)."
    )
    assert said in verdict(report).text
    assert said in json.loads(json.dumps(report.to_dict()))["verdict"]
    assert said in " ".join(shown(report_view(report, 120), 120).split())
    assert report.reruns is not None  # the JSON's set_aside in start order too (review order before: #9, #4, #5)
    assert [(s["target"], s["repeat"]) for s in report.reruns.by_level()["100"]] == [
        ("flask", 3),
        ("fastapi", 4),
        ("fastapi", 8),
    ]


def put_back_run() -> BenchReport:
    """Flask's #2 and #4 set aside, rerun as #6 and #7 at the same CPU, then put back: the limit (2 of 5) reached."""
    report = repeated("json", FLASK, FASTAPI, [0.09, 0.18, 0.09, 0.18, 0.09], [*FASTAPI_CPU[:4], 0.12], c=100)
    reruns = report.reruns = Reruns()
    for _ in range(2):
        assert reruns.review(report.results, lambda level: 5) == {100.0: ["flask"]}
        rerun(report, "flask", 6000, 0.18)
    assert reruns.review(report.results, lambda level: 5) == {}
    return report


def test_results_and_the_table_keep_start_order_when_starts_are_put_back() -> None:
    """Past the limit the set-aside starts count again; they go back to their place in start order (they went to
    the end of ``results``, the JSON and the table before), so #2 reads between #1 and #3."""
    report = put_back_run()
    starts = [(r.target.key, r.repeat) for r in report.results]
    assert [rep for key, rep in starts if key == "flask"] == [0, 1, 2, 3, 4, 5, 6]
    assert [rep for _, rep in starts] == sorted(rep for _, rep in starts)  # each start's runs together, in order
    document = json.loads(json.dumps(report.to_dict()))
    assert [(r["target"], r["repeat"]) for r in document["results"]] == starts
    rows = [line.split() for line in shown(report_view(report, 120), 120).splitlines()]
    assert [int(row[1]) for row in rows if row[:1] == ["Flask"]] == [1, 2, 3, 4, 5, 6, 7]  # "#": the start's number


@pytest.mark.serverless
@pytest.mark.parametrize("width", (60, 80, 120))
def test_the_table_says_its_rows_are_the_kept_starts(width: int) -> None:
    """The verdict names the reruns; the table's title says so too, on one line within 80 columns, when starts were
    set aside (and not when every start was kept)."""
    report = twice_over_fastapi()
    text = shown(report_view(report, width), width)
    line = "Figures of the kept starts: 3 set aside and rerun (in --json)"
    assert len(line) <= 80 and max(len(row.rstrip()) for row in text.splitlines()) <= width and "…" not in text
    assert (line in text.splitlines()[1 if width == 120 else 2].strip()) == (width >= 80)  # one line where it fits
    assert line in " ".join(text.split())
    plain_run = repeated("json", FLASK, FASTAPI, 0.09, 0.12, c=100)
    plain_run.reruns = Reruns()
    assert "kept starts" not in shown(report_view(plain_run, width), width)


async def test_the_lab_screen_shows_the_grouped_clause_and_its_table_in_start_order() -> None:
    """The app's lab draws what the core hands it: the verdict's grouped clause, and once the run ends its table
    holds the kept starts in start order (a put-back start in its place, not after the reruns)."""
    from tests.test_truth import LabOnly, LabScreen

    app = LabOnly()
    async with app.run_test(size=SIZE) as pilot:
        lab = app.screen
        assert isinstance(lab, LabScreen)
        lab.show_report(twice_over_fastapi())
        await pilot.pause()
        said = " ".join(plain(lab.query_one("#lab-verdict", Static)).split())
        assert "(Flask's #4, FastAPI's #5 and #9; the rule: over 1.3x the median)" in said
        lab.show_report(put_back_run())
        await pilot.pause()
        table = lab.query_one("#lab-results", DataTable)
        rows = [(str(table.get_row_at(n)[0]).split()[0], str(table.get_row_at(n)[1]).split()) for n in range(12)]
        assert [cell[1] if len(cell) > 2 else "#1" for key, cell in rows if key == "flask"] == [
            f"#{n}" for n in range(1, 8)
        ]
