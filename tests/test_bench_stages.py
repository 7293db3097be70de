"""The second stage of fresh starts: the decision on constructed results, and one real short run that takes it."""

from __future__ import annotations

import json
import re

import pytest

from explorer.bench.interval import t_quantile
from explorer.bench.levels import BenchEvent
from explorer.bench.plan import BenchPlan
from explorer.bench.results import BenchReport, verdict
from explorer.bench.runner import level_to_extend, run_bench
from explorer.bench.stages import Stages, two_stage
from explorer.cli.main import build_parser
from tests.test_bench import repeated

# Measured on the idle machine (json, c=100, granian pair): Flask served 1.4-1.5x FastAPI in 9 of 10 runs; in the
# tenth, one Flask start and one FastAPI start were disturbed (6,267 req/s against ~11,000) and the verdict flipped.
FLASK: list[float] = [11000, 11200, 10900, 6267, 11100]
FASTAPI: list[float] = [7600, 7700, 7500, 7650, 4300]


def staged(flask: list[float], fastapi: list[float], stages: Stages | None) -> BenchReport:
    report = repeated("json", flask, fastapi, 0.09, 0.12, c=100)
    report.stages = stages
    return report


@pytest.mark.serverless
def test_a_first_stage_the_disturbed_starts_leave_open_is_extended_at_its_level() -> None:
    open_ = staged(FLASK, FASTAPI, Stages(5))
    said = verdict(open_)
    assert said.inconclusive and "no measurable difference, within noise" in said.text
    assert "97.5% interval" in said.text and level_to_extend(open_) == 100
    assert level_to_extend(staged(FLASK, FASTAPI, None)) is None  # one stage (a running app's servers, --no-extend)
    assert level_to_extend(staged(FLASK, FASTAPI, Stages(5, 5, 100.0))) is None  # the second stage is the last


@pytest.mark.serverless
def test_a_resolved_first_stage_or_one_inside_the_minimum_effect_is_not_extended() -> None:
    resolved = staged([11000, 11200, 10900, 10800, 11100], [7600, 7700, 7500, 7650, 7550], Stages(5))
    assert "Flask served 1.45x FastAPI (97.5% interval" in verdict(resolved).text
    assert level_to_extend(resolved) is None
    inside = staged([1000, 1010, 990, 1005, 995], [1002, 1008, 992, 1001, 997], Stages(5))
    rates = verdict(inside).evidence
    assert rates is not None and not rates["rps"]["resolved"]  # includes 1, but inside 0.9-1.1 on both sides
    assert rates["rps"]["low"] > 0.9 and rates["rps"]["high"] < 1.1 and level_to_extend(inside) is None


@pytest.mark.serverless
def test_the_verdict_over_both_stages_says_so_and_states_the_correction() -> None:
    ten = staged([*FLASK, 11050, 10950, 11150, 10850, 11000], [*FASTAPI, 7550, 7600, 7700, 7450, 7650], None)
    ten.stages = Stages(5, 5, 100.0)
    said = verdict(ten)
    assert "Flask served 1.45x FastAPI (97.5% interval 1.19-1.77x" in said.text
    assert "median (min-max) of 10 runs each over 10 starts (5 more: the first 5 did not resolve it))" in said.text
    assert said.evidence is not None and said.evidence["rps"]["confidence"] == 0.975
    assert said.evidence["stages"] == {
        "stage": 2,
        "n_first": 5,
        "n_added": 5,
        "n": 10,
        "level_extended": 100.0,
        "confidence": 0.975,
        "correction": "Bonferroni over the two stages: each stage's interval at 97.5%, so a false claim stays "
        "under 5% overall",
    }
    assert "Welch's t 97.5% interval" in said.evidence["rule"] and "Bonferroni" in said.evidence["rule"]
    assert [round(t_quantile(df, 0.975), 2) for df in (1, 2, 4, 10, 1e6)] == [25.45, 6.21, 3.49, 2.63, 2.24]


@pytest.mark.serverless
def test_which_plans_run_two_stages_and_what_the_second_runs() -> None:
    assert two_stage(BenchPlan("json", repeat=5)) == Stages(5)
    assert two_stage(BenchPlan("json", repeat=1)) is None  # "one run: spread unknown", nothing to extend
    assert two_stage(BenchPlan("json", repeat=5, extend=False)) is None
    assert two_stage(BenchPlan("io", repeat=5, rates=(100.0,))) is None  # the open loop has no such verdict
    steps = BenchPlan("json", levels=(10, 100), repeat=2).steps(range(2, 4), 100)
    assert [(s.target.key, s.concurrency, s.repeat) for s in steps] == [
        ("flask", 100, 2),
        ("fastapi", 100, 2),
        ("fastapi", 100, 3),
        ("flask", 100, 3),
    ]
    parser = build_parser()
    assert parser.parse_args(["bench", "--no-extend"]).extend is False
    assert parser.parse_args(["bench"]).extend is True


async def test_a_forced_second_stage_runs_more_fresh_starts_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real servers (the granian pair) and real load; only the decision is forced, as an open interval would."""
    monkeypatch.setattr("explorer.bench.results.inconclusive", lambda rates, within: True)
    events: list[BenchEvent] = []
    # The shortest run the plan allows: the second stage is forced, so no figure here depends on the run's length.
    plan = BenchPlan("json", levels=(1, 2), duration=0.1, warmup=0.05, repeat=2)
    report = await run_bench(plan, events.append)
    document = json.loads(json.dumps(report.to_dict()))
    assert report.complete and document["server_starts"] == 4
    assert [(r["target"], r["level"], r["repeat"]) for r in document["results"][8:]] == [
        ("flask", 2.0, 2),
        ("fastapi", 2.0, 2),
        ("fastapi", 2.0, 3),
        ("flask", 2.0, 3),
    ]
    stages = document["verdict_rule"]["stages"]
    assert (stages["stage"], stages["n"], stages["level_extended"], stages["confidence"]) == (2, 4, 2.0, 0.975)
    assert document["verdict_rule"]["rps"]["n_flask"] == 4 and "over 4 starts (2 more" in document["verdict"]
    assert max(e.fraction for e in events) <= 1.0 and events[-1].fraction == 1.0
    assert {e.steps for e in events if e.repeat >= 2} == {12}  # the added steps come with a new total
    assert all(r["error_count"] == 0 for r in document["results"])


@pytest.mark.serverless
@pytest.mark.parametrize("fastapi", [[7550, 7600, 7700, 7450, 7650], [14800, 15100, 15000, 14900, 15200]])
def test_the_figure_a_verdict_names_lies_inside_the_interval_it_prints(fastapi: list[float]) -> None:
    """A ratio printed to one decimal beside an interval printed to two read "1.5x (interval 1.43-1.48x)":
    a figure outside its own interval. The verdict prints the ratio to the interval's precision."""
    said = verdict(staged([11050, 10950, 11150, 10850, 11000], fastapi, None)).text
    found = re.search(r"served (\d+\.\d+)x \w+ \((?:[\d.]+)% interval (\d+\.\d\d)-(\d+\.\d\d)x", said)
    assert found, said
    figure, low, high = (float(v) for v in found.groups())
    assert low <= figure <= high and len(found.group(1).split(".")[1]) == 2
