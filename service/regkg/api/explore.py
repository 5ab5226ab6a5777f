"""Exploration API: /api/search, /api/entity, /api/neighbourhood, /api/path, /api/group, /api/examples.

Thin: parameters are validated here (422 in the one error shape), the work is done by
:mod:`regkg.search` and :mod:`regkg.explore` on the durable store, in FastAPI's thread pool.
The search index and the projected entity graph live on ``app.state`` and follow the store's
data version.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import mimeparse
import pyoxigraph as ox
from fastapi import APIRouter, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from regkg import examples, explore, formats, vocab
from regkg.api.budget import bounded
from regkg.api.deps import get_settings, get_store
from regkg.errors import ApiError
from regkg.explore import EntityGraph, Limits
from regkg.explore.index import CurrentIndex
from regkg.explore.neighbourhood import links_of
from regkg.search import SearchIndex
from regkg.store.base import Store

__all__ = ["entity_graph", "graph_index", "iri_param", "router", "search_index"]

router = APIRouter(prefix="/api", tags=["explore"])


#: Routes run on worker threads: the first requests must not each create (and build) their own.
_CREATING = threading.Lock()
T = TypeVar("T")


def _shared(request: Request, name: str, make: Callable[[Store], T]) -> T:
    """The app's one ``name`` object for the current store, created on first use (once, however
    many worker threads ask at the same time); each follows the store's data version itself."""
    store = get_store(request)
    found = getattr(request.app.state, name, None)
    if found is None or found.store is not store:
        with _CREATING:
            found = getattr(request.app.state, name, None)
            if found is None or found.store is not store:
                found = make(store)
                setattr(request.app.state, name, found)
    return found  # type: ignore[no-any-return]


def search_index(request: Request) -> SearchIndex:
    """The app's search index (created on first use, rebuilt as the data version moves)."""
    settings = get_settings(request)
    return _shared(
        request,
        "search_index",
        lambda store: SearchIndex(
            store, stage=settings.search_stage_names, sync_rebuild_seconds=settings.search_sync_rebuild_seconds
        ),
    )


def graph_index(request: Request) -> CurrentIndex:
    """The app's in-memory graph index for neighbourhoods (see regkg.explore.index)."""
    seconds = get_settings(request).search_sync_rebuild_seconds
    return _shared(request, "graph_index", lambda store: CurrentIndex(store, sync_rebuild_seconds=seconds))


def entity_graph(request: Request) -> EntityGraph:
    return _shared(request, "entity_graph", EntityGraph)


def iri_param(value: str, name: str = "iri") -> str:
    """An IRI (or known-prefix CURIE) from a parameter; 422 when it is not one."""
    try:
        return explore.parse_iri(value)
    except ValueError as exc:
        raise ApiError(422, "invalid_iri", f"{name}: {exc}", parameter=name) from None


def _limits(request: Request) -> Limits:
    return Limits.of(get_settings(request))


def _refuse(name: str, value: object, message: str, kind: str, ctx: dict[str, int]) -> RequestValidationError:
    """The 422 FastAPI's own ``le=``/``max_length=`` checks answer, for caps that are settings (read per
    app, so they cannot be in the route's signature)."""
    return RequestValidationError([{"loc": ("query", name), "msg": message, "type": kind, "input": value, "ctx": ctx}])


def _at_most(value: int, cap: int, name: str) -> int:
    if value > cap:
        raise _refuse(name, value, f"Input should be less than or equal to {cap}", "less_than_equal", {"le": cap})
    return value


def _known(store: Store, iri: str, name: str = "iri") -> str:
    if not explore.exists(store, iri):
        raise ApiError(404, "not_found", f"{name}: no entity {iri} in the graph", iri=iri)
    return iri


IriQuery = Annotated[str, Query(min_length=1, max_length=2000, description="An IRI, or a CURIE such as rk:Platform")]


