"""The routes an app offers, as request templates a user can pick from and send as they are.

FastAPI publishes its routes in ``/openapi.json``: it is fetched over HTTP from the running server.
Flask publishes nothing, so its URL map comes from a short child process (``explorer.runtime.child.routetable``)
that imports the app the way the server does; the user's code never runs in the explorer's process.
Turning either into templates with example values is :mod:`explorer.apps.templates`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from explorer.apps.handlers import Endpoint, endpoints_from
from explorer.apps.routetree import routes_from_route_table
from explorer.apps.templates import RouteTemplate, openapi_routes, routes_from_url_map
from explorer.runtime.errors import ExplorerError
from explorer.runtime.frameworks import FRAMEWORKS, display_name
from explorer.runtime.http.request import RequestSpec
from explorer.runtime.servers.kept import spawn_kept
from explorer.runtime.servers.launch import child_argv, server_env
from explorer.runtime.servers.logbuffer import keep_tail
from explorer.runtime.servers.prestart import PrestartError, check_interpreter
from explorer.runtime.servers.specs import ServerSpec

__all__ = [
    "OPENAPI_PATH",
    "ROUTES_TIMEOUT",
    "RouteError",
    "RouteListing",
    "RouteRow",
    "flask_listing",
    "flask_url_map",
    "list_all_routes",
    "route_table",
    "list_routes",
    "merge_routes",
    "mount_prefixes",
]

_MORE = re.compile(r"… and ([\d,]+) more$")  # the line that counts the parts not named (explorer.apps.openapi.Skipped)

OPENAPI_PATH = "/openapi.json"
ROUTES_TIMEOUT = 15.0
_AFTER_EXIT = 1.0  # seconds to read what the lister printed once it has exited
_OUTPUT_LIMIT = 8 << 20  # the lister's last 8 MiB of output: its marker line is the last one
_MARKER = "EXPLORER-ROUTES "
_MAX_MOUNTS = 16  # mounted sub-apps whose schemas are read


class RouteError(ExplorerError):
    """The routes of an app could not be listed (import failure, no schema, time-out)."""


@dataclass(frozen=True)
class RouteListing:
    """One app's routes, where they came from (``openapi`` or ``url_map``), or why there are none."""

    framework: str
    source: str
    routes: tuple[RouteTemplate, ...] = ()
    error: str | None = None
    skipped: tuple[str, ...] = ()  # parts of the source that could not be used, each "where: why"
    handlers: tuple[Endpoint, ...] = ()  # where each route's handler is written, from the app's route table

    def to_dict(self) -> dict[str, Any]:
        return {
            "framework": self.framework,
            "source": self.source,
            "error": self.error,
            "routes": [r.to_dict() for r in self.routes],
            "skipped": list(self.skipped),
            "handlers": [h.to_dict() for h in self.handlers],
        }

    def left_out(self) -> list[str]:
        """Each part of the app's routes that could not be used (``skipped``), as one sentence: the CLI's notes."""
        who = f"{display_name(self.framework)}'s routes"
        return [
            f"{line} parts of {who} were left out." if _MORE.search(line) else f"Part of {who} was left out, {line}."
            for line in (line.rstrip(".") for line in self.skipped)
        ]

    def left_out_said(self) -> str:
        """What was left out in one sentence, how many parts and the first (the route picker's note), or ``""``."""
        if not self.skipped:
            return ""
        count = sum(int(m[1].replace(",", "")) if (m := _MORE.search(line)) else 1 for line in self.skipped)
        if count == 1:
            return self.left_out()[0]
        first = self.skipped[0].rstrip(".")
        return f"{count:,} parts of {display_name(self.framework)}'s routes were left out, first {first}."


@dataclass(frozen=True)
class RouteRow:
    """A route across both apps: which of them have it, and one request to send to both."""

    method: str
    pattern: str
    frameworks: tuple[str, ...]
    templates: dict[str, RouteTemplate] = field(default_factory=dict)

    @property
    def request(self) -> RequestSpec:
        """The richest template's request: one with a body example wins, FastAPI's before Flask's."""
        ordered = sorted(self.templates.values(), key=lambda t: (t.body is None, t.framework != "fastapi"))
        return ordered[0].request()

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "pattern": self.pattern,
            "frameworks": list(self.frameworks),
            "request": self.request.to_dict(),
            "line": self.request.line,
            "templates": {fw: t.template for fw, t in self.templates.items()},
        }


# --- Flask: the URL map, from a child process -----------------------------------------------------


