"""Linked-data routes: dereferencing (Cool URIs, 303 See Other), RDF documents, export, VoID,
the JSON-LD context and the ontology's documentation.

=====================================  ==========================================================
``GET /id/{key}``                      303 to ``/page/{key}`` (HTML) or ``/data/{key}.{ext}`` (RDF)
``GET /concern/{slug}``, ``/sector/..``  the same for concepts (``/concern/`` for the scheme)
``GET /data/{key}.{ttl,nt,jsonld,rdf}``  the resource's description in that format
``GET /data/{key}``                    303 to the format the Accept header prefers
``GET /ontology``                      303 to ``/ontology.html`` (pyLODE) or ``/ontology.{ext}``
``GET /ontology.{html,ttl,nt,jsonld,rdf}``  the documentation page or the OWL ontology
``GET /export[.ext]?format=``          the whole graph, streamed (N-Quads unless asked otherwise)
``GET /.well-known/void``              VoID/DCAT with counts (Turtle unless asked otherwise)
``GET /context.jsonld``                the JSON-LD context of the JSON-LD documents and dumps
=====================================  ==========================================================

An ontology term ``https://w3id.org/regkg/ontology#Term`` is a hash IRI: a client drops the
fragment and asks for ``/ontology``; a browser is sent to ``/ontology.html`` and keeps the
fragment, which names the term's anchor on the page. ``/page/...`` is served by the web pages.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from regkg import cache, formats, urls, vocab
from regkg.api import budget
from regkg.api.deps import client_id, get_settings, get_store
from regkg.errors import ApiError
from regkg.linked_data import describe as desc
from regkg.linked_data import export as exp
from regkg.linked_data import jsonld, ontology_docs
from regkg.linked_data import void as void_
from regkg.store.base import Store

__all__ = ["router"]

router = APIRouter(tags=["linked data"])

_GET = ["GET", "HEAD"]


def _urls(request: Request) -> urls.Urls:
    return urls.for_base(get_settings(request).base_iri)


def _root(request: Request) -> str:
    """The service's own root URL (scheme, host, port and any mount path), ending with '/'."""
    return str(request.base_url)


def _local(request: Request, path: str) -> str:
    """A path of this service, prefixed with the mount path (for Location and Link headers)."""
    root: str = request.scope.get("root_path", "")
    return root.rstrip("/") + path


def _not_acceptable(exc: formats.NotAcceptable) -> ApiError:
    return ApiError(406, "not_acceptable", str(exc), supported=exc.supported)


def _not_found(what: str, **extra: Any) -> ApiError:
    return ApiError(404, "not_found", what, **extra)


def _document_format(request: Request) -> formats.Format:
    """The RDF format of a document, negotiated on Accept among those with a /data/ extension."""
    try:
        fmt = formats.negotiate(request.headers.get("accept"), formats.Kind.GRAPH)
    except formats.NotAcceptable as exc:
        raise _not_acceptable(exc) from None
    if fmt.extension not in urls.DATA_EXTENSIONS:
        fmt = formats.supported(formats.Kind.GRAPH)[0]
    return fmt


def _see_other(request: Request, path: str, etag: str | None = None) -> Response:
    headers = {"Location": _local(request, path), "Vary": "Accept", **(_validators(etag) if etag else {})}
    return Response(status_code=303, headers=headers)


def _etag(request: Request, store: Store, variant: str) -> str:
    """The validator of a document of the store's current data version (it changes on every write).
    Read before the document is built, so that the document is of that version or a newer one."""
    return cache.etag(store.data_version, _root(request), get_settings(request).base_iri, request.url.path, variant)


def _described_by(request: Request) -> str:
    """The Link to the VoID description that a graph or a dump belongs to."""
    return urls.link_header([(_local(request, urls.VOID), None)], rel="describedby")


def _validators(etag: str) -> dict[str, str]:
    return {"ETag": etag, "Cache-Control": cache.CACHE_CONTROL}


