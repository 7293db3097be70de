"""A Flask app and a FastAPI app whose every answer tries to drive the user's terminal.

Body, reason phrase, header values (U+009B only: the client refuses an ESC there), route paths (so
the OpenAPI document and the URL map) and log lines carry a clipboard write (OSC 52), a title change
(OSC 0), a clear screen (CSI 2J), an OSC 8 link, a DCS query, a full reset (ESC c) and the one-byte
CSI (U+009B). ``flask_app`` and ``fastapi_app`` answer alike, so a parity run shows each payload in
excerpts and difference lines.
"""

import sys

from fastapi import FastAPI
from fastapi import Response as FastAPIResponse
from flask import Flask
from flask import Response as FlaskResponse

CLIPBOARD = "\x1b]52;c;cm0gLXJmIH4=\x1b\\"  # OSC 52: the clipboard now holds `rm -rf ~`
PAYLOAD = (
    CLIPBOARD
    + "\x1b]0;pwned\x07"
    + "\x1b[2J"
    + "\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\"
    + "\x1bP+q544e\x1b\\"
    + "\x1bc"
    + "\x9b31m"
)
ROUTE = "/esc\x1b]0;route\x07\x9b2J"  # a route path: the OpenAPI document and the URL map carry it
REASON = "OK \x1b]0;reason\x07\x9b2J"
HEADER = "\x9b2J\x9b3J"  # a header value cannot hold ESC (the client refuses it): the one-byte CSI can

flask_app = Flask(__name__)
fastapi_app = FastAPI()


@flask_app.route("/esc")
def flask_esc():
    print(f"flask log {PAYLOAD}", flush=True)
    return FlaskResponse(
        f"flask body {PAYLOAD}\nsecond line", status=f"200 {REASON}", mimetype="text/plain", headers={"X-Evil": HEADER}
    )


@flask_app.route("/crash")
def flask_crash():
    print(f"flask log {PAYLOAD}", flush=True)
    raise RuntimeError(f"boom {PAYLOAD}")  # a 500, and a traceback quoting it in the log


@flask_app.route(ROUTE)
def flask_route():
    return "route"


@fastapi_app.get("/esc")
def fastapi_esc() -> FastAPIResponse:
    print(f"fastapi log {PAYLOAD}", file=sys.stderr, flush=True)
    return FastAPIResponse(f"fastapi body {PAYLOAD}\nsecond line", media_type="text/plain", headers={"X-Evil": HEADER})


@fastapi_app.get(ROUTE)
def fastapi_route() -> str:
    return "route"
