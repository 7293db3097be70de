"""Parity test app (FastAPI side): the same form echo, cookie login and redirects, without python-multipart."""

from urllib.parse import parse_qs, quote

from fastapi import FastAPI, Request, Response
from fastapi.responses import RedirectResponse
from forms_common import describe

app = FastAPI()


@app.post("/form")
async def form(request: Request) -> dict[str, object]:
    return describe(request.headers.get("content-type", ""), await request.body())


@app.post("/login")
async def login(response: Response, user: str = "ada") -> dict[str, bool]:
    response.set_cookie("sid", "fastapi-" + user)
    return {"ok": True}


@app.get("/me")
async def me(request: Request) -> dict[str, object]:
    sid = request.cookies.get("sid", "")
    return {"user": sid.partition("-")[2] or None}


@app.post("/signin")
async def signin(request: Request) -> RedirectResponse:
    user = parse_qs((await request.body()).decode()).get("user", ["ada"])[0]
    response = RedirectResponse(str(request.url_for("me")) + "?via=signin", status_code=303)  # absolute
    response.set_cookie("sid", "fastapi-" + user)
    return response


@app.get("/private")
async def private(request: Request) -> RedirectResponse:
    return RedirectResponse("/auth?returnTo=" + quote(str(request.url), safe=""))  # 307
