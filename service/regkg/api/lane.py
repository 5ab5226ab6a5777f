"""The lookup lane: point lookups on GET /sparql answered before the web framework is entered.

A point lookup's whole evaluation is one index scan (:mod:`regkg.sparql.lookup`); what it cost
was everything around it: Starlette's request and routing, five middlewares, then a round trip
to an engine process. The app (:class:`regkg.api.app.RegkgApp`) asks the lane first; it answers
the one recognised shape from the store in the web process and leaves every other request,
untouched, to the app. It gzips as the compression middleware would.

It is an optimisation that must never change an answer, so everything it cannot do exactly as
the /sparql route would, it does not do: a POST, graph parameters, a query of any other shape, a
format that is not a SPARQL results format, a remote store, a subject with more than
``REGKG_LOOKUP_LANE_ROWS`` quads, a read that met a write under way -- each goes to the route.
What it answers carries the route's ETag (same key, same data version: a client's If-None-Match
works across both), the row cap and its headers, and ``X-RegKG-Lane: lookup``; /healthz counts
them (``workers.lookups_in_lane``).

The lane takes no share of the read budget: it never waits, and holds the event loop for one
scan of at most ``REGKG_LOOKUP_LANE_ROWS`` quads.
"""

from __future__ import annotations

import logging
from typing import Final
from urllib.parse import unquote_to_bytes

from starlette.applications import Starlette
from starlette.types import Scope, Send

from regkg import cache, formats, sparql
from regkg.api.compression import accepts_gzip, packed
from regkg.api.cors import ANSWER_HEADERS
from regkg.api.sparql import answer_validators, endpoint_url, results_of
from regkg.config import Settings
from regkg.errors import ApiError
from regkg.sparql.lookup import recognise, serialise
from regkg.sparql.results import Outcome

__all__ = ["LANE_HEADER", "LookupLane"]

#: Response header on answers the lane gave ("lookup").
LANE_HEADER: Final = "X-RegKG-Lane"
_ACCEPTS_KEPT: Final = 64
_MAX_CHARS: Final = 4096
_MAX_QUERY_STRING: Final = 6 + 3 * _MAX_CHARS + 512  # query=, each character %XX at worst, a few parameters
log = logging.getLogger("regkg.lane")
_LANE: Final = (LANE_HEADER.lower().encode("latin-1"), b"lookup")

Answer = tuple[int, list[tuple[bytes, bytes]], bytes]


