"""A Flask app that echoes what its own parsers found in a request: form fields, files, cookies.

Used to check that what the explorer sends is what a framework reads.
"""

import hashlib

from flask import Flask, jsonify, request

app = Flask(__name__)


@app.post("/echo")
def echo():  # type: ignore[no-untyped-def]
    files = [{"field": name, "filename": f.filename, "content_type": f.content_type,
              "sha256": hashlib.sha256(f.read()).hexdigest()} for name, f in request.files.items(multi=True)]  # fmt: skip
    return jsonify(content_type=request.mimetype, form=dict(request.form.lists()), files=files)
