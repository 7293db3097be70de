"""A session: the supervisor plus one client per running server, as the CLI and the app use them.

Requests to the two servers go one after the other, never at the same time, so that one server's
answer being parsed cannot add to the other's measured time.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from explorer.runtime.request import DEFAULT_TIMEOUT, RequestSpec
from explorer.runtime.servers import ManagedServer, Supervisor
from explorer.runtime.specs import ServerSpec, ServerState

if TYPE_CHECKING:  # httpx is imported on the first request, so that the app paints before it loads
    from explorer.runtime.client import Exchange, ServerClient


class Session:
    """Start servers, send requests to them, stop them: the one object a front end needs."""

    def __init__(self, specs: list[ServerSpec], timeout: float = DEFAULT_TIMEOUT, **server_options: float) -> None:
        self.supervisor = Supervisor(specs, **server_options)
        self.timeout = timeout
        self._clients: dict[str, ServerClient] = {}

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
            await self.start()
        except BaseException:
            await self.stop()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _client(self, framework: str) -> ServerClient:
        from explorer.runtime.client import ServerClient

        url = self.server(framework).status.base_url
        client = self._clients.get(framework)
        if client is None or str(client.base_url) != f"{url}":
            if client is not None:
                await client.aclose()
            client = self._clients[framework] = ServerClient(framework, url or "", self.timeout)
        return client

    async def send_one(self, framework: str, spec: RequestSpec, burst: int = 1) -> Exchange:
        """One request (or a burst of copies) to one server, with the server's state folded into errors."""
        from explorer.runtime.client import Exchange

        server = self.server(framework)
        if server.status.state is ServerState.STARTING:
            await server.start()  # waits for the start under way to finish
        status = server.status
        if status.state is ServerState.CRASHED:
            return Exchange(framework, spec, error=f"not sent: the {framework} server crashed ({status.message}); restart it")
        if not status.state.running:
            return Exchange(framework, spec, error=f"not sent: the {framework} server is {status.state.value}")
        client = await self._client(framework)
        exchange = await (client.burst(spec, burst) if burst > 1 else client.send(spec))
        if exchange.error and not exchange.error.startswith(("not sent", "timed out", "headers too large")):
            code = await server.wait_exit(0.5)  # a refused connection often means the process just died
            if code is not None and server.status.state is ServerState.CRASHED:
                exchange.error = f"the {framework} server crashed ({server.status.message or code}): {exchange.error}"
            elif code is not None:  # stopping it was asked for (a restart, a switch): no crash
                exchange.error = f"the {framework} server was stopped (a restart was asked for) while this request was in flight: {exchange.error}"
        return exchange

    async def send(self, spec: RequestSpec, frameworks: Iterable[str] | None = None, burst: int = 1) -> dict[str, Exchange]:
        """Send to each framework in turn (all of them by default)."""
        chosen = list(frameworks) if frameworks is not None else self.frameworks
        return {fw: await self.send_one(fw, spec, burst) for fw in chosen}