def _not_modified(request: Request, etag: str, vary: bool = False) -> Response | None:
    """304 Not Modified when the client's If-None-Match names ``etag``."""
    if not cache.not_modified(request.headers.get("if-none-match"), etag):
        return None
    return Response(status_code=304, headers={**_validators(etag), **({"Vary": "Accept"} if vary else {})})


async def _dereference(request: Request, iri: str | None, what: str) -> Response:
    u = _urls(request)
    if iri is None:
        raise _not_found(f"no {what} at {request.url.path}")
    store = get_store(request)
    # Where the IRI redirects depends on the data (is it there?) and Accept: both in the validator.
    etag = _etag(request, store, request.headers.get("accept") or "")
    if (unchanged := _not_modified(request, etag, vary=True)) is not None:
        return unchanged
    if not await budget.run(request, desc.exists, store, iri):
        raise _not_found(f"the graph says nothing about <{iri}>", iri=iri)
    try:
        fmt = formats.negotiate_html(request.headers.get("accept"))
    except formats.NotAcceptable as exc:
        raise _not_acceptable(exc) from None
    target = u.page(iri) if fmt is None else u.data(iri, fmt.extension)
    assert target is not None
    return _see_other(request, target, etag)


@router.api_route("/id/{key:path}", methods=_GET, summary="Dereference a thing's IRI (303 See Other)")
async def dereference_thing(request: Request, key: str) -> Response:
    """`https://w3id.org/regkg/id/{key}` (or the deployment's base): 303 to the HTML page or, by
    Accept (q-weights honoured), to `/data/{key}.{ttl,nt,jsonld,rdf}`."""
    return await _dereference(request, _urls(request).from_path("/id/" + key), "thing")


@router.api_route("/concern/{slug:path}", methods=_GET, summary="Dereference a concern concept (303)")
async def dereference_concern(request: Request, slug: str) -> Response:
    return await _dereference(request, _urls(request).from_path("/concern/" + slug), "concern")


@router.api_route("/sector/{slug:path}", methods=_GET, summary="Dereference a sector concept (303)")
async def dereference_sector(request: Request, slug: str) -> Response:
    return await _dereference(request, _urls(request).from_path("/sector/" + slug), "sector")


@router.api_route("/data/{path:path}", methods=_GET, summary="The RDF description of a resource")
async def data(request: Request, path: str) -> Response:
    """`/data/{key}.{ttl,nt,jsonld,rdf}`: the resource's triples both ways, the labels and types
    of its neighbours, and its sources. Without an extension, 303 to the format Accept prefers."""
    u = _urls(request)
    key, ext = urls.split_extension(path)
    iri = u.iri(key)
    if iri is None or u.key(iri) != key:
        raise _not_found(f"no resource at {request.url.path}")
    if ext is None:
        if "." in path.rsplit("/", 1)[-1]:
            raise _not_found(
                f"unknown format extension in {request.url.path}; use one of {', '.join(urls.DATA_EXTENSIONS)}"
            )
        fmt = _document_format(request)
        target = u.data(iri, fmt.extension)
        assert target is not None
        return _see_other(request, target)
    doc_fmt = formats.by_extension(ext, formats.Kind.GRAPH)
    assert doc_fmt is not None
    current = u.data(iri, ext)
    document = urls.absolute(_root(request), current or "")
    store = get_store(request)
    etag = _etag(request, store, ext)
    if (unchanged := _not_modified(request, etag)) is not None:
        return unchanged
    triples = await budget.run(request, desc.describe, store, iri, document, u.dataset)
    if not triples:
        raise _not_found(f"the graph says nothing about <{iri}>", iri=iri)
    body = desc.serialize(triples, doc_fmt, urls.absolute(_root(request), urls.CONTEXT), first=iri)
    headers = {"Link": u.link_header(iri, current), **_validators(etag), "Access-Control-Allow-Origin": "*"}
    return Response(body, media_type=doc_fmt.content_type, headers=headers)


