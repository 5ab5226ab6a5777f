"""The web pages: home, entity pages (/page/...), the graph explorer (/explore) and the query
editor (/query). Jinja2 templates in regkg/web/templates, static files in regkg/web/static.

Every page names its machine-readable twin twice: in a ``Link`` header and in
``<link rel="alternate">`` elements (built with :mod:`regkg.urls`, the one URL builder).
A page that is not found answers 404 as HTML to a browser and in the one JSON error shape
to everything else.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.types import Scope

from regkg import examples, explore, urls, vocab
from regkg.api.budget import bounded
from regkg.api.deps import get_settings, get_store
from regkg.api.explore import iri_param
from regkg.errors import ApiError

__all__ = ["STATIC_DIR", "TEMPLATES_DIR", "StaticAssets", "asset", "router"]

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"

router = APIRouter(tags=["pages"], include_in_schema=False)
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))

#: A static file asked for with its version (``?v=``, see :func:`asset`) never changes: a year.
IMMUTABLE = "public, max-age=31536000, immutable"
_versions: dict[str, tuple[float, str]] = {}


def asset(path: str) -> str:
    """The URL of a static file with its content's hash: ``/static/style.css?v=1a2b3c4d5e``.

    Pages name their scripts and styles this way, so browsers keep them for a year
    (:class:`StaticAssets`) and a changed file is fetched again under its new URL.
    """
    file = STATIC_DIR / path
    try:
        mtime = file.stat().st_mtime
    except OSError:
        return f"/static/{path}"
    known = _versions.get(path)
    if known is None or known[0] != mtime:
        known = (mtime, hashlib.sha256(file.read_bytes()).hexdigest()[:10])
        _versions[path] = known
    return f"/static/{path}?v={known[1]}"


class StaticAssets(StaticFiles):
    """/static/: a year of caching for versioned URLs (``?v=``), revalidation (ETag) otherwise."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code in {200, 304}:
            versioned = b"v=" in scope.get("query_string", b"")
            response.headers["Cache-Control"] = IMMUTABLE if versioned else "no-cache"
        return response


templates.env.globals["asset"] = asset

#: Types shown as the main "kind" of an entity, most specific first.
KINDS: tuple[tuple[str, str], ...] = (
    (f"{vocab.RK}JudicialReview", "action"),
    (f"{vocab.RK}Probe", "action"),
    (f"{vocab.RK}Decision", "action"),
    (f"{vocab.RK}EnforcementAction", "action"),
    (f"{vocab.RK}Campaign", "campaign"),
    (f"{vocab.RK}Penalty", "penalty"),
    (f"{vocab.RK}Court", "regulator"),
    (f"{vocab.RK}Regulator", "regulator"),
    (f"{vocab.RK}Authority", "regulator"),
    (f"{vocab.RK}Platform", "platform"),
    (f"{vocab.RK}Publisher", "publisher"),
    (f"{vocab.RK}Company", "company"),
    (f"{vocab.RK}Source", "source"),
    (f"{vocab.RK}Law", "law"),
    (f"{vocab.RK}Rule", "law"),
    (f"{vocab.RK}Jurisdiction", "jurisdiction"),
    (f"{vocab.SKOS}Concept", "concept"),
)


def kind_of(types: list[str]) -> str:
    for t, kind in KINDS:
        if t in types:
            return kind
    return "other"


def _urls(request: Request) -> urls.Urls:
    return urls.for_base(get_settings(request).base_iri)


def _wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept or "application/xhtml+xml" in accept


def _render(
    request: Request,
    name: str,
    context: dict[str, Any],
    *,
    alternates: list[tuple[str, str]],
    status: int = 200,
) -> HTMLResponse:
    u = _urls(request)
    ctx = {
        "alternates": alternates,
        "page": u.page_any,
        "explore_href": u.explorer,
        "short": vocab.curie,
        "money": _money,
        "kind_of": kind_of,
        "sparql": urls.SPARQL,
        **context,
    }
    response = templates.TemplateResponse(request, name, ctx, status_code=status)
    if alternates:
        response.headers["Link"] = urls.link_header(alternates)
    return response


def _money(value: str | float) -> str:
    """An amount with thousands separators; cents only when there are any."""
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return f"{d:,.0f}" if d == d.to_integral_value() else f"{d:,.2f}"


