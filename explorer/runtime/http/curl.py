"""A curl command read as curl reads it: each option with its argument, then the request it makes.

A paste into the Workbench's path (:mod:`explorer.runtime.http.pasted`) and ``explorer parity
--from-curl`` (:mod:`explorer.parity.imports`) read curl here, so both send what curl would send. Each of
curl 7.88's options that take an argument (``curl --help all``) takes the next word, or the rest of a
short option's word (``-XPUT``), so a value is never taken for the URL. Then an option either makes the
request (``-X``, ``-H``, ``-d`` and its kin, ``--json``, ``-F``, ``-u``, ``-G``, ``-b``, ...), changes
only what curl prints or how it connects (skipped; the caller names it), or is refused by name: sent
without it, the request would be another one than curl's (``-T is not supported: ...``).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import quote

from explorer.runtime.errors import RequestError
from explorer.runtime.userdata.bounded import printable

__all__ = [
    "CURL_DATA",
    "CURL_IGNORED",
    "CURL_IGNORED_WITH_VALUE",
    "CURL_REFUSED",
    "CurlRequest",
    "CurlWord",
    "curl_words",
    "read_curl",
    "request_of",
]

# Each option curl spells two ways is read under its long name.
_LONG = {
    "-X": "--request",
    "-H": "--header",
    "-d": "--data",
    "-A": "--user-agent",
    "-e": "--referer",
    "-b": "--cookie",
    "-u": "--user",
    "-F": "--form",
    "-L": "--location",
    "-G": "--get",
    "-I": "--head",
}
CURL_DATA = frozenset({"--data", "--data-raw", "--data-binary", "--data-ascii", "--data-urlencode", "--json"})
_KNOWN = frozenset(_LONG.values()) | CURL_DATA | {"--url", "--url-query", "--form-string"}
# curl 7.88.1's options that take an argument (`curl --help all`), long and short.
_ARGUMENT_NAMES = (
    "--abstract-unix-socket --alt-svc --aws-sigv4 --cacert --capath --cert --cert-type --ciphers --config "
    "--connect-timeout --connect-to --continue-at --cookie --cookie-jar --create-file-mode --crlfile "
    "--curves --data --data-ascii --data-binary --data-raw --data-urlencode --delegation --dns-interface "
    "--dns-ipv4-addr --dns-ipv6-addr --dns-servers --doh-url --dump-header --egd-file --engine "
    "--etag-compare --etag-save --expect100-timeout --form --form-string --ftp-account "
    "--ftp-alternative-to-user --ftp-method --ftp-port --ftp-ssl-ccc-mode --happy-eyeballs-timeout-ms "
    "--header --help --hostpubmd5 --hostpubsha256 --hsts --interface --json --keepalive-time --key "
    "--key-type --krb --libcurl --limit-rate --local-port --login-options --mail-auth --mail-from "
    "--mail-rcpt --max-filesize --max-redirs --max-time --netrc-file --noproxy --oauth2-bearer --output "
    "--output-dir --parallel-max --pass --pinnedpubkey --preproxy --proto --proto-default --proto-redir "
    "--proxy --proxy-cacert --proxy-capath --proxy-cert --proxy-cert-type --proxy-ciphers --proxy-crlfile "
    "--proxy-header --proxy-key --proxy-key-type --proxy-pass --proxy-pinnedpubkey --proxy-service-name "
    "--proxy-tls13-ciphers --proxy-tlsauthtype --proxy-tlspassword --proxy-tlsuser --proxy-user --proxy1.0 "
    "--pubkey --quote --random-file --range --rate --referer --request --request-target --resolve --retry "
    "--retry-delay --retry-max-time --sasl-authzid --service-name --socks4 --socks4a --socks5 "
    "--socks5-gssapi-service --socks5-hostname --speed-limit --speed-time --stderr --telnet-option "
    "--tftp-blksize --time-cond --tls-max --tls13-ciphers --tlsauthtype --tlspassword --tlsuser --trace "
    "--trace-ascii --unix-socket --upload-file --url --url-query --user --user-agent --write-out"
)
_WITH_ARGUMENT = frozenset(_ARGUMENT_NAMES.split()) | {f"-{letter}" for letter in "EKCbcdDFPHhmoUQreXYytzTuAwx"}
_SHORT_FLAGS = set("aqfGgI0ik46jlLMn:NZ#pJORSs231BvV")  # curl's short options without an argument
# Options that change only what curl prints or how it connects: skipped (a paste and an import name them).
CURL_IGNORED = frozenset(
    {
        *("-i", "--include", "-s", "--silent", "-S", "--show-error", "-v", "--verbose", "-k", "--insecure"),
        *("--compressed", "-f", "--fail", "--fail-with-body", "-g", "--globoff", "--http1.1", "-#", "--progress-bar"),
        *("--no-progress-meter", "-N", "--no-buffer", "-4", "--ipv4", "-6", "--ipv6", "--tcp-nodelay"),
        *("-O", "--remote-name", "-J", "--remote-header-name", "-R", "--remote-time", "--create-dirs"),
    }
)
CURL_IGNORED_WITH_VALUE = frozenset(
    {
        *("-o", "--output", "-m", "--max-time", "--connect-timeout", "-w", "--write-out", "-D", "--dump-header"),
        *("--output-dir", "--stderr", "--trace", "--trace-ascii", "--limit-rate", "--max-redirs", "--cacert"),
        *("--capath", "-y", "--speed-time", "-Y", "--speed-limit", "--keepalive-time", "--expect100-timeout"),
    }
)
# Options with a value that change where curl connects or what it keeps (another server, a cookie jar,
# retries): an import refuses them by name; a paste, which sends to the explorer's own server anyway,
# skips them and says so.
CURL_REFUSED = frozenset(
    {
        *("-c", "--cookie-jar", "-x", "--proxy", "--preproxy", "-U", "--proxy-user", "--retry", "--resolve"),
        *("--connect-to", "--unix-socket", "--abstract-unix-socket", "--socks5", "--socks5-hostname"),
    }
)
_UPLOAD = "curl sends that file as the body of a PUT; give the body itself with -d or --data-raw"
_WHY = {  # why an option is not supported, for the options people paste most
    **dict.fromkeys(("-T", "--upload-file"), _UPLOAD),
    **dict.fromkeys(("-K", "--config"), "curl reads more options from that file"),
    **dict.fromkeys(("-:", "--next"), "the command is one request"),
    "--request-target": "the request target comes from the URL",
}
_WHY_DEFAULT = "it changes the request curl sends, and the explorer cannot send that change"
_NO_FILES = "a paste reads no file; put the content itself in the command"
# A backslash ends a line to continue it; terminals send the line end as LF, CRLF or a lone CR
# (GNOME Terminal, iTerm and tmux paste CR), and all three join the next line.
_CONTINUED = re.compile(r"\\(?:\r\n|\r|\n)")
# A shell word's parts, as shlex (POSIX mode, no comments) reads them: '...', "...", a backslash and the
# character it escapes, and plain characters.
_BLANKS = " \t\r\n"
_GAP = re.compile(r"[ \t\r\n]+")
_WORD_PART = re.compile(r"""'([^']*)'|"((?:[^"\\]|\\.)*)"|\\(.)|([^ \t\r\n'"\\]+)""", re.DOTALL)
_QUOTED_ESCAPE = re.compile(r'\\(["\\])')
_OPEN_DOUBLE = re.compile(r'"(?:[^"\\]|\\.)*', re.DOTALL)

