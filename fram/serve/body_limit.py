"""The request-size cap, answered in the API's own JSON (413 ``{"error": …}``).

A declared ``Content-Length`` above the cap is refused before a byte is read; a body
without one (chunked) is counted as it streams and refused once it passes the cap, so
no request can make the server buffer more than ``max_bytes``.
"""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException


class UploadTooLarge(HTTPException):
    """Raised from the body stream; an HTTPException so that FastAPI's form parsing
    passes it on (it turns other errors into 400) and the app's handler answers it."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, _message(max_bytes))


def _message(max_bytes: int) -> str:
    return f"the upload is larger than the server's limit of {max_bytes / 2**20:.3g} MB"


class BodyLimit:
    """ASGI middleware: at most ``max_bytes`` of request body per request."""

    def __init__(self, app, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            return await self._refuse(send)
        total = 0
        started = False

        async def counted_receive():
            nonlocal total
            message = await receive()
            if message["type"] == "http.request":
                total += len(message.get("body", b""))
                if total > self.max_bytes:
                    raise UploadTooLarge(self.max_bytes)
            return message

        async def watched_send(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except UploadTooLarge:
            if started:
                raise
            await self._refuse(send)

    async def _refuse(self, send) -> None:
        body = json.dumps({"error": _message(self.max_bytes)}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})
