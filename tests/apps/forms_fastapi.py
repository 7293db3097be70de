"""Parity test app (FastAPI side): the same form echo and cookie login, without python-multipart."""

from fastapi import FastAPI, Request, Response
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