async def route_table(spec: ServerSpec, timeout: float = ROUTES_TIMEOUT) -> list[dict[str, Any]]:
    """Import the app in a child process and read its route table; :class:`RouteError` says why not.

    The child runs under the app's interpreter, in its folder and environment, as the server does.
    Done is when the lister exits, not when its output pipe closes: a process the app starts at
    import inherits that pipe and may hold it open for ever. The lister runs under a keeper, which
    ends such processes as soon as the lister exits.
    """
    from explorer.apps.targets import failure_detail

    name = display_name(spec.framework)
    try:
        await check_interpreter(spec)
    except PrestartError as exc:
        raise RouteError(f"the {name} app {spec.target} cannot run: {exc}") from None
    argv = child_argv(spec, "explorer.runtime.child.routetable", spec.target, "--framework", spec.framework)
    try:
        kept = await spawn_kept(argv, env=server_env(spec), cwd=str(spec.app_dir) if spec.app_dir else None)
    except OSError as exc:
        raise RouteError(f"could not start the route lister: {exc}") from None
    assert kept.proc.stdout is not None
    printed = bytearray()
    reading = asyncio.create_task(_read_tail(kept.proc.stdout, printed))
    try:
        await asyncio.wait_for(asyncio.shield(kept.wait()), timeout)
    except BaseException as exc:  # time-out or cancellation: never leave the child behind
        kept.kill_now()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(kept.wait()), 5.0)
        reading.cancel()
        if isinstance(exc, TimeoutError):
            raise RouteError(f"the {name} app {spec.target} did not finish importing within {timeout:g} s") from None
        raise
    try:  # what it printed is already in the pipe; a process that escaped may keep the pipe open
        await asyncio.wait_for(reading, _AFTER_EXIT)
    except TimeoutError:
        pass
    proc = kept.proc
    output = bytes(printed)
    lines = output.decode("utf-8", "replace").splitlines()
    found = [line for line in lines if line.startswith(_MARKER)]
    if proc.returncode == 0 and found:
        try:
            rules = json.loads(found[-1][len(_MARKER) :])["rules"]
        except (ValueError, KeyError, TypeError):
            rules = None
        if isinstance(rules, list) and all(isinstance(rule, dict) for rule in rules):
            return rules
        raise RouteError(f"could not read the route table of {spec.target}")
    reason = failure_detail(lines)
    if reason:
        raise RouteError(f"the {name} app {spec.target} {reason}")
    last = next((line for line in reversed(lines) if line.strip()), f"exit code {proc.returncode}")
    raise RouteError(last.removeprefix("explorer: "))


async def flask_url_map(spec: ServerSpec, timeout: float = ROUTES_TIMEOUT) -> list[dict[str, Any]]:
    """A Flask app's URL map: :func:`route_table` for Flask."""
    return await route_table(spec, timeout)


async def _read_tail(stream: asyncio.StreamReader, into: bytearray) -> None:
    """Read ``stream`` to its end, keeping only the last :data:`_OUTPUT_LIMIT` bytes."""
    while chunk := await stream.read(65536):
        keep_tail(into, chunk, _OUTPUT_LIMIT)


# --- Both ------------------------------------------------------------------------------------------


async def list_routes(
    session: Any, framework: str, timeout: float = ROUTES_TIMEOUT, handlers: bool = False
) -> RouteListing:
    """The routes of one app in a :class:`~explorer.runtime.session.Session`; errors are on the listing.

    ``handlers``: also read where each handler is written (for FastAPI that takes the route lister
    as well as the schema; Flask's listing always has them).
    """
    spec: ServerSpec = session.server(framework).spec
    if framework == "flask":
        return await flask_listing(spec, timeout)
    table = asyncio.create_task(_handlers(spec, timeout)) if handlers else None
    try:
        listing = await _openapi_listing(session, framework)
    except BaseException:
        if table is not None:
            table.cancel()  # the lister is ended with it: killed, reaped and its pipes closed before this ends
            await asyncio.wait([table])
        raise
    found = await table if table is not None else ()
    if listing.error is None and found:
        listing = _with_unlisted(await _with_mounted(session, listing, found), found)
    return replace(listing, handlers=found)


def _with_unlisted(listing: RouteListing, endpoints: Iterable[Endpoint]) -> RouteListing:
    """The listing with the routes its schema leaves out, from the app's route table: a StaticFiles
    mount, a mounted WSGI app, a route with ``include_in_schema=False``, a WebSocket route."""
    keys = {route.key for route in listing.routes}
    own = [e for e in endpoints if e.module != "fastapi.applications"]  # not FastAPI's schema and docs pages
    templates, notes = routes_from_route_table(own, listing.framework)
    added = []
    for template in templates:
        if template.key not in keys:
            keys.add(template.key)
            added.append(template)
    if not added:
        return listing
    return replace(listing, routes=(*listing.routes, *added), skipped=(*listing.skipped, *notes))


