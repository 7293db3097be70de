"""Plain-language reasons for what a server answered (where two answers differ: :mod:`explorer.parity.glance`).

The reasons are read off the exchange itself (status, content type, validation errors), so they
stay true whatever request the user typed, not only for the catalog's samples.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from explorer.runtime.http.client import Exchange

# Werkzeug's own text for a 400 (BadRequest's default description): Flask failing to read the body
# shows it, and so does a handler's bare abort(400); an app's own 400 shows something else.
_WERKZEUG_400 = b"The browser (or proxy) sent a request that this server could not understand."
# What each framework answers when no route matches: Werkzeug's NotFound page, Starlette's JSON.
# A handler's bare abort(404) or HTTPException(404) looks the same, so the body alone cannot tell
# a missing route from a handler's own 404; the route map can (``handler`` below).
_WERKZEUG_404 = b"The requested URL was not found on the server."
_STARLETTE_404 = {"detail": "Not Found"}
_RAISES_404 = {"flask": "abort(404)", "fastapi": "raise HTTPException(404)"}


def why(exchange: Exchange, handler: bool | None = None) -> str:
    """One sentence on why this server answered the way it did.

    ``handler`` is what the app's route map says of the request: True when a route (and its
    method) matches, so a handler ran; False when no route matches; None when not known.
    """
    if exchange.error:
        return exchange.error
    status = exchange.status or 0
    fw = (
        "Flask"
        if exchange.framework == "flask"
        else "FastAPI"
        if exchange.framework == "fastapi"
        else exchange.framework
    )
    issues = exchange.validation
    answered_by = preflight_answerer(exchange, handler)
    if answered_by:
        return answered_by
    if status == 404:
        return _not_found(exchange, fw, handler)
    if status == 405:
        allow = exchange.header("allow")
        return f"A route matched the path but not the method; it allows {allow or 'other methods'}."
    if status == 401:
        scheme = exchange.header("www-authenticate")
        return f"{fw} wants credentials it can verify" + (f" ({scheme}, says WWW-Authenticate)." if scheme else ".")
    if status in (301, 302, 307, 308):
        return f"{fw} redirected to {exchange.header('location') or 'another URL'} instead of answering."
    if status == 415:
        return f"{fw} refused to parse the body: the Content-Type does not declare JSON."
    if status == 422 and any(issue.type == "json_invalid" for issue in issues):
        return f"{fw} could not parse the body as JSON (json_invalid): a parse error, before any type hint was checked."
    if status == 422 and issues:
        return (
            f"{fw} checked the input against the type hints of the handler and of its dependencies (Depends) "
            "and rejected it before the handler ran."
        )
    if status == 400 and issues:
        return f"The handler's own validation code rejected the body and named {len(issues)} field(s)."
    if status == 400 and exchange.json is not None:
        return f"The {fw} app's own code refused the request with a 400; its body says why."
    if status == 400 and exchange.framework == "flask" and _WERKZEUG_400 in exchange.body:
        return (
            f"{fw} could not read the request (malformed JSON, a missing form field or file), or the handler "
            "called abort(400): this is Werkzeug's generic 400 page."
        )
    if status == 400:
        return f"{fw} answered 400 without field errors the explorer can read: the handler (or a hook) chose it."
    if 200 <= status < 300:
        return "The route matched, the input was accepted, and the handler ran."
    if status >= 500:
        return (
            f"{fw} answered {status}: an exception the app did not handle, or a status it chose; "
            "the server's log says which."
        )
    return f"{fw} answered {status} {exchange.reason}."


def preflight_answerer(exchange: Exchange, handler: bool | None = None) -> str:
    """Who answered an OPTIONS request when no handler did, in a sentence; empty when a handler may have.

    Starlette's CORSMiddleware answers a preflight (OPTIONS with Access-Control-Request-Method) itself,
    before routing, so no route's methods matter; its refusal reads "Disallowed CORS method". Flask
    answers OPTIONS for a route by itself (its answer carries Allow) and the view does not run; an
    after_request hook such as flask-cors may add the Access-Control headers. ``handler`` False (no
    route matches) rules the Flask case out. Read off the exchange, so the Code tab and the reason agree.
    """
    if exchange.spec.method.upper() != "OPTIONS" or exchange.status is None:
        return ""
    preflight = exchange.spec.header("access-control-request-method") is not None
    allowed = exchange.header("access-control-allow-methods")
    middleware = allowed is not None or exchange.body.startswith(b"Disallowed CORS")
    if exchange.framework == "fastapi" and preflight and middleware:
        said = exchange.body[:80].decode("utf-8", "replace").strip()
        refused = f" and refused it ({said})" if exchange.status >= 400 and said else ""
        allows = f"; it allows {allowed}" if allowed else ""
        return (
            f"Starlette's CORSMiddleware answered this preflight itself{refused}, before any route: "
            f"no handler ran{allows}."
        )
    automatic = 200 <= exchange.status < 300 and exchange.header("allow") is not None
    if exchange.framework == "flask" and handler is not False and automatic:
        cors = exchange.header("access-control-allow-origin")
        added = "; an after_request hook (flask-cors) added the Access-Control headers" if cors else ""
        return f"Flask answered OPTIONS by itself with the route's methods in Allow: the view did not run{added}."
    return ""


def _not_found(exchange: Exchange, fw: str, handler: bool | None) -> str:
    """A missing route and a handler's own 404 answer alike; the route map (else the body) tells them apart."""
    raises = _RAISES_404.get(exchange.framework, "an HTTP exception")
    if handler:
        return f"A {fw} route matched and its handler ran: the handler answered 404 itself ({raises}), not the router."
    if handler is False:
        return f"No {fw} route matched this path, so no handler and no validation ran."
    default = _WERKZEUG_404 in exchange.body if exchange.framework == "flask" else exchange.json == _STARLETTE_404
    if default:
        return f"No {fw} route matched this path, so no handler ran (or a handler's bare {raises} answered the same)."
    return f"The {fw} app wrote this 404 itself: a handler's {raises} or the app's own 404 handler."
