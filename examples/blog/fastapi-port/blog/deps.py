"""Dependencies shared by the routers: the user behind a bearer token, the admin key."""

from __future__ import annotations

import sqlite3
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from blog import settings
from blog.db import get_db

Database = Annotated[sqlite3.Connection, Depends(get_db)]
bearer = HTTPBearer(auto_error=False)
api_key = APIKeyHeader(name="X-API-Key", auto_error=False)


def current_user(db: Database, credentials: HTTPAuthorizationCredentials | None = Security(bearer)) -> dict[str, Any]:
    token = credentials.credentials if credentials else ""
    row = db.execute(
        "SELECT user.id, username FROM token JOIN user ON user.id = token.user_id WHERE token = ?", (token,)
    ).fetchone()
    if row is None:
        raise HTTPException(401, "authentication required")
    return dict(row)


def admin(key: str | None = Security(api_key)) -> None:
    if not settings.ADMIN_KEY or key != settings.ADMIN_KEY:
        raise HTTPException(403, "a valid X-API-Key header is required")


User = Annotated[dict[str, Any], Depends(current_user)]
