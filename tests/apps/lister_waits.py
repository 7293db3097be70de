"""A Flask app whose route listing never ends: imported by the route lister (``explorer.runtime.child.routetable``)
it waits two minutes, imported by the server it does not. For a test of what the explorer's exit does to a lister
still running (the Flask routes come from that child process, after the servers are up)."""

import os
import sys
import time

from flask import Flask

if os.path.basename(sys.argv[0]) == "routetable.py":  # runpy sets it to the module the bootstrap runs
    time.sleep(120)

app = Flask(__name__)


@app.get("/")
def index() -> str:
    return "ok"