CurlKind = Literal["option", "url", "ignored", "refused", "unknown"]


@dataclass(frozen=True)
class CurlWord:
    """One part of a curl command, in order: an option the reader knows (``name`` its long name, ``value``
    None when the command ends before it), a URL, or an option ignored, refused or unknown (as written)."""

    kind: CurlKind
    name: str
    written: str
    value: str | None = None

    @property
    def missing(self) -> bool:
        """True for an option that takes a value where the command ended before one."""
        return self.value is None and self.kind != "url" and self.takes

    @property
    def takes(self) -> bool:
        """True for an option followed by a value of its own."""
        return _takes_value(self.written)


def curl_words(command: str) -> list[str]:
    """The words of a curl command, split like a shell line (never by a shell): a backslash before a
    line end (LF, CRLF or a lone CR, as terminals paste it) continues the line. :class:`ValueError` if
    the quoting does not close."""
    return shell_words(_CONTINUED.sub(" ", command))


def shell_words(text: str) -> list[str]:
    """``shlex.split(text)`` in time linear in the text. shlex adds a word's characters one at a time to a
    string attribute, a copy each, so a pasted command with a 1 MB body took 20 s and froze the app."""
    words: list[str] = []
    pos, end = 0, len(text)
    while True:
        if (gap := _GAP.match(text, pos)) is not None:
            pos = gap.end()
        if pos >= end:
            return words
        parts: list[str] = []
        while pos < end and text[pos] not in _BLANKS:
            part = _WORD_PART.match(text, pos)
            if part is None:  # an unclosed quote, or a backslash that ends the text: what shlex says then
                raise ValueError(_unclosed(text, pos))
            single, double, escaped, plain = part.groups()
            if double is not None:  # in double quotes a backslash escapes only " and itself, as in shlex
                double = _QUOTED_ESCAPE.sub(r"\1", double)
            parts.append(next(p for p in (single, double, escaped, plain) if p is not None))
            pos = part.end()
        words.append("".join(parts))


