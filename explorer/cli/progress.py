"""``explorer routes --progress``: the files that say what exercised the routes, read before any app starts."""

from __future__ import annotations

from explorer.apps.progress import Exercise, RunFormatError, exercises_from_run, progress
from explorer.apps.routes import RouteRow
from explorer.cli.common import fail, print_json

__all__ = ["read_exercises", "show_progress"]


def read_exercises(requests: str | None, run: str | None) -> list[Exercise]:
    """The requests of a requests file (not run yet) and the cases of a saved run (with their results);
    a file that cannot be used is a one-line error (exit 2)."""
    found: list[Exercise] = []
    if requests:
        from explorer.parity.suite import ParityFileError, load_suite

        try:
            suite = load_suite(requests)
        except ParityFileError as exc:
            fail(str(exc))
        found += [Exercise(case.sides["flask"].method, case.sides["flask"].path) for case in suite.cases]
    if run:
        from explorer.reports.load import REPORT_LIMITS
        from explorer.runtime.userdata.datafile import DataFileError, load_data_file

        try:
            found += exercises_from_run(load_data_file(run, REPORT_LIMITS, "json", "--run"))
        except DataFileError as exc:
            fail(str(exc))
        except RunFormatError as exc:
            fail(f"--run {run}: {exc}")
    return found


def show_progress(rows: list[RouteRow], exercises: list[Exercise], as_json: bool) -> None:
    state = progress(rows, exercises)
    if as_json:
        print_json(state.to_dict())
        return
    from explorer.cli.render import terminal
    from explorer.cli.render_progress import progress_view

    terminal().print(progress_view(state))
