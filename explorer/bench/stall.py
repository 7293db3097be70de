"""The stall injector of the coordinated-omission experiment: one request that blocks the server, every P seconds.

FastAPI's ``GET /io/blocking?ms=S`` sleeps with ``time.sleep`` inside ``async def``: the event loop
stops for S ms and every other request on that server waits behind it. Sent on a connection of its
own, on a fixed schedule, it gives the server a stall of known length at known times, the same for
the closed loop and the open loop, so the difference between their percentiles is the measurement
method and nothing else. Its own answers are not recorded.
"""

from __future__ import annotations

import asyncio
import threading

import httptools

from explorer.bench.wire import encode_request

__all__ = ["StallThread", "inject_stalls"]


class _Answer:
    """Parser callbacks: only the end of the message matters."""

    def __init__(self) -> None:
        self.done = False

    def on_message_complete(self) -> None:
        self.done = True


async def _one(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> None:
    answer = _Answer()
    parser = httptools.HttpResponseParser(answer)
    writer.write(request)
    while not answer.done:
        data = await reader.read(65536)
        if not data:
            raise ConnectionError("the server closed the stall connection")
        parser.feed_data(data)


async def inject_stalls(
    host: str,
    port: int,
    path: str,
    every: float,
    first_at: float,
    stop: asyncio.Event,
    took_ms: list[float] | None = None,
) -> int:
    """From ``first_at`` (loop time), send ``GET path`` every ``every`` s until ``stop`` is set; returns how many.

    ``took_ms`` collects how long each stall request took to answer: the stall the server really
    made (``time.sleep`` on a busy machine sleeps longer than asked). A slot that has already passed
    when the previous stall ends is skipped, never sent late in a burst. Errors end the injector
    quietly: the load's own figures will show what happened.
    """
    loop = asyncio.get_running_loop()
    request = encode_request(host, port, path)
    sent = 0
    writer: asyncio.StreamWriter | None = None
    try:
        reader, writer = await asyncio.open_connection(host, port)
        next_at = first_at
        while not stop.is_set():
            delay = next_at - loop.time()
            if delay > 0:
                try:
                    await asyncio.wait_for(stop.wait(), delay)
                    break
                except TimeoutError:
                    pass
            started = loop.time()
            await _one(reader, writer, request)
            sent += 1
            if took_ms is not None:
                took_ms.append(round((loop.time() - started) * 1000, 3))
            next_at += every
            while next_at < loop.time():
                next_at += every
    except (OSError, httptools.HttpParserError):
        pass
    finally:
        if writer is not None:
            writer.close()
    return sent


class StallThread:
    """:func:`inject_stalls` on an event loop of its own, in a thread: for the closed-loop engine,
    whose loop is a bare ``epoll`` rather than asyncio. ``first_at`` is ``time.monotonic()`` time
    (asyncio's loop clock). The thread sleeps between stalls, so it costs the load process next to nothing.
    """

    def __init__(self, host: str, port: int, path: str, every: float, first_at: float) -> None:
        self.took_ms: list[float] = []
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(
            target=asyncio.run, args=(self._run(host, port, path, every, first_at),), name="stalls", daemon=True
        )
        self._thread.start()
        self._ready.wait()

    async def _run(self, host: str, port: int, path: str, every: float, first_at: float) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        self._ready.set()
        await inject_stalls(host, port, path, every, first_at, self._stop, self.took_ms)

    def stop(self, timeout: float = 5.0) -> list[float]:
        """Stop after the stall in flight (if any) and return how long each one took, in ms."""
        if self._loop is not None and self._stop is not None:
            try:
                self._loop.call_soon_threadsafe(self._stop.set)
            except RuntimeError:  # the injector already ended (the server closed its connection)
                pass
        self._thread.join(timeout)
        return list(self.took_ms)
