"""Command line for the user's own apps: ``--flask``/``--fastapi``/``--app-dir`` and each app's settings
(``--flask-dir``, ``--flask-python``, ``--flask-env``, ``--flask-env-file``, ``--flask-setup``, the same for
``--fastapi-``, and ``--config``), ``parity``, ``routes``, ``report``.

Kept apart from :mod:`explorer.cli.main` so that module only wires these in. Exit statuses follow the
rest of the CLI: 2 for a mistake in the arguments or the requests file (one line, before any server
starts), 1 when an app does not start (one line naming it and its import error) or when parity
finds a difference, 0 otherwise.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from explorer.apps.config import find_config, load_config
from explorer.apps.settings import AppSettings, resolve_python, split_setup
from explorer.apps.targets import TargetError, check_app_dir, check_target, specs_from_options, startup_problems
from explorer.cli.common import add_server_options, bad_value, check_outputs, fail, note, print_json, run_async, say
from explorer.runtime.errors import ExplorerError
from explorer.runtime.frameworks import FRAMEWORKS
from explorer.runtime.servers.specs import SETUP_TIMEOUT, SETUP_TIMEOUT_BOUNDS, ServerSpec
from explorer.runtime.userdata.datafile import user_path
from explorer.runtime.userdata.envfile import parse_assignment

if TYPE_CHECKING:
    import argparse

    from explorer.runtime.session import Session

EXIT_DIFFER = 1
EXIT_FAILED = 1


def _target(text: str) -> str:
    try:
        return check_target(text)
    except ExplorerError as exc:
        raise bad_value(str(exc)) from None


def _folder(text: str) -> Path:
    try:
        return check_app_dir(text)
    except ExplorerError as exc:
        raise bad_value(str(exc).removeprefix("--app-dir ")) from None


def _checked(check: Any) -> Any:
    """An argparse type from a checker that raises :class:`ExplorerError`: a mistake is one usage line."""

    def convert(text: str) -> Any:
        try:
            return check(text)
        except ExplorerError as exc:
            raise bad_value(str(exc)) from None

    return convert


def _setup_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise bad_value(f"not a number of seconds: {text[:40]!r}") from None
    low, high = SETUP_TIMEOUT_BOUNDS
    if not low <= value <= high:
        raise bad_value(f"must be between {low:g} and {high:g} seconds")
    return value


def add_app_options(parser: argparse.ArgumentParser, sub: bool = False) -> None:
    """The apps and each one's settings; on a subcommand they do not reset values given before it."""
    import argparse

    default: Any = argparse.SUPPRESS if sub else None
    parser.add_argument(
        "--flask",
        type=_target,
        default=default,
        metavar="MODULE:APP",
        help="your Flask app instead of the demo: shop_flask:app, 'blog:create_app()'",
    )
    parser.add_argument(
        "--fastapi",
        type=_target,
        default=default,
        metavar="MODULE:APP",
        help="your FastAPI app instead of the demo, e.g. shop_fastapi:app",
    )
    parser.add_argument(
        "--app-dir",
        type=_folder,
        default=default,
        metavar="DIR",
        help="folder your apps are imported from (default: the current folder)",
    )
    for fw in FRAMEWORKS:
        parser.add_argument(
            f"--{fw}-dir",
            type=_folder,
            default=default,
            metavar="DIR",
            help=f"folder the {fw} app is imported from and run in (default: --app-dir)",
        )
        parser.add_argument(
            f"--{fw}-python",
            default=default,
            metavar="PATH",
            help=f"run the {fw} app under this interpreter (a venv folder or its bin/python)",
        )
        parser.add_argument(
            f"--{fw}-env",
            action="append",
            type=_checked(parse_assignment),
            default=default,
            metavar="KEY=VALUE",
            help=f"add a variable to the {fw} app's environment (repeatable)",
        )
        parser.add_argument(
            f"--{fw}-env-file",
            type=user_path,
            default=default,
            metavar="FILE",
            help=f"add the variables of a dotenv file to the {fw} app's environment",
        )
        parser.add_argument(
            f"--{fw}-setup",
            type=_checked(lambda text: split_setup(text, "")),
            default=default,
            metavar="CMD",
            help=f"run once in the {fw} app's folder before it starts",
        )
    parser.add_argument(
        "--setup-timeout",
        type=_setup_seconds,
        default=default,
        metavar="SECONDS",
        help=f"seconds each app's set-up command may take (default: {SETUP_TIMEOUT:g}, or the config file's setup_timeout)",
    )
    parser.add_argument(
        "--no-dotenv",
        action="store_true",
        default=default,
        help="do not read the Flask app's .flaskenv and .env (flask run reads them)",
    )
    parser.add_argument(
        "--config",
        type=user_path,
        default=default,
        metavar="FILE",
        help="both apps' settings (default: explorer.toml, or pyproject.toml's [tool.explorer])",
    )


def app_settings(args: argparse.Namespace) -> dict[str, AppSettings]:
    """Each app's settings: the config file's, then the command line's over them."""
    named = getattr(args, "config", None)
    found = named or find_config()
    from_file = load_config(found, named=named is not None) if found is not None else {}
    app_dir = getattr(args, "app_dir", None)
    settings = {}
    for fw in FRAMEWORKS:
        python = getattr(args, f"{fw}_python", None)
        given = AppSettings(
            target=getattr(args, fw, None),
            dir=getattr(args, f"{fw}_dir", None),
            python=resolve_python(python, f"--{fw}-python") if python else None,
            env=tuple(getattr(args, f"{fw}_env", None) or ()),
            env_file=getattr(args, f"{fw}_env_file", None),
            setup=getattr(args, f"{fw}_setup", None) or (),
            server=getattr(args, "flask_server", None) if fw == "flask" else None,
            ready_timeout=getattr(args, "ready_timeout", None),
            dotenv=not getattr(args, "no_dotenv", False),
            setup_timeout=getattr(args, "setup_timeout", None),
        )
        merged = given.over(from_file.get(fw, AppSettings()))
        if app_dir is not None and given.dir is None and merged.target:  # --app-dir over the file's dir
            merged = replace(merged, dir=app_dir)
        settings[fw] = merged
    if app_dir is not None and not any(s.target for s in settings.values()):
        raise TargetError("--app-dir needs --flask or --fastapi (or both)")
    return settings


