"""What both form test apps answer: the form fields and files they received, parsed the same way."""

from __future__ import annotations

import hashlib
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl


def describe(content_type: str, body: bytes) -> dict[str, Any]:
    """Fields and files of a urlencoded or multipart body (the boundary, which differs per send, left out)."""
    media = content_type.split(";", 1)[0].strip()
    if media == "application/x-www-form-urlencoded":
        return {"media": media, "fields": dict(parse_qsl(body.decode())), "files": []}
    message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
    fields, files = {}, []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        filename = part.get_param("filename", header="content-disposition")
        payload = part.get_payload(decode=True)  # a leaf part's bytes (None when it has none)
        assert payload is None or isinstance(payload, bytes), type(payload)
        payload = payload or b""

        if filename is None:
            fields[name] = payload.decode()
        else:
            files.append(
                {
                    "field": name,
                    "filename": filename,
                    "type": part.get_content_type(),
                    "sha256": hashlib.sha256(payload).hexdigest(),
                }
            )
    return {"media": media, "fields": fields, "files": files}
