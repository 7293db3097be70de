"""Following an app's redirects for one request (``follow_redirects: true``, curl's ``-L``).

A recording made with ``curl -L`` showed the final page, so that is what is compared. Each app's
redirects are followed on its own server only (the explorer talks to nothing else): a Location on
another host is an error, not a request. As curl does, a 303 (and a 301 or 302 answering a POST)
continues as a GET without a body; a 307 or 308 repeats the request. At most :data:`MAX_HOPS`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from explorer.runtime.http.request import RequestSpec

if TYPE_CHECKING:
    from explorer.runtime.http.client import Exchange

__all__ = ["MAX_HOPS", "follow"]

MAX_HOPS = 10  # curl's own default is 50; a port's loop shows well before
_REDIRECTS = (301, 302, 303, 307, 308)


def _next(exchange: Exchange, spec: RequestSpec) -> RequestSpec | str | None:
    """The request the redirect asks for, an error line, or None when the answer is not a redirect."""
    location = exchange.header("location")
    if exchange.error or exchange.status not in _REDIRECTS or not location or exchange.request is None:
        return None
    here = urlsplit(exchange.request.url)
    target = urlsplit(urljoin(exchange.request.url, location.strip()))
    if (target.scheme, target.netloc) != (here.scheme, here.netloc):
        return f"redirected off its own server (to {location[:80]!r}): not followed"
    path = (target.path or "/") + (f"?{target.query}" if target.query else "")
    if exchange.status == 303 or (exchange.status in (301, 302) and spec.method == "POST"):
        if spec.method == "HEAD":
            return replace(spec, path=path)
        headers = tuple((k, v) for k, v in spec.headers if k.lower() not in ("content-type", "content-length"))
        return RequestSpec("GET", path, headers)
    return replace(spec, path=path)


async def follow(send: Callable[[RequestSpec], Awaitable[Exchange]], exchange: Exchange, spec: RequestSpec) -> Exchange:
    """The answer at the end of ``exchange``'s redirects (``send`` sends one request to the same app)."""
    from explorer.runtime.http.client import Exchange

    for _ in range(MAX_HOPS):
        following = _next(exchange, spec)
        if following is None:
            return exchange
        if isinstance(following, str):
            return Exchange(exchange.framework, spec, exchange.request, error=following)
        spec = following
        exchange = await send(spec)
    if _next(exchange, spec) is not None:
        return Exchange(exchange.framework, spec, exchange.request, error=f"more than {MAX_HOPS} redirects")
    return exchange
