"""A URL or curl command pasted into the path: read when it targets the explorer's servers, refused otherwise."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.runtime.errors import RequestError
from explorer.runtime.http.curl import CurlWord, read_curl
from explorer.runtime.http.pasted import looks_pasted, read_pasted
from explorer.runtime.http.request import RequestSpec, curl_command

pytestmark = pytest.mark.serverless  # no server, no process: `make test-fast` runs this file

OURS = ["http://127.0.0.1:41001", "http://127.0.0.1:41002"]
_FORM = ("Content-Type", "application/x-www-form-urlencoded")  # what curl's -d sends
_JSON = (("Content-Type", "application/json"), ("Accept", "application/json"))  # what curl's --json sends
_FIELDS = (("name", "pen"), ("note", "@me"))


def test_a_url_printed_by_our_server_log_becomes_its_path() -> None:
    pasted = read_pasted("http://127.0.0.1:41001/items/1?q=pen", OURS)
    assert pasted.spec == RequestSpec("GET", "/items/1?q=pen")
    assert read_pasted("http://localhost:41002", OURS).spec.path == "/"


def test_the_explorers_own_curl_command_reads_back_as_the_same_request() -> None:
    spec = RequestSpec(
        "POST", "/items", (("Content-Type", "application/json"), ("X-Demo", "it's")), '{"name": "pen", "price": 3}'
    )
    assert read_pasted(curl_command(spec, OURS[1]), OURS).spec == spec


def test_curl_forms_people_paste() -> None:
    multi = "curl -s \\\n  -H 'Accept: text/html' \\\n  -A bot --max-time 5 127.0.0.1:41001/hello/ann"
    pasted = read_pasted(multi, OURS)
    assert pasted.spec == RequestSpec("GET", "/hello/ann", (("Accept", "text/html"), ("User-Agent", "bot")))
    assert "--max-time" in pasted.note
    assert (
        read_pasted("curl --json '{\"a\": 1}' http://127.0.0.1:41002/items", OURS).spec.header("content-type")
        == "application/json"
    )
    assert read_pasted("curl -I http://127.0.0.1:41002/items/1", OURS).spec.method == "HEAD"
    assert read_pasted("curl -d x=1 http://127.0.0.1:41002/items", OURS).spec.method == "POST"


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"])
def test_a_multi_line_curl_reads_whatever_line_end_the_terminal_pastes(end: str) -> None:
    """GNOME Terminal, iTerm and tmux paste a line end as CR: a backslash before it continues the line."""
    multi = end.join(["curl -X POST \\", "  -H 'Accept: text/html' \\", "  http://127.0.0.1:41001/items"])
    assert read_pasted(multi, OURS).spec == RequestSpec("POST", "/items", (("Accept", "text/html"),))


def test_one_curl_reader_takes_each_options_value_with_it() -> None:
    """The paste and `parity --from-curl` read curl with one reader (issue 20): `-sL` is two flags, an
    option's value is never taken for the URL, and what is ignored, refused or unknown is said by name."""
    words = ["-sL", "-o", "out", "http://x/", "--proxy", "http://p", "-Z", "-X"]
    assert read_curl(words) == [
        CurlWord("ignored", "-s", "-s"),
        CurlWord("option", "--location", "-L"),
        CurlWord("ignored", "-o", "-o", "out"),
        CurlWord("url", "http://x/", "http://x/", "http://x/"),
        CurlWord("refused", "--proxy", "--proxy", "http://p"),
        CurlWord("unknown", "-Z", "-Z"),
        CurlWord("option", "--request", "-X"),
    ]
    assert read_curl(["-X"])[0].missing and not read_curl(["-s"])[0].missing


def test_a_paste_skips_the_values_of_options_that_change_only_how_curl_connects() -> None:
    """`--data-urlencode q=1` took `q=1` for the URL ("more than one URL"); `-sL` was an unknown option."""
    pasted = read_pasted("curl -sL --proxy http://p -o out.html --max-time 5 http://127.0.0.1:41002/items", OURS)
    assert pasted.spec == RequestSpec("GET", "/items")
    assert "--proxy, -o, --max-time;" in pasted.note and "-sL" not in pasted.note


