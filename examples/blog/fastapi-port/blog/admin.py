"""Admin endpoints behind an ``X-API-Key`` header, as a sub-app mounted at ``/admin``."""

from __future__ import annotations

from fastapi import Depends, FastAPI

from blog import settings
from blog.deps import Database, admin

app = FastAPI(title="blog admin", dependencies=[Depends(admin)])


@app.get("/stats")
def stats(db: Database) -> dict[str, int]:
    return {name: db.execute(f"SELECT COUNT(*) FROM {name}").fetchone()[0] for name in ("user", "post")}


@app.post("/backup")
def backup() -> dict[str, str]:
    if not settings.BACKUP_DIR:  # an unfinished feature: the traceback shows under the 500 in `explorer send`
        raise RuntimeError("backups are not configured: set BLOG_BACKUP_DIR")
    return {"written": settings.BACKUP_DIR}
