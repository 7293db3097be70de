"""A FastAPI app whose /openapi.json is malformed in every way a hand-edited schema can be."""

from typing import Any

from fastapi import FastAPI

app = FastAPI()


@app.get("/items/{item_id}")
def item(item_id: int) -> dict[str, int]:
    return {"id": item_id}


def broken_schema() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "components": {"schemas": ["Item", "Order"]},
        "paths": {
            "/items/{item_id}": {
                "get": {"parameters": [{"in": "path", "name": "item_id", "schema": {"anyOf": "integer"}}, 7, 8]},
                "post": {"requestBody": {"content": "application/json"}},
                "put": {"requestBody": {"content": ["application/json", 1]}},
                "patch": {
                    "parameters": 12,
                    "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}},
                },
            },
            "/orders": ["get"],
            "no-slash": {"get": {}},
            "/ok": {"get": {"summary": "fine"}},
        },
    }


app.openapi = broken_schema  # type: ignore[method-assign]  # FastAPI's documented way to serve a schema of one's own
