"""Command line: ``explorer`` opens the app; ``send``, ``samples`` and ``table`` work headless.

Every mistake in the arguments ends with one line on stderr and exit status 2. An HTTP 4xx from a
server is a result, not a failure: ``send`` exits 0 whenever it could ask and print.
"""

from __future__ import annotations

import gc
import json
import os
import sys
from collections.abc import Callable, Sequence
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, NoReturn

from explorer.cli import code_cache
from explorer.cli.apps import (
    add_app_options,
    cmd_report,
    cmd_routes,
    report_problems,
    specs_from_args,
    user_specs,
)
from explorer.cli.apps import add_commands as add_app_commands
from explorer.cli.common import DEFAULT_TIMEOUT, add_server_options, fail, positive_int, print_json, run_async
from explorer.runtime.errors import ExplorerError, RequestError
from explorer.runtime.frameworks import FRAMEWORKS
from explorer.runtime.http.forms import parse_file_arg, parse_form_field, read_file_part
from explorer.runtime.http.request import RequestSpec, check_json_text, parse_header, parse_request_line

if TYPE_CHECKING:
    import argparse

    from explorer.cli.parser import OneLineParser
    from explorer.runtime.session import Session


def build_parser(commands: bool = True) -> OneLineParser:
    """The whole command line; with ``commands=False`` only the app's options (``explorer`` with no argument:
    the lab's, parity's and the mirror's modules are not imported before the app's first frame)."""
    import argparse

    from explorer.cli.parser import OneLineParser

    parser = OneLineParser(prog="explorer", description="Flask vs FastAPI, shown live by two real servers.")
    parser.add_argument("--request", metavar="'METHOD /path'", help="open the app with this request in the editor")
    parser.add_argument("--mask", action="store_true", help=argparse.SUPPRESS)  # hides volatile figures (tests)
    add_server_options(parser, sub=False)
    add_app_options(parser)
    if not commands:
        parser.set_defaults(command=None)
        return parser
    from explorer.cli.bench import add_parser as add_bench_parser
    from explorer.cli.mirror import add_mirror_parser
    from explorer.cli.parity import add_parity_parser

    sub = parser.add_subparsers(dest="command", parser_class=OneLineParser, metavar="COMMAND")

    send = sub.add_parser("send", help="send one request to the servers and print the answers side by side")
    send.add_argument("method", nargs="?", help="GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS")
    send.add_argument("path", nargs="?", help="path with optional query, starting with '/'")
    send.add_argument(
        "--sample",
        metavar="ID",
        help="send a catalog sample (`explorer samples` lists the ids) as the app does: "
        "its method, path, headers, cookies, body and burst",
    )
    send.add_argument(
        "--framework",
        choices=(*FRAMEWORKS, "both"),
        default="both",
        help="send to this server only (default: both, side by side)",
    )
    body = send.add_mutually_exclusive_group()
    body.add_argument("--json-body", metavar="TEXT", help="a JSON body; adds Content-Type: application/json")
    body.add_argument("--body", metavar="TEXT", help="a raw body, sent as is with no Content-Type")
    send.add_argument("--header", action="append", default=[], metavar="'Name: value'", help="repeatable")
    send.add_argument(
        "--form",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a form field (repeatable); sent urlencoded, or multipart with --file",
    )
    send.add_argument(
        "--file",
        action="append",
        default=[],
        metavar="FIELD=@PATH",
        help="a file to upload as multipart (repeatable; at most 1 MiB; curl's ';type=text/csv' and ';filename=NAME')",
    )
    send.add_argument("--burst", type=positive_int, help="send this many copies at once (1, or the sample's)")
    send.add_argument("--json", action="store_true", help="print one JSON document instead of panels")
    add_server_options(send)
    add_app_options(send, sub=True)

    samples = sub.add_parser("samples", help="list the sample requests")
    samples.add_argument(
        "--json", action="store_true", help="print one JSON document: each sample's id, title, claim and full request"
    )

    table = sub.add_parser("table", help="print the comparison table")
    table.add_argument("--json", action="store_true", help="print the rows as one JSON document")
    table.add_argument("--measure", action="store_true", help="start both servers and fill in the measured rows")
    add_server_options(table)
    add_parity_parser(sub)
    add_mirror_parser(sub)
    add_app_commands(sub)
    add_bench_parser(sub)
    return parser


