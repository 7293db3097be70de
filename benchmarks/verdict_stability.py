"""Does the lab's verdict hold on the next run? ``explorer bench`` N times in a row per scenario, verdicts printed.

A verdict is a claim about a difference larger than the run-to-run spread; if it is, N runs in a row
give the same verdict (or the same "within noise"). Each run is the command a user types, with its
defaults (5 repeats on fresh servers, the granian pair) unless ``--args`` adds options; the script prints each run's
verdict, its claim reduced to a few words (``FastAPI served 1.3x Flask``, ``within noise``), and per
scenario how many runs made the most common claim.

    .venv/bin/python benchmarks/verdict_stability.py [--runs 10] [--scenarios json,cpu] [--args "--concurrency 4"]
        [--figures] [--keep DIR]

``--figures`` prints, under each verdict, the intervals (95%, or 97.5% a stage of two) the verdict's rule read (``verdict_rule`` in the
JSON), any start set aside as disturbed (``set_aside``), and every repeat's rate, server CPU per request and cores busy at the level the verdict speaks of; ``--keep DIR`` writes each run's JSON document there.

Done when (issue 22): ten runs in a row of json and of cpu give one claim each, on an idle 2-core machine.
Exit status 1 when a scenario's claims differ.
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CLAIM = re.compile(
    r"(no measurable difference|FastAPI within \d+% of Flask|FastAPI served [\d.]+x Flask|"
    r"Flask served [\d.]+x FastAPI|No verdict|answered nothing)"
)


CPU_CLAIM = re.compile(r"(Flask|FastAPI)'s server used [\d.]+x (?:Flask|FastAPI)'s CPU per request")


def claim(verdict: str) -> str:
    """The verdict's claim in a few words: which framework served more (the ratio is a figure with its range
    over the repeats, printed in the verdict, not part of the claim: 1.3x and 1.4x from ranges 10% wide are one
    finding), or "no difference" ("within noise", or a difference within the verdict's bar, "FastAPI within 4%
    of Flask": both say the rates do not differ), with which server used more CPU per request when that is
    claimed instead. A verdict refused at the top level and given at a lower one is that one's claim, with its
    level."""
    _refused, _, lower = verdict.partition(" At a lower level, ")
    if lower:
        level = re.search(r"at (\d+) concurrent", lower)
        return f"{claim(lower)} (at c={level.group(1) if level else '?'})"
    found = CLAIM.search(verdict)
    if not found:
        return "?"
    words = found.group(1)
    if words.startswith("no measurable") or "within" in words:
        cpu = CPU_CLAIM.search(verdict)
        return f"no difference ({cpu.group(1)} more CPU a request)" if cpu else "no difference"
    return re.sub(r"served [\d.]+x", "served more than", words)


def figures(document: dict[str, Any]) -> list[str]:
    """Per repeat, at the level the verdict speaks of: each route's rate, server CPU per request and the cores
    its server kept busy, in the order they ran; the lines to read when one run's claim differs."""
    levels = re.findall(r"at (\d+) concurrent", document["verdict"])
    if not levels:
        return []
    level = float(levels[-1])
    out = []
    rule = document.get("verdict_rule") or {}
    for name, key in (("rate", "rps"), ("server CPU per request", "server_cpu_ms_per_request")):
        if got := rule.get(key):
            out.append(
                f"    c={level:g} {name}, FastAPI over Flask: {got['ratio']:.2f}x, "
                f"{got.get('confidence', 0.95) * 100:g}% interval {got['low']:.2f}-"
                f"{got['high']:.2f}x ({'resolved' if got['resolved'] else 'includes 1'}; n {got['n_flask']} and "
                f"{got['n_fastapi']}, df {got['df']:g})"
            )
    if stages := rule.get("stages"):
        out.append(f"    stage {stages['stage']} of 2: {stages['n']} starts, {stages['n_added']} of them added")
    for s in (document.get("set_aside") or {}).get(f"{level:g}", []):
        out.append(f"    c={level:g} repeat {s['repeat']} {s['target']:<12} {s['rps']:>9,.1f} req/s  {s['reason']}")
    for r in document["results"]:
        if r["level"] != level:
            continue
        cpu = r.get("server_cpu_ms_per_request")
        busy = f"{cpu * r['rps'] / 1000:.2f}" if cpu is not None else "?"
        cost = f"{cpu:.3g}" if cpu is not None else "?"
        out.append(
            f"    c={level:g} repeat {r['repeat']} {r['target']:<12} {r['rps']:>9,.1f} req/s  "
            f"p50 {r['p50_ms'] or 0:>8.2f} ms  server CPU {cost:>6} ms/request  cores busy {busy}"
        )
    return out


def run(scenario: str, extra: list[str], keep: Path | None, index: int) -> dict[str, Any]:
    argv = [sys.executable, "-m", "explorer", "bench", "--scenario", scenario, "--json", *extra]
    done = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, check=False, timeout=1800)
    if done.returncode != 0:
        return {"verdict": f"failed: {done.stderr.strip()[-300:]}", "claim": "failed", "figures": []}
    document = json.loads(done.stdout)
    if keep is not None:
        (keep / f"{scenario}-{index + 1:02d}.json").write_text(done.stdout)
    return {"verdict": document["verdict"], "claim": claim(document["verdict"]), "figures": figures(document)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--scenarios", default="json,cpu")
    parser.add_argument("--args", default="", help="more options for every `explorer bench`, e.g. '--concurrency 4'")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--figures", action="store_true", help="print each run's per-repeat figures at its level")
    parser.add_argument("--keep", type=Path, default=None, help="a folder to write each run's JSON document to")
    args = parser.parse_args()
    extra = shlex.split(args.args)
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
    stable, out = True, {}
    for scenario in args.scenarios.split(","):
        rows = []
        for index in range(args.runs):
            row = run(scenario, extra, args.keep, index)
            rows.append(row)
            if not args.json:
                print(f"{scenario} {index + 1:>2}: {row['claim']:<28} | {row['verdict']}", flush=True)
                if args.figures:
                    print("\n".join(row["figures"]), flush=True)
        counts = collections.Counter(str(r["claim"]) for r in rows)
        top, n = counts.most_common(1)[0]
        stable &= len(counts) == 1
        out[scenario] = {"runs": rows, "claims": dict(counts)}
        if not args.json:
            print(f"{scenario}: {n}/{args.runs} runs say '{top}'; claims: {dict(counts)}\n", flush=True)
    if args.json:
        print(json.dumps(out, indent=2))
    return 0 if stable else 1


if __name__ == "__main__":
    sys.exit(main())
