"""A mirror on a thread of its own, in front of servers already running: the app's Mirror screen drives it.

The mirror's listening server, its primary path and its shadows run on their own event loop in a
daemon thread, so neither the app's drawing slows a forwarded answer nor a burst of traffic the
app's keys. Every call from the app's side is a coroutine awaiting the mirror's loop
(:func:`asyncio.wrap_future`), never a blocking wait. :meth:`BackgroundMirror.snapshot` copies
the counts on the mirror's loop, where they change, so the screen never reads them half-written.
With ``noise`` a second Flask (the app's own spec) is started by the mirror and stopped with it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from explorer.mirror.core import DEFAULT_QUEUE, Mirror

if TYPE_CHECKING:
    from explorer.parity.suite import ParitySuite
    from explorer.runtime.http.client import ServerClient
    from explorer.runtime.servers.specs import ServerSpec
    from explorer.runtime.session import Session

__all__ = ["BackgroundMirror"]

T = TypeVar("T")
STOP_SECONDS = 20.0  # the mirror drains its shadows for up to DRAIN_SECONDS, then its servers stop


class BackgroundMirror:
    """``explorer mirror`` in front of a running Flask (``flask_url``) and FastAPI (``fastapi_url``)."""

    def __init__(
        self,
        flask_spec: ServerSpec,
        flask_url: str,
        fastapi_url: str,
        suite: ParitySuite | None = None,
        *,
        noise: bool = False,
        listen: tuple[str, int] = ("127.0.0.1", 0),
        timeout: float = 10.0,
        queue_size: int = DEFAULT_QUEUE,
    ) -> None:
        self.flask_spec, self.flask_url, self.fastapi_url, self.suite = flask_spec, flask_url, fastapi_url, suite
        self.noise, self.listen, self.timeout, self.queue_size = noise, listen, timeout, queue_size
        self.url = ""
        self.note = ""  # what the start could not do but went on without (the routes unlisted, no second Flask)
        self.mirror: Mirror | None = None
        self._clients: list[ServerClient] = []
        self._second: Session | None = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="explorer-mirror", daemon=True)

    async def _on_mirror(self, work: Coroutine[Any, Any, T]) -> T:
        """Run ``work`` on the mirror's loop; awaited from the caller's loop without blocking it."""
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(work, self._loop))

    async def start(self) -> str:
        """Start the thread, list the Flask app's routes, listen; returns the mirror's URL.

        ``OSError`` when the address cannot be listened on; everything started so far is stopped again.
        """
        self._thread.start()
        try:
            self.url = await self._on_mirror(self._start())
        except BaseException:
            await self.stop()
            raise
        return self.url

    async def _start(self) -> str:
        from explorer.apps.routes import flask_listing
        from explorer.mirror.routes import RouteMatcher
        from explorer.mirror.rules import Rules
        from explorer.mirror.upstream import Upstream
        from explorer.runtime.http.client import ServerClient
        from explorer.runtime.session import Session

        notes = []
        if self.noise:
            self._second = Session([self.flask_spec], timeout=self.timeout)
            listing, _ = await asyncio.gather(flask_listing(self.flask_spec), self._second.start())
        else:
            listing = await flask_listing(self.flask_spec)
        if listing.error:
            notes.append(f"the Flask app's routes could not be listed, requests are counted by path: {listing.error}")
        second = None
        second_url = self._second.server("flask").status.base_url if self._second is not None else None
        if self._second is not None and not second_url:
            notes.append("the second Flask did not start, so no noise is measured")
        elif second_url:
            second = ServerClient("flask", second_url, self.timeout)
        matcher = RouteMatcher(listing.routes)
        fastapi = ServerClient("fastapi", self.fastapi_url, self.timeout)
        self._clients = [fastapi, *([second] if second else [])]
        self.mirror = Mirror(
            Upstream(self.flask_url, self.timeout),
            fastapi,
            matcher,
            Rules(self.suite, matcher),
            second=second,
            queue_size=self.queue_size,
        )
        self.note = "; ".join(notes)
        return await self.mirror.start(*self.listen)

    async def follow(self, flask_url: str | None, fastapi_url: str | None, flask_spec: ServerSpec | None = None) -> str:
        """Forward to the apps' servers after they restarted (``None``: that one did not), counts kept.

        A restarted Flask restarts the second Flask too (with ``flask_spec``, the server it now runs on), so
        that its state starts afresh as the first's did. Returns what could not be done, or "".
        """
        return await self._on_mirror(self._follow(flask_url, fastapi_url, flask_spec))

    async def _follow(self, flask_url: str | None, fastapi_url: str | None, flask_spec: ServerSpec | None) -> str:
        from explorer.mirror.upstream import Upstream
        from explorer.runtime.http.client import ServerClient

        assert self.mirror is not None
        note, second = "", None
        if flask_url is not None and self._second is not None:
            server = self._second.server("flask")
            if flask_spec is not None:
                self.flask_spec = server.spec = flask_spec
            url = (await server.restart()).base_url  # before the re-point: its shadows never meet a stopped server
            if url:
                second = ServerClient("flask", url, self.timeout)
            elif self.mirror.second is not None:
                gone, self.mirror.second = self.mirror.second, None
                await gone.aclose()
                note = "the second Flask did not restart, so no noise is measured"
        fastapi = ServerClient("fastapi", fastapi_url, self.timeout) if fastapi_url is not None else None
        flask = Upstream(flask_url, self.timeout) if flask_url is not None else None
        await self.mirror.repoint(flask, fastapi, second)
        self.flask_url, self.fastapi_url = flask_url or self.flask_url, fastapi_url or self.fastapi_url
        self._clients = [self.mirror.fastapi, *([self.mirror.second] if self.mirror.second else [])]
        return note

    async def snapshot(self) -> dict[str, Any]:
        """The counts per route (:meth:`~explorer.mirror.tally.Tally.to_dict`), copied on the mirror's loop."""
        if self.mirror is None or not self._thread.is_alive():
            return {"routes": [], "totals": {}}

        async def copy() -> dict[str, Any]:
            assert self.mirror is not None
            return self.mirror.tally.to_dict()

        return await self._on_mirror(copy())

    async def stop(self) -> None:
        """Stop listening, drain the shadows, stop the second Flask, end the thread. Safe to call twice."""
        if self._thread.is_alive():
            try:
                async with asyncio.timeout(STOP_SECONDS):
                    await self._on_mirror(self._stop())
            finally:
                self._loop.call_soon_threadsafe(self._loop.stop)
                await asyncio.to_thread(self._thread.join, 5)
        if not self._thread.is_alive() and not self._loop.is_closed() and not self._loop.is_running():
            self._loop.close()

    async def _stop(self) -> None:
        if self.mirror is not None:
            await self.mirror.stop()
            self.mirror.flask.close()
        for client in self._clients:
            await client.aclose()
        self._clients = []
        if self._second is not None:
            await self._second.stop()