def test_a_paste_with_location_says_the_redirect_is_not_followed() -> None:
    """-L was dropped without a word: the Workbench showed the redirect where curl showed the final page."""
    note = read_pasted("curl -sL http://127.0.0.1:41002/old", OURS).note
    assert note == (
        "Read the curl command as GET /old; -L is not followed here: each app's first answer is shown "
        "(`explorer parity --from-curl` follows it)."
    )
    assert "-L" not in read_pasted("curl -s http://127.0.0.1:41002/old", OURS).note


def test_every_curl_option_with_an_argument_takes_it() -> None:
    """curl 7.88's options that take an argument (`curl --help all`) each take the next word, so that
    `-T body.txt` is never read as a second URL; one written together with its value (`-XPUT`) too."""
    assert read_curl(["-T", "body.txt", "http://x/"]) == [
        CurlWord("unknown", "-T", "-T", "body.txt"),
        CurlWord("url", "http://x/", "http://x/", "http://x/"),
    ]
    assert [w.value for w in read_curl(["--resolve", "x:80:1.2.3.4", "-sXPUT", "-d", "-sL", "http://x/"])] == [
        "x:80:1.2.3.4",
        None,
        "PUT",
        "-sL",
        "http://x/",
    ]


@pytest.mark.parametrize(
    ("text", "spec"),
    [
        ("curl -u ada:pw URL", RequestSpec("GET", "/items", (("Authorization", "Basic YWRhOnB3"),))),
        ("curl -G --data-urlencode 'q=a b' -d n=2 URL", RequestSpec("GET", "/items?q=a%20b&n=2")),
        ("curl -d n=2 -I -G URL", RequestSpec("HEAD", "/items?n=2")),  # -G moves -d to the query: curl sends it
        ("curl -G -F name=pen URL", RequestSpec("POST", "/items", (), None, (("name", "pen"),), (), True)),  # -G no-op
        ("curl --url-query 'q=a b' URL?x=1", RequestSpec("GET", "/items?x=1&q=a%20b")),
        ("curl -d a=1 -d b=2 URL", RequestSpec("POST", "/items", (_FORM,), "a=1&b=2")),
        ("curl -XPUT --data-raw @x URL", RequestSpec("PUT", "/items", (_FORM,), "@x")),
        ("curl -F name=pen --form-string 'note=@me' URL", RequestSpec("POST", "/items", (), None, _FIELDS, (), True)),
        ("curl -b 'a=1; b=2' URL", RequestSpec("GET", "/items", (("Cookie", "a=1; b=2"),))),
        ("curl --json '{\"a\": 1}' URL", RequestSpec("POST", "/items", _JSON, '{"a": 1}')),
        ("curl -X DELETE --url URL", RequestSpec("DELETE", "/items")),
        ("curl -H 'Content-Type:' -H 'X-Empty;' -d a URL", RequestSpec("POST", "/items", (("X-Empty", ""),), "a")),
    ],
)
def test_a_paste_sends_what_curl_would_send(text: str, spec: RequestSpec) -> None:
    """-u, -G, --data-urlencode, -F and repeated -d were skipped, so the paste sent another request than curl."""
    assert read_pasted(text.replace("URL", "http://127.0.0.1:41002/items"), OURS).spec == spec


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("curl -T body.txt URL", "-T is not supported: "),
        ("curl URL --upload-file body.txt", "--upload-file is not supported: "),
        ("curl -K more.txt URL", "-K is not supported: "),
        ("curl -r 0-9 URL", "-r is not supported: "),
        ("curl --digest -u a:b URL", "--digest is not supported: "),
        ("curl -d @body.json URL", "-d @body.json is not supported: "),
        ("curl -F file=@a.png URL", "-F file=@a.png is not supported: "),
        ("curl -b cookies.txt URL", "-b cookies.txt is not supported: "),
        ("curl -u ada URL", "-u ada is not supported: "),
        ("curl -d a=1 -F b=2 URL", "-d and -F cannot be used together"),
        ("curl -I -d a=1 URL", "-I and -d cannot be used together"),  # curl 7.88: "only one HTTP request method"
        ("curl --json {} --head URL", "-I and -d cannot be used together"),
        ("curl -I -F b=2 URL", "-I and -F cannot be used together"),
        ("curl --url URL URL", "more than one URL"),
        ("curl URL -H", "-H needs a value"),
    ],
)
def test_what_a_paste_cannot_send_is_refused_by_name(text: str, message: str) -> None:
    with pytest.raises(RequestError, match=re.escape(message)):
        read_pasted(text.replace("URL", "http://127.0.0.1:41002/items"), OURS)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("http://example.com/items/1", "example.com is not one of the explorer's servers"),
        ("http://127.0.0.1:9/items/1", "127.0.0.1:9 is not one of"),
        ("http://10.0.0.1:41001/", "10.0.0.1:41001 is not one of"),
        ("https://127.0.0.1:41001/", "plain http"),
        ("curl -X POST", "no URL"),
        ("curl 'unclosed", "does not parse"),
        ("curl http://127.0.0.1:41001/a http://127.0.0.1:41001/b", "more than one URL"),
        ("curl -H 'X-Bad: a\u2028b' http://127.0.0.1:41001/", r"U\+2028"),
        ("http://127.0.0.1:41001/a/../..//evil.example:80/x", "names a host"),
    ],
)
def test_anything_else_is_refused_with_one_line(text: str, message: str) -> None:
    with pytest.raises(RequestError, match=message):
        read_pasted(text, OURS)


