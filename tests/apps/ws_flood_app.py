"""A FastAPI app whose WebSocket floods the client: ``n`` messages of ``kb`` KiB each, as fast as it can."""

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()


@app.websocket("/ws/flood")
async def flood(socket: WebSocket, n: int = 100, kb: int = 64) -> None:
    await socket.accept()
    for i in range(n):
        head = f"message {i + 1} of {n}: "
        await socket.send_text(head + "x" * (kb * 1024 - len(head)))
    try:
        while True:  # hold the socket open until the client closes it
            await socket.receive_text()
    except WebSocketDisconnect:
        pass
