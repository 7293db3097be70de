"""Hostile input against the newer surfaces: cookie jars, placeholders, ignore_regex, OpenAPI examples.

Each test hands over what a hostile server, app or file could, and checks the promise: a bound
holds, a clear message comes back, and nothing raises, hangs or calls an incomplete comparison equal.
"""

from __future__ import annotations

import time

from explorer.runtime.cookies import CookieJar


def test_a_huge_or_odd_max_age_is_a_cookie_note_never_an_exception() -> None:
    """A 400-digit Max-Age raised OverflowError out of the jar (a traceback in `send`) before the fix."""
    jar = CookieJar()
    notes = jar.update(["big=1; Max-Age=" + "9" * 400, "gone=1; Max-Age=-" + "9" * 400,
                        "arabic=1; Max-Age=\u0661\u0662", "far=1; Expires=Fri, 31 Dec 9999 23:59:59 GMT"], "/")  # fmt: skip
    assert notes == []
    kept = {c.name: c for c in jar.cookies()}
    assert set(kept) == {"big", "arabic", "far"}
    within = time.time() + 400 * 86400 + 5
    assert kept["big"].expires is not None and kept["big"].expires <= within  # clamped, as RFC 6265bis says
    assert kept["far"].expires is not None and kept["far"].expires <= within
    assert kept["arabic"].expires is None  # digits that are not ASCII: the attribute is ignored
