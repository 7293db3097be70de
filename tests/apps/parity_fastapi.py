"""FastAPI side of the parity test pair: ``/body/{name}`` answers the FastAPI half of parity_bodies."""

from fastapi import FastAPI, Response
from parity_bodies import bodies

app = FastAPI()


@app.get("/body/{name}")
def body(name: str) -> Response:
    return Response(bodies(name)[1], media_type="application/json")
