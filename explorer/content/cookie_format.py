"""What a session cookie holds, read without its key: why Flask's and Starlette's are not interchangeable.

Both frameworks call their session cookie ``session`` and both sign it with itsdangerous, as three
dot-separated parts: payload, timestamp, signature. They differ in everything else:

- Flask (``SecureCookieSessionInterface``): the payload is JSON (Flask's tagged JSON) in URL-safe
  base64 without padding, zlib-compressed when that is shorter (then the cookie starts with
  ``.``); signed with a key derived from ``SECRET_KEY`` and the salt ``cookie-session`` (HMAC-SHA1).
- Starlette (``SessionMiddleware``): the payload is plain JSON in standard base64, padding kept;
  signed with ``TimestampSigner(secret_key)``, no salt.

So a cookie one app signed fails the other's check, even under the same secret, and each app
starts an empty session. Reading the payload needs no key (it is signed, not encrypted), which is
also why neither may hold a secret.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import zlib
from typing import Any

__all__ = ["describe_cookie", "flask_session", "starlette_session"]

MAX_SHOWN = 200  # characters of a decoded payload shown
_INFLATE_LIMIT = 64 * 1024  # a compressed payload is inflated to at most this many bytes


def _b64(text: str, urlsafe: bool) -> bytes | None:
    try:
        padded = text + "=" * (-len(text) % 4)
        return base64.urlsafe_b64decode(padded) if urlsafe else base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        return None


def _json(data: bytes) -> str | None:
    try:
        value = json.loads(data)
    except (ValueError, RecursionError):
        return None
    shown = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return shown if len(shown) <= MAX_SHOWN else shown[: MAX_SHOWN - 1] + "…"


def _inflate(data: bytes) -> bytes | None:
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, _INFLATE_LIMIT)
    except zlib.error:
        return None
    return out if not inflater.unconsumed_tail else None  # past the limit: not shown


def describe_cookie(value: str) -> str | None:
    """Which framework's signed session format ``value`` is in, and its payload; None for other cookies.

    Told apart by what each writes: Flask compresses or drops the base64 padding and writes compact
    JSON (``{"user":"ada"}``); Starlette keeps the padding and writes ``json.dumps``'s ``{"user": "ada"}``.
    """
    compressed = value.startswith(".")
    parts = value.lstrip(".").split(".")
    if len(parts) != 3 or not all(parts) or _b64(parts[1], urlsafe=True) is None:
        return None
    payload = parts[0]
    standard = "+" in payload or "/" in payload or payload.endswith("=")
    raw = _b64(payload, urlsafe=not standard)
    if raw is not None and compressed:
        raw = _inflate(raw)
    shown = _json(raw) if raw is not None else None
    if raw is None or shown is None:
        return None
    if standard or (not compressed and (b'": ' in raw or b', "' in raw)):
        return f"Starlette SessionMiddleware format: standard base64 of JSON {shown}, then timestamp and signature"
    if compressed or b'":' in raw:
        how = "zlib-compressed, " if compressed else ""
        return (
            f"Flask session format: {how}URL-safe base64 of compact JSON {shown}, then timestamp and "
            "signature (salt 'cookie-session')"
        )
    return f"itsdangerous signed JSON {shown} (Flask's and Starlette's formats agree on this payload; their signatures do not)"


def _signer(at: float | None) -> type:
    """itsdangerous' TimestampSigner, stamping ``at`` (seconds since the epoch) instead of now when given."""
    from itsdangerous import TimestampSigner

    class Signer(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(at) if at is not None else super().get_timestamp()

    return Signer


def flask_session(data: dict[str, Any], secret: str, at: float | None = None) -> str:
    """``data`` signed (now, or ``at``) as Flask's default session interface does, uncompressed JSON-native values."""
    from itsdangerous import URLSafeTimedSerializer

    class CompactJSON:  # Flask's tagged JSON writes plain values as compact JSON
        @staticmethod
        def dumps(value: Any) -> str:
            return json.dumps(value, separators=(",", ":"))

        @staticmethod
        def loads(value: str | bytes) -> Any:
            return json.loads(value)

    signer = {"key_derivation": "hmac", "digest_method": hashlib.sha1}
    serializer = URLSafeTimedSerializer(secret, "cookie-session", CompactJSON, signer=_signer(at), signer_kwargs=signer)
    return serializer.dumps(data)


def starlette_session(data: dict[str, Any], secret: str, at: float | None = None) -> str:
    """``data`` signed (now, or ``at``) as Starlette's ``SessionMiddleware`` does."""
    return _signer(at)(secret).sign(base64.b64encode(json.dumps(data).encode())).decode()