@router.get("/search", summary="Find entities by label or alias, in any language")
def search(
    request: Request,
    q: Annotated[
        str, Query(min_length=1, description="Words of a name, in any language (REGKG_SEARCH_MAX_QUERY_CHARS)")
    ],
    type: Annotated[
        list[str] | None, Query(max_length=20, description="Only entities of these types (IRIs or CURIEs)")
    ] = None,
    limit: Annotated[int, Query(ge=1, description="At most REGKG_SEARCH_MAX_RESULTS (default 100)")] = 10,
) -> JSONResponse:
    """Ranked: exact > prefix > substring > close misspelling. `{"results": [{"id", "label", "types",
    "score", "matched", "match"}]}`; `matched` is the name that matched, `match` how. A plain `def`: FastAPI
    runs it in its thread pool, so building or rebuilding the index (see regkg.search.current) never blocks
    the event loop; during a background rebuild, searches answer from the previous index."""
    settings = get_settings(request)
    n = settings.search_max_query_chars
    if len(q) > n:
        raise _refuse("q", q, f"String should have at most {n} characters", "string_too_long", {"max_length": n})
    _at_most(limit, settings.search_max_results, "limit")
    if any(ord(ch) < 0x20 or ch in "\x7f\ufffd" for ch in q):
        raise ApiError(
            422,
            "invalid_request",
            "q: control characters and bytes that are not UTF-8 cannot be searched",
            parameter="q",
        )
    types = [iri_param(t, "type") for t in type or []]
    with bounded(request):
        hits = search_index(request).search(q, types=types, limit=limit)
    return JSONResponse({"query": q, "results": [h.as_dict() for h in hits]})


@router.get("/entity", summary="One entity: types, labels, facts, incoming links, sources")
def entity(request: Request, iri: IriQuery) -> JSONResponse:
    store = get_store(request)
    target = iri_param(iri)
    try:
        with bounded(request):
            return JSONResponse(explore.entity(store, target, limits=_limits(request)))
    except explore.NotFound:
        raise ApiError(404, "not_found", f"iri: no entity {target} in the graph", iri=target) from None


def _wants_rdf(accept: str | None) -> formats.Format | None:
    """The RDF format asked for, None for JSON; 406 when neither is acceptable."""
    if not accept or not accept.strip():
        return None
    try:
        json_q = mimeparse.quality("application/json", accept)
    except (mimeparse.MimeTypeParseException, ValueError, IndexError):
        json_q = 0.0
    try:
        fmt = formats.negotiate(accept, formats.Kind.GRAPH)
        fmt_q = mimeparse.quality(fmt.media_type, accept)
    except formats.NotAcceptable as exc:
        if json_q > 0:
            return None
        raise ApiError(406, "not_acceptable", str(exc), supported=["application/json", *exc.supported]) from None
    if json_q >= fmt_q and json_q > 0:
        return None
    return fmt


