"""Flask side of the parity test pair: ``/body/<name>`` answers the Flask half of parity_bodies."""

from flask import Flask, Response
from parity_bodies import bodies

app = Flask(__name__)


@app.route("/body/<name>")
def body(name: str) -> Response:
    return Response(bodies(name)[0], mimetype="application/json")
