"""The mirror itself: every request to Flask, answered with Flask's answer, then shadowed and judged.

The primary path does as little as it can: the request is forwarded as bytes
(:mod:`explorer.mirror.upstream`, no httpx) and Flask's answer streamed back as it arrives,
unchanged but for its framing (Flask's length, or chunks when it gave none; the mirror's own
keep-alive) and an absolute ``Location``
on Flask's own address, which is pointed at the mirror so a browser stays behind it. Only then is the request queued for the
shadows; when the queue is full (in requests, or in the bytes they hold) it is dropped and counted, never waited for; a shadow starts
only while no primary request is in flight. The shadows (FastAPI,
and the second Flask with ``noise``) get the request one at a time, in arrival order, each with a
cookie jar of its own (the client's cookies an app set are Flask's), Flask's tokens and ids in the
request translated to the shadow's own (:mod:`explorer.parity.tokens`), and the comparison runs off the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from explorer.mirror.front import Incoming, Outgoing, Reply, plain, serve
from explorer.mirror.judge import Verdict, judge
from explorer.mirror.routes import RouteMatcher
from explorer.mirror.rules import Rules
from explorer.mirror.tally import Tally
from explorer.mirror.upstream import Forwarded, Upstream
from explorer.parity.differences import MISSING
from explorer.parity.secrets import Redactor
from explorer.parity.template import _SECRET_NAME as SECRET_NAME
from explorer.parity.tokens import Tokens
from explorer.runtime.http.cookies import CookieJar
from explorer.runtime.http.request import METHODS, RequestSpec

if TYPE_CHECKING:
    from explorer.mirror.record import Recorder
    from explorer.runtime.http.client import Exchange, ServerClient
    from explorer.runtime.http.wire import Answer

__all__ = ["DEFAULT_QUEUE", "Mirror"]

DEFAULT_QUEUE = 100
INLINE_BYTES = 16 * 1024  # answers up to this size are compared on the loop (tens of microseconds)
MAX_QUEUED_BYTES = 64 * 1024 * 1024  # bodies held by waiting shadows, all together: past it a shadow is dropped
DRAIN_SECONDS = 10.0  # at the end, shadows still queued get this long to finish; the rest count as dropped
_HOP = frozenset(
    {
        "host",
        "content-length",
        "transfer-encoding",
        "connection",
        "keep-alive",
        "te",
        "trailer",
        "upgrade",
        "proxy-connection",
        "expect",
    }
)
_ANSWER_FRAMING = frozenset({"content-length", "transfer-encoding", "connection", "keep-alive"})
Listener = Callable[[dict[str, Any]], None]


class _Shadow:
    """A request answered by Flask, waiting for its shadows; Flask's exchange is built off the primary path."""

    __slots__ = ("_exchange", "content", "forwarded", "method", "pattern", "spec")

    def __init__(
        self, method: str, pattern: str, spec: RequestSpec, content: bytes | None, forwarded: Forwarded
    ) -> None:
        self.method, self.pattern, self.spec, self.content, self.forwarded = method, pattern, spec, content, forwarded
        self._exchange: Exchange | None = None

    @property
    def size(self) -> int:
        """Bytes this shadow holds: the request's body and Flask's answer's."""
        answer = self.forwarded.answer
        return len(self.content or b"") + (answer.size if answer is not None else 0)

    def flask(self) -> Exchange:
        """Flask's answer as the comparer reads it (header names in lower case, as httpx gives FastAPI's)."""
        if self._exchange is None:
            from explorer.runtime.http.exchange import Exchange, SentRequest

            answer, sent = self.forwarded.answer, self.forwarded
            assert answer is not None and answer.parser is not None
            self._exchange = Exchange(
                "flask",
                self.spec,
                SentRequest(self.method, sent.url, sent.sent_headers, self.content or b""),
                answer.status,
                answer.reason.decode("latin-1"),
                f"HTTP/{answer.parser.get_http_version()}",
                tuple((k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in answer.headers),
                answer.body,
                answer.truncated,
            )
        return self._exchange


class Mirror:
    """Forward to ``flask``, shadow to ``fastapi`` (and ``second``, another Flask), count by route."""

    def __init__(
        self,
        flask: Upstream,
        fastapi: ServerClient,
        matcher: RouteMatcher,
        rules: Rules,
        *,
        second: ServerClient | None = None,
        methods: Iterable[str] | None = None,
        queue_size: int = DEFAULT_QUEUE,
        on_record: Listener | None = None,
        recorder: Recorder | None = None,
    ) -> None:
        self.flask, self.fastapi, self.second = flask, fastapi, second
        self.matcher, self.rules = matcher, rules
        self.methods = frozenset(m.upper() for m in methods) if methods is not None else None
        self.queue: asyncio.Queue[_Shadow] = asyncio.Queue(queue_size)
        self.on_record, self.recorder = on_record, recorder
        self.tally = Tally()
        self.redactor = Redactor()
        self.tokens = Tokens(self.redactor)  # Flask's tokens and ids in a request, sent to each shadow as its own
        self.jars = {"fastapi": CookieJar(), "second": CookieJar()}
        self.base_url = ""
        self._flask_base = self.flask.base_url
        self._server: asyncio.Server | None = None
        self._live: set[Any] = set()
        self._worker: asyncio.Task[None] | None = None
        self._in_flight = 0
        self._queued_bytes = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def start(self, host: str, port: int) -> str:
        """Listen; returns the mirror's base URL (the port chosen when ``port`` is 0)."""
        self._server, self._live = await serve(self.handle, host, port)
        bound = self._server.sockets[0].getsockname()
        shown = f"[{bound[0]}]" if ":" in bound[0] else bound[0]
        self.base_url = f"http://{shown}:{bound[1]}"
        self._worker = asyncio.get_running_loop().create_task(self._shadows())
        return self.base_url

    async def stop(self) -> None:
        """Stop listening, give the queued shadows :data:`DRAIN_SECONDS` to finish, count the rest as dropped."""
        if self._server is not None:
            self._server.close()
        for connection in list(self._live):
            if connection.transport is not None:
                connection.transport.close()
            if connection.worker is not None:
                connection.worker.cancel()
        if self._worker is not None:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(DRAIN_SECONDS):
                    await self.queue.join()
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
        while not self.queue.empty():
            item = self.queue.get_nowait()
            self.tally.dropped(item.method, item.pattern)

    async def repoint(
        self, flask: Upstream | None = None, fastapi: ServerClient | None = None, second: ServerClient | None = None
    ) -> None:
        """Forward to servers that restarted (on a new address, or a new process on the old one) from now on.

        The counts stay, and so do the shadows' cookie jars and the pairs of tokens and ids: a browser keeps
        its cookies and tokens across a restart too, so each shadow keeps its own as the client keeps Flask's.
        The clients replaced are closed; a request under way on one ends as a request to a stopped server does.
        """
        if flask is not None:
            old, self.flask, self._flask_base = self.flask, flask, flask.base_url
            old.close()
        if fastapi is not None:
            replaced, self.fastapi = self.fastapi, fastapi
            await replaced.aclose()
        if second is not None:
            gone, self.second = self.second, second
            if gone is not None:
                await gone.aclose()

    # --- the primary path ------------------------------------------------------------------------

    async def handle(self, incoming: Incoming, reply: Reply) -> Outgoing | None:
        self._in_flight += 1
        self._idle.clear()
        try:
            return await self._handle(incoming, reply)
        finally:
            self._in_flight -= 1
            if not self._in_flight:
                self._idle.set()

    async def _handle(self, incoming: Incoming, reply: Reply) -> Outgoing | None:
        method = incoming.method.upper()
        if method not in METHODS:
            return plain(
                501, "Not Implemented", f"explorer mirror: {method[:20]} is not mirrored; {', '.join(METHODS)} are"
            )
        if not incoming.target.startswith("/") or incoming.target.startswith("//"):
            return plain(
                400, "Bad Request", "explorer mirror: only a path is forwarded, never a URL (this is no proxy)", True
            )
        headers = tuple((k, v) for k, v in incoming.headers if k.lower() not in _HOP)
        content = incoming.body if incoming.body or method in ("POST", "PUT", "PATCH") else None

        def on_head(flask: Answer) -> None:
            names = {k.lower(): v for k, v in flask.headers}
            length = names.get(b"content-length") if b"transfer-encoding" not in names else None
            bodiless = method == "HEAD" or flask.status in (204, 304)
            reply.head(
                flask.status,
                flask.reason.decode("latin-1"),
                self._headers(flask, method),
                length.decode("latin-1") if length is not None else None,
                bodiless,
            )

        forwarded = await self.flask.send(
            method, incoming.target, headers, content, on_head, lambda _at, data: reply.part(data)
        )
        if forwarded.answer is None:
            if reply.started:
                reply.end(complete=False)
                return None
            return plain(502, "Bad Gateway", f"explorer mirror: {forwarded.error}", True)
        reply.end(complete=not forwarded.answer.truncated)
        pattern = self.matcher.match(method, incoming.target)
        self.tally.seen(method, pattern)
        spec = RequestSpec(method, incoming.target, headers)
        item = _Shadow(method, pattern, spec, content, forwarded)
        if self.recorder is not None:  # after the answer is written: call_soon runs once this task yields
            asyncio.get_running_loop().call_soon(self._record, item)
        if self.methods is not None and method not in self.methods:
            self._emit(method, pattern, incoming.target, "not mirrored", item.flask())
            self.tokens.saw(item.flask())  # a cookie it set is Flask's: never sent to a shadow
            return None
        try:
            if self._queued_bytes + item.size > MAX_QUEUED_BYTES:
                raise asyncio.QueueFull
            self.queue.put_nowait(item)
            self._queued_bytes += item.size
        except asyncio.QueueFull:
            self.tally.dropped(method, pattern)
            self._emit(method, pattern, incoming.target, "dropped", item.flask())
            self.tokens.saw(item.flask())
        return None

    def _record(self, item: _Shadow) -> None:
        assert self.recorder is not None
        self.recorder.add(item.pattern, item.spec, item.content, item.flask())

    def _headers(self, flask: Answer, method: str) -> list[tuple[str, str]]:
        """Flask's headers as they came (names as written), but for framing and a Location on Flask's address."""
        headers = []
        for raw_name, raw_value in flask.headers:
            name, value = raw_name.decode("latin-1"), raw_value.decode("latin-1")
            lowered = name.lower()
            if lowered in _ANSWER_FRAMING:  # the reply sets the length (or chunks) itself
                continue
            if lowered == "location" and value.startswith(self._flask_base):
                value = self.base_url + value[len(self._flask_base) :]
            headers.append((name, value))
        return headers

    # --- the shadows ---------------------------------------------------------------------------

    async def _shadows(self) -> None:
        while True:
            item = await self.queue.get()
            self._queued_bytes -= item.size
            await self._idle.wait()  # a shadow starts only while no primary request is in flight
            try:
                await self._shadow(item)
            except Exception as exc:  # noqa: BLE001 - Scientist's rule: a shadow's failure never stops the mirror
                self.tokens.saw(item.flask())
                self._emit(
                    item.method,
                    item.pattern,
                    item.spec.path,
                    "differ",
                    item.flask(),
                    error=f"{type(exc).__name__}: {exc}",
                )
                self.tally.judged(item.method, item.pattern, "differ", [])
            finally:
                self.queue.task_done()

    async def _shadow(self, item: _Shadow) -> None:
        rule = self.rules.rule(item.method, item.pattern)
        flask, jar = item.flask(), self.jars["fastapi"]
        spec, content = self.tokens.translate("fastapi", rule.for_fastapi(item.spec), item.content, jar)
        answer = await self.fastapi.forward(spec, content, jar=jar)
        own = self.tokens.learn("fastapi", flask, answer)  # what it made up: compared by presence (parity's captures)
        fastapi = self.tokens.back("fastapi", answer)  # its values as Flask's (a Location naming the new id)
        second = None
        if self.second is not None:
            jar = self.jars["second"]
            spec, content = self.tokens.translate("second", item.spec, item.content, jar)
            answer = await self.second.forward(spec, content, jar=jar)
            second = self.tokens.back("second", answer)  # with the pairs known before: what it made up is noise
            self.tokens.learn("second", flask, answer)
        small = max(flask.size, fastapi.size, second.size if second else 0) <= INLINE_BYTES
        if small and not rule.options.ignore_regex:  # a user's pattern may take up to REGEX_SECONDS: never on the loop
            verdict = judge(flask, fastapi, rule, second, own)  # small: quicker than waking a thread, on a busy machine
        else:  # off the loop: a large answer takes a while to compare, and the primary path must not wait
            verdict = await asyncio.to_thread(judge, flask, fastapi, rule, second, own)
        record = self._emit(item.method, item.pattern, item.spec.path, verdict.outcome, item.flask(), fastapi, verdict)
        fields = [n.where or "(whole body)" for n in verdict.noise]
        self.tally.judged(item.method, item.pattern, verdict.outcome, fields, record)

    def _emit(
        self,
        method: str,
        pattern: str,
        path: str,
        outcome: str,
        flask: Exchange,
        fastapi: Exchange | None = None,
        verdict: Verdict | None = None,
        error: str | None = None,
    ) -> dict[str, Any]:
        """The JSON-ready record of one request, secrets hidden; handed to ``on_record``."""
        redactor = self.redactor
        if flask.request is not None:
            redactor.headers(flask.request.headers)
        for exchange in (flask, fastapi):
            if exchange is not None:
                redactor.headers(exchange.headers)
        record: dict[str, Any] = {
            "method": method,
            "route": pattern,
            "path": path,
            "outcome": outcome,
            "status": {"flask": flask.status, "fastapi": fastapi.status if fastapi else None},
        }
        if verdict is not None:
            for difference in (*verdict.differences, *(d for d, _ in verdict.declared)):
                if difference.aspect == "body" and any(
                    isinstance(p, str) and SECRET_NAME.search(p) for p in difference.parts
                ):
                    for value in (difference.flask, difference.fastapi):  # a token in a body, under a name that says so
                        if value is not MISSING:
                            redactor.learn(value)
            record["differences"] = [d.to_dict(redactor) for d in verdict.differences]
            record["more"] = verdict.more
            record["declared"] = [{"line": d.line(redactor), "reason": e.reason} for d, e in verdict.declared]
            record["noise"] = [n.to_dict() for n in verdict.noise]
        if error is not None:
            record["error"] = error
        record = redactor.document(record)
        if self.on_record is not None:
            self.on_record(record)
        return record
