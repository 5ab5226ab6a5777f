"""Routes of the SPARQL 1.1 Protocol: GET|POST /sparql (query) and POST /update."""

from __future__ import annotations

import asyncio

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.datastructures import State
from starlette.routing import Route
from starlette.types import Scope

from regkg import cache, formats, sparql, writes
from regkg.api.deps import client_id, get_principal, get_queries, get_settings, get_store
from regkg.config import Settings
from regkg.errors import ApiError
from regkg.workers import EnginePool, QueryJob

__all__ = ["answer_validators", "endpoint_url", "results_of", "router"]

router = APIRouter(tags=["sparql"])
_HIT = cache.CACHE_HEADER

_QUERY_DOC = """SPARQL 1.1 Protocol query endpoint.

GET `?query=`, POST `application/x-www-form-urlencoded` (`query=`) or POST `application/sparql-query`;
`default-graph-uri` / `named-graph-uri` override FROM / FROM NAMED. Results are negotiated on Accept
(SELECT/ASK: SPARQL JSON, XML, CSV, TSV; CONSTRUCT/DESCRIBE: Turtle, N-Triples, JSON-LD, RDF/XML,
N-Quads, TriG). `GET /sparql` without a query returns the service description. A result cut by the
row cap carries `X-RegKG-Truncated: true`. Answers carry an ETag (data version, query, Accept): send
it back in `If-None-Match` for a 304 Not Modified until the next write.
"""


async def _body(request: Request, settings: Settings) -> bytes:
    limit = settings.max_query_bytes + 64 * 1024
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise ApiError(413, "too_large", f"the request body is {declared} bytes; the limit is {limit}", limit=limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "too_large", f"the request body is over {limit} bytes", limit=limit)
        chunks.append(chunk)
    return b"".join(chunks)


async def query(request: Request) -> Response:
    # Every microsecond here is paid by every point lookup: the URL's parameters are parsed once
    # (by read_request, not also by Starlette's query_params) and the endpoint's URL is built
    # from the scope rather than by a search of the routes (url_for).
    settings = get_settings(request)
    body = b"" if request.method == "GET" else await _body(request, settings)
    headers = request.headers
    req = sparql.read_request(
        "query", request.method, request.scope.get("query_string", b""), headers.get("content-type"), body, settings
    )
    accept = headers.get("accept")
    if req is None:
        graphs = await asyncio.to_thread(get_store(request).named_graphs)
        return _service_description(request, accept, settings, graphs)
    pool = get_queries(request)
    base_iri = _endpoint(request)
    results = results_of(request.app.state, pool, settings)
    if results is None:  # a remote store changes behind our back: no version to key on
        return await _run(request, pool, req, accept, base_iri, {"Vary": "Accept"})
    # The version is read before the query runs: the engine then answers from that version or a
    # newer one, so neither the ETag nor the cache ever holds an answer older than its key.
    version = results.at(pool.version)
    key = (req.text, req.default_graphs, req.named_graphs, accept, base_iri)
    validators = answer_validators(version, key)
    tag = validators["ETag"]
    if cache.not_modified(headers.get("if-none-match"), tag):
        return Response(status_code=304, headers=validators)
    if not results.enabled:
        return await _run(request, pool, req, accept, base_iri, validators)
    hit = results.get(version, key)
    if hit is not None:
        return Response(hit.body, media_type=hit.media_type, headers={**dict(hit.headers), **validators, _HIT: "hit"})
    response = await _run(request, pool, req, accept, base_iri, {**validators, _HIT: "miss"})
    if isinstance(response, _Complete):
        results.put(version, key, response.entry)
    return response


class _Complete(Response):
    """An answer that came in one piece from the engine (it may be kept in the cache)."""

    def __init__(self, entry: cache.Entry, headers: dict[str, str]) -> None:
        super().__init__(entry.body, media_type=entry.media_type, headers={**dict(entry.headers), **headers})
        self.entry = entry


