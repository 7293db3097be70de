"""The Flask lab app: the demo's lab routes and nothing else on their path.

The demo app runs every request through its app-wide before/after hooks (a Server-Timing header);
the performance lab measures the framework, so its routes are served from this bare app instead,
with the very same view functions. The hooks blueprint comes along for the middleware scenario,
which measures exactly those hooks.
"""

from __future__ import annotations

from flask import Flask

from demos import flask_app, flask_http

app = Flask(__name__)
app.add_url_rule("/items/<int:item_id>", view_func=flask_app.get_item)
app.add_url_rule("/io", view_func=flask_app.io_wait)
app.add_url_rule("/cpu", view_func=flask_app.cpu)
app.register_blueprint(flask_http.hooks)
