"""Hostile input from files and answers: a recording, an env file, a HAR, a report, a cookie, a path.

Each test hands over what a hostile server or file could (issue 19) and checks the promise: the
value is taken as data, or refused with one clear line (exit 2), never a traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from explorer.parity.entry import ParityFileError, parse_case
from explorer.runtime.errors import RequestError
from tests.clitools import run_cli


def test_a_path_that_is_one_placeholder_is_checked_once_filled() -> None:
    """The requests-file page's `path: "{{order}}"` (from `capture: {order: header.location}`) was refused at load."""
    case = parse_case({"path": "{{order}}"}, "test")
    assert case.sides["flask"].render({"order": "/orders/7"}).path == "/orders/7"
    assert (
        parse_case({"path": "{{base}}/items?x=1"}, "test").sides["fastapi"].render({"base": "/v2"}).path
        == "/v2/items?x=1"
    )
    with pytest.raises(RequestError, match="must start with '/'"):
        case.sides["flask"].render({"order": "orders/7"})
    with pytest.raises(RequestError, match="never another host"):
        case.sides["flask"].render({"order": "http://example.com/x"})
    with pytest.raises(ParityFileError, match="must start with '/'"):
        parse_case({"path": "items/{{id}}"}, "test")


def test_a_cookie_that_cannot_be_sent_back_is_refused_with_a_note() -> None:
    """After `Set-Cookie: lat=caf\\xe9` every later request failed with "'ascii' codec can't encode"."""
    import httpx

    from explorer.runtime.http.cookies import CookieJar

    jar = CookieJar()
    notes = jar.update(["lat=caf\xe9; Path=/", "ok=1", "t\xe9=x", "bell=a\x07b", "tab=a\tb"], "/")
    assert [c.name for c in jar.cookies()] == ["ok", "tab"]  # RFC 6265bis keeps a tab, refuses other controls
    assert len(notes) == 3 and all(n.startswith("cookie not stored: ") for n in notes)
    assert "'lat'" in notes[0] and "ASCII" in notes[0]
    header = jar.header_for("/next")
    assert header == "ok=1; tab=a\tb"
    httpx.Client().build_request("GET", "http://127.0.0.1/next", headers={"Cookie": header})  # sendable