def specs_from_args(
    args: argparse.Namespace, frameworks: list[str] | None = None, require_both: bool = False
) -> list[ServerSpec]:
    """The servers the options (and the config file) ask for; the demos when no app is given."""
    specs = specs_from_options(
        None,
        None,
        getattr(args, "app_dir", None),
        getattr(args, "flask_server", None) or "dev",
        frameworks,
        require_both,
        settings=app_settings(args),
    )
    ready = getattr(args, "ready_timeout", None)  # the demos too
    return [replace(spec, ready_timeout=ready) if ready and spec.demo else spec for spec in specs]


def user_specs(args: argparse.Namespace) -> list[ServerSpec] | None:
    """For the app: the user's specs, or None to let it run the demos."""
    specs = specs_from_args(args)
    return None if all(spec.demo for spec in specs) else specs


def report_problems(session: Session) -> bool:
    """Print one line per server that did not start; True when there was any."""
    problems = startup_problems(session.supervisor)
    for problem in problems:
        say(f"explorer: error: {problem}")
    return bool(problems)


def add_commands(sub: Any) -> None:
    """The ``routes`` and ``report`` subcommands (``parity`` is :mod:`explorer.cli.parity`)."""
    routes = sub.add_parser("routes", help="list the routes of both apps, as requests ready to send")
    add_app_options(routes, sub=True)
    routes.add_argument(
        "--json", action="store_true", help="print one JSON document: each app's listing and the merged routes"
    )
    routes.add_argument(
        "--progress",
        action="store_true",
        help="how far the port has come: each Flask route, its FastAPI counterpart, what tested it",
    )
    routes.add_argument(
        "--run", metavar="RUN.json", help="with --progress: a saved run (parity --json) and its results"
    )
    routes.add_argument(
        "requests",
        nargs="?",
        metavar="REQUESTS.yaml",
        help="with --progress: a requests file whose requests count as exercising their routes",
    )
    add_server_options(routes)

    report = sub.add_parser("report", help="turn a saved parity run (JSON) into a Markdown or JSON report")
    report.add_argument(
        "--from",
        dest="source",
        required=True,
        metavar="FILE",
        help="a BASE.json from --report, or the output of parity --json",
    )
    report.add_argument("--format", choices=("md", "json"), default="md", help="what to print (default: md)")
    report.add_argument("--out", metavar="BASE", help="write BASE.md and BASE.json instead of printing")
    report.add_argument("--force", action="store_true", help="write over BASE.md and BASE.json if they exist")


# --- routes ----------------------------------------------------------------------------------------


async def _routes(args: argparse.Namespace, specs: list[ServerSpec]) -> int:
    from explorer.apps.routes import RouteListing, flask_listing, list_routes, merge_routes
    from explorer.runtime.session import Session

    exercises = []
    if args.progress:  # the files first: a mistake in one is a one-line error before any app starts
        from explorer.cli.progress import read_exercises

        exercises = read_exercises(args.requests, args.run)
    elif args.requests or args.run:
        fail("a requests file and --run go with --progress")
    listings: dict[str, RouteListing] = {}
    for spec in specs:
        if spec.framework == "flask":
            listings["flask"] = await flask_listing(spec, max(args.timeout, 15.0))
    web = [spec for spec in specs if spec.framework == "fastapi"]
    if web:
        async with Session(web, timeout=args.timeout) as session:
            problems = startup_problems(session.supervisor)
            listings["fastapi"] = (
                RouteListing("fastapi", "openapi", error=problems[0])
                if problems
                else await list_routes(session, "fastapi", max(args.timeout, 15.0), handlers=True)  # mounted apps too
            )
    rows = merge_routes(listings.values())
    if args.progress:
        from explorer.cli.progress import show_progress

        show_progress(rows, exercises, args.json)
    elif args.json:
        document = {fw: listing.to_dict() for fw, listing in listings.items()}
        print_json({"listings": document, "routes": [r.to_dict() for r in rows]})
    elif rows:
        from explorer.cli.render import terminal
        from explorer.cli.render_parity import routes_table

        terminal().print(routes_table(rows))
    for listing in listings.values():
        for sentence in listing.left_out():  # what the reader could not use, named, never a traceback
            note(sentence)
    failed = [listing for listing in listings.values() if listing.error]
    for listing in failed:
        say(f"explorer: error: {listing.error}")
    return EXIT_FAILED if failed else 0


def cmd_routes(args: argparse.Namespace) -> int:
    specs = specs_from_args(args)
    return run_async(lambda: _routes(args, specs))


# --- report ----------------------------------------------------------------------------------------


def cmd_report(args: argparse.Namespace) -> int:
    from explorer.reports.load import load_report

    if args.out:
        from explorer.reports.base import report_paths

        check_outputs([("--out", p) for p in report_paths(args.out)], (args.source,), args.force)
    report = load_report(args.source)
    if args.out:
        md, js = report.write(args.out, "--out", (args.source,), args.force)
        print(f"explorer: report written to {md} and {js}", file=sys.stderr)
    elif args.format == "json":
        print_json(report.to_dict())
    else:
        sys.stdout.write(report.to_markdown())
    return 0
