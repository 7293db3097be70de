"""The cookie jar: RFC 6265's rules that matter here, bounds on what a server sets, and a real round trip."""

from __future__ import annotations

import time

import pytest

from explorer.content.cookie_format import describe_cookie
from explorer.runtime.http.client import ServerClient
from explorer.runtime.http.cookies import MAX_COOKIE_BYTES, MAX_COOKIES, CookieJar, default_path, path_matches
from explorer.runtime.http.request import RequestSpec


@pytest.mark.serverless
def test_paths_follow_rfc_6265() -> None:
    assert default_path("/") == default_path("/login") == default_path("/login?next=/a/b") == "/"
    assert default_path("/account/login") == "/account"
    assert path_matches("/", "/anything") and path_matches("/account", "/account/x")
    assert path_matches("/account/", "/account/x") and path_matches("/account", "/account?q=1")
    assert not path_matches("/account", "/accounts") and not path_matches("/account", "/")


@pytest.mark.serverless
def test_the_jar_stores_replaces_deletes_and_orders() -> None:
    jar = CookieJar()
    assert jar.update(["a=1; Path=/", "b=2; Path=/x; HttpOnly; SameSite=Lax", "c=3"], "/x/login") == []
    assert {(c.name, c.path) for c in jar.cookies()} == {("a", "/"), ("b", "/x"), ("c", "/x")}
    assert jar.header_for("/x/page") == "b=2; c=3; a=1"  # longer paths first
    assert jar.header_for("/other") == "a=1"
    jar.update(["a=changed; Path=/"], "/")
    assert jar.header_for("/") == "a=changed"
    jar.update(["a=; Max-Age=0; Path=/", "b=x; Path=/x; Expires=Thu, 01 Jan 1970 00:00:00 GMT"], "/")
    assert [c.name for c in jar.cookies()] == ["c"]
    jar.update(["s=1; Max-Age=1"], "/")
    assert "expires in 1 s" in jar.cookies()[-1].attributes(now=time.time())
    jar.clear()
    assert jar.header_for("/") is None and len(jar) == 0


@pytest.mark.serverless
def test_what_a_server_sets_is_bounded_and_refusals_are_notes() -> None:
    jar = CookieJar()
    notes = jar.update(
        [
            "novalue",
            "=x",
            f"big={'x' * MAX_COOKIE_BYTES}",
            "d=1; Domain=example.com",
            "ok=1; Max-Age=soon; Expires=never",
        ],
        "/",
    )
    assert [n.split(":")[0] for n in notes] == ["cookie not stored"] * 4
    assert "domain 'example.com', not 127.0.0.1" in notes[3] and f"larger than {MAX_COOKIE_BYTES} bytes" in notes[2]
    assert [c.name for c in jar.cookies()] == ["ok"] and jar.cookies()[0].expires is None  # bad attributes ignored
    notes = jar.update([f"c{i}=1" for i in range(MAX_COOKIES + 5)], "/")
    assert len(jar) == MAX_COOKIES and len(notes) == 6 and "holds 50 cookies already" in notes[0]


async def test_a_login_then_a_page_carries_the_session(echo_url: str) -> None:
    jar = CookieJar()
    client = ServerClient("flask", echo_url, jar=jar)
    try:
        login = await client.send(RequestSpec("POST", "/login?user=grace"))
        assert login.status == 200 and [c.name for c in login.cookie_jar or ()] == ["session"]
        me = await client.send(RequestSpec("GET", "/me"))
        assert me.json == {"user": "grace", "cookies": ["session"]}
        assert me.request is not None and ("cookie", f"session={jar.cookies()[0].value}") in [
            (k.lower(), v) for k, v in me.request.headers
        ]
        described = describe_cookie(jar.cookies()[0].value)
        assert described is not None and described.startswith("Flask session format") and '"user": "grace"' in described
        mine = await client.send(RequestSpec("GET", "/me", (("Cookie", "other=1"),)))
        assert mine.json == {"user": None, "cookies": ["other"]}  # a Cookie header typed by the user wins
        await client.send(RequestSpec("GET", "/set?name=deep&value=1&path=/cookies/a"))
        under = await client.send(RequestSpec("GET", "/cookies/a/b"))
        assert under.json["cookie"].startswith("deep=1; session=")
        outside = await client.send(RequestSpec("GET", "/cookies/b"))
        assert "deep" not in outside.json["cookie"]
        foreign = await client.send(RequestSpec("GET", "/set?name=f&domain=example.com"))
        assert any("domain 'example.com'" in note for note in foreign.notes)
        assert foreign.to_dict()["cookie_jar"][0]["name"] == "session"
        burst = await client.burst(RequestSpec("GET", "/set?name=b&value=2"), 3)
        assert burst.burst is not None and burst.burst.statuses == {"200": 3} and "b" in [c.name for c in jar.cookies()]
    finally:
        await client.aclose()
    without = ServerClient("flask", echo_url)
    try:
        assert (await without.send(RequestSpec("POST", "/login"))).cookie_jar is None
        assert (await without.send(RequestSpec("GET", "/me"))).json == {"user": None, "cookies": []}  # nor kept unseen
    finally:
        await without.aclose()