class LookupLane:
    """Answers point lookups for one app (:class:`regkg.api.app.RegkgApp` asks it first)."""

    def __init__(self, app: Starlette) -> None:
        self.app = app
        self._formats: dict[str | None, formats.Format | None] = {}
        self._headers: dict[tuple[str, bool, int], list[tuple[bytes, bytes]]] = {}

    async def __call__(self, scope: Scope, send: Send) -> bool:
        """Answer the request if it is the lane's; False leaves it, untouched, to the app."""
        if scope["type"] != "http" or scope["method"] != "GET" or not scope.get("query_string"):
            return False
        path = scope["path"]
        if path != "/sparql" and path != scope.get("root_path", "") + "/sparql":
            return False
        try:
            answer = self._answer(scope)
        except Exception:  # never the lane's error to show: the route answers, in its one error shape
            log.exception("the lookup lane failed; the route answers instead")
            return False
        if answer is None:
            return False
        status, headers, body = answer
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        return True

    def _format(self, accept: str | None) -> formats.Format | None:
        """The results format the route would choose for ``accept`` (None: not one the lane writes)."""
        if accept in self._formats:
            return self._formats[accept]
        try:
            fmt: formats.Format | None = formats.negotiate(accept, formats.Kind.RESULTS)
        except formats.NotAcceptable:
            fmt = None
        if fmt is not None and fmt.results_format is None:
            fmt = None
        if len(self._formats) >= _ACCEPTS_KEPT:
            self._formats.clear()
        self._formats[accept] = fmt
        return fmt

    def _answer(self, scope: Scope) -> Answer | None:
        state = self.app.state
        settings = state.settings
        store = getattr(state, "store", None)
        pool = getattr(state, "queries", None)
        cap: int = settings.lookup_lane_rows
        if cap <= 0 or store is None or pool is None or pool.remote is not None or not hasattr(store, "match"):
            return None
        if settings.max_nesting < 1:  # a lookup nests one level (its braces)
            return None
        host = accept = if_none_match = accept_encoding = None
        cors: tuple[tuple[bytes, bytes], ...] = ()
        for name, value in scope["headers"]:  # the first of each, as Starlette's Headers.get gives it
            if name == b"origin":
                cors = ANSWER_HEADERS  # as regkg.api.cors adds them to the route's answers
            elif name == b"host":
                host = host if host is not None else value.decode("latin-1")
            elif name == b"accept":
                accept = accept if accept is not None else value.decode("latin-1")
            elif name == b"if-none-match":
                if_none_match = if_none_match if if_none_match is not None else value.decode("latin-1")
            elif name == b"accept-encoding":
                accept_encoding = accept_encoding if accept_encoding is not None else value.decode("latin-1")
        if host is None:
            return None
        query_string: bytes = scope["query_string"]
        if len(query_string) > _MAX_QUERY_STRING:  # not a lookup: the route reads it, once
            return None
        text = _query_text(query_string, settings)
        if text is None:
            return None
        # What the recogniser accepts passes the engine's text checks (sparql.check_text) by
        # construction -- no NUL, not empty, one level deep -- except the size, checked here.
        lookup = recognise(text, max_chars=min(_MAX_CHARS, settings.max_query_bytes))
        if lookup is None or (not text.isascii() and len(text.encode()) > settings.max_query_bytes):
            return None
        fmt = self._format(accept)
        results = results_of(state, pool, settings)
        if fmt is None or results is None:
            return None
        key = (text, (), (), accept, endpoint_url(scope, host))
        validators = answer_validators(results.at(pool.version), key)
        tag = validators["ETag"].encode("latin-1")
        if cache.not_modified(if_none_match, validators["ETag"]):
            pool.stats["lookups_in_lane"] += 1
            return 304, [*_raw(validators), _LANE, *cors], b""
        max_rows: int = settings.max_rows
        # Read no more than the answer needs (its LIMIT, or one past the row cap to tell whether
        # the cap cut it), and never more than the lane may hold: past that, an engine answers.
        need = min(n for n in (lookup.limit, max_rows + 1 if max_rows else None, cap + 1) if n is not None)
        quads = store.match(lookup.subject, lookup.predicate, lookup.obj, need)
        if quads is None or len(quads) > cap:
            return None
        if lookup.limit is not None:
            quads = quads[: lookup.limit]
        outcome = Outcome(fmt.media_type, fmt.content_type, truncated=bool(max_rows) and len(quads) > max_rows)
        if outcome.truncated:
            quads = quads[:max_rows]
        outcome.rows = len(quads)
        body = serialise(lookup, quads, fmt)
        pool.stats["lookups_in_lane"] += 1
        vary = b"Accept"
        headers = [*self._described(fmt, outcome, max_rows), (b"etag", tag)]
        gz = packed(body, fmt.content_type) if accept_encoding and accepts_gzip(accept_encoding) else None
        if gz is not None:
            body = gz
            headers.append((b"content-encoding", b"gzip"))
            vary = b"Accept, Accept-Encoding"
        headers += [(b"vary", vary), (b"content-length", str(len(body)).encode("latin-1")), _LANE, *cors]
        return 200, headers, body

    def _described(self, fmt: formats.Format, outcome: Outcome, max_rows: int) -> list[tuple[bytes, bytes]]:
        """The headers that describe an answer, as the route sends them (kept per format and cut)."""
        key = (fmt.media_type, outcome.truncated, max_rows)
        found = self._headers.get(key)
        if found is None:
            found = self._headers[key] = _raw(
                {"Content-Type": fmt.content_type, **outcome.headers(max_rows), "Cache-Control": cache.CACHE_CONTROL}
            )
        return found


def _query_text(query_string: bytes, settings: Settings) -> str | None:
    """The query of a GET with no graph parameters, as :func:`regkg.sparql.read_request` reads it;
    None for anything else, or for what it would refuse (the route then says what is wrong)."""
    if query_string.startswith(b"query=") and b"&" not in query_string and query_string.isascii():
        # The one parameter, decoded as parse_qsl decodes it, without its general machinery.
        try:
            return unquote_to_bytes(query_string[6:].replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            return None
    try:
        req = sparql.read_request("query", "GET", query_string, None, b"", settings)
    except ApiError:
        return None
    if req is None or req.default_graphs or req.named_graphs:
        return None
    return req.text


def _raw(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