def build_send_spec(args: argparse.Namespace) -> RequestSpec:
    """Check everything the user typed before any server starts (``--sample`` sets ``args.burst`` too)."""
    if args.sample is not None:
        return _sample_spec(args)
    args.burst = args.burst or 1
    if args.method is None or args.path is None:
        raise RequestError("send needs a method and a path (send GET /items/1), or --sample ID")
    spec = parse_request_line(f"{args.method} {args.path}")
    headers = tuple(parse_header(h) for h in args.header)
    spec = RequestSpec(spec.method, spec.path, headers)
    if args.json_body is not None:
        spec = spec.with_json(check_json_text(args.json_body))
        spec = RequestSpec(spec.method, spec.path, spec.headers, args.json_body)  # send the text exactly as typed
    elif args.body is not None:
        spec = RequestSpec(spec.method, spec.path, spec.headers, args.body)
    if args.form or args.file:
        if spec.body is not None:
            raise RequestError("--form and --file build the body: they cannot go with --json-body or --body")
        form = tuple(parse_form_field(text) for text in args.form)
        files = tuple(read_file_part(*parse_file_arg(text)) for text in args.file)
        spec = RequestSpec(spec.method, spec.path, spec.headers, None, form, files)
    return spec.checked()


def _sample_spec(args: argparse.Namespace) -> RequestSpec:
    """The catalog sample's request as the app sends it; nothing else of the request may be given with it."""
    from explorer.content.catalog import by_id

    given = [args.method, args.path, args.json_body, args.body]
    if any(v is not None for v in given) or args.header or args.form or args.file:
        raise RequestError(
            "--sample sends the sample's own request: give no method, path, header, body, form or file with it"
        )
    sample = by_id(args.sample)
    if sample is None:
        raise RequestError(f"no sample has the id {args.sample[:60]!r}; `explorer samples` lists them")
    args.burst = args.burst or sample.burst
    if args.framework == "both" and len(sample.frameworks) == 1:
        args.framework = sample.frameworks[0]  # a sample about one framework is sent to that one
    return sample.request.checked()


async def _send(args: argparse.Namespace, spec: RequestSpec) -> int:
    from explorer.cli.render import exchange_panel, log_panel, results_view, terminal
    from explorer.runtime.session import Session

    specs = specs_from_args(args, None if args.framework == "both" else [args.framework])
    frameworks = [s.framework for s in specs]
    async with Session(specs, timeout=args.timeout) as session:
        if report_problems(session):
            return 1
        marks = {fw: session.log_mark(fw) for fw in frameworks}
        results = await session.send(spec, burst=args.burst)
        statuses = {fw: session.server(fw).status for fw in frameworks}
        failed = [fw for fw, e in results.items() if e.error or (e.status or 0) >= 500]  # the log says why
        tails = {fw: await session.log_since(fw, marks[fw]) for fw in failed}
    if args.json:
        document = {
            "request": spec.to_dict(),
            "servers": {
                fw: {**s.spec.to_dict(), "spawn_to_ready_ms": statuses[fw].spawn_to_ready_ms}
                for fw, s in session.supervisor.servers.items()
            },
            "results": [{**e.to_dict(), "log_tail": tails.get(fw, [])} for fw, e in results.items()],
        }
        print_json(document)
        return 0
    panels = [
        exchange_panel(e, label=session.server(fw).spec.label, handler=_handler_ran(session, fw, spec))
        for fw, e in results.items()
    ]
    console = terminal()
    console.print(results_view(panels))
    for fw, lines in tails.items():
        console.print(log_panel(fw, lines))
    return 0


def _handler_ran(session: Session, framework: str, spec: RequestSpec) -> bool | None:
    """True when the app's source shows a handler for the request (read with ``ast``, never imported).

    A miss is trusted for a bundled demo, whose routes are all in the module read, as the app trusts it (its Code
    tab reads the same module, and the answer's reason says "no handler and no validation ran"); for a user's
    app only a match is: handlers kept in modules the reader does not reach would look missing.
    """
    from explorer.apps.source import find_handler, module_file

    server = session.server(framework).spec
    ran = find_handler(module_file(server.target, server.app_dir), spec.method, spec.path, framework).ran
    return ran if server.demo else ran or None


def cmd_send(args: argparse.Namespace) -> int:
    try:
        spec = build_send_spec(args)
        specs_from_args(args, None if args.framework == "both" else [args.framework])  # checked before any start
    except ExplorerError as exc:
        fail(str(exc))
    return run_async(lambda: _send(args, spec))


def cmd_samples(args: argparse.Namespace) -> int:
    from explorer.content.catalog import SAMPLES

    if args.json:
        from explorer.runtime.servers.versions import installed

        print(json.dumps({"versions": installed(), "samples": [s.to_dict() for s in SAMPLES]}, indent=2))
        return 0
    from rich.console import Console

    from explorer.cli.render import samples_view

    console = Console()
    console.print(samples_view(console.width))
    return 0


