"""Form fields and files in a request: encoded as a browser does, bounded, and read back by a real server.

The round trips run against a real Werkzeug server on a loopback port (in this process, so no
start-up cost) whose Flask app (``tests/apps/echo_app.py``) echoes what its own form parser found.
"""

from __future__ import annotations

import hashlib
import io
import os
import secrets
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.formparser import parse_form_data

from explorer.runtime.errors import RequestError
from explorer.runtime.http import forms
from explorer.runtime.http.client import ServerClient
from explorer.runtime.http.exchange import Exchange
from explorer.runtime.http.forms import (
    MAX_FILE_BYTES,
    FilePart,
    encode_form,
    encode_multipart,
    encode_urlencoded,
    form_media_type,
    form_text,
    parse_file_arg,
    parse_form_field,
    parse_form_text,
    read_file_part,
)
from explorer.runtime.http.request import RequestSpec, curl_command


async def _send(url: str, spec: RequestSpec, burst: int = 1) -> Exchange:
    client = ServerClient("flask", url)
    try:
        return await (client.burst(spec, burst) if burst > 1 else client.send(spec))
    finally:
        await client.aclose()


def _grouped(pairs: tuple[tuple[str, str], ...] | list[tuple[str, str]]) -> dict[str, list[str]]:
    """Fields by name, values in order: how a MultiDict hands them back."""
    grouped: dict[str, list[str]] = {}
    for name, value in pairs:
        grouped.setdefault(name, []).append(value)
    return grouped


FIELDS = (("name", "a pen & a cup"), ("price", "3.5"), ("note", "x=1;y=2\r\nline two"), ("name", "ü 😀"), ("empty", ""))


async def test_urlencoded_fields_reach_the_server_as_typed(echo_url: str) -> None:
    exchange = await _send(echo_url, RequestSpec("POST", "/echo", form=FIELDS))
    assert exchange.status == 200, exchange.error
    assert exchange.json == {"content_type": "application/x-www-form-urlencoded", "form": _grouped(FIELDS), "files": []}
    assert exchange.request is not None and exchange.request.body == encode_urlencoded(FIELDS)
    assert ("content-type", "application/x-www-form-urlencoded") in [
        (k.lower(), v) for k, v in exchange.request.headers
    ]
    assert exchange.to_dict()["request"]["form"] == [list(p) for p in FIELDS]


async def test_multipart_fields_and_files_reach_the_server_byte_for_byte(echo_url: str) -> None:
    binary = bytes(range(256)) * 4 + b"\r\n--explorer-\r\n\r\n"
    files = (
        FilePart("upload", 'a "quoted" name.bin', binary),
        FilePart("upload", "notes ü.txt", b"hello\n", "text/plain"),
    )
    exchange = await _send(echo_url, RequestSpec("POST", "/echo", form=FIELDS, files=files))
    assert exchange.status == 200, exchange.error
    body = exchange.json
    assert body["content_type"] == "multipart/form-data"
    assert body["form"] == _grouped(FIELDS)
    assert [(f["field"], f["content_type"], f["sha256"]) for f in body["files"]] == [
        ("upload", "application/octet-stream", hashlib.sha256(binary).hexdigest()),
        ("upload", "text/plain", hashlib.sha256(b"hello\n").hexdigest()),
    ]
    assert body["files"][1]["filename"] == "notes ü.txt"
    assert body["files"][0]["filename"] == 'a "quoted" name.bin'  # sent as %22, as browsers do, and read back
    sent = exchange.to_dict()["request"]["files"]
    assert sent[0] == {
        "field": "upload",
        "filename": 'a "quoted" name.bin',
        "content_type": "application/octet-stream",
        "size": len(binary),
    }


