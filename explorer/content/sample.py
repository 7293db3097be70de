"""What a sample is: a request, the claim it demonstrates, and what each framework must answer.

Kept apart from the catalog itself so the catalog can be split by topic (``catalog_forms``,
``catalog_http``) without the topic modules importing it back; the catalog fills in each sample's
``topic_title`` from its ``TOPICS``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from explorer.runtime.frameworks import FRAMEWORKS
from explorer.runtime.http.request import RequestSpec

__all__ = ["JSON_HEADERS", "Expect", "Sample", "both", "each", "get", "multipart", "post", "urlencoded"]

JSON_HEADERS = (("Content-Type", "application/json"),)
BOUNDARY = "explorer-sample-boundary"


@dataclass(frozen=True)
class Expect:
    """What one framework answers, as precisely as is stable from one run to the next.

    ``status`` always; then, where given: the locations of validation errors, the media type, headers
    (each value a regular expression the whole value must match, or None for a header that must be
    absent), the exact JSON body, the keys of a JSON object whose values vary, text the body must
    contain and text it must never contain.
    """

    status: int
    locations: tuple[str, ...] = ()
    content_type: str | None = None
    headers: tuple[tuple[str, str | None], ...] = ()
    json: Any = None
    keys: tuple[str, ...] = ()
    contains: str = ""
    excludes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        document: dict[str, Any] = {"status": self.status, "locations": list(self.locations)}
        optional = {
            "content_type": self.content_type,
            "headers": [list(h) for h in self.headers],
            "json": self.json,
            "keys": list(self.keys),
            "contains": self.contains,
            "excludes": list(self.excludes),
        }
        return document | {key: value for key, value in optional.items() if value not in (None, "", [])}


@dataclass(frozen=True)
class Sample:
    """A titled request, the one-sentence claim it demonstrates, and the answers that prove it.

    ``since`` names the release each framework's behaviour began with, where the claim depends on one
    (``"Starlette 0.19"``): the claim is true of that version and later, and the tests check that the
    installed versions are among them.
    """

    id: str
    topic: str
    title: str
    request: RequestSpec
    claim: str
    expect: dict[str, Expect] = field(default_factory=dict)
    burst: int = 1
    frameworks: tuple[str, ...] = FRAMEWORKS
    topic_title: str = ""  # filled in by the catalog from its TOPICS
    since: str = ""  # the versions the claim needs, "Package X.Y" joined by ", " (tests check the installed ones)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "topic": self.topic,
            "title": self.title,
            "request": self.request.to_dict(),
            "claim": self.claim,
            "burst": self.burst,
            "frameworks": list(self.frameworks),
            "since": self.since or None,
            "expect": {fw: e.to_dict() for fw, e in self.expect.items()},
        }


def get(path: str, headers: tuple[tuple[str, str], ...] = ()) -> RequestSpec:
    return RequestSpec("GET", path, headers)


def post(path: str, body: Any, headers: tuple[tuple[str, str], ...] = JSON_HEADERS) -> RequestSpec:
    text = body if isinstance(body, str) else json.dumps(body)
    return RequestSpec("POST", path, headers, text)


def urlencoded(path: str, fields: dict[str, str]) -> RequestSpec:
    """A POST of form fields as a browser sends them by default."""
    from urllib.parse import urlencode

    return RequestSpec("POST", path, (("Content-Type", "application/x-www-form-urlencoded"),), urlencode(fields))


def multipart(path: str, fields: dict[str, str], files: tuple[tuple[str, str, str, str], ...] = ()) -> RequestSpec:
    """A POST of form fields and text files (field, file name, type, content) as multipart/form-data."""
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    ]
    parts += [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
        f"Content-Type: {media_type}\r\n\r\n{content}\r\n"
        for name, filename, media_type, content in files
    ]
    body = "".join(parts) + f"--{BOUNDARY}--\r\n"
    return RequestSpec("POST", path, (("Content-Type", f"multipart/form-data; boundary={BOUNDARY}"),), body)


def both(status: int, *locations: str, **details: Any) -> dict[str, Expect]:
    """The same answer from both frameworks."""
    return {fw: Expect(status, locations, **details) for fw in FRAMEWORKS}


def each(flask: Expect, fastapi: Expect) -> dict[str, Expect]:
    return {"flask": flask, "fastapi": fastapi}