@router.api_route("/ontology", methods=_GET, summary="The ontology (303 to its documentation or the OWL file)")
async def ontology(request: Request) -> Response:
    """Browsers go to `/ontology.html` (pyLODE documentation; a term's fragment names its anchor),
    RDF clients to `/ontology.{ttl,nt,jsonld,rdf}`."""
    try:
        fmt = formats.negotiate_html(request.headers.get("accept"))
    except formats.NotAcceptable as exc:
        raise _not_acceptable(exc) from None
    return _see_other(request, f"{urls.ONTOLOGY}.{'html' if fmt is None else fmt.extension}")


@router.api_route("/ontology/{version}", methods=_GET, summary="A version IRI of the ontology")
async def ontology_version(request: Request, version: str) -> Response:
    """The current version IRI (`owl:versionIRI`, e.g. `…/ontology/0.2.0`) answers as `/ontology`.
    A prior version the ontology names (`owl:priorVersion`) is not kept: it answers as the current
    one, with a `Link: <current>; rel="successor-version"` saying so; any other version is 404."""
    current = desc.ontology_version_iri()
    asked = vocab.ONTOLOGY_IRI + "/" + version
    if current is not None and current == asked:
        return await ontology(request)
    if current is not None and asked in _prior_versions():
        response = await ontology(request)
        response.headers["Link"] = urls.link_header([(current, None)], rel="successor-version")
        return response
    raise _not_found(f"no ontology version {version!r}; the current one is {current}")


def _prior_versions() -> set[str]:
    import pyoxigraph as ox

    from regkg import resources

    prior = ox.NamedNode("http://www.w3.org/2002/07/owl#priorVersion")
    path = resources.ontology_dir() / "regkg.ttl"
    return {t.object.value for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE) if t.predicate == prior}


@router.api_route("/graph/{name:path}", methods=_GET, summary="The triples of one named graph")
async def named_graph(request: Request, name: str) -> Response:
    """`https://w3id.org/regkg/graph/...` (a data file's graph, `ontology`, `inferred`): its triples,
    Turtle unless Accept asks for N-Triples, JSON-LD or RDF/XML."""
    iri = _urls(request).from_path(urls.GRAPH + name)
    store = get_store(request)
    if iri is None or iri not in await budget.run(request, store.named_graphs):
        raise _not_found(f"no named graph at {request.url.path}")
    fmt = _document_format(request)
    etag = _etag(request, store, fmt.extension)
    if (unchanged := _not_modified(request, etag, vary=True)) is not None:
        return unchanged
    triples = await budget.run(request, desc.graph_triples, store, iri)
    body = desc.serialize(triples, fmt, urls.absolute(_root(request), urls.CONTEXT))
    headers = {
        **_validators(etag),
        "Vary": "Accept",
        "Link": _described_by(request),
        "Access-Control-Allow-Origin": "*",
    }
    return Response(body, media_type=fmt.content_type, headers=headers)


@router.api_route("/ontology.{ext}", methods=_GET, summary="The ontology's documentation (html) or OWL file")
async def ontology_document(request: Request, ext: str) -> Response:
    u = _urls(request)
    iri = vocab.ONTOLOGY_IRI
    current = f"{urls.ONTOLOGY}.{ext}"
    headers = {"Link": u.link_header(iri, current), "Access-Control-Allow-Origin": "*"}
    if ext == "html":
        path = ontology_docs.docs_file()
        if not path.is_file():
            raise ApiError(503, "unavailable", "the ontology's documentation is not generated: run make ontology-docs")
        return Response(path.read_bytes(), media_type="text/html; charset=utf-8", headers=headers)
    if ext not in urls.DATA_EXTENSIONS:
        raise _not_found(
            f"no ontology document {request.url.path}; use .html or one of {', '.join(urls.DATA_EXTENSIONS)}"
        )
    fmt = formats.by_extension(ext, formats.Kind.GRAPH)
    assert fmt is not None
    if ext == "ttl":
        body = desc.ontology_turtle()
    else:
        body = desc.serialize(desc.ontology_triples(), fmt, urls.absolute(_root(request), urls.CONTEXT))
    return Response(body, media_type=fmt.content_type, headers=headers)


