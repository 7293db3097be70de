"""``explorer mirror``: put real traffic through the Flask app, shadow it to the FastAPI port, count by route.

Everything is checked before any server starts (the listen address, the requests file, the
--record file); each mistake is one line and exit 2. Runs until Ctrl+C or SIGTERM, then prints the
summary (a table, or a last JSON line with ``--json-lines``) and stops every server it started.
Exit 1 when any mirrored request differed in a way that was not declared, else 0.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import signal
import socket
import sys
from typing import Any

from explorer.cli.apps import EXIT_FAILED, add_app_options, report_problems, specs_from_args
from explorer.cli.common import add_server_options, check_outputs, fail, note, run_async, say
from explorer.runtime.http.request import METHODS
from explorer.runtime.userdata.bounded import printable

__all__ = ["add_mirror_parser", "cmd_mirror"]

EXIT_DIFFER = 1
_COLUMNS = ("requests", "match", "declared", "noise", "differ", "dropped")


def _listen(text: str) -> tuple[str, int]:
    host, colon, port = text.rpartition(":")
    host = host.strip("[]")
    if not colon or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, e.g. 127.0.0.1:8800, got {text[:60]!r}")
    if host == "localhost":
        host = "127.0.0.1"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{host[:60]!r} is not an IP address; give 127.0.0.1 or another local one"
        ) from None
    if address.is_unspecified:
        raise argparse.ArgumentTypeError(f"{host} listens on every interface; name one local address (127.0.0.1)")
    return str(address), int(port)


def _check_local(host: str) -> None:
    """Only an address of this machine can be bound: checked before any server starts (a remote one is refused)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.bind((host, 0))
    except OSError as exc:
        fail(f"--listen {host}: not an address of this machine ({exc.strerror or exc})")


def _methods(text: str) -> frozenset[str]:
    chosen = {m.strip().upper() for m in text.split(",") if m.strip()}
    unknown = sorted(chosen - set(METHODS))
    if not chosen or unknown:
        raise argparse.ArgumentTypeError(f"methods are {', '.join(METHODS)}; got {', '.join(unknown)[:60] or 'none'}")
    return frozenset(chosen)


def add_mirror_parser(sub: Any) -> None:
    mirror = sub.add_parser(
        "mirror", help="forward real traffic to your Flask app, shadow it to the FastAPI port and compare"
    )
    mirror.add_argument(
        "requests",
        nargs="?",
        metavar="REQUESTS",
        help="a requests file whose file-level keys and declarations apply by route",
    )
    add_app_options(mirror, sub=True)
    mirror.add_argument(
        "--listen",
        type=_listen,
        default=("127.0.0.1", 8800),
        metavar="HOST:PORT",
        help="where clients connect (default 127.0.0.1:8800; a local address only; port 0 picks one)",
    )
    mirror.add_argument(
        "--noise",
        action="store_true",
        help="also shadow to a second Flask instance; what differs between the two is noise",
    )
    mirror.add_argument(
        "--mirror-methods",
        type=_methods,
        metavar="GET,HEAD,...",
        help="shadow only these methods (default: all; each app keeps its own state)",
    )
    mirror.add_argument("--queue", type=int, default=100, metavar="N", help="shadows waiting at most (default 100)")
    mirror.add_argument(
        "--json-lines", action="store_true", help="one JSON record per request on stdout, then a summary"
    )
    mirror.add_argument("--record", metavar="FILE", help="write what passed through as a parity requests file")
    mirror.add_argument("--force", action="store_true", help="write over an existing --record file")
    add_server_options(mirror)


def cmd_mirror(args: argparse.Namespace) -> int:
    from explorer.parity.suite import load_suite

    if not 1 <= args.queue <= 100_000:
        fail("--queue must be between 1 and 100000")
    _check_local(args.listen[0])
    suite = load_suite(args.requests) if args.requests else None
    specs = specs_from_args(args, require_both=True)
    inputs = (
        args.requests,
        getattr(args, "config", None),
        getattr(args, "flask_env_file", None),
        getattr(args, "fastapi_env_file", None),
    )
    check_outputs([("--record", args.record)], inputs, args.force)
    return run_async(lambda: _mirror(args, suite, specs, inputs))


