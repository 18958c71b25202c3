"""ASGI middleware that checks a request body before any route sees it: size, media type, UTF-8.

The body is read once, up to the limit, and replayed to the app, so a client that streams
more than the limit is cut off at the limit (413) instead of filling memory.
"""

from __future__ import annotations

import email.message
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from app.api.errors import error_body

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# The methods of the routes that take a body. A PUT or PATCH goes on to the router, which
# answers 405 whatever it carries: checking its body first answered 415 or 413, naming a
# problem the client could fix only to be refused anyway.
_BODY_METHODS = {"POST"}


def is_json(content_type: str | None) -> bool:
    if not content_type:
        return False
    message = email.message.Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (subtype == "json" or subtype.endswith("+json"))


class BodyGuard:
    """Rejects oversize (413), non-JSON (415) and non-UTF-8 (400) bodies in the error shape."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        limit = scope["app"].state.settings.max_body_bytes  # settings are read at start-up
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await _reply(send, 413, "payload_too_large", f"the body is over {limit} bytes")
            return
        if not is_json(headers.get("content-type")):
            await _reply(send, 415, "unsupported_media_type", "send the body as application/json")
            return
        body = bytearray()  # grown in place: a 2 MB batch arrives in dozens of chunks
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > limit:
                await _reply(send, 413, "payload_too_large", f"the body is over {limit} bytes")
                return
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as exc:
            await _reply(send, 400, "invalid_utf8", f"the body is not valid UTF-8 (byte {exc.start})")
            return
        await self.app(scope, _replay(bytes(body), receive), send)


def _replay(body: bytes, receive: Receive) -> Receive:
    """Hand the app the body already read; after that, pass on the client's own messages."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _reply(send: Send, status: int, code: str, message: str) -> None:
    payload = json.dumps(error_body(code, message)).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": payload})
