"""A FastAPI app with the demo's WebSocket route and nothing else, for this folder (see its ``__init__``).

Standalone on purpose: the FastAPI demo mounts the Flask demo, whose flask-sock needs wsproto, so with
the libraries hidden it would not import at all; an app that uses no WebSocket library of its own
starts, and shows what uvicorn does without one.
"""

from __future__ import annotations

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI(title="WebSocket only")


@app.websocket("/ws/echo")
async def ws_echo(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_text("hello from FastAPI")
    try:
        while True:
            await websocket.send_text(f"echo: {await websocket.receive_text()}")
    except WebSocketDisconnect:
        pass
