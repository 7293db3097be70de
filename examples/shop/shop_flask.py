"""A small Flask shop service: the "before" of a port to FastAPI.

Run it with the explorer: ``explorer --app-dir examples/shop --flask shop_flask:app``.
State (orders) lives in memory, so each server process starts empty.
"""

from __future__ import annotations

import itertools
import secrets
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask, request

app = Flask(__name__)

PRODUCTS = [
    {"id": 1, "name": "Notebook", "price_cents": 450, "tags": ["paper", "a5"]},
    {"id": 2, "name": "Fountain pen", "price_cents": 2900, "tags": ["ink"]},
    {"id": 3, "name": "Pencil case", "price_cents": 1200, "tags": []},
]
ORDERS: dict[int, dict[str, Any]] = {}
_ids = itertools.count(1)
USERS = {"ada@example.com": "correct horse"}
TOKENS: dict[str, str] = {}  # token -> email


def find_product(product_id: int) -> dict[str, Any] | None:
    return next((p for p in PRODUCTS if p["id"] == product_id), None)


def check_order(data: Any) -> list[dict[str, str]]:
    """Hand-written validation: whole numbers only (no strings, floats or booleans)."""
    if not isinstance(data, dict):
        return [{"field": "body", "message": "expected a JSON object"}]
    errors = []
    product_id = data.get("product_id")
    if type(product_id) is not int:
        errors.append({"field": "product_id", "message": "product_id is required and must be a whole number"})
    quantity = data.get("quantity")
    if type(quantity) is not int or quantity < 1:
        errors.append({"field": "quantity", "message": "quantity must be a whole number of at least 1"})
    if not errors and find_product(product_id) is None:
        errors.append({"field": "product_id", "message": "no product with this id"})
    return errors


@app.get("/health")
def health():  # type: ignore[no-untyped-def]
    return {"status": "ok"}


@app.get("/products")
def list_products():  # type: ignore[no-untyped-def]
    limit = request.args.get("limit")
    if limit is not None and not (limit.isascii() and limit.isdigit()):
        fields = [{"field": "limit", "message": "limit must be a whole number of at least 0"}]
        return {"error": "invalid request", "fields": fields}, 400
    products = PRODUCTS[: int(limit)] if limit is not None else PRODUCTS
    return {"products": products, "count": len(products)}


@app.get("/products/<int:product_id>")
def get_product(product_id: int):  # type: ignore[no-untyped-def]
    product = find_product(product_id)
    if product is None:
        return {"error": "product not found"}, 404
    return product


@app.post("/orders")
def create_order():  # type: ignore[no-untyped-def]
    data = request.get_json(silent=True)
    errors = check_order(data)
    if errors:
        return {"error": "invalid request", "fields": errors}, 400
    product = find_product(data["product_id"])
    assert product is not None
    order_id = next(_ids)
    order = {
        "id": order_id,
        "product_id": product["id"],
        "quantity": data["quantity"],
        "total_cents": product["price_cents"] * data["quantity"],
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    ORDERS[order_id] = order
    return order, 201, {"Location": f"/orders/{order_id}"}


@app.get("/orders/<int:order_id>")
def get_order(order_id: int):  # type: ignore[no-untyped-def]
    order = ORDERS.get(order_id)
    if order is None:
        return {"error": "order not found"}, 404
    return order


@app.get("/status")
def status():  # type: ignore[no-untyped-def]
    """Live values that differ on every call: what `explorer parity --noise` tells apart from a regression."""
    return {"status": "ok", "time": datetime.now(UTC).isoformat(), "request_id": str(uuid.uuid4())}


@app.post("/login")
def login():  # type: ignore[no-untyped-def]
    data = request.get_json(silent=True) or {}
    if not isinstance(data, dict) or USERS.get(data.get("email")) != data.get("password"):
        return {"error": "invalid credentials"}, 401
    token = secrets.token_hex(16)
    TOKENS[token] = data["email"]
    return {"user": {"email": data["email"], "token": token}}


@app.get("/me")
def me():  # type: ignore[no-untyped-def]
    """The Flask service's own scheme: `Authorization: Token <token>`."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme != "Token" or token not in TOKENS:
        return {"error": "not logged in"}, 401
    return {"user": {"email": TOKENS[token]}}
