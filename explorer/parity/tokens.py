"""Shadow tokens: Flask's login token (or created id) in a later request, sent to a shadow as the shadow's own.

Used by the mirror (:mod:`explorer.mirror.core`), and by a parity run, which pairs what each app's answer gave
to a capture and reads the port's values back as Flask's before comparing (:mod:`explorer.parity.run`).

A login through the mirror answers Flask's token to the client, and the client sends it back; the
FastAPI port (and the second Flask) issued tokens of their own to the same login, so a later request
naming Flask's token would be refused by the shadow and every request after the login would "differ".
As parity's captures do, each value an answer made up (:func:`issued`: a token, an id a POST created,
under a name that says so) is taken from the shadow's answer at the same place
(:meth:`~explorer.parity.template.Capture.take`), and the pair kept, one set of pairs per shadow. A
later request is sent to each shadow with Flask's values as that shadow's own: tokens wherever they
appear (path, query, every header, the cookies the client set itself, the JSON body); an id only
where it names its kind: the id ``POST /orders`` made, after ``/orders/`` in a path and under
``order_id`` (or ``id`` in a request to ``/orders``) in a query or a JSON body, so ``/products/1`` is
never taken for order 1. The cookies an app set come from each shadow's own jar. The shadow's answer
is compared with its own values put back as Flask's (:meth:`Tokens.back`), so FastAPI's order 7
reads as Flask's order 1 and its token as Flask's; in the answer that made them the two values are
compared by presence and type, as parity compares what it captures.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

from explorer.parity.jsonwalk import leaves, map_json
from explorer.parity.secrets import looks_secret
from explorer.parity.template import Capture, CaptureError
from explorer.runtime.http.request import RequestSpec

if TYPE_CHECKING:
    from explorer.parity.secrets import Redactor
    from explorer.runtime.http.client import Exchange
    from explorer.runtime.http.cookies import CookieJar

__all__ = ["MAX_PAIRS", "Tokens", "issued", "kind_of"]

MAX_PAIRS = 500  # per shadow; past it the oldest pair is forgotten
ID_KEY = re.compile(r"(^|_)(id|token|key)$|token", re.I)
PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_WORD = re.compile(r"[^\s\"',;&?/:]+")  # a token stands whole between these (Bearer X, a=X; b, "X")


def issued(exchange: Exchange) -> Iterator[tuple[tuple[str, ...], Any]]:
    """The values ``exchange``'s JSON answer made up, with their paths: a string that looks like a token,
    or a whole number at the top of a non-GET answer (an id it created), each under a key naming an id,
    a token or a key. Shared by the recorder (its captures) and the shadows (their pairs)."""
    if exchange.json is None or exchange.truncated:
        return
    for parts, value in leaves(exchange.json):
        key = parts[-1] if parts and isinstance(parts[-1], str) else ""
        if not ID_KEY.search(key) or not all(isinstance(p, str) and PLAIN_KEY.match(p) for p in parts):
            continue
        if isinstance(value, int) and not isinstance(value, bool):
            if exchange.spec.method == "GET" or len(parts) > 1:
                continue  # only an id the answer made (POST, PUT), at its top
        elif not (isinstance(value, str) and looks_secret(value)):
            continue
        yield parts, value


def kind_of(path: str) -> str:
    """What a request's path is about: its last segment that is not a number (``/orders/1`` -> ``orders``)."""
    segments = [unquote(p) for p in path.partition("?")[0].split("/") if p and not p.isdigit()]
    return segments[-1].lower() if segments else ""


def _names(key: Any, kind: str, context: str) -> bool:
    """Whether ``key`` names an id of ``kind``: ``order_id`` (or ``orderId``) for ``orders``, ``id`` in ``context``."""
    if not isinstance(key, str):
        return False
    key = re.sub(r"(?<=[a-z])Id$", "_id", key).lower()
    if key == "id":
        return kind == context
    stem = key[:-3] if key.endswith("_id") else ""
    return bool(stem) and kind.startswith(stem)