async def test_a_burst_encodes_the_form_once_and_every_copy_is_parsed(
    echo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    real = forms.encode_multipart

    def counted(*args: Any) -> Any:
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(forms, "encode_multipart", counted)
    spec = RequestSpec("POST", "/echo", files=(FilePart("f", "a.txt", b"x" * 1000, "text/plain"),))
    exchange = await _send(echo_url, spec, burst=5)
    assert exchange.burst is not None and exchange.burst.statuses == {"200": 5}
    assert len(calls) == 1


@pytest.mark.serverless
def test_a_boundary_found_in_a_file_is_never_used(monkeypatch: pytest.MonkeyPatch) -> None:
    tokens = iter(["0" * 32, "1" * 32])
    monkeypatch.setattr(secrets, "token_hex", lambda n: next(tokens))  # forms imports it when it makes a boundary
    content_type, _ = encode_form((), (FilePart("f", "a", b"...explorer-" + b"0" * 32 + b"..."),))
    assert content_type == "multipart/form-data; boundary=explorer-" + "1" * 32


_NAME = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\r\n%/\\"), min_size=1, max_size=20)


@pytest.mark.serverless
@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(_NAME, st.text(st.characters(exclude_categories=["Cs"]), max_size=50)), max_size=5),
    st.lists(st.tuples(_NAME, _NAME, st.binary(max_size=300)), min_size=1, max_size=3),
)
def test_werkzeug_parses_any_multipart_body_back_to_what_was_encoded(
    fields: list[tuple[str, str]], files: list[tuple[str, str, bytes]]
) -> None:
    parts = tuple(FilePart(name, filename, data) for name, filename, data in files)
    content_type, body = encode_form(tuple(fields), parts)
    environ = {
        "REQUEST_METHOD": "POST",
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    _, form, parsed = parse_form_data(environ)
    assert dict(form.lists()) == _grouped(fields)
    received: dict[str, list[tuple[str | None, bytes]]] = {}
    for name, storage in parsed.items(multi=True):
        with storage.stream:
            received.setdefault(name, []).append((storage.filename, storage.read()))
    sent: dict[str, list[tuple[str | None, bytes]]] = {}
    for part in parts:
        sent.setdefault(part.field, []).append((part.filename, part.content))
    assert received == sent


@pytest.mark.serverless
@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (RequestSpec("POST", "/x", body="{}", form=(("a", "1"),)), "either a body or form fields"),
        (RequestSpec("POST", "/x", (("Content-Type", "text/plain"),), form=(("a", "1"),)), "remove the Content-Type"),
        (RequestSpec("POST", "/x", form=(("a", "1"),) * 257), "too many form fields"),
        (RequestSpec("POST", "/x", files=(FilePart("f", "a", b""),) * 17), "too many files"),
        (RequestSpec("POST", "/x", form=(("", "1"),)), "needs a name"),
        (RequestSpec("POST", "/x", form=(("a", "\ud800"),)), "lone surrogate"),
        (
            RequestSpec("POST", "/x", files=(FilePart("f", "big", b"x" * (MAX_FILE_BYTES + 1)),)),
            "larger than the 1024 KiB",
        ),
        (RequestSpec("POST", "/x", files=(FilePart("f", "a", b"", "not a type"),)), "media type"),
    ],
)
def test_forms_past_the_bounds_are_refused_in_one_line(spec: RequestSpec, message: str) -> None:
    with pytest.raises(RequestError, match=message):
        spec.checked()


@pytest.mark.serverless
def test_an_encoded_form_over_the_cap_is_refused() -> None:
    three = tuple(FilePart("f", f"{i}", b"x" * MAX_FILE_BYTES) for i in range(3))
    with pytest.raises(RequestError, match="encoded form is larger than the 2048 KiB"):
        RequestSpec("POST", "/x", files=three).checked().encoded()


async def test_a_refused_form_is_an_error_string_not_an_exception(echo_url: str) -> None:
    exchange = await _send(echo_url, RequestSpec("POST", "/echo", body="x", form=(("a", "1"),)), burst=3)
    assert (
        exchange.status is None and exchange.error and exchange.error.startswith("not sent: a request carries either")
    )


@pytest.mark.serverless
def test_parse_form_and_file_arguments() -> None:
    assert parse_form_field("q=a=b") == ("q", "a=b")
    assert parse_form_field("empty=") == ("empty", "")
    assert parse_file_arg("doc=@/tmp/a b.csv") == ("doc", "/tmp/a b.csv", None, None)
    assert parse_file_arg("doc=@x.bin;type=image/png") == ("doc", "x.bin", "image/png", None)
    for bad, message in [("novalue", "name=value"), ("=v", "needs a name")]:
        with pytest.raises(RequestError, match=message):
            parse_form_field(bad)
    for bad, message in [
        ("doc=path", "field=@path"),
        ("=@x", "needs a field name"),
        ("d=@", "needs a path"),
        ("d=@x;type=bad type", "must look like"),
    ]:
        with pytest.raises(RequestError, match=message):
            parse_file_arg(bad)