async def _handlers(spec: ServerSpec, timeout: float) -> tuple[Endpoint, ...]:
    try:
        return endpoints_from(await route_table(spec, timeout))
    except RouteError:
        return ()  # the Code tab then reads the target's own module, as for the demos


def mount_prefixes(endpoints: Iterable[Endpoint]) -> list[str]:
    """Where the app mounts sub-apps that publish a schema of their own (``/admin`` for ``/admin/openapi.json``).

    A mounted FastAPI app's routes are not in the main app's schema; the route table (read in the
    child process) shows its schema's path, the only sign of the mount from outside.
    """
    found: list[str] = []
    for endpoint in endpoints:
        rule = endpoint.rule
        if rule.endswith(OPENAPI_PATH) and rule != OPENAPI_PATH and "GET" in endpoint.methods:
            prefix = rule[: -len(OPENAPI_PATH)]
            if prefix.startswith("/") and "{" not in prefix and prefix not in found:
                found.append(prefix)
    return found[:_MAX_MOUNTS]


async def _with_mounted(session: Any, listing: RouteListing, endpoints: Iterable[Endpoint]) -> RouteListing:
    """The listing with the routes of each mounted sub-app's schema, their paths under its prefix."""
    routes, skipped = list(listing.routes), list(listing.skipped)
    keys = {route.key for route in routes}
    for prefix in mount_prefixes(endpoints):
        exchange = await session.send_one(listing.framework, RequestSpec("GET", prefix + OPENAPI_PATH))
        document = exchange.json
        if exchange.error or exchange.status != 200 or not isinstance(document, dict) or "paths" not in document:
            skipped.append(f"{prefix}{OPENAPI_PATH}: no schema of a mounted app there (answered {exchange.status})")
            continue
        templates, problems = openapi_routes(document, listing.framework)
        skipped += [f"{prefix}{OPENAPI_PATH} {line}" for line in problems]
        for template in templates:
            moved = replace(
                template,
                template=prefix + template.template,
                pattern=prefix + template.pattern,
                path=prefix + template.path,
            )
            if moved.key not in keys:
                keys.add(moved.key)
                routes.append(moved)
    return replace(listing, routes=tuple(routes), skipped=tuple(skipped))


async def _openapi_listing(session: Any, framework: str) -> RouteListing:
    exchange = await session.send_one(framework, RequestSpec("GET", OPENAPI_PATH))
    if exchange.error:
        return RouteListing(framework, "openapi", error=exchange.error)
    document = exchange.json
    if exchange.status != 200 or not isinstance(document, dict) or "paths" not in document:
        return RouteListing(
            framework, "openapi", error=f"no OpenAPI schema at {OPENAPI_PATH} (answered {exchange.status})"
        )
    templates, skipped = openapi_routes(document, framework)
    return RouteListing(framework, "openapi", tuple(templates), skipped=skipped)


async def flask_listing(spec: ServerSpec, timeout: float = ROUTES_TIMEOUT) -> RouteListing:
    """A Flask app's routes and where their handlers are; needs no running server, only the spec."""
    try:
        rules = await route_table(spec, timeout)
    except RouteError as exc:
        return RouteListing(spec.framework, "url_map", error=str(exc))
    templates = tuple(routes_from_url_map(rules, spec.framework))
    return RouteListing(spec.framework, "url_map", templates, handlers=endpoints_from(rules))


async def list_all_routes(session: Any, timeout: float = ROUTES_TIMEOUT) -> dict[str, RouteListing]:
    """Every framework of the session, listed in parallel, with where each handler is written."""
    frameworks = list(session.frameworks)
    tasks = [asyncio.create_task(list_routes(session, fw, timeout, handlers=True)) for fw in frameworks]
    try:
        listings = await asyncio.gather(*tasks)
    finally:  # gather ends with the first of them cancelled (or failed), not with the last: the others' listers
        for task in tasks:  # still have to be ended, killed, reaped and their pipes closed
            if not task.cancelling():  # one cancelled already is ending its lister: a second cancel would stop that
                task.cancel()
        if tasks:
            await asyncio.wait(tasks)
    return dict(zip(frameworks, listings, strict=True))


def merge_routes(listings: Iterable[RouteListing]) -> list[RouteRow]:
    """One row per route across the apps, in first-seen order: the picker's list, with who has what."""
    rows: dict[tuple[str, str], dict[str, RouteTemplate]] = {}
    for listing in listings:
        for template in listing.routes:
            rows.setdefault(template.key, {}).setdefault(listing.framework, template)
    merged = []
    for (method, _key), templates in rows.items():
        first = next(iter(templates.values()))
        frameworks = tuple(fw for fw in FRAMEWORKS if fw in templates)
        merged.append(RouteRow(method, first.pattern, frameworks, templates))
    return merged
