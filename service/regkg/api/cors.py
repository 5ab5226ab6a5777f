"""Cross-origin reads: every answer may be read by a page of any origin (CORS, ``*``).

The endpoint and the linked data are public, and the clients of this field run in browsers too:
YASGUI or Comunica served from another site, a notebook's JavaScript. Without
``Access-Control-Allow-Origin`` the browser hides the answer from them, and without an answer to
the preflight (``OPTIONS`` with ``Access-Control-Request-Method``) it does not even send a POST of
``application/sparql-query``. Writes need a bearer token, never a cookie, so answering ``*`` gives
a foreign page nothing it could not do itself: it must hold the token.

A pure ASGI middleware, outermost: a preflight is answered 204 before routing; any request that
carries an ``Origin`` gets ``Access-Control-Allow-Origin: *`` and the headers a script may read
(:data:`EXPOSED`). With ``*`` the answer does not vary by origin, so no ``Vary: Origin`` is added.
A preflight that asks for Private Network Access is granted it.
The lookup lane, which answers before this middleware, adds the same headers (:data:`ANSWER_HEADERS`).
"""

from __future__ import annotations

from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["ANSWER_HEADERS", "EXPOSED", "CrossOrigin"]

#: Response headers a cross-origin script may read (beyond the CORS-safelisted ones).
EXPOSED: Final = (
    "ETag",
    "Link",
    "Location",
    "Retry-After",
    "X-RegKG-Truncated",
    "X-RegKG-Max-Rows",
    "X-RegKG-Cache",
    "X-RegKG-Lane",
)
_METHODS: Final = b"GET, HEAD, POST, PUT, DELETE, OPTIONS"
_MAX_AGE: Final = b"86400"
_ALLOW: Final = (b"access-control-allow-origin", b"*")
_EXPOSE: Final = (b"access-control-expose-headers", ", ".join(EXPOSED).encode("latin-1"))


#: What an answer to a request with an ``Origin`` carries.
ANSWER_HEADERS: Final = (_ALLOW, _EXPOSE)


class CrossOrigin:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_headers: list[tuple[bytes, bytes]] = scope["headers"]
        origin = requested = asked_headers = None
        private = False
        for name, value in request_headers:
            if name == b"origin":
                origin = value
            elif name == b"access-control-request-method":
                requested = value
            elif name == b"access-control-request-headers":
                asked_headers = value
            elif name == b"access-control-request-private-network":
                private = True
        if origin is None:
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS" and requested is not None:
            preflight = [
                _ALLOW,
                (b"access-control-allow-methods", _METHODS),
                (b"access-control-max-age", _MAX_AGE),
            ]
            if asked_headers:
                # Any request header may be sent: none of them is a credential the browser adds
                # on its own (the bearer token is the script's to give).
                preflight.append((b"access-control-allow-headers", asked_headers))
            if private:
                # Chromium's Private Network Access: a page of a public site (a hosted YASGUI)
                # may query a regkg on the reader's own machine or network.
                preflight.append((b"access-control-allow-private-network", b"true"))
            await send({"type": "http.response.start", "status": 204, "headers": preflight})
            await send({"type": "http.response.body", "body": b""})
            return

        async def with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in _OURS]
                message = {**message, "headers": [*headers, _ALLOW, _EXPOSE]}
            await send(message)

        await self.app(scope, receive, with_cors)


_OURS: Final = frozenset({_ALLOW[0], _EXPOSE[0]})