class Tokens:
    """Flask's values and each shadow's, paired from their answers to the same requests."""

    def __init__(self, redactor: Redactor | None = None) -> None:
        self.redactor = redactor  # learns every token paired, Flask's and the shadow's: never shown
        self.ids: dict[str, dict[tuple[str, int], Any]] = {}  # shadow -> (kind, Flask's id) -> the shadow's id
        self.texts: dict[str, dict[str, str]] = {}  # shadow -> Flask's token -> the shadow's token
        self.app_cookies: set[str] = set()  # names of the cookies Flask set: the shadows' come from their jars

    def __len__(self) -> int:
        return sum(map(len, self.ids.values())) + sum(map(len, self.texts.values()))

    def learn(self, shadow: str, flask: Exchange, theirs: Exchange) -> tuple[str, ...]:
        """Pair what Flask's answer made up with the shadow's value at the same place (parity's capture);
        returns those places (``json.user.token``) that the shadow's answer has too."""
        self.saw(flask)
        sources: list[str] = []
        for parts, value in issued(flask):
            source = "json." + ".".join(parts)
            try:
                their = Capture("pair", source, True).take(theirs)
            except CaptureError:
                continue  # the shadow's answer has nothing there: the comparison says so
            sources.append(source)
            self.pair(shadow, kind_of(flask.spec.path), value, their)
        return tuple(sources)

    def pair(self, shadow: str, kind: str, value: Any, their: Any) -> None:
        """Keep Flask's ``value`` and the shadow's ``their`` as one, made by a request about ``kind`` (``orders``):
        an id (a whole number) or a text; the same value on both sides forgets an older pair for it."""
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            return
        key = (kind, value) if isinstance(value, int) else value
        if their == value:  # the same value on both sides now (both apps restarted, numbering from 1 again):
            pairs: dict[Any, Any] = (self.ids if isinstance(value, int) else self.texts).get(shadow, {})
            pairs.pop(key, None)  # an older pair for this value no longer holds
            return
        if isinstance(their, (dict, list, bool)) or their is None:
            return
        if isinstance(value, int):
            self._keep(self.ids.setdefault(shadow, {}), key, their)
        elif isinstance(their, str):
            self._keep(self.texts.setdefault(shadow, {}), value, their)
            if self.redactor is not None:
                self.redactor.learn(value, by_name=True)
                self.redactor.learn(their, by_name=True)

    def saw(self, flask: Exchange) -> None:
        """Note the cookies Flask's answer set (also of a request no shadow got: dropped, or not mirrored), so
        the client never sends one to a shadow as Flask's value."""
        for name, value in flask.headers:
            if name.lower() == "set-cookie" and len(self.app_cookies) < MAX_PAIRS:
                self.app_cookies.add(value.partition("=")[0].strip())

    @staticmethod
    def _keep(pairs: dict[Any, Any], key: Any, value: Any) -> None:
        pairs.pop(key, None)  # learnt again: now the newest
        if len(pairs) >= MAX_PAIRS:
            pairs.pop(next(iter(pairs)))
        pairs[key] = value

    def translate(
        self, shadow: str, spec: RequestSpec, content: bytes | None, jar: CookieJar | None = None
    ) -> tuple[RequestSpec, bytes | None]:
        """The request as ``shadow`` gets it: Flask's values as its own, its own jar's cookies for the ones an
        app set and the client's other cookies after them. With nothing learnt, the request as sent."""
        ids, texts = self.ids.get(shadow, {}), self.texts.get(shadow, {})
        path, headers = spec.path, spec.headers
        if ids or texts:
            path = _Swap(ids, texts, kind_of(path)).target(path)
            headers = tuple((k, _swapped(v, texts) if k.lower() != "cookie" else v) for k, v in headers)
            content = self._body(spec, content, _Swap(ids, texts, kind_of(path)))
        sent = [v for k, v in headers if k.lower() == "cookie"]
        headers = tuple((k, v) for k, v in headers if k.lower() != "cookie")
        cookie = self._cookies("; ".join(sent), texts, jar, path)
        if cookie:
            headers = (*headers, ("Cookie", cookie))
        return RequestSpec(spec.method, path, headers), content

    def back(self, shadow: str, theirs: Exchange) -> Exchange:
        """The shadow's answer with its own values put back as Flask's, to be compared with Flask's answer:
        its tokens wherever they appear, its ids where they name their kind (a ``Location`` path, ``id``)."""
        ids = {(kind, v): k for (kind, k), v in self.ids.get(shadow, {}).items() if isinstance(v, int)}
        texts = {v: k for k, v in self.texts.get(shadow, {}).items()}
        if not ids and not texts:
            return theirs
        swap = _Swap(ids, texts, kind_of(theirs.spec.path))
        headers = tuple(
            (k, swap.target(v) if k.lower() == "location" else _swapped(v, texts)) for k, v in theirs.headers
        )
        body, parsed = theirs.body, theirs.json
        if parsed is not None:
            changed = swap.json(parsed)
            if changed != parsed:
                parsed, body = changed, json.dumps(changed, ensure_ascii=False).encode("utf-8")
        return replace(theirs, headers=headers, body=body, _json=parsed)

    @staticmethod
    def _body(spec: RequestSpec, content: bytes | None, swap: _Swap) -> bytes | None:
        """A JSON body with Flask's values as the shadow's; any other body as sent."""
        if not content or "json" not in (spec.header("content-type") or ""):
            return content
        try:
            body = json.loads(content)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return content
        changed = swap.json(body)
        return content if changed == body else json.dumps(changed, ensure_ascii=False).encode("utf-8")

    def _cookies(self, sent: str, texts: dict[str, str], jar: CookieJar | None, path: str) -> str:
        """The shadow's jar's cookies, then each cookie of the client's that no app set (one the client's own
        code set, a token in it translated). A cookie an app set is never sent to a shadow as Flask's."""
        held = self.app_cookies | ({c.name for c in jar.cookies()} if jar is not None else set())
        own = jar.header_for(path.partition("?")[0]) if jar is not None else None
        rest = []
        for item in sent.split(";"):
            name, equals, value = item.strip().partition("=")
            if name and equals and name not in held:
                rest.append(f"{name}={_swapped(value, texts)}")
        return "; ".join([*([own] if own else []), *rest])


