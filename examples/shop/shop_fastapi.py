"""The shop service ported to FastAPI, endpoint by endpoint, keeping the Flask version's contract.

A faithful port needs more than the routes: Pydantic in strict mode (the Flask checks refuse "2"
and 2.0 for a whole number), a handler that answers validation errors with Flask's 400 and its
error shape instead of FastAPI's 422, and explicit JSON 404s.

It keeps two differences on purpose: the login flow uses the usual ``Bearer`` scheme where the Flask
service wanted ``Token`` (the requests file sends each app its own header), and a failed login
raises ``HTTPException``, which answers ``{"detail": ...}`` where Flask answered ``{"error": ...}``
(declared in the requests file, with its reason).
"""

from __future__ import annotations

import itertools
import secrets
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import FastAPI, Header, HTTPException, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

app = FastAPI(title="Shop (FastAPI port)")

PRODUCTS = [
    {"id": 1, "name": "Notebook", "price_cents": 450, "tags": ["paper", "a5"]},
    {"id": 2, "name": "Fountain pen", "price_cents": 2900, "tags": ["ink"]},
    {"id": 3, "name": "Pencil case", "price_cents": 1200, "tags": []},
]
ORDERS: dict[int, dict[str, Any]] = {}
_ids = itertools.count(1)
USERS = {"ada@example.com": "correct horse"}
TOKENS: dict[str, str] = {}  # token -> email


class Credentials(BaseModel):
    email: str
    password: str


class OrderIn(BaseModel):
    model_config = ConfigDict(strict=True)

    product_id: int
    quantity: int = Field(ge=1)


def find_product(product_id: int) -> dict[str, Any] | None:
    return next((p for p in PRODUCTS if p["id"] == product_id), None)


@app.exception_handler(RequestValidationError)
async def flask_style_400(request: Request, exc: RequestValidationError) -> JSONResponse:
    """Keep the Flask service's contract: 400 and ``{"error", "fields": [{field, message}]}``."""
    fields = [{"field": str(err["loc"][-1]), "message": err["msg"]} for err in exc.errors()]
    return JSONResponse({"error": "invalid request", "fields": fields}, status_code=400)


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/products")
async def list_products(limit: int | None = Query(default=None, ge=0)) -> dict[str, Any]:
    products = PRODUCTS[:limit] if limit is not None else PRODUCTS
    return {"products": products, "count": len(products)}


@app.get("/products/{product_id}")
async def get_product(product_id: int) -> Any:
    product = find_product(product_id)
    if product is None:
        return JSONResponse({"error": "product not found"}, status_code=404)
    return product


# Without `status_code=201` FastAPI would answer its default 200 where Flask answers 201 Created:
# the most common slip when porting a POST route (the tests plant it to check that parity fails).
@app.post("/orders", status_code=201)
async def create_order(order_in: OrderIn, response: Response) -> Any:
    product = find_product(order_in.product_id)
    if product is None:
        fields = [{"field": "product_id", "message": "no product with this id"}]
        return JSONResponse({"error": "invalid request", "fields": fields}, status_code=400)
    order_id = next(_ids)
    order = {
        "id": order_id,
        "product_id": product["id"],
        "quantity": order_in.quantity,
        "total_cents": product["price_cents"] * order_in.quantity,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    ORDERS[order_id] = order
    response.headers["Location"] = f"/orders/{order_id}"
    return order


@app.get("/orders/{order_id}")
async def get_order(order_id: int) -> Any:
    order = ORDERS.get(order_id)
    if order is None:
        return JSONResponse({"error": "order not found"}, status_code=404)
    return order


@app.get("/status")
async def status() -> dict[str, str]:
    return {"status": "ok", "time": datetime.now(UTC).isoformat(), "request_id": str(uuid.uuid4())}


@app.post("/login")
async def login(credentials: Credentials) -> dict[str, Any]:
    if USERS.get(credentials.email) != credentials.password:
        raise HTTPException(status_code=401, detail="invalid credentials")
    token = secrets.token_hex(16)
    TOKENS[token] = credentials.email
    return {"user": {"email": credentials.email, "token": token}}


@app.get("/me")
async def me(authorization: Annotated[str, Header()] = "") -> Any:
    scheme, _, token = authorization.partition(" ")
    if scheme != "Bearer" or token not in TOKENS:
        return JSONResponse({"error": "not logged in"}, status_code=401)
    return {"user": {"email": TOKENS[token]}}
