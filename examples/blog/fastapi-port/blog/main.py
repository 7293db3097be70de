"""The FastAPI app: the routers, the mounted admin app, and a health check."""

from __future__ import annotations

from importlib.metadata import version

from fastapi import FastAPI

from blog import admin
from blog.routers import auth, posts

app = FastAPI(title="blog (FastAPI port)")
app.include_router(auth.router)
app.include_router(posts.router)
app.mount("/admin", admin.app)


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok", "framework": "fastapi", "version": version("fastapi")}