@router.get(
    "/neighbourhood",
    summary="The entities within a few hops of one, with typed, labelled edges",
    responses={200: {"content": {"application/json": {}, "text/turtle": {}, "application/n-triples": {}}}},
)
def neighbourhood(
    request: Request,
    iri: IriQuery,
    hops: Annotated[int, Query(ge=1, description="At most REGKG_EXPLORE_MAX_HOPS (default 3)")] = 1,
    limit: Annotated[
        int | None,
        Query(ge=1, description="At most REGKG_EXPLORE_MAX_NODES (500); by default REGKG_EXPLORE_DEFAULT_NODES (100)"),
    ] = None,
    concern: Annotated[str | None, Query(max_length=2000, description="A concern IRI, CURIE or slug")] = None,
) -> Response:
    """`{"nodes": [{"id", "label", "types", ...}], "edges": [{"source", "target", "predicate", "label"}],
    "truncated"}`; with `Accept: text/turtle` (N-Triples, JSON-LD, RDF/XML) the same subgraph as RDF."""
    fmt = _wants_rdf(request.headers.get("accept"))
    limits = _limits(request)
    _at_most(hops, limits.max_hops, "hops")
    if limit is not None:
        _at_most(limit, limits.max_nodes, "limit")
    store = get_store(request)
    target = iri_param(iri)
    wanted_concern = None
    if concern:
        wanted_concern = iri_param(concern if ":" in concern else vocab.CONCERN + concern, "concern")
    try:
        with bounded(request):
            if wanted_concern:
                _known(store, wanted_concern, "concern")
            sub = explore.neighbourhood(
                store, target, hops=hops, limit=limit, concern=wanted_concern, limits=limits, index=graph_index(request)
            )
    except explore.NotFound:
        raise ApiError(404, "not_found", f"iri: no entity {target} in the graph", iri=target) from None
    headers = {"Vary": "Accept"}
    if sub.truncated:
        headers["X-RegKG-Truncated"] = "true"
    if fmt is None:
        return JSONResponse(sub.as_dict(), headers=headers)
    assert fmt.rdf_format is not None
    data = ox.serialize(sub.triples(), format=fmt.rdf_format, prefixes=dict(vocab.PREFIXES))
    return Response(data or b"", media_type=fmt.content_type, headers=headers)


@router.get("/path", summary="Shortest paths between two entities")
def path(
    request: Request,
    from_: Annotated[str, Query(alias="from", min_length=1, max_length=2000)],
    to: Annotated[str, Query(min_length=1, max_length=2000)],
    max_hops: Annotated[
        int | None,
        Query(
            ge=1, description="At most REGKG_EXPLORE_MAX_PATH_HOPS (8); by default REGKG_EXPLORE_DEFAULT_PATH_HOPS (5)"
        ),
    ] = None,
) -> JSONResponse:
    """Up to REGKG_EXPLORE_MAX_PATHS (10) shortest paths of at most `max_hops` edges, over the entity
    graph (asserted links between entities; concepts, statuses, jurisdictions, publishers and classes
    are not walked through). `{"paths": [{"nodes": [ids], "edges": [...], "length"}], "nodes": [...]}`."""
    limits = _limits(request)
    hops = limits.default_path_hops if max_hops is None else _at_most(max_hops, limits.max_path_hops, "max_hops")
    store = get_store(request)
    source, target = iri_param(from_, "from"), iri_param(to, "to")
    with bounded(request):
        links = links_of(store, graph_index(request))
        for name, iri in (("from", source), ("to", target)):
            if not links.exists(iri):
                raise ApiError(404, "not_found", f"{name}: no entity {iri} in the graph", iri=iri)
        graph = entity_graph(request).get()
        found = explore.paths(graph, source, target, max_hops=hops, limits=limits)
        result = explore.path_result(store, graph, found, links)
    return JSONResponse({"from": source, "to": target, "max_hops": hops, **result})


@router.get("/group", summary="The corporate-group roll-up from any member")
def group(request: Request, iri: IriQuery) -> JSONResponse:
    """`{"group": {"id", "label"}, "members", "platforms", "actions": [{"id", "label", "date", "regulator",
    "concerns", "amounts": [{"value", "currency"}], "sources"}], "totals": [{"currency", "amount", "count"}],
    "minority_stakes"}`. Control above 50 % only (rk:subsidiaryOf); minority stakes are listed, never summed."""
    store = get_store(request)
    target = iri_param(iri)
    try:
        with bounded(request):
            return JSONResponse(explore.group(store, target, limits=_limits(request)))
    except explore.NotFound:
        raise ApiError(404, "not_found", f"iri: no entity {target} in the graph", iri=target) from None
    except explore.NotApplicable as exc:
        raise ApiError(422, "not_a_group_member", str(exc), iri=target) from None


@router.get("/examples", summary="The example queries of queries/*.rq (the query editor's tabs)")
def example_queries() -> dict[str, Any]:
    return {"examples": [e.as_dict() for e in examples.load()]}
