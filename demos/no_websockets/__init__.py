"""A folder that hides uvicorn's WebSocket libraries: put it first on the path and neither seems installed.

``explorer --fastapi-dir demos/no_websockets --fastapi ws_app:app`` starts this folder's small FastAPI app
(one WebSocket route, ``/ws/echo``) this way, to show what a plain ``pip install uvicorn`` does: without
websockets or wsproto, uvicorn logs "No supported WebSocket library detected" and hands the upgrade to
the app as an ordinary GET, which no HTTP route matches: a 404, and no socket.
"""
