"""The upload cap, enforced while the request body streams in: an ASGI middleware that counts the bytes as they
arrive and answers 413 the moment the cap is passed (a ``Content-Length`` above it is refused before a byte
is read), so an oversized upload never fills a disk or the memory."""
from __future__ import annotations

import json


class LimitBody:
    """ASGI middleware: request bodies up to ``max_bytes``; ``scope["azlog.bytes"]`` counts what was read. Past the
    cap it answers 413 itself and tells the application the client went away (whatever the application then
    tries to send is dropped)."""

    def __init__(self, app, max_bytes: int, on_reject=lambda reason: None):
        self.app, self.max_bytes, self.on_reject = app, max_bytes, on_reject

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        scope["azlog.bytes"] = 0
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            return await self._refuse(send, scope)
        refused = False

        async def counted():
            nonlocal refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                scope["azlog.bytes"] += len(message.get("body", b""))
                if scope["azlog.bytes"] > self.max_bytes:
                    refused = True
                    await self._refuse(send, scope)
                    return {"type": "http.disconnect"}
            return message

        async def watched(message):
            if not refused:
                await send(message)

        await self.app(scope, counted, watched)

    async def _refuse(self, send, scope) -> None:
        self.on_reject("too_large")
        body = json.dumps({"error": "upload too large",
                           "detail": f"the upload limit is {self.max_bytes >> 20} MB"}).encode()
        scope["azlog.status"] = 413
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"connection", b"close"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
