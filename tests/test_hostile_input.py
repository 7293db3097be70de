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


def test_placeholders_are_sized_before_they_are_filled() -> None:
    """300 copies of a captured megabyte took 630 MB before the fix; each part is now refused unbuilt."""
    import tracemalloc

    import pytest

    from explorer.parity.template import RequestTemplate, TemplateError

    values = {"tok": "T" * (1024 * 1024)}
    cases = {
        "body": RequestTemplate("POST", "/x", body=["{{tok}}"] * 300),
        "path": RequestTemplate("GET", "/x?" + "{{tok}}" * 300),
        "X-A header": RequestTemplate("GET", "/x", headers=(("X-A", "{{tok}}" * 300),)),
        "form field": RequestTemplate("POST", "/x", form=tuple((f"f{i}", "{{tok}}") for i in range(300))),
        "raw body": RequestTemplate("POST", "/x", body="{{tok}}" * 300, raw=True),
    }
    for where, template in cases.items():
        tracemalloc.start()
        with pytest.raises(TemplateError, match="once filled"):
            template.render(values)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < 8 * 1024 * 1024, f"{where}: {peak / 2**20:.0f} MiB"
    assert RequestTemplate("POST", "/x", body={"t": "{{tok}}"}).render({"tok": "abc"}).body == '{"t": "abc"}'
