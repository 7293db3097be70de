"""``explorer parity``: a requests file (or requests generated or imported) sent to both apps, compared.

Everything that can be checked is checked before any server starts (the file, the options, the
folders to write into), each mistake one line and exit 2. Exit 1 when any request differs in a way
that was not declared, could not be compared, a setup or teardown step failed, an app did not start,
or (with ``--strict``) a declared difference no longer happens; else 0.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from explorer.cli.apps import EXIT_FAILED, add_app_options, report_problems, specs_from_args
from explorer.cli.common import add_server_options, check_outputs, fail, note, positive_int, print_json, run_async
from explorer.runtime.frameworks import FRAMEWORKS, display_name
from explorer.runtime.servers.specs import ServerSpec

__all__ = ["add_parity_parser", "cmd_parity"]

EXIT_DIFFER = 1


def add_parity_parser(sub: Any) -> None:
    """The ``parity`` subcommand."""
    parity = sub.add_parser(
        "parity", help="send every request of a file to your Flask app and its FastAPI port; exit 1 on any difference"
    )
    parity.add_argument(
        "requests", nargs="?", metavar="REQUESTS", help="a YAML or JSON file of requests (see docs/requests-file.md)"
    )
    add_app_options(parity, sub=True)
    parity.add_argument("--json", action="store_true", help="print one JSON document instead of tables")
    parity.add_argument("--ignore-order", action="store_true", help="compare JSON lists as multisets")
    parity.add_argument(
        "--ignore-key",
        action="append",
        default=[],
        metavar="KEY",
        help="drop this key from both JSON bodies (repeatable; a.b.c for a path)",
    )
    parity.add_argument(
        "--compare-header",
        action="append",
        default=[],
        metavar="NAME",
        help="also compare this response header (repeatable; Location always is)",
    )
    parity.add_argument("--report", metavar="BASE", help="also write BASE.md and BASE.json")
    parity.add_argument("--junit", metavar="FILE", help="also write JUnit XML (one test case per request) for CI")
    parity.add_argument(
        "--noise",
        action="store_true",
        help="send safe requests twice to each app; what differs between them is ignored as noise",
    )
    parity.add_argument("--strict", action="store_true", help="a declared difference that no longer happens fails")
    parity.add_argument("--reset", action="store_true", help="run the teardown steps, then the setup steps, first")
    parity.add_argument(
        "--show-secrets",
        action="store_true",
        help="show tokens, cookies and Authorization values in reports (hidden by default)",
    )
    parity.add_argument(
        "--generate",
        action="store_true",
        help="build the requests from both apps' routes (FastAPI's schema, Flask's URL map)",
    )
    parity.add_argument("--from-har", metavar="FILE", help="the requests recorded in a browser's HAR file")
    parity.add_argument("--from-curl", metavar="FILE", help="the requests of a file of curl commands")
    parity.add_argument("--write", metavar="FILE", help="write the generated or imported requests as a requests file")
    parity.add_argument(
        "--force", action="store_true", help="write over an existing --write, --junit or --report file (never an input)"
    )
    parity.add_argument(
        "--fuzz",
        type=positive_int,
        metavar="N",
        help="also send N cases per operation drawn from FastAPI's schema (needs the fuzz extra)",
    )
    add_server_options(parity)


def _inputs(args: argparse.Namespace) -> tuple[Any, ...]:
    """The files this run reads: no output may be written over one of them."""
    given = (getattr(args, name, None) for name in ("config", "flask_env_file", "fastapi_env_file"))
    return args.requests, args.from_har, args.from_curl, *given


def _check_outputs(args: argparse.Namespace) -> None:
    from explorer.reports.base import report_paths

    reports = [("--report", p) for p in report_paths(args.report)] if args.report else []
    check_outputs([("--write", args.write), ("--junit", args.junit), *reports], _inputs(args), args.force)


def _source(args: argparse.Namespace) -> tuple[Any, list[dict[str, Any]] | None]:
    """The suite to run (None for --generate, built once the apps run) and the entries to --write."""
    from explorer.parity.imports import from_curl, from_har
    from explorer.parity.suite import load_suite, parse_suite

    given = [
        name
        for name, value in (
            ("REQUESTS", args.requests),
            ("--generate", args.generate),
            ("--from-har", args.from_har),
            ("--from-curl", args.from_curl),
        )
        if value
    ]
    if len(given) != 1:
        fail(
            "give one of REQUESTS, --generate, --from-har FILE or --from-curl FILE"
            if not given
            else f"{given[0]} and {given[1]} cannot be used together: choose one source of requests"
        )
    if args.write and args.requests:
        fail("--write writes generated or imported requests; a requests file is already one")
    if args.requests:
        return load_suite(args.requests), None
    if args.generate:
        return None, None
    notes: list[str] = []
    entries = from_har(args.from_har) if args.from_har else from_curl(args.from_curl, notes)
    for said in notes:
        note(said)
    source = Path(args.from_har or args.from_curl)
    return parse_suite({"requests": entries}, source.name, source.parent), entries


def cmd_parity(args: argparse.Namespace) -> int:
    suite, entries = _source(args)
    specs = specs_from_args(args, require_both=True)
    _check_outputs(args)
    if args.fuzz:
        from explorer.parity.fuzz import FUZZ_MISSING, fuzz_available

        if not fuzz_available():
            fail(FUZZ_MISSING)
    return run_async(lambda: _parity(args, suite, entries, specs))


async def _operations(session: Any, timeout: float) -> tuple[list[Any], dict[str, Any], list[str]]:
    """The operations both apps have, FastAPI's schema, and notes on what could not be listed."""
    from explorer.apps.requestparts import API_KEY, TOKEN
    from explorer.apps.routes import list_all_routes, merge_routes
    from explorer.apps.templates import WEBSOCKET
    from explorer.parity.generate import Operation, auth_rank, token_source

    listings = await list_all_routes(session, max(timeout, 15.0))
    schema = await session.send_one("fastapi", _openapi_request())
    document = schema.json if isinstance(schema.json, dict) else {}
    errors = [(display_name(fw), listing.error) for fw, listing in listings.items() if listing.error]
    notes = [f"{name}'s routes could not be listed: {error}" for name, error in errors]
    operations = []
    for row in merge_routes(listings.values()):
        if row.method == WEBSOCKET:
            notes.append(
                f"No request was generated for {row.method} {row.pattern}, a WebSocket route (parity sends HTTP)."
            )
            continue
        if row.frameworks != FRAMEWORKS:
            notes.append(
                f"No request was generated for {row.method} {row.pattern}: only {display_name(row.frameworks[0])} has it."
            )
            continue
        request = row.request
        fastapi = row.templates["fastapi"]
        media = next((v for k, v in request.headers if k.lower() == "content-type"), "")
        media = "" if media == "application/json" else media
        credentials = tuple((n, v) for n, v in fastapi.headers if TOKEN in v or API_KEY in v)  # placeholders
        operation = Operation(row.method, row.pattern, request.path, request.body, fastapi.template, media, credentials)
        if auth_rank(operation) == 1:  # a login: where its answer holds the token, to capture it
            operation = replace(operation, token_from=token_source(document, fastapi.template, row.method))
        operations.append(operation)
    return operations, document, notes


