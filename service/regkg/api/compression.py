"""gzip for the text the pages and APIs send: HTML, JSON (and ``+json`` types), JavaScript, CSS, SVG.

A pure ASGI middleware. A response is compressed when the client accepts gzip, the body is at
least :data:`MINIMUM_SIZE` bytes, it is not already encoded, and its media type is in
:data:`COMPRESSIBLE` (or ends in ``+json``). A response sent in one piece gets a new
``Content-Length``; a streamed one (SPARQL results, exports) stays streamed: each chunk is
compressed and flushed as it comes, so the client sees rows as early as before. Static files
(``/static/...``) are compressed once per version (their ETag) and kept in memory.
"""

from __future__ import annotations

import zlib
from collections import OrderedDict
from typing import Final

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["COMPRESSIBLE", "MINIMUM_SIZE", "CompressionMiddleware", "accepts_gzip", "packed"]

COMPRESSIBLE: Final = frozenset(
    {"text/html", "text/css", "text/javascript", "application/javascript", "application/json", "image/svg+xml"}
)
MINIMUM_SIZE: Final = 500
LEVEL: Final = 6
_STATIC_CACHE_ITEMS: Final = 64


def _accepts_gzip(headers: Headers) -> bool:
    return accepts_gzip(headers.get("accept-encoding", ""))


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an ``Accept-Encoding`` value lets the answer be gzipped."""
    for part in accept_encoding.lower().split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip() in {"gzip", "*"}:
            q = params.strip()
            try:
                return not (q.startswith("q=") and float(q[2:] or 0) == 0)
            except ValueError:
                return False
    return False


def packed(body: bytes, media_type: str) -> bytes | None:
    """``body`` gzipped, when this middleware would send it so (compressible, big enough, smaller)."""
    media = media_type.split(";")[0].strip().lower()
    if len(body) < MINIMUM_SIZE or not (media in COMPRESSIBLE or media.endswith("+json")):
        return None
    out = _gzip(body)
    return out if len(out) < len(body) else None


def _compressible(headers: MutableHeaders) -> bool:
    if "content-encoding" in headers:
        return False
    media = headers.get("content-type", "").split(";")[0].strip().lower()
    return media in COMPRESSIBLE or media.endswith("+json")


def _gzip(data: bytes) -> bytes:
    c = zlib.compressobj(LEVEL, zlib.DEFLATED, 31)
    return c.compress(data) + c.flush()


class CompressionMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._static: OrderedDict[tuple[str, str], bytes] = OrderedDict()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] == "HEAD" or not _accepts_gzip(Headers(scope=scope)):
            await self.app(scope, receive, send)
            return
        await _Responder(self, scope, send).run(self.app, receive)


class _Responder:
    """Holds the start message until the first body chunk tells whether the body is streamed."""

    def __init__(self, owner: CompressionMiddleware, scope: Scope, send: Send) -> None:
        self.owner = owner
        self.scope = scope
        self.path: str = scope.get("path", "")
        self.send = send
        self.start: Message | None = None
        self.mode = "undecided"  # then "plain", "whole", "stream" or "static"
        self.compressor: zlib._Compress | None = None
        self.buffer: list[bytes] = []
        self.cache_key: tuple[str, str] | None = None

    async def run(self, app: ASGIApp, receive: Receive) -> None:
        await app(self.scope, receive, self.on_send)

    async def on_send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(raw=message["headers"])
            if message["status"] in {200, 201, 203} and _compressible(headers):
                self.start = message
            else:
                self.mode = "plain"
                await self.send(message)
            return
        if message["type"] != "http.response.body" or self.mode == "plain":
            await self.send(message)
            return
        assert self.start is not None
        body: bytes = message.get("body", b"")
        more: bool = message.get("more_body", False)
        headers = MutableHeaders(raw=self.start["headers"])
        if self.mode == "undecided":
            if self.path.startswith("/static/") and "etag" in headers:
                self.mode = "static"
                self.cache_key = (self.path, headers["etag"])
            elif more:
                self.mode = "stream"
                self.compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, 31)
                del headers["content-length"]
                headers["content-encoding"] = "gzip"
                headers.add_vary_header("Accept-Encoding")
                await self.send(self.start)
            else:
                self.mode = "whole"
        if self.mode == "whole":
            await self._send_whole(headers, body)
        elif self.mode == "static":
            self.buffer.append(body)
            if not more:
                await self._send_static(headers)
        else:
            assert self.compressor is not None
            data = self.compressor.compress(body)
            data += self.compressor.flush(zlib.Z_SYNC_FLUSH if more else zlib.Z_FINISH)
            await self.send({"type": "http.response.body", "body": data, "more_body": more})

    async def _send_whole(self, headers: MutableHeaders, body: bytes, *, packed: bytes | None = None) -> None:
        assert self.start is not None
        if packed is None and len(body) >= MINIMUM_SIZE:
            packed = _gzip(body)
        if packed is not None and len(packed) < len(body):
            headers["content-encoding"] = "gzip"
            headers["content-length"] = str(len(packed))
            headers.add_vary_header("Accept-Encoding")
            body = packed
        await self.send(self.start)
        await self.send({"type": "http.response.body", "body": body, "more_body": False})

    async def _send_static(self, headers: MutableHeaders) -> None:
        body = b"".join(self.buffer)
        cache = self.owner._static
        assert self.cache_key is not None
        packed = cache.get(self.cache_key)
        if packed is None and len(body) >= MINIMUM_SIZE:
            packed = _gzip(body)
            cache[self.cache_key] = packed
            while len(cache) > _STATIC_CACHE_ITEMS:
                cache.popitem(last=False)
        await self._send_whole(headers, body, packed=packed)
