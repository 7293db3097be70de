"""A session: the supervisor plus one client per running server, as the CLI and the app use them.

Requests to the two servers go one after the other, never at the same time, so that one server's
answer being parsed cannot add to the other's measured time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from explorer.runtime.http.request import DEFAULT_TIMEOUT, RequestSpec
from explorer.runtime.servers.specs import ServerSpec, ServerState
from explorer.runtime.servers.supervisor import ManagedServer, Supervisor

EXIT_BOUND = 10.0  # a stop's grace (3 s), then the keeper's own bound (5 s), then the log's last second
LOG_TAIL_LINES = 40  # lines of a server's log shown under a 5xx answer
Listener = Callable[[float, bytes], None]  # (perf_counter when read, the bytes): a part of a body as it arrives

if TYPE_CHECKING:  # httpx is imported on the first request, so that the app paints before it loads
    from explorer.runtime.http.client import Exchange, ServerClient
    from explorer.runtime.http.cookies import CookieJar


class Session:
    """Start servers, send requests to them, stop them: the one object a front end needs."""

    def __init__(
        self,
        specs: list[ServerSpec],
        timeout: float = DEFAULT_TIMEOUT,
        cookies: bool = True,
        start: bool = True,
        **server_options: float,
    ) -> None:
        self.supervisor = Supervisor(specs, **server_options)
        self._start_on_enter = start  # False: ``async with`` only stops them; the caller starts them when ready
        self.timeout = timeout
        self._clients: dict[str, ServerClient] = {}
        self._cookies = cookies
        self._jars: dict[str, CookieJar] | None = None

    @property
    def jars(self) -> dict[str, CookieJar]:
        """One jar per server, kept across restarts as a browser keeps them; ``cookies=False`` sends every request
        without cookies, so that none depends on an earlier one. Made on first use: the cookie module is not loaded
        before the app's first frame (issue 24: the first paint)."""
        if self._jars is None:
            from explorer.runtime.http.cookies import CookieJar

            self._jars = {framework: CookieJar() for framework in self.supervisor.servers} if self._cookies else {}
        return self._jars

    @property
    def frameworks(self) -> list[str]:
        return list(self.supervisor.servers)

    def server(self, framework: str) -> ManagedServer:
        return self.supervisor[framework]

    async def start(self) -> None:
        await self.supervisor.start_all()

    async def stop(self) -> None:
        """Close every client and stop every server; safe to call twice."""
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()
        await self.supervisor.stop_all()

    async def __aenter__(self) -> Session:
        try:
            if self._start_on_enter:
                await self.start()
        except BaseException:
            await self.stop()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _client(self, framework: str) -> ServerClient:
        from explorer.runtime.http.client import ServerClient

        url = self.server(framework).status.base_url
        client = self._clients.get(framework)
        if client is None or str(client.base_url) != f"{url}":
            if client is not None:
                await client.aclose()
            client = self._clients[framework] = ServerClient(
                framework, url or "", self.timeout, self.jars.get(framework)
            )
        return client

    def clear_cookies(self) -> int:
        """Empty every server's jar; returns how many cookies were dropped."""
        dropped = sum(len(jar) for jar in self.jars.values())
        for jar in self.jars.values():
            jar.clear()
        return dropped

    def swap_cookies(self) -> bool:
        """Give each of two servers the other's cookies, to show that their session cookies do not carry over."""
        if len(self.jars) != 2:
            return False
        first, second = self.jars.values()
        held = first.cookies()
        first.replace_all(second.cookies())
        second.replace_all(held)
        return True

    async def send_one(
        self,
        framework: str,
        spec: RequestSpec,
        burst: int = 1,
        listener: Listener | None = None,
        jar: CookieJar | None = None,
    ) -> Exchange:
        """One request (or a burst of copies) to one server, with the server's state folded into errors.

        ``jar``: cookies of the caller's own instead of the session's (a parity run starts with
        empty jars and leaves the user's untouched); not for bursts.
        """
        from explorer.runtime.http.client import Exchange

        server = self.server(framework)
        if server.status.state is ServerState.STARTING:
            await server.start()  # waits for the start under way to finish
        status = server.status
        if status.state is ServerState.CRASHED:
            return Exchange(
                framework, spec, error=f"not sent: the {framework} server crashed ({status.message}); restart it"
            )
        if not status.state.running:
            return Exchange(framework, spec, error=f"not sent: the {framework} server is {status.state.value}")
        client = await self._client(framework)
        exited = server.exited  # this process's end, even if a restart has started another once the answer fails
        exchange = await (client.burst(spec, burst) if burst > 1 else client.send(spec, listener=listener, jar=jar))
        if exchange.error and not exchange.error.startswith(("not sent", "timed out", "headers too large")):
            # A refused or cut connection often means the process just died: wait for its reaping (which names a
            # crash) while it is known to be ending, however long a loaded machine takes; else half a second.
            code = await server.wait_exit(0.5, exited)
            if code is None and server.ending():
                code = await server.wait_exit(EXIT_BOUND, exited)
            if code is not None and server.status.state is ServerState.CRASHED:
                exchange.error = f"the {framework} server crashed ({server.status.message or code}): {exchange.error}"
            elif code is not None:  # stopping it was asked for (a restart, a switch): no crash
                exchange.error = f"the {framework} server was stopped (a restart was asked for) while this request was in flight: {exchange.error}"
        return exchange

    def log_mark(self, framework: str) -> int:
        """How many lines the server has printed so far: :meth:`log_since` reads what comes after."""
        return self.server(framework).log.total_lines

    async def log_since(self, framework: str, mark: int, limit: int = LOG_TAIL_LINES) -> list[str]:
        """The server's lines printed after ``mark`` (the last ``limit``), once its output has settled.

        A server may log a traceback after it has answered (uvicorn does), so this waits for new
        lines and then for 0.15 s without any, at most one second in all; with nothing new, the
        last lines it kept.
        """
        log = self.server(framework).log
        changed = asyncio.Event()
        unsubscribe = log.subscribe(lambda _lines: changed.set())
        try:
            async with asyncio.timeout(1.0):
                while True:
                    changed.clear()
                    try:
                        await asyncio.wait_for(changed.wait(), 0.15 if log.total_lines > mark else None)
                    except TimeoutError:
                        break  # quiet for 0.15 s after the server's new lines
        except TimeoutError:
            pass
        finally:
            unsubscribe()
        new = min(log.total_lines - mark, limit)
        return log.tail(new) if new > 0 else log.tail(limit)

    async def send(
        self,
        spec: RequestSpec,
        frameworks: Iterable[str] | None = None,
        burst: int = 1,
        listeners: dict[str, Listener] | None = None,
    ) -> dict[str, Exchange]:
        """Send to each framework in turn (all of them by default); ``listeners`` see each body's parts arrive."""
        chosen = list(frameworks) if frameworks is not None else self.frameworks
        return {fw: await self.send_one(fw, spec, burst, (listeners or {}).get(fw)) for fw in chosen}