def test_fuzzed_path_parameters_are_encoded_once() -> None:
    """Schemathesis percent-encodes path parameters already; `--fuzz` encoded them again (`%252F` in `--write`)."""
    pytest.importorskip("schemathesis")
    from hypothesis import HealthCheck, Phase, given, settings
    from schemathesis import openapi

    from explorer.parity.fuzz import _entry
    from explorer.parity.generate import Operation

    document = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/files/{name}": {
                "get": {
                    "parameters": [{"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
    }
    strategy = openapi.from_dict(document)["/files/{name}"]["GET"].as_strategy(path_parameters={"name": "a/b c%"})
    op = Operation("GET", "/files/<name>", "/files/x", openapi_path="/files/{name}")
    paths: list[str] = []
    settings(max_examples=1, phases=[Phase.generate], database=None, suppress_health_check=list(HealthCheck))(
        given(strategy)(lambda case: paths.append(_entry(op, case)["path"]))
    )()
    assert "/files/a%2Fb%20c%25" in paths, paths


def test_an_env_file_breaks_lines_only_at_newlines() -> None:
    """`str.splitlines()` broke at U+2028, form feeds and the like: `A=one<U+2028>B=injected` gave the app a `B`."""
    from explorer.runtime.userdata.envfile import parse_dotenv

    text = 'A=one\u2028B=injected\nC="two\x0cthree"\r\nD=x\x1cE=y\x85F=z\x0bG=w\r\nH="a\r\nb"\n'
    assert parse_dotenv(text) == [
        ("A", "one\u2028B=injected"),
        ("C", "two\x0cthree"),
        ("D", "x\x1cE=y\x85F=z\x0bG=w"),
        ("H", "a\nb"),
    ]


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_a_captured_nan_placed_in_a_json_body_is_a_template_error(value: float) -> None:
    """json.dumps(allow_nan=False) raised ValueError out of render: the run died."""
    from explorer.parity.template import RequestTemplate, TemplateError

    template = RequestTemplate("POST", "/x", body={"n": "{{n}}", "list": ["{{n}}"]})
    with pytest.raises(TemplateError, match="not a JSON number"):
        template.render({"n": value})
    assert RequestTemplate("GET", "/x?n={{n}}").render({"n": value}).path.startswith("/x?n=")  # as text: fine


HAR_CASES = {
    "log a list": '{"log": []}',
    "log a string": '{"log": "x"}',
    "entries not a list": '{"log": {"entries": 3}}',
    "bad base64": '{"log": {"entries": [{"request": {"method": "POST", "url": "http://h/x",'
    ' "postData": {"text": "@@@", "encoding": "base64"}}}]}}',
    "bad IPv6 URL": '{"log": {"entries": [{"request": {"url": "http://[::1/x"}}]}}',
    "bad port": '{"log": {"entries": [{"request": {"url": "http://h:99999/x"}}]}}',
}


@pytest.mark.parametrize("name", HAR_CASES)
def test_a_broken_har_is_one_line(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    har = tmp_path / "x.har"
    har.write_text(HAR_CASES[name])
    assert run_cli(capsys, "parity", "--from-har", str(har)).startswith("explorer: error: x.har")


@pytest.mark.parametrize("url", ["http://[::1/x", "http://h:99999/x", "http://h:port/x"])
def test_a_curl_file_with_a_broken_url_is_one_line(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    commands = tmp_path / "x.curl"
    commands.write_text(f"curl {url}\n")
    assert "x.curl: line 1" in run_cli(capsys, "parity", "--from-curl", str(commands))


REPORT_CASES = {
    "level 1e999": '{"kind": "report", "sections": [{"title": "t", "level": 1e999}]}',
    "level Infinity": '{"kind": "report", "sections": [{"title": "t", "level": Infinity}]}',
    "level NaN": '{"kind": "report", "sections": [{"title": "t", "level": NaN}]}',
    "level huge": '{"kind": "report", "sections": [{"title": "t", "level": 100000000000000}]}',
    "curl a number": '{"kind": "report", "sections": [{"title": "t", "exchanges": [{"title": "e", "request": "GET /", "curl": 5}]}]}',
    "curl a list": '{"kind": "report", "sections": [{"title": "t", "exchanges": [{"title": "e", "request": "GET /", "curl": ["a"]}]}]}',
    "timing a string": '{"kind": "report", "sections": [{"title": "t", "exchanges": [{"title": "e", "request": "GET /", "status": 200, "total_ms": "x"}]}]}',
    "request a number": '{"kind": "report", "sections": [{"title": "t", "exchanges": [{"title": "e", "request": 5}]}]}',
    "exchange not a mapping": '{"kind": "report", "sections": [{"title": "t", "exchanges": [5]}]}',
    "parity run, odd exchange": '{"kind": "parity", "results": [{"name": "a", "outcome": "differ", "curl": {"flask": 5}, '
    '"exchanges": {"flask": {"status": 200, "content_type": 5, "elapsed_ms": "x", '
    '"request": {"method": "GET", "path": "/"}}}}]}',
}


@pytest.mark.parametrize("name", REPORT_CASES)
def test_a_broken_saved_report_is_one_line_or_read(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`report --from` with `"level": 1e999` raised OverflowError; a non-string `curl` a TypeError."""
    from explorer.cli.main import main

    saved = tmp_path / "run.json"
    saved.write_text(REPORT_CASES[name])
    with pytest.raises(SystemExit) as stopped:
        main(["report", "--from", str(saved)])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    if stopped.value.code == 0:
        assert captured.out.startswith("# ") and len(captured.out) < 2000  # read, with the odd values made safe
    else:
        assert stopped.value.code == 2 and captured.err.count("\n") == 1 and "run.json" in captured.err


NO_USER = "~nosuchuser-h3/x"  # a home folder Python cannot find: Path.expanduser raised RuntimeError


@pytest.mark.parametrize("option", ["--flask-dir", "--flask-python", "--app-dir"])
def test_a_path_of_an_unknown_users_home_is_one_line(option: str, capsys: pytest.CaptureFixture[str]) -> None:
    err = run_cli(capsys, "send", "GET", "/", "--framework", "flask", "--flask", "m:app", option, NO_USER)
    assert "~nosuchuser-h3" in err


@pytest.mark.parametrize("key", ["dir", "env_file", "python"])
def test_a_config_path_of_an_unknown_users_home_is_one_line(
    key: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "explorer.toml"
    config.write_text(f'[flask]\ntarget = "m:app"\n{key} = "{NO_USER}"\n')
    assert "~nosuchuser-h3" in run_cli(capsys, "send", "GET", "/", "--framework", "flask", "--config", str(config))


@pytest.mark.parametrize("option", ["--junit", "--report", "--write"])
def test_an_output_path_of_an_unknown_users_home_is_one_line(
    option: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    commands = tmp_path / "x.curl"
    commands.write_text("curl http://127.0.0.1/x\n")
    assert "~nosuchuser-h3" in run_cli(capsys, "parity", "--from-curl", str(commands), option, NO_USER)


def test_a_file_part_of_an_unknown_users_home_is_a_file_error(tmp_path: Path) -> None:
    with pytest.raises(ParityFileError, match="nosuchuser"):
        parse_case({"path": "/x", "method": "POST", "files": {"f": NO_USER}}, "test", tmp_path)


def test_every_user_path_is_expanded_in_one_place() -> None:
    """`~user/` is expanded by one function that never raises; a new call of Path.expanduser would bring the bug back."""
    import inspect

    import explorer
    from explorer.runtime.userdata.datafile import user_path

    root = Path(explorer.__file__).parent
    callers = [p for p in root.rglob("*.py") if "expanduser(" in p.read_text(encoding="utf-8")]
    assert callers == [Path(inspect.getsourcefile(user_path) or "")]


def test_a_file_field_reads_curls_type_and_filename() -> None:
    """`-F 'f=@data.txt;type=text/plain'` said "no such file data.txt;type=…" (curl files); `;filename=` was lost."""
    from explorer.runtime.http.forms import parse_file_arg

    assert parse_file_arg("f=@data.txt") == ("f", "data.txt", None, None)
    assert parse_file_arg("f=@data.txt;type=text/plain") == ("f", "data.txt", "text/plain", None)
    assert parse_file_arg("f=@data.txt;filename=sent.csv") == ("f", "data.txt", None, "sent.csv")
    assert parse_file_arg("f=@d.txt; filename=s.txt;type=text/csv") == ("f", "d.txt", "text/csv", "s.txt")
    assert parse_file_arg("f=@d.txt;type=text/plain;charset=utf-8;filename=s") == (
        "f",
        "d.txt",
        "text/plain;charset=utf-8",
        "s",
    )
    assert parse_file_arg('f=@"a;b,c.txt";filename="x \\"y\\".txt"') == ("f", "a;b,c.txt", None, 'x "y".txt')
    assert parse_file_arg("f=@/tmp/a b.csv") == ("f", "/tmp/a b.csv", None, None)
    for bad, message in [
        ("f=@a.txt;headers=X-A: 1", "headers="),
        ("f=@a.txt;foo=1", "foo="),
        ("f=@a.txt,b.txt", "one file"),
        ("f=@a.txt;type=text", "must look like"),
    ]:
        with pytest.raises(RequestError, match=message):
            parse_file_arg(bad)


def test_send_file_and_a_curl_file_send_the_type_and_the_name(tmp_path: Path) -> None:
    from explorer.cli.main import build_parser, build_send_spec
    from explorer.parity.imports import from_curl
    from explorer.parity.suite import parse_suite

    (tmp_path / "data.txt").write_text("hello")
    args = build_parser().parse_args(
        ["send", "POST", "/u", "--file", f"f=@{tmp_path / 'data.txt'};type=text/csv;filename=r.csv"]
    )
    part = build_send_spec(args).files[0]
    assert (part.filename, part.content_type, part.content) == ("r.csv", "text/csv", b"hello")

    commands = tmp_path / "up.curl"
    commands.write_text("curl http://h/u -F 'f=@data.txt;type=text/plain' -F 'g=@data.txt;filename=other.bin'\n")
    [entry] = from_curl(commands)
    assert entry["files"] == {
        "f": {"path": "data.txt", "type": "text/plain"},
        "g": {"path": "data.txt", "filename": "other.bin"},
    }
    parts = parse_suite({"requests": [entry]}, "up.curl", tmp_path).cases[0].request.files
    assert [(p.field, p.filename, p.content_type) for p in parts] == [
        ("f", "data.txt", "text/plain"),
        ("g", "other.bin", "application/octet-stream"),
    ]


def test_a_literal_placeholder_has_an_escape_and_a_recording_uses_it(tmp_path: Path) -> None:
    """A recording holding `{{x}}` was refused as an unknown placeholder, with no way to send it as text."""
    from explorer.parity.imports import from_curl, from_har
    from explorer.parity.suite import parse_suite
    from explorer.parity.template import RequestTemplate

    with pytest.raises(ParityFileError, match=r"unknown \{\{x\}\}.*write \\\{\{x\}\} to send it as text"):
        parse_suite({"requests": [{"path": "/t", "body": "Hello {{x}}"}]}, "t.yaml")
    raw = RequestTemplate(
        "POST", "/t", headers=(("X-T", "\\{{a}}"),), body="\\{{x}} \\\\{{x}} {{{{y}}}} \\{{{{y}}", raw=True
    )
    assert raw.names() == ["y"]
    spec = raw.render({"y": 1})
    assert spec.body == "{{x}} \\{{x}} {{1}} {{1" and spec.header("x-t") == "{{a}}"
    assert RequestTemplate("POST", "/t", body={"k": "\\{{x}}"}).render({}).body == '{"k": "{{x}}"}'

    commands = tmp_path / "t.curl"
    commands.write_text("curl http://h/t?q=%7B -H 'X-T: {{a}}' -d 'Hello {{x}} \\{{y}} {{{z}}}'\n")
    har = tmp_path / "t.har"
    har.write_text(
        '{"log": {"entries": [{"request": {"method": "POST", "url": "http://h/{{p}}", '
        '"headers": [{"name": "X-T", "value": "{{a}}"}], "postData": {"text": "Hello {{x}}"}}}]}}'
    )
    for entries, body, path in [
        (from_curl(commands), "Hello {{x}} \\{{y}} {{{z}}}", "/t?q=%7B"),
        (from_har(har), "Hello {{x}}", "/{{p}}"),
    ]:
        spec = parse_suite({"requests": entries}, "t", tmp_path).cases[0].sides["flask"].render({})
        assert (spec.body, spec.header("x-t"), spec.path) == (body, "{{a}}", path)  # sent as recorded


@pytest.mark.parametrize("name", ["a;b.txt", "a,b.txt", 'say "hi".txt', "back\\slash", " edge ", "plain.txt"])
def test_the_curl_command_quotes_a_file_name_as_curl_reads_it(name: str) -> None:
    """The shown curl command wrote `-F 'f=@a;b.txt;...'`, which curl (and the import) reads as the file `a`."""
    import shlex

    from explorer.runtime.http.forms import FilePart, parse_file_arg
    from explorer.runtime.http.request import RequestSpec, curl_command

    command = curl_command(
        RequestSpec("POST", "/u", files=(FilePart("f", name, b"x", "text/plain"),)), "http://127.0.0.1:1"
    )
    words = shlex.split(command)
    assert parse_file_arg(words[words.index("-F") + 1]) == ("f", name, "text/plain", None)


def test_generated_and_fuzzed_requests_send_a_brace_pair_as_text() -> None:
    """An OpenAPI example or a drawn string holding `{{name}}` was refused or failed as an unknown placeholder."""
    pytest.importorskip("schemathesis")
    from types import SimpleNamespace

    from explorer.parity.fuzz import _entry
    from explorer.parity.generate import Operation, entries_for
    from explorer.parity.suite import parse_suite

    op = Operation(
        "POST", "/mail", "/mail", body='{"template": "Hi {{name}}", "n": [1, "{{x}}"]}', openapi_path="/mail"
    )
    drawn = SimpleNamespace(path_parameters={}, query={"q": "{{q}}"}, headers={"X-T": "{{h}}"}, body={"t": ["{{b}}"]})
    entries = [*entries_for([op]), _entry(op, drawn)]
    generated, fuzzed = (case.sides["fastapi"].render({}) for case in parse_suite({"requests": entries}, "g").cases)
    assert generated.body == '{"template": "Hi {{name}}", "n": [1, "{{x}}"]}'
    assert (fuzzed.body, fuzzed.header("x-t"), fuzzed.path) == ('{"t": ["{{b}}"]}', "{{h}}", "/mail?q=%7B%7Bq%7D%7D")


def test_a_curl_file_breaks_lines_only_at_newlines(tmp_path: Path) -> None:
    """Like the env file: `str.splitlines()` cut a command at a U+2028 or a form feed inside its quoted data."""
    from explorer.parity.imports import from_curl

    commands = tmp_path / "x.curl"
    commands.write_text("curl http://h/a -d 'one\u2028two\x0cthree'\r\ncurl http://h/b\n", newline="")
    first, second = from_curl(commands)
    assert (first["body"], second["path"]) == ("one\u2028two\x0cthree", "/b")


@pytest.mark.parametrize("key", ["dir", "env_file", "python"])
def test_a_config_path_holding_a_nul_is_one_line(key: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """TOML can spell a NUL (`\\u0000`); `env_file` with one raised "ValueError: embedded null byte" from open()."""
    config = tmp_path / "explorer.toml"
    config.write_text(f'[flask]\ntarget = "m:app"\n{key} = "~a\\u0000b/x"\n')
    run_cli(capsys, "send", "GET", "/", "--framework", "flask", "--config", str(config))


def test_the_editor_text_of_a_loaded_file_with_a_semicolon_reads_back() -> None:
    """With curl's `;type=`/`;filename=` read, a loaded file named `a;b.txt` must be written quoted in the editor."""
    from explorer.runtime.http.forms import FilePart, form_text, parse_form_text

    known = (FilePart("doc", "a;b.txt", b"x", "text/plain"), FilePart("raw", 'say "hi"', b"y", "text/plain"))
    assert parse_form_text(form_text((("n", "1"),), known), True, known) == ((("n", "1"),), known)


def test_an_env_file_expands_variables_as_python_dotenv_does_and_bounds_them() -> None:
    """`${VAR}` was kept as written; Flask's CLI reads `.env` with python-dotenv, which expands it."""
    from explorer.runtime.userdata.envfile import EnvError, parse_dotenv

    text = "DB_DIR=${HOME}/data\nDB=sqlite:///${DB_DIR}/app.db\nMODE=${MODE:-dev}\nRAW='${DB_DIR}'\nLONE=a\rB=c\n"
    assert parse_dotenv(text, {"HOME": "/home/ann", "SECRET": "never asked"}) == [
        ("DB_DIR", "/home/ann/data"),
        ("DB", "sqlite:////home/ann/data/app.db"),
        ("MODE", "dev"),
        ("RAW", "/home/ann/data"),
        ("LONE", "a\rB=c"),
    ]
    big = "A=" + "x" * 30000 + "\nB=" + "${A}" * 8000 + "\n"  # 240 MB once expanded: refused before it is built
    with pytest.raises(EnvError, match="longer than 32,768 characters once"):
        parse_dotenv(big)