def _openapi_request() -> Any:
    from explorer.apps.routes import OPENAPI_PATH
    from explorer.runtime.http.request import RequestSpec

    return RequestSpec("GET", OPENAPI_PATH)


async def _parity(
    args: argparse.Namespace, suite: Any, entries: list[dict[str, Any]] | None, specs: list[ServerSpec]
) -> int:
    from explorer.parity.check import run_parity
    from explorer.parity.run import start_for_suite
    from explorer.parity.suite import ParityOptions, parse_suite
    from explorer.runtime.session import Session

    options = ParityOptions(tuple(args.ignore_key), args.ignore_order, tuple(h.lower() for h in args.compare_header))
    notes: list[str] = []
    async with Session(specs, timeout=args.timeout, start=False) as session:
        # The file's set-up commands run where --flask-setup does: before the servers start.
        started = await start_for_suite(session, suite, args.reset)
        if report_problems(session):
            return EXIT_FAILED
        operations: list[Any] = []
        document: dict[str, Any] = {}
        if args.generate or args.fuzz:
            operations, document, notes = await _operations(session, args.timeout)
        if args.generate:
            from explorer.parity.generate import entries_for

            entries = entries_for(operations)
            if not entries:
                print("explorer: error: the two apps have no route in common to generate requests for", file=sys.stderr)
                return EXIT_FAILED
            suite = parse_suite({"requests": entries}, "generated")
        report = await run_parity(
            session, suite, options, noise=args.noise, strict=args.strict, reset=args.reset, before_start=started
        )
        refused = [r.case.name for r in report.results if _both_refused(r)]
        if refused:  # they match, and say nothing of the routes behind the refusal
            report.extra["both_refused"] = refused
            shown = ", ".join(refused[:5]) + (f" and {len(refused) - 5} more" if len(refused) > 5 else "")
            notes.append(
                f"{len(refused)} request(s) only compared two refusals (401 or 403 from both apps; "
                f"add a login and its token): {shown}"
            )
        if args.fuzz:
            from explorer.parity.fuzz import fuzz_operations

            outcomes = await fuzz_operations(session, document, operations, args.fuzz, report.options, args.noise)
            report.extra["fuzz"] = [o.to_dict() for o in outcomes]
            for outcome in outcomes:
                if outcome.result is not None:
                    report.results.append(outcome.result)
                    if entries is not None and outcome.entry is not None:
                        entries.append(outcome.entry)
    for said in notes:
        note(said)
    return _outputs(args, report, entries)


def _both_refused(result: Any) -> bool:
    statuses = [exchange.status for exchange in result.exchanges.values()]
    return len(statuses) == 2 and all(status in (401, 403) for status in statuses)


def _outputs(args: argparse.Namespace, report: Any, entries: list[dict[str, Any]] | None) -> int:
    document = report.to_dict(show_secrets=args.show_secrets)
    if args.write and entries is not None:
        from explorer.parity.generate import write_entries

        written = write_entries(args.write, entries, _inputs(args), args.force)
        print(f"explorer: {len(entries)} requests written to {written}", file=sys.stderr)
    if args.junit:
        from explorer.reports.junit import write_junit

        written = write_junit(document, args.junit, _inputs(args), args.force)
        print(f"explorer: JUnit XML written to {written}", file=sys.stderr)
    if args.report:
        from explorer.reports.parity import parity_report

        md, js = parity_report(document).write(args.report, "--report", _inputs(args), args.force)
        print(f"explorer: report written to {md} and {js}", file=sys.stderr)
    if args.json:
        print_json(document)
    else:
        from explorer.cli.render import terminal
        from explorer.cli.render_parity import parity_view

        terminal().print(parity_view(report, report.redactor(args.show_secrets)))
    return 0 if report.passed else EXIT_DIFFER
