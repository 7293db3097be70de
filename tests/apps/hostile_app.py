"""A Flask app that answers badly on purpose: binary, wrong encodings, markup, huge, slow, noisy."""

import sys
import time

from flask import Flask, Response, request

app = Flask(__name__)


@app.route("/ok")
def ok():
    return {"ok": True}


@app.route("/binary")
def binary():
    return Response(bytes(range(256)) * 4, mimetype="application/octet-stream")


@app.route("/latin1")
def latin1():
    return Response("café crème".encode("latin-1"), content_type="text/plain; charset=latin-1")


@app.route("/badutf8")
def bad_utf8():
    return Response(b"valid \xff\xfe invalid \xc3\x28", content_type="text/plain; charset=utf-8")


@app.route("/markup")
def markup():
    return Response("[bold red]not bold[/] [/foo] [link=http://x]y[/link] [@click=app.quit]q[/]", mimetype="text/plain")


@app.route("/markup.json")
def markup_json():
    return {"detail": [{"loc": ["body", "[/foo]"], "msg": "[bold]boom[/bold]", "type": "[red]x"}]}, 422


@app.route("/big")
def big():
    mb = request.args.get("mb", 20, type=int)
    return Response(b"x" * (mb * 1024 * 1024), mimetype="text/plain")


@app.route("/bigjson")
def big_json():
    """A JSON list of short records, ``mb`` MiB in all (16 MiB: just under the explorer's cap)."""
    size = request.args.get("mb", 16, type=int) * 1024 * 1024 - 64
    item = b'{"id": 12345, "name": "widget", "tags": ["a", "b"]}'
    count = size // (len(item) + 2)
    return Response(b"[" + b", ".join([item] * count) + b"]", mimetype="application/json")


@app.route("/slow")
def slow():
    time.sleep(request.args.get("s", 10.0, type=float))

    return {"slept": True}


@app.route("/flood")
def flood():
    lines = request.args.get("lines", 100_000, type=int)
    out = sys.stdout
    for i in range(lines):
        out.write(f"flood line {i}\n")
    out.flush()
    return {"printed": lines}


@app.route("/bigline")
def bigline():
    mb = request.args.get("mb", 10, type=int)
    sys.stdout.write("L" * (mb * 1024 * 1024) + "\n")
    sys.stdout.flush()
    return {"printed_mb": mb}


@app.route("/gzip")
def gzipped():
    import gzip

    return Response(
        gzip.compress(b'{"packed": true}'), content_type="application/json", headers={"Content-Encoding": "gzip"}
    )


@app.route("/chunked")
def chunked():
    def parts():
        for i in range(5):
            yield f"part {i}\n"

    return Response(parts(), mimetype="text/plain")  # no length: chunked on HTTP/1.1


@app.route("/nocontent", methods=["GET", "DELETE"])
def no_content():
    return "", 204


@app.route("/twice")
def twice():
    """A complete answer written straight to the socket, then a second one: only the first is the answer."""
    raw = request.environ["werkzeug.socket"]
    raw.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirstHTTP/1.1 404 Not Found\r\nContent-Length: 6\r\n\r\nsecond"
    )
    return Response("third", headers={"Connection": "close"})


@app.route("/headers")
def many_headers():
    count = request.args.get("n", 100_000, type=int)
    return Response("many headers", headers=[(f"X-Header-{i}", f"value {i}") for i in range(count)])