def _unclosed(text: str, pos: int) -> str:
    """shlex's message for a word that does not end: a backslash last (also inside double quotes) has nothing
    to escape; else a quote does not close."""
    if text[pos] == '"' and (opened := _OPEN_DOUBLE.match(text, pos)) is not None:
        pos = opened.end()
    return "No escaped character" if text[pos:] == "\\" else "No closing quotation"


def read_curl(words: Iterable[str]) -> list[CurlWord]:
    """The options and URLs of a curl command's words after ``curl``: ``-sL`` read as ``-s -L``, ``-XPUT`` as
    ``-X PUT``, each option's argument taken with it (whatever it looks like), so it is never taken for the URL."""
    pending = list(words)
    pending.reverse()
    parts: list[CurlWord] = []
    while pending:
        word = pending.pop()
        split = _short_flags(word)
        if len(split) > 1:
            pending.extend(reversed(split))
            continue
        name = _LONG.get(word, word)
        takes = _takes_value(word)
        value = pending.pop() if takes and pending else None
        if not word.startswith("-") or word == "-":
            parts.append(CurlWord("url", word, word, word))
        elif name in _KNOWN:
            parts.append(CurlWord("option", name, word, value))
        elif word in CURL_IGNORED or word in CURL_IGNORED_WITH_VALUE:
            parts.append(CurlWord("ignored", word, word, value))
        elif word in CURL_REFUSED:
            parts.append(CurlWord("refused", word, word, value))
        else:
            parts.append(CurlWord("unknown", word, word, value))
    return parts


def _takes_value(option: str) -> bool:
    return option in _WITH_ARGUMENT or _LONG.get(option, option) in _WITH_ARGUMENT


def _short_flags(word: str) -> list[str]:
    """``-sL`` as ``-s -L`` and ``-sXPUT`` as ``-s -X PUT`` (curl's short options written together, the first
    one with an argument taking the rest of the word); any other word as it is."""
    if len(word) <= 2 or word[0] != "-" or word[1] == "-":
        return [word]
    flags: list[str] = []
    for index, letter in enumerate(word[1:], start=1):
        if f"-{letter}" in _WITH_ARGUMENT:
            return [*flags, f"-{letter}", *([word[index + 1 :]] if index + 1 < len(word) else [])]
        if letter not in _SHORT_FLAGS:
            return [word]  # an unknown letter: the caller names the word as written
        flags.append(f"-{letter}")
    return flags