def test_paths_are_not_taken_for_pasted_text() -> None:
    assert looks_pasted("  http://127.0.0.1:1/") and looks_pasted("curl x") and looks_pasted("CURL\\\n x")
    assert not looks_pasted("/items/1") and not looks_pasted("/curl")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80) | st.builds(lambda s: "curl " + s, st.text(max_size=80)))
def test_any_pasted_text_is_a_request_or_one_refusal(text: str) -> None:
    try:
        pasted = read_pasted(text, OURS)
    except RequestError:
        return
    assert pasted.spec.path.startswith("/")


async def test_a_plain_path_pasted_into_the_path_field_is_typed_there() -> None:
    """Not a URL nor curl: Textual's own paste handles it (it once awaited that synchronous handler and failed)."""
    from textual import events
    from textual.app import App, ComposeResult

    from panels.editor_parts import PathField
    from tests.apptools import until

    pasted: list[str] = []

    class One(App[None]):
        def compose(self) -> ComposeResult:
            yield PathField(id="path")

        def on_path_field_pasted(self, message: PathField.Pasted) -> None:
            pasted.append(message.text)

    app = One()
    async with app.run_test() as pilot:
        field = app.query_one(PathField)
        field.post_message(events.Paste("/items/2\nsecond line"))
        await until(pilot, lambda: field.value == "/items/2" and app.is_running and app.return_code is None)
        field.post_message(events.Paste("http://127.0.0.1:41001/items/3"))
        await until(pilot, lambda: pasted == ["http://127.0.0.1:41001/items/3"])


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=" \t\r\n\x0b\xa0#'\"\\ab-é", max_size=24))
def test_the_curl_reader_splits_words_as_shlex_does(text: str) -> None:
    """shell_words replaced shlex.split (quadratic on a long word): the same words, the same refusals."""
    import shlex

    from explorer.runtime.http.curl import shell_words

    try:
        expected: list[str] | str = shlex.split(text)
    except ValueError as exc:
        expected = str(exc)
    try:
        got: list[str] | str = shell_words(text)
    except ValueError as exc:
        got = str(exc)
    assert got == expected


def test_a_pasted_curl_command_of_a_megabyte_is_answered_at_once() -> None:
    """A 1 MB body in quotes took shlex 20 s (the app froze meanwhile); the reader is linear in the text."""
    import time

    body = '{"name": "' + "x" * (1024 * 1024) + '"}'
    started = time.perf_counter()
    with pytest.raises(RequestError, match="larger than the 1024 KiB limit"):
        read_pasted(f"curl -H 'Content-Type: application/json' --data-raw '{body}' {OURS[0]}/items", OURS)
    assert time.perf_counter() - started < 3  # 0.1 s when linear, on a loaded machine; 20 s before