async def _table(args: argparse.Namespace) -> int:
    from explorer.content.comparison import MEASURED_ROWS, Measurements, measure, table_rows

    measurements: Measurements | None = None
    if args.measure:
        from explorer.apps.bundled import demo_spec
        from explorer.runtime.session import Session

        demos = [demo_spec("flask", args.flask_server or "dev"), demo_spec("fastapi")]
        async with Session(demos, timeout=args.timeout) as s:
            measurements = await measure(s)
    if args.json:
        rows = [row.to_dict() for row in table_rows()]
        if measurements is not None:
            for row in MEASURED_ROWS:
                values = measurements.spawn_ms if row.key == "spawn" else measurements.latency_ms
                rows.append({**row.to_dict(), "flask_ms": values.get("flask"), "fastapi_ms": values.get("fastapi")})
                if row.key == "latency":  # the one-at-a-time medians, and the explanation's words computed from them
                    spaced = measurements.spaced_ms
                    rows[-1].update(
                        flask_one_at_a_time_ms=spaced.get("flask"),
                        fastapi_one_at_a_time_ms=spaced.get("fastapi"),
                        explanation=f"{row.explanation} {measurements.spacing_effect()}",
                    )
        from explorer.runtime.servers.versions import installed

        print(json.dumps({"versions": installed(), "rows": rows}, indent=2))
        return 0
    from rich.console import Console

    from explorer.cli.render import table_view

    Console().print(table_view(measurements))
    return 0


def cmd_app(args: argparse.Namespace) -> NoReturn:
    initial = None
    if args.request:
        try:
            initial = parse_request_line(args.request)
        except ExplorerError as exc:
            fail(str(exc))
    from explorer.tui.app import run
    from explorer.tui.css_cache import kept_css

    specs = user_specs(args)
    flask_server = args.flask_server or "dev"
    code_cache.mark_start()  # every module the first frame needs is in: what they asked for is read first next time
    with kept_css():  # Textual's parsed CSS, loaded from the user's cache folder and written there on quit
        code = run(initial=initial, flask_server=flask_server, timeout=args.timeout, mask=args.mask, specs=specs)
    code_cache.save()  # the code of the dataclasses' methods compiled this time, for the next start
    # Every server is gone (run saw to it) and the terminal is restored: what is left is the interpreter's
    # teardown of the app's objects, which took most of a second of a quit (benchmarks/keys.py). Skip it.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


# The three below import their module when run: `explorer` with no command never loads them.
def cmd_parity(args: argparse.Namespace) -> int:
    from explorer.cli.parity import cmd_parity as run

    return run(args)


def cmd_mirror(args: argparse.Namespace) -> int:
    from explorer.cli.mirror import cmd_mirror as run

    return run(args)


def cmd_bench(args: argparse.Namespace) -> int:
    from explorer.cli.bench import cmd_bench as run

    return run(args)


COMMANDS: dict[str | None, Callable[[argparse.Namespace], int]] = {
    None: cmd_app,
    "send": cmd_send,
    "samples": cmd_samples,
    "table": lambda args: run_async(lambda: _table(args)),
    "parity": cmd_parity,
    "mirror": cmd_mirror,
    "routes": cmd_routes,
    "report": cmd_report,
    "bench": cmd_bench,
}


class NoArguments(SimpleNamespace):
    """What the app's parser (``build_parser(commands=False)``) gives for no argument at all, without argparse (its
    import and the parser are ~1% of the instructions to the first frame, issue 24): every option left out is None
    but these; ``tests/test_cli.py`` compares the two."""

    def __init__(self) -> None:
        super().__init__(command=None, mask=False, timeout=DEFAULT_TIMEOUT)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return None


def main(argv: Sequence[str] | None = None) -> None:
    for stream in (sys.stdout, sys.stderr):  # a lone surrogate in an answer prints as its escape, never a traceback
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    # No garbage collection while the app's modules and first screen are built: they are all kept, and the
    # collector walked them over and over (~50 ms of CPU before the first frame). The app turns it on again
    # just after that frame (explorer.tui.lifecycle); any other command once its arguments are read.
    gc.disable()
    try:
        argv = sys.argv[1:] if argv is None else list(argv)
        args: Any = build_parser().parse_args(argv) if argv else NoArguments()
        if args.command is not None:
            gc.enable()
        code = COMMANDS[args.command](args)
    except ExplorerError as exc:
        fail(str(exc))
    except BrokenPipeError:
        code = 0  # `explorer samples | head` is not an error
    finally:
        gc.enable()  # a mistake in the arguments (or the app refused to start) never leaves it off
    sys.stdout.flush()
    raise SystemExit(code)
