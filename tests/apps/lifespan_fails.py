"""A FastAPI app whose lifespan cannot reach its database, as a real app's does when the server is down.

``LIFESPAN_HANGS=1``: it waits for the database instead (a slow failure: it never answers).
"""

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

print("connecting to the database at db.invalid:5432", flush=True)  # at import: said before any time-out

from fastapi import FastAPI  # noqa: E402 (the line above is printed first, as a slow import would)


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    if os.environ.get("LIFESPAN_HANGS"):
        await asyncio.sleep(120)
    raise ConnectionRefusedError("could not reach the database at db.invalid:5432")
    yield


app = FastAPI(lifespan=lifespan)


@app.get("/health")
async def health() -> dict[str, bool]:
    return {"ok": True}
