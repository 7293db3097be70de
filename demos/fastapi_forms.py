"""FastAPI: what a browser sends. Forms, a file upload, the session cookie and a bearer token.

A router the app includes; its routes carry their full paths, so each reads as it is served.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm
from fastapi.templating import Jinja2Templates

from demos.data import check_password, issue_token, user_for_token

router = APIRouter()
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


@router.get("/forms/contact", response_class=HTMLResponse)
async def contact_page(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(request, "contact.html", {"framework": "FastAPI"})


# Form() reads urlencoded and multipart bodies alike; it needs python-multipart, checked at import.
@router.post("/forms/contact")
async def contact_submit(name: Annotated[str, Form()], message: Annotated[str, Form()]) -> dict[str, str]:
    return {"name": name, "message": message}


# An UploadFile parameter is a multipart file part, spooled to disk past 1 MiB.
@router.post("/upload")
async def upload(file: UploadFile) -> dict[str, Any]:
    data = await file.read()
    digest = hashlib.sha256(data).hexdigest()[:16]
    return {"filename": file.filename, "content_type": file.content_type, "size": len(data), "sha256": digest}


# request.session comes from Starlette's SessionMiddleware (added in fastapi_app.py): a signed cookie too.
@router.post("/session/login")
async def login(request: Request, username: Annotated[str, Form()], password: Annotated[str, Form()]) -> dict[str, str]:
    user = check_password(username, password)
    if user is None:
        raise HTTPException(401, "Wrong user name or password")
    request.session["user"] = user["username"]
    return {"logged_in": user["username"]}


@router.get("/session/me")
async def session_me(request: Request) -> dict[str, str]:
    if "user" not in request.session:
        raise HTTPException(401, "Not logged in")
    return {"user": request.session["user"]}


@router.post("/session/logout")
async def logout(request: Request) -> dict[str, None]:
    request.session.pop("user", None)
    return {"logged_in": None}


oauth2 = OAuth2PasswordBearer(tokenUrl="/auth/token")  # also puts the Authorize button in /docs


async def current_user(token: Annotated[str, Depends(oauth2)]) -> dict[str, str]:
    """The security dependency: no or a malformed header is a 401 from ``oauth2`` itself, a bad token one from here."""
    user = user_for_token(token)
    if user is None:
        raise HTTPException(401, "Invalid token", headers={"WWW-Authenticate": "Bearer"})
    return user


@router.post("/auth/token")
async def token(form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> dict[str, str]:
    user = check_password(form.username, form.password)
    if user is None:
        raise HTTPException(400, "Incorrect username or password")
    return {"access_token": issue_token(user["username"]), "token_type": "bearer"}


@router.get("/auth/me")
async def auth_me(user: Annotated[dict[str, str], Depends(current_user)]) -> dict[str, str]:
    return {"username": user["username"], "full_name": user["full_name"]}