async def _mirror(args: argparse.Namespace, suite: Any, specs: list[Any], inputs: tuple[Any, ...]) -> int:
    from explorer.apps.routes import RouteListing, flask_listing
    from explorer.mirror.core import Mirror
    from explorer.mirror.record import Recorder
    from explorer.mirror.routes import RouteMatcher
    from explorer.mirror.rules import Rules
    from explorer.mirror.upstream import Upstream
    from explorer.runtime.http.client import ServerClient
    from explorer.runtime.session import Session

    flask_spec = next(s for s in specs if s.framework == "flask")
    sessions = [Session(specs, timeout=args.timeout)]
    if args.noise:
        sessions.append(Session([flask_spec], timeout=args.timeout))
    clients: list[ServerClient] = []
    mirror = None
    try:
        starting = asyncio.gather(*(s.start() for s in sessions), asyncio.create_task(flask_listing(flask_spec)))
        *_, listing = await starting
        if any(report_problems(s) for s in sessions):
            return EXIT_FAILED
        assert isinstance(listing, RouteListing)  # the last of the gathered results (the sessions give None)
        if listing.error:
            note(f"The Flask app's routes could not be listed, so requests are counted by path: {listing.error}")
        matcher = RouteMatcher(listing.routes)
        rules = Rules(suite, matcher)
        flask = Upstream(sessions[0].server("flask").status.base_url or "", args.timeout)
        fastapi = ServerClient("fastapi", sessions[0].server("fastapi").status.base_url or "", args.timeout)
        second = (
            ServerClient("flask", sessions[1].server("flask").status.base_url or "", args.timeout)
            if args.noise
            else None
        )
        clients = [fastapi, *([second] if second else [])]
        recorder = Recorder() if args.record else None
        mirror = Mirror(
            flask,
            fastapi,
            matcher,
            rules,
            second=second,
            methods=args.mirror_methods,
            queue_size=args.queue,
            on_record=_json_line if args.json_lines else _short_line,
            recorder=recorder,
        )
        try:
            url = await mirror.start(*args.listen)
        except OSError as exc:
            say(f"explorer: error: cannot listen on {args.listen[0]}:{args.listen[1]}: {exc.strerror or exc}")
            return 2
        say(
            f"explorer: mirror listening on {url} (Flask at {flask.base_url}, shadowed to FastAPI"
            f"{' and a second Flask' if second else ''}); Ctrl+C to stop"
        )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        await mirror.stop()
        if recorder is not None:
            written = recorder.write(args.record, rules, mirror.tally, inputs, args.force)
            say(f"explorer: {len(recorder.entries)} requests recorded to {written}")
    finally:
        if mirror is not None:
            await mirror.stop()
            mirror.flask.close()
        for client in clients:
            await client.aclose()
        for session in sessions:
            await session.stop()
    summary = mirror.tally.to_dict()
    if args.json_lines:
        _json_line({"summary": summary})
    else:
        _table(summary)
    return EXIT_DIFFER if summary["totals"]["differ"] else 0


def _json_line(record: dict[str, Any]) -> None:
    """One line of JSON, ASCII only: no control character of an app's answer reaches the terminal live."""
    sys.stdout.write(json.dumps(record, ensure_ascii=True, default=str) + "\n")
    sys.stdout.flush()


def _short_line(record: dict[str, Any]) -> None:
    status = record["status"]
    first = next((d["line"] for d in record.get("differences", [])), "")
    say(
        f"{record['outcome']:<12} {record['method']} {record['path'][:80]}  "
        f"{status['flask']}/{status['fastapi'] or '-'}  {first[:100]}".rstrip()
    )


def _table(summary: dict[str, Any]) -> None:
    rows = [(f"{r['method']} {r['route']}", *[str(r[c]) for c in _COLUMNS]) for r in summary["routes"]]
    rows.append(("total", *[str(summary["totals"][c]) for c in _COLUMNS]))
    widths = [max(len(printable(row[i])) for row in [("route", *_COLUMNS), *rows]) for i in range(len(_COLUMNS) + 1)]
    for row in [("route", *_COLUMNS), *rows]:
        print(
            "  ".join(
                printable(cell).ljust(w) if i == 0 else cell.rjust(w)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    for r in summary["routes"]:
        if r["noise_fields"]:
            print(printable(f"noise on {r['method']} {r['route']}: {', '.join(r['noise_fields'])}"))
