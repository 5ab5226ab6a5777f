"""Conditional GET for the web pages about things (``/page/...``).

A page is built from the data alone (:mod:`regkg.api.pages`), so the store's data version, the
URL and the headers that choose what the page shows name it: that is its ETag
(:func:`regkg.cache.etag`), computed before the page is built. A client that sends it back in
``If-None-Match`` gets 304 Not Modified without the page being built again, until the next write.
The linked-data routes and /sparql set their validators themselves; this middleware covers the
pages, whose router knows nothing of versions.
"""

from __future__ import annotations

from typing import Final

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from regkg import cache

__all__ = ["ConditionalPages"]

_PAGES: Final = "/page/"


class ConditionalPages:
    """ETag, Cache-Control and 304 Not Modified for GET and HEAD of ``/page/...``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in {"GET", "HEAD"} or not scope["path"].startswith(_PAGES):
            await self.app(scope, receive, send)
            return
        store = getattr(scope["app"].state, "store", None) if "app" in scope else None
        if store is None:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        tag = cache.etag(
            store.data_version,
            "page",
            headers.get("host"),
            scope.get("root_path", ""),
            scope["path"],
            scope.get("query_string", b""),
            headers.get("accept"),
            headers.get("accept-language"),
        )
        validators = {"ETag": tag, "Cache-Control": cache.CACHE_CONTROL, "Vary": "Accept, Accept-Language"}
        if cache.not_modified(headers.get("if-none-match"), tag):
            raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in validators.items()]
            await send({"type": "http.response.start", "status": 304, "headers": raw})
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_validated(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                out = MutableHeaders(scope=message)
                out["ETag"] = tag
                out["Cache-Control"] = cache.CACHE_CONTROL
                out.add_vary_header("Accept")
                out.add_vary_header("Accept-Language")
            await send(message)

        await self.app(scope, receive, send_validated)
