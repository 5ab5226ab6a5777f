"""The SPARQL 1.1 Graph Store HTTP Protocol at /graph-store (`?graph=IRI` or `?default`).

GET and HEAD are public; PUT (replace), POST (merge) and DELETE need a token and go through the
write gate like every write (the payload is parsed in an engine; protected graphs need an admin;
SHACL; recorded). Every graph has an ETag (its version: it changes when a change touches the
graph); `If-Match` with another ETag answers 412, so a writer working from a stale copy does not
overwrite someone else's change; `If-None-Match` on GET answers 304.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from regkg import formats, vocab
from regkg.api.deps import get_principal, get_queries, get_settings, get_store
from regkg.errors import ApiError
from regkg.workers import Change
from regkg.workers.messages import GraphJob
from regkg.writes import Gate

__all__ = ["router"]

router = APIRouter(tags=["graph store"])

GraphParam = Annotated[str | None, Query(max_length=2000, description="The graph's IRI")]
DefaultParam = Annotated[str | None, Query(description="Present (empty): the default graph")]


def _target(graph: str | None, default: str | None) -> str:
    """The graph named ("" for the default graph); 400 unless exactly one of the two is given."""
    if (graph is None) == (default is None):
        raise ApiError(400, "bad_request", "name exactly one graph: ?graph=<IRI> or ?default")
    if graph is None:
        return ""
    try:
        ox.NamedNode(graph)
    except ValueError as exc:
        raise ApiError(400, "invalid_iri", f"graph: not a valid IRI: {exc}", parameter="graph") from None
    if ":" not in graph:
        raise ApiError(400, "invalid_iri", "graph: an absolute IRI is needed", parameter="graph")
    return graph


def _gate(request: Request) -> Gate:
    gate = getattr(request.app.state, "gate", None)
    if gate is None:
        raise ApiError(405, "method_not_allowed", "this store (a remote server) takes writes through /update only")
    return gate  # type: ignore[no-any-return]


def _etag(request: Request, graph: str) -> str:
    gate = getattr(request.app.state, "gate", None)
    version = gate.graph_version(graph) if gate is not None else 0
    epoch = get_store(request).data_version.split("-", 1)[0]
    return f'"{epoch}-{version}"'


def _quads(request: Request, graph: str) -> list[ox.Quad]:
    store = get_store(request)
    return store.quads(None, graph) if graph else store.default_graph()  # type: ignore[attr-defined,no-any-return]


@router.api_route("/graph-store", methods=["GET", "HEAD"], summary="Read one graph")
async def read(request: Request, graph: GraphParam = None, default: DefaultParam = None) -> Response:
    target = _target(graph, default)
    try:
        fmt = formats.negotiate(request.headers.get("accept"), formats.Kind.GRAPH)
    except formats.NotAcceptable as exc:
        raise ApiError(406, "not_acceptable", str(exc), supported=exc.supported) from None
    quads = await asyncio.to_thread(_quads, request, target)
    if target and not quads:
        raise ApiError(404, "not_found", f"no graph <{target}> in the store")
    etag = _etag(request, target)
    headers = {"ETag": etag, "Vary": "Accept"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    assert fmt.rdf_format is not None
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    body = ox.serialize(triples, format=fmt.rdf_format, prefixes=dict(vocab.PREFIXES)) or b""
    if request.method == "HEAD":
        headers["Content-Length"] = str(len(body))
        return Response(status_code=200, media_type=fmt.content_type, headers=headers)
    return Response(body, media_type=fmt.content_type, headers=headers)


async def _write(request: Request, method: str, target: str) -> Response:
    who = get_principal(request)
    gate = _gate(request)
    settings = get_settings(request)
    if_match = request.headers.get("if-match")
    if if_match is not None and if_match != "*" and if_match != _etag(request, target):
        raise ApiError(412, "precondition_failed", "the graph changed since that ETag; GET it again and retry")
    existed = bool(await asyncio.to_thread(_quads, request, target))
    if method == "DELETE" and target and not existed:
        raise ApiError(404, "not_found", f"no graph <{target}> in the store")
    parts: list[tuple[str, bytes]] = []
    if method != "DELETE":
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > settings.max_graph_bytes:
            raise ApiError(413, "too_large", f"the graph is over {settings.max_graph_bytes} bytes")
        media_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
        if media_type == "multipart/form-data":
            # Several RDF documents in one request (SPARQL 1.1 GSP 5.5), each with its own type.
            async with request.form(max_files=100, max_fields=100) as form:
                for _name, value in form.multi_items():
                    if isinstance(value, str):
                        continue
                    part_type = (value.content_type or "").split(";")[0].strip().lower()
                    parts.append((part_type, await value.read()))
        elif not media_type:
            raise ApiError(415, "unsupported_media_type", "send the graph with its Content-Type (text/turtle, ...)")
        else:
            parts.append((media_type, await request.body()))
    pool = get_queries(request)
    base = target or str(request.url_for("read"))
    job = GraphJob(method, target, tuple(parts), base_iri=base)

    async def compute() -> Change:
        return await pool.compute_change(job)

    result = await gate.submit(compute, who)
    headers = {"ETag": _etag(request, target)}
    if result.change:
        headers["X-RegKG-Change"] = result.change
    status = 201 if method in {"PUT", "POST"} and not existed and result.added else 204
    return Response(status_code=status, headers=headers)


@router.put("/graph-store", summary="Replace one graph (token)")
async def put(request: Request, graph: GraphParam = None, default: DefaultParam = None) -> Response:
    return await _write(request, "PUT", _target(graph, default))


@router.post("/graph-store", summary="Add to one graph (token); without a graph, create a new one")
async def post(request: Request, graph: GraphParam = None, default: DefaultParam = None) -> Response:
    if graph is None and default is None:
        # POST to the store itself: a new graph, named by the service; Location is its IRI
        # (read it back with ?graph=<that IRI>).
        new = f"{vocab.GRAPH}uploads/{uuid.uuid4().hex}"
        response = await _write(request, "POST", new)
        response.headers["Location"] = new
        response.status_code = 201
        return response
    return await _write(request, "POST", _target(graph, default))


@router.delete("/graph-store", summary="Drop one graph (token)")
async def delete(request: Request, graph: GraphParam = None, default: DefaultParam = None) -> Response:
    return await _write(request, "DELETE", _target(graph, default))