async def _run(
    request: Request,
    pool: EnginePool,
    req: sparql.ProtocolRequest,
    accept: str | None,
    base_iri: str,
    headers: dict[str, str],
) -> Response:
    job = QueryJob(req.text, req.default_graphs, req.named_graphs, accept, base_iri=base_iri, client=client_id(request))
    response = await pool.execute(job, request.is_disconnected)
    described = tuple(response.outcome.headers(pool.settings.max_rows).items())
    if response.complete is not None:
        return _Complete(cache.Entry(response.complete, response.outcome.content_type, described), headers)
    return StreamingResponse(
        response.body, media_type=response.outcome.content_type, headers={**dict(described), **headers}
    )


def _endpoint(request: Request) -> str:
    """This endpoint's URL, as ``url_for("query")`` gives it: relative IRIs in a query resolve
    against it."""
    host = request.headers.get("host")
    if host is None:
        return str(request.url_for("query"))
    return endpoint_url(request.scope, host)


def endpoint_url(scope: Scope, host: str) -> str:
    """The /sparql URL a request with this ``Host`` reached (the base IRI of its query, and part
    of its answer's key)."""
    return f"{scope.get('scheme', 'http')}://{host}{scope.get('root_path', '')}/sparql"


def answer_validators(version: cache.Version, key: tuple[object, ...]) -> dict[str, str]:
    """The validators of a query's answer: its ETag is the data version and the key (query text,
    graph parameters, Accept, base IRI); the same for every path that answers /sparql."""
    return {"Vary": "Accept", "ETag": cache.etag(version, *key), "Cache-Control": cache.CACHE_CONTROL}


def results_of(state: State, pool: EnginePool, settings: Settings) -> cache.ResultCache | None:
    """The hot-result cache of this app's engine pool (None for a remote store); its epoch is part
    of every ETag."""
    if pool.remote is not None:
        return None
    results: cache.ResultCache | None = getattr(state, "results", None)
    if results is None or getattr(state, "results_pool", None) is not pool:
        results = state.results = cache.ResultCache(settings.result_cache_entries, settings.result_cache_bytes)
        state.results_pool = pool
    return results


# /sparql is served by a plain Starlette route, placed first: FastAPI's per-request dependency
# machinery cost about a sixth of a point lookup's CPU, and this endpoint reads the raw request
# anyway. The FastAPI route after it only documents the endpoint in the OpenAPI schema (/docs).
router.routes.append(Route("/sparql", query, methods=["GET", "POST"], name="query"))
for _method in ("GET", "POST"):
    router.add_api_route(
        "/sparql",
        query,
        methods=[_method],
        description=_QUERY_DOC,
        summary="SPARQL query",
        operation_id=f"sparql_query_{_method.lower()}",
    )


def _service_description(request: Request, accept: str | None, settings: Settings, graphs: list[str]) -> Response:
    try:
        fmt = formats.negotiate(accept, formats.Kind.GRAPH)
    except formats.NotAcceptable as exc:
        raise ApiError(406, "not_acceptable", str(exc), supported=exc.supported) from None
    endpoint = str(request.url_for("query"))
    triples = sparql.service_description(endpoint, graphs, settings)
    assert fmt.rdf_format is not None
    data = ox.serialize(
        triples, format=fmt.rdf_format, prefixes={"sd": "http://www.w3.org/ns/sparql-service-description#"}
    )
    return Response(data or b"", media_type=fmt.content_type, headers={"Vary": "Accept"})


@router.post("/update", summary="SPARQL update (bearer token required)")
async def update(request: Request) -> JSONResponse:
    """SPARQL 1.1 Update: POST form (`update=`) or `application/sparql-update`, with
    `using-graph-uri` / `using-named-graph-uri`; `Authorization: Bearer <token>` from REGKG_WRITE_TOKEN."""
    settings = get_settings(request)
    who = get_principal(request)
    body = await _body(request, settings)
    req = sparql.read_request(
        "update",
        request.method,
        request.scope.get("query_string", b""),
        request.headers.get("content-type"),
        body,
        settings,
        request.query_params.multi_items(),
    )
    assert req is not None
    result = await writes.apply_update(
        req,
        getattr(request.app.state, "gate", None),
        get_store(request),
        get_queries(request),
        who,
        base_iri=str(request.url_for("update")),
        ungated_remote=settings.remote_writes_ungated,
    )
    return JSONResponse(result.as_dict())