def _not_found(request: Request, message: str) -> Response:
    if _wants_html(request):
        return _render(request, "error.html", {"title": "Not found", "message": message}, alternates=[], status=404)
    raise ApiError(404, "not_found", message)


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    store = get_store(request)
    with bounded(request):
        stats, recent = explore.stats(store), explore.recent_actions(store, 12)
    return _render(
        request,
        "home.html",
        {
            "title": "regkg — technology regulation, as a knowledge graph",
            "stats": stats,
            "recent": recent,
            "examples": examples.load()[:6],
        },
        alternates=[(urls.VOID, "text/turtle")],
    )


@router.get("/page", response_class=HTMLResponse)
def page_by_iri(request: Request, iri: Annotated[str, Query(min_length=1, max_length=2000)]) -> Response:
    """The page of any IRI; redirects to /page/<key> when the IRI has one."""
    target = iri_param(iri)
    path = _urls(request).page(target)
    if path is not None:
        return RedirectResponse(path, status_code=303)
    return _entity_page(request, target)


@router.get("/page/{key:path}", response_class=HTMLResponse)
def page(request: Request, key: str) -> Response:
    iri = _urls(request).iri(key)
    if iri is None:
        return _not_found(request, f"no page /page/{key}: not a valid key")
    return _entity_page(request, iri)


def _entity_page(request: Request, iri: str) -> Response:
    store = get_store(request)
    u = _urls(request)
    limits = explore.Limits.of(get_settings(request))
    with bounded(request):
        try:
            data = explore.entity(store, iri, limits=limits)
        except explore.NotFound:
            return _not_found(request, f"no entity {iri} in the graph")
        type_ids = [t["id"] for t in data["types"]]
        kind = kind_of(type_ids)
        roll_up = None
        if kind in {"company", "platform"}:
            try:
                roll_up = explore.group(store, iri, limits=limits)
            except explore.NotApplicable:
                roll_up = None
        penalties = explore.outcomes(store, iri) if kind == "action" else []
    here = u.page(iri)
    alternates = [(p, m) for p, m in u.alternates(iri) if p != here]
    alternates.append((u.api_entity(iri), "application/json"))
    incoming: dict[str, dict[str, Any]] = {}
    for link in data["incoming"]:
        group = incoming.setdefault(link["predicate"], {"label": link["predicate_label"], "links": []})
        group["links"].append(link)
    timeline: dict[str, list[dict[str, Any]]] = {}
    if roll_up:
        for a in roll_up["actions"]:
            timeline.setdefault((a["date"] or "undated")[:4], []).append(a)
    return _render(
        request,
        "entity.html",
        {
            "title": data["label"],
            "e": data,
            "kind": kind,
            "group": roll_up,
            "penalties": penalties,
            "timeline": sorted(timeline.items(), reverse=True),
            "incoming": list(incoming.values()),
            "data_links": [(p, m) for p, m in alternates if p.startswith("/data/") or p.startswith("/ontology")],
            "json_link": u.api_entity(iri),
            "iri_quoted": quote(iri, safe=""),
        },
        alternates=alternates,
    )


@router.get("/explore", response_class=HTMLResponse)
def explorer(request: Request, iri: Annotated[str | None, Query(max_length=2000)] = None) -> Response:
    start = None
    if iri:
        start = iri_param(iri)
        store = get_store(request)
        with bounded(request):
            known = explore.exists(store, start)
        if not known:
            return _not_found(request, f"no entity {start} in the graph")
    alternates = []
    if start:
        alternates.append((urls.Urls.api_neighbourhood(start), "application/json"))
    return _render(
        request,
        "explore.html",
        {"title": "Graph explorer", "start": start, "start_json": json.dumps(start)},
        alternates=alternates,
    )


@router.get("/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> Response:
    """The OpenAPI documentation (Swagger UI from npm, served from /static/vendor/), in the site's shell."""
    return _render(
        request, "docs.html", {"title": "API documentation"}, alternates=[(urls.OPENAPI, "application/json")]
    )


@router.get("/redoc", response_class=HTMLResponse)
def api_redoc(request: Request) -> Response:
    """The OpenAPI documentation as ReDoc renders it (from npm, served from /static/vendor/)."""
    return _render(request, "redoc.html", {"title": "API reference"}, alternates=[(urls.OPENAPI, "application/json")])


@router.get("/query", response_class=HTMLResponse)
def query_editor(request: Request) -> Response:
    items = [e.as_dict() for e in examples.load()]
    return _render(
        request,
        "query.html",
        {
            "title": "SPARQL query editor",
            "examples": items,
            "examples_json": json.dumps(items).replace("</", "<\\/"),
            "prefixes_json": json.dumps(vocab.PREFIXES),
        },
        alternates=[(urls.EXAMPLES, "application/json"), (urls.SPARQL, "text/turtle")],
    )
