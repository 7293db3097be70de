"""The demos' shared data: one user, its password check, bearer tokens and an order, so both apps agree on them.

Everything here is a demonstration, not a pattern to copy: the secret is in the source, the user
table is a dict, and a token never expires (a real app signs an expiry into it, as a JWT's ``exp``).
Tokens are deterministic on purpose: the sample catalog can then carry one that both servers
accept, whichever process issued it.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

SECRET_KEY = "demo-only-secret: never reuse it"  # signs session cookies and tokens in both apps
_SALT = b"demo-salt"
_ROUNDS = 1_000  # far too few for real passwords; keeps each login well under a millisecond


def hash_password(password: str) -> str:
    """PBKDF2-SHA256 of ``password``, written the way password hashes are usually stored."""
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), _SALT, _ROUNDS).hex()
    return f"pbkdf2:sha256:{_ROUNDS}${digest}"


USERS: dict[str, dict[str, str]] = {
    "ada": {
        "username": "ada",
        "full_name": "Ada Lovelace",
        "email": "ada@example.com",
        "password_hash": hash_password("lovelace"),
    },
}


def check_password(username: str, password: str) -> dict[str, str] | None:
    """The user record when the password is right, else None; the comparison takes constant time."""
    user = USERS.get(username)
    if user is None or not hmac.compare_digest(user["password_hash"], hash_password(password)):
        return None
    return user


def issue_token(username: str) -> str:
    """``ada.<signature>``: the user name signed with the demo secret."""
    signature = hmac.new(SECRET_KEY.encode(), username.encode(), hashlib.sha256).hexdigest()[:32]
    return f"{username}.{signature}"


def user_for_token(token: str) -> dict[str, str] | None:
    """The user a token was issued to, or None for a forged or unknown one."""
    username, _, _ = token.partition(".")
    if not hmac.compare_digest(issue_token(username), token):
        return None
    return USERS.get(username)


# An order holding the four types JSON has no notation for; each framework picks its own encoding.
ORDER: dict[str, Any] = {
    "id": UUID("6f1c3a52-9e4b-4d2a-8f57-2b0c1d9e7a10"),
    "placed_at": datetime(2024, 5, 17, 9, 30, tzinfo=UTC),
    "ships_on": date(2024, 5, 20),
    "total": Decimal("19.99"),
}
# The same order as a plain record, with a naive datetime (no time zone) as many databases hand one back.
ORDER_RECORD = ORDER | {"updated_at": datetime(2024, 5, 17, 11, 30)}