@dataclass
class CurlRequest:
    """What a curl command sends, as curl would: its URL, method, headers, then a body, form fields or files."""

    url: str | None = None
    method: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: str | None = None
    query: list[str] = field(default_factory=list)  # --url-query pieces, and -d pieces under -G
    form: list[tuple[str, str]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # -F values that upload a file (``name=@path;type=...``)
    follow: bool = False  # -L
    skipped: list[CurlWord] = field(default_factory=list)  # options ignored or refused: the caller names them
    removed: set[str] = field(default_factory=set)  # headers -H 'Name:' removes (lower case): none is added
    head: bool = False  # -I
    as_get: bool = False  # -G

    @property
    def chosen(self) -> str:
        """The method curl uses: -X's, else HEAD for -I, POST with a body or a form, else GET."""
        posting = self.body is not None or self.form or self.files
        return self.method or ("HEAD" if self.head else "POST" if posting else "GET")

    def target(self, path: str) -> str:
        """``path`` (with its query) with the --url-query pieces, and -d's under -G, added to its query."""
        if not self.query:
            return path
        return path + ("&" if "?" in path else "?") + "&".join(self.query)

    def header(self, name: str) -> bool:
        """Whether the command sets (or removes, ``-H 'Name:'``) the header ``name`` (lower case)."""
        return name in self.removed or any(key.strip().lower() == name for key, _ in self.headers)


def request_of(parts: Iterable[CurlWord], read: Callable[[str], str] | None = None) -> CurlRequest:
    """The request ``parts`` (from :func:`read_curl`) make. ``read`` returns a file's text (``-d @file``,
    ``-F 'name=<file'``); without it, an option that names a file is refused. An unknown option is refused by
    name; ignored and refused ones are skipped (``skipped``). :class:`RequestError` says what is wrong."""
    request = CurlRequest()
    pieces: list[tuple[str, bool]] = []  # each data piece, and whether it is --json's (joined without '&')
    for part in parts:
        name, value = part.name, part.value or ""
        if part.kind == "unknown":
            raise RequestError(f"{_shown(part.written)} is not supported: {_WHY.get(name, _WHY_DEFAULT)}")
        if part.missing:
            raise RequestError(f"{_shown(part.written)} needs a value")
        if part.kind in ("ignored", "refused"):
            request.skipped.append(part)
        elif part.kind == "url" or name == "--url":
            if request.url is not None:
                raise RequestError(f"the curl command names more than one URL: {_shown(value)}")
            request.url = value
        elif name == "--request":
            request.method = value
        elif name == "--header":
            _header(request, value)
        elif name in CURL_DATA:
            pieces.append((_data(part, read), name == "--json"))
        elif name == "--url-query":
            request.query.append(_data(part, read, plus=True))
        elif name in ("--form", "--form-string"):
            _form(request, part, read)
        elif name == "--user":
            if ":" not in value:
                raise RequestError(f"{_shown(part.written, value)} is not supported: curl would ask for the password")
            request.headers.append(("Authorization", "Basic " + base64.b64encode(value.encode()).decode()))
        elif name == "--cookie":
            if "=" not in value:
                raise RequestError(f"{_shown(part.written, value)} is not supported: curl reads cookies from that file")
            request.headers.append(("Cookie", value))
        elif name in ("--user-agent", "--referer"):
            request.headers.append(("User-Agent" if name == "--user-agent" else "Referer", value))
        request.follow |= name == "--location"
        request.head |= name == "--head"
        request.as_get |= name == "--get"
    _finish(request, pieces)
    return request


def _header(request: CurlRequest, value: str) -> None:
    """``-H 'Name: value'``; as curl reads it, ``Name:`` removes a header curl would add and ``Name;`` sends it empty."""
    if value.rstrip().endswith(";") and ":" not in value:
        request.headers.append((value.rstrip()[:-1], ""))
        return
    if ":" not in value:
        raise RequestError(f"header must look like 'Name: value', got {_shown(value)}")
    header, _, text = value.partition(":")
    if text.strip():
        request.headers.append((header, text))
    else:
        request.removed.add(header.strip().lower())


def _finish(request: CurlRequest, pieces: list[tuple[str, bool]]) -> None:
    """The data pieces as curl joins them (``&`` between -d's, --json's run on), moved to the query by -G."""
    if pieces and (request.form or request.files):
        raise RequestError("-d and -F cannot be used together (curl refuses it too)")
    if request.head and (request.form or request.files or (pieces and not request.as_get)):
        # curl 7.88: "You can only select one HTTP request method!" (-G with -d is a GET: its -I is allowed)
        raise RequestError(f"-I and {'-d' if pieces else '-F'} cannot be used together (curl refuses it too)")
    body: str | None = None
    for piece, is_json in pieces:
        body = piece if body is None else body + ("" if is_json else "&") + piece
    if request.as_get and body is not None:
        request.query.append(body)
        return
    request.body = body
    if any(is_json for _, is_json in pieces):
        for name, media in (("Content-Type", "application/json"), ("Accept", "application/json")):
            if not request.header(name.lower()):
                request.headers.append((name, media))
    elif body is not None and not request.header("content-type"):
        request.headers.append(("Content-Type", "application/x-www-form-urlencoded"))  # what curl's -d sends


def _data(part: CurlWord, read: Callable[[str], str] | None, plus: bool = False) -> str:
    """A data piece as curl sends it: ``@file`` read (not for --data-raw), --data-urlencode's (and
    --url-query's) ``content``, ``=content``, ``name=content``, ``@file`` or ``name@file`` percent-encoded."""
    name, value = part.name, part.value or ""
    if name in ("--data-urlencode", "--url-query"):
        if plus and value.startswith("+"):
            return value[1:]  # --url-query's '+': as written
        cut = value.find("=")
        cut = value.find("@") if cut < 0 else cut
        key, mark, content = (value[:cut], value[cut], value[cut + 1 :]) if cut >= 0 else ("", "", value)
        if mark == "@":
            content = _file(part, content, read)
        encoded = quote(content, safe="")
        return f"{key}={encoded}" if key else encoded
    if value.startswith("@") and name != "--data-raw":
        text = _file(part, value[1:], read)
        return text if name in ("--data-binary", "--json") else text.replace("\r", "").replace("\n", "")
    return value


def _form(request: CurlRequest, part: CurlWord, read: Callable[[str], str] | None) -> None:
    """A -F field: ``name=value``, ``name=<file`` (the field's text read from a file) or ``name=@file`` (a file
    uploaded, kept as written); --form-string's value is text whatever its first character."""
    value = part.value or ""
    field_name, _, text = value.partition("=")
    if part.name == "--form" and text.startswith("@"):
        if read is None:
            raise RequestError(f"{_shown(part.written, value)} is not supported: {_NO_FILES}")
        request.files.append(value)
    elif part.name == "--form" and text.startswith("<"):
        request.form.append((field_name, _file(part, text[1:], read)))
    else:
        request.form.append((field_name, text))


def _file(part: CurlWord, name: str, read: Callable[[str], str] | None) -> str:
    if read is None:
        raise RequestError(f"{_shown(part.written, part.value or '')} is not supported: {_NO_FILES}")
    if name == "-":
        raise RequestError(f"{_shown(part.written, part.value or '')} is not supported: curl reads it from stdin")
    return read(name)


def _shown(*words: str) -> str:
    """Words of the command as a message shows them: cut, control characters escaped."""
    return printable(" ".join(word[:60] for word in words))
