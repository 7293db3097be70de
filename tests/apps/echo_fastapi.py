"""The FastAPI side of ``echo_app``'s session routes: Starlette's SessionMiddleware, the same secret."""

from fastapi import FastAPI, Request
from starlette.middleware.sessions import SessionMiddleware

app = FastAPI()
app.add_middleware(SessionMiddleware, secret_key="tests-only")


@app.post("/login")
async def login(request: Request, user: str = "ada") -> dict[str, str]:
    request.session["user"] = user
    return {"logged_in": user}


@app.get("/me")
async def me(request: Request) -> dict[str, object]:
    return {"user": request.session.get("user"), "cookies": sorted(request.cookies)}