def _swapped(text: str, texts: dict[str, str]) -> str:
    """``text`` with every token in ``texts`` replaced by its pair: each word looked up once, so the cost is
    the text's length whatever the number of pairs."""
    return _WORD.sub(lambda m: texts.get(m.group(0), m.group(0)), text) if texts and text else text


class _Swap:
    """One direction of the pairs (Flask's to a shadow's, or back) applied to a path, a query, a JSON value;
    ``context`` is the kind of thing the request is about, for a bare ``id``."""

    def __init__(self, ids: dict[tuple[str, int], Any], texts: dict[str, str], context: str) -> None:
        self.ids, self.texts, self.context = ids, texts, context

    def _id(self, key: Any, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            for (kind, old), new in self.ids.items():
                if old == value and _names(key, kind, self.context):
                    return new
        return value

    def target(self, target: str) -> str:
        """A path and its query: an id after its kind's segment or under its name, tokens anywhere."""
        path, mark, query = target.partition("?")
        segments = path.split("/")
        for i, segment in enumerate(segments):
            plain = unquote(segment)
            if plain.isdigit() and i > 0:
                kind = unquote(segments[i - 1]).lower()
                new = next((n for (k, old), n in self.ids.items() if k == kind and old == int(plain)), None)
                if new is not None:
                    segments[i] = quote(str(new), safe="")
                    continue
            segments[i] = quote(self.texts[plain], safe="") if plain in self.texts else _swapped(segment, self.texts)
        items = []
        for item in query.split("&") if mark else []:
            name, equals, value = item.partition("=")
            plain = unquote(value.replace("+", " "))
            number = int(plain) if plain.isdigit() else None
            new = self._id(unquote(name), number) if number is not None else None
            if new is not None and new != number:
                value = quote(str(new), safe="")
            elif plain in self.texts:
                value = quote(self.texts[plain], safe="")
            else:
                value = _swapped(value, self.texts)
            items.append(name + equals + value)
        return "/".join(segments) + mark + "&".join(items)

    def json(self, value: Any) -> Any:
        """A JSON value: an id under a key naming its kind, tokens in every string."""
        return map_json(
            value,
            lambda item: _swapped(item, self.texts) if isinstance(item, str) else item,
            child=lambda key, item: self._id(key, item),
        )
