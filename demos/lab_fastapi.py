"""The FastAPI lab app: the demo's lab routes and nothing else on their path.

The demo app wraps every request in SessionMiddleware and an ``@app.middleware("http")`` layer
(which alone cost it about a third of its rate on /items/1); the performance lab measures the
framework, so its routes are served from this bare app instead, with the very same handlers. The
middleware scenario's two mounted apps come along, each with the one middleware it measures.
"""

from __future__ import annotations

from fastapi import FastAPI

from demos import fastapi_app, fastapi_http

app = FastAPI(title="FastAPI lab", openapi_url=None)
app.mount("/hooks/base", fastapi_http.base_app)  # before /hooks: the first mount whose prefix matches wins
app.mount("/hooks", fastapi_http.asgi_app)
app.get("/items/{item_id}")(fastapi_app.get_item)
app.get("/io")(fastapi_app.io_wait)
app.get("/io/blocking")(fastapi_app.io_wait_blocking)
app.get("/cpu")(fastapi_app.cpu)
app.get("/cpu/def")(fastapi_app.cpu_def)