@pytest.mark.serverless
def test_read_file_part_is_bounded_and_refuses_what_is_not_a_file(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_bytes(b"hello")
    part = read_file_part("doc", tmp_path / "notes.txt")
    assert (part.field, part.filename, part.content, part.content_type) == ("doc", "notes.txt", b"hello", "text/plain")
    assert read_file_part("doc", tmp_path / "notes.txt", "application/x-custom").content_type == "application/x-custom"
    (tmp_path / "big.bin").write_bytes(b"\0" * (MAX_FILE_BYTES + 1))
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for path, message in [
        (tmp_path / "big.bin", "larger than 1 MiB"),
        (fifo, "is a pipe"),
        (tmp_path, "is a folder"),
        (tmp_path / "missing", "no such file"),
    ]:
        with pytest.raises(RequestError, match=message) as caught:
            read_file_part("doc", path)
        assert "\n" not in str(caught.value) and str(caught.value).startswith("file for field 'doc': ")


@pytest.mark.serverless
def test_curl_command_sends_the_same_form() -> None:
    url = "http://127.0.0.1:5000"
    assert (
        curl_command(RequestSpec("POST", "/f", form=(("a b", "1&2"),)), url)
        == "curl -i -X POST --data-raw a+b=1%262 http://127.0.0.1:5000/f"
    )
    spec = RequestSpec(
        "POST", "/f", form=(("n", "@not-a-file"),), files=(FilePart("doc", "a.txt", b"x", "text/plain"),)
    )
    assert (
        curl_command(spec, url)
        == "curl -i -X POST --form-string n=@not-a-file -F 'doc=@a.txt;type=text/plain' http://127.0.0.1:5000/f"
    )


@pytest.mark.serverless
def test_multipart_layout_is_the_browser_one() -> None:
    body = encode_multipart((("a", "1"),), (FilePart("f", "x.txt", b"hi", "text/plain"),), "B")
    assert body == (
        b'--B\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n'
        b'--B\r\nContent-Disposition: form-data; name="f"; filename="x.txt"\r\nContent-Type: text/plain\r\n\r\nhi\r\n'
        b"--B--\r\n"
    )


@pytest.mark.serverless
def test_the_editor_text_of_a_form_reads_back_and_keeps_loaded_files(tmp_path: Path) -> None:
    known = (FilePart("doc", "sample.txt", b"from the sample", "text/plain"),)
    text = form_text((("name", "pen"), ("note", "a=b")), known)
    assert text == "name=pen\nnote=a=b\ndoc=@sample.txt"
    assert parse_form_text(text + "\n\n# a comment\r\n", True, known) == ((("name", "pen"), ("note", "a=b")), known)
    (tmp_path / "disk.json").write_bytes(b"{}")
    form, files = parse_form_text(f"doc=@{tmp_path / 'disk.json'}", True, known)
    assert form == () and files == (FilePart("doc", "disk.json", b"{}", "application/json"),)
    with pytest.raises(RequestError, match="needs Content-Type: multipart/form-data"):
        parse_form_text("doc=@sample.txt", False, known)
    with pytest.raises(RequestError, match="no such file"):
        parse_form_text("doc=@sample.txt", True, ())  # a loaded file is only known while it is loaded
    with pytest.raises(RequestError, match="too many form fields"):
        parse_form_text("a=1\n" * 300, False)
    assert form_media_type("Multipart/Form-Data; boundary=x") == "multipart/form-data"
    assert form_media_type("application/json") is None


@pytest.mark.serverless
def test_multipart_without_a_file_is_still_multipart() -> None:
    spec = RequestSpec("POST", "/f", form=(("a", "1"),), multipart=True).checked()
    headers, body = spec.encoded(boundary="B")
    assert (
        headers[-1] == ("Content-Type", "multipart/form-data; boundary=B")
        and body is not None
        and body.startswith(b"--B\r\n")
    )
    assert spec.to_dict()["multipart"] is True and "files" not in spec.to_dict()