@router.get("/context.jsonld", summary="The JSON-LD context of the service's JSON-LD")
async def context() -> Response:
    return JSONResponse(
        jsonld.context_document(),
        media_type="application/ld+json",
        headers={"Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=3600"},
    )


# -- VoID -------------------------------------------------------------------------------


async def _stats(request: Request, store: Store) -> void_.Stats:
    """The store's counts, computed once per data version."""
    cache: dict[str, void_.Stats] | None = getattr(request.app.state, "void_stats", None)
    if cache is None:
        cache = request.app.state.void_stats = {}
    version = store.data_version
    stats = cache.get(version)
    if stats is None:
        stats = await asyncio.to_thread(void_.compute_stats, store)
        cache.clear()
        cache[version] = stats
    return stats


async def _description(request: Request) -> list[Any]:
    store = get_store(request)
    stats = await _stats(request, store)
    return void_.describe_dataset(stats, _urls(request), _root(request))


@router.api_route("/.well-known/void", methods=_GET, summary="VoID / DCAT description of the dataset")
async def void(request: Request) -> Response:
    """Counts (triples, named graphs, class and property partitions), licence, the SPARQL endpoint,
    the dumps, the modification date. Turtle unless Accept asks for another RDF format."""
    fmt = _document_format(request)
    etag = _etag(request, get_store(request), fmt.extension)
    if (unchanged := _not_modified(request, etag, vary=True)) is not None:
        return unchanged
    triples = await _description(request)
    body = desc.serialize(triples, fmt, urls.absolute(_root(request), urls.CONTEXT), void_.PREFIXES)
    headers = {**_validators(etag), "Vary": "Accept", "Access-Control-Allow-Origin": "*"}
    return Response(body, media_type=fmt.content_type, headers=headers)


# -- export -------------------------------------------------------------------------------


async def _export(request: Request, name: str | None) -> Response:
    try:
        fmt = exp.export_format(name, request.headers.get("accept"))
    except formats.NotAcceptable as exc:
        raise _not_acceptable(exc) from None
    store = get_store(request)
    etag = _etag(request, store, fmt.extension)
    if (unchanged := _not_modified(request, etag, vary=name is None)) is not None:
        return unchanged
    description = await _description(request)
    day = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
    headers = {
        **_validators(etag),
        "Content-Disposition": f'inline; filename="regkg-{day}.{fmt.extension}"',
        "Link": _described_by(request),
        "Access-Control-Allow-Origin": "*",
    }
    if name is None:
        headers["Vary"] = "Accept"
    if request.method == "HEAD":
        return Response(media_type=fmt.content_type, headers=headers)
    # the slot last, so that nothing between it and the response (which gives it back) can fail
    slot = await budget.export_gate(request).admit(client_id(request))
    body = exp.stream_export(
        store, fmt, description=description, context_url=urls.absolute(_root(request), urls.CONTEXT)
    )
    return budget.BudgetedStream(body, slot, media_type=fmt.content_type, headers=headers)


@router.api_route("/export", methods=_GET, summary="The whole graph (streamed)")
async def export(request: Request, format: str | None = None) -> Response:
    """`?format=nq|trig|ttl|nt|jsonld` (or a media type), else by Accept; N-Quads by default.
    N-Quads and TriG keep the named graphs; the VoID description comes first. At most
    REGKG_EXPORT_CONCURRENCY exports stream at once, one per client (429 past that); a stream that
    runs past REGKG_EXPORT_TIMEOUT or fails is aborted without its terminating chunk."""
    return await _export(request, format or None)


@router.api_route("/export.{ext}", methods=_GET, summary="The whole graph in one format (streamed)")
async def export_ext(request: Request, ext: str) -> Response:
    if ext not in urls.EXPORT_EXTENSIONS:
        raise _not_found(f"no export format {ext!r}; use one of {', '.join(urls.EXPORT_EXTENSIONS)}")
    return await _export(request, ext)
