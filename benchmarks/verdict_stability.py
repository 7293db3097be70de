"""Does the lab's verdict hold on the next run? ``explorer bench`` N times in a row per scenario, verdicts printed.

A verdict is a claim about a difference larger than the run-to-run spread; if it is, N runs in a row
give the same verdict (or the same "within noise"). Each run is the command a user types, with its
defaults (3 repeats, the granian pair) unless ``--args`` adds options; the script prints each run's
verdict, its claim reduced to a few words (``FastAPI served 1.3x Flask``, ``within noise``), and per
scenario how many runs made the most common claim.

    .venv/bin/python benchmarks/verdict_stability.py [--runs 10] [--scenarios json,cpu] [--args "--concurrency 4"]

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

ROOT = Path(__file__).resolve().parent.parent
CLAIM = re.compile(
    r"(no measurable difference|FastAPI within \d+% of Flask|FastAPI served [\d.]+x Flask|"
    r"Flask served [\d.]+x FastAPI|No verdict|answered nothing)"
)


def claim(verdict: str) -> str:
    """The verdict's claim in a few words; ratios to one decimal, so 1.31x and 1.34x are one claim. A verdict
    refused at the top level and given at a lower one is that one's claim, with its level."""
    _refused, _, lower = verdict.partition(" At a lower level, ")
    if lower:
        level = re.search(r"at (\d+) concurrent", lower)
        return f"{claim(lower)} (at c={level.group(1) if level else '?'})"
    found = CLAIM.search(verdict)
    if not found:
        return "?"
    words = found.group(1)
    if words.startswith("no measurable"):
        return "within noise"
    if "within" in words:
        return "within 10%" if int(re.findall(r"\d+", words)[0]) <= 10 else words
    return words


def run(scenario: str, extra: list[str]) -> dict[str, object]:
    argv = [sys.executable, "-m", "explorer", "bench", "--scenario", scenario, "--json", *extra]
    done = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, check=False, timeout=1800)
    if done.returncode != 0:
        return {"verdict": f"failed: {done.stderr.strip()[-300:]}", "claim": "failed"}
    document = json.loads(done.stdout)
    return {"verdict": document["verdict"], "claim": claim(document["verdict"])}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--scenarios", default="json,cpu")
    parser.add_argument("--args", default="", help="more options for every `explorer bench`, e.g. '--concurrency 4'")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    extra = shlex.split(args.args)
    stable, out = True, {}
    for scenario in args.scenarios.split(","):
        rows = []
        for index in range(args.runs):
            row = run(scenario, extra)
            rows.append(row)
            if not args.json:
                print(f"{scenario} {index + 1:>2}: {row['claim']:<28} | {row['verdict']}", flush=True)
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
