"""The change log over HTTP: list, one change set (JSON or RDF Patch), revert (admin), Atom feed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from regkg import auth, urls
from regkg.api.deps import get_principal
from regkg.errors import ApiError
from regkg.writes import ChangeLog, ChangeSet, Gate

__all__ = ["router"]

router = APIRouter(tags=["changes"])

_PATCH = "application/rdf-patch"


def _gate(request: Request) -> Gate:
    gate = getattr(request.app.state, "gate", None)
    if gate is None:
        raise ApiError(404, "not_found", "this store keeps no change log (a remote store applies writes itself)")
    return gate  # type: ignore[no-any-return]


def _change(request: Request, change_id: str) -> ChangeSet:
    cs = _gate(request).log.get(change_id)
    if cs is None:
        raise ApiError(404, "not_found", f"no change {change_id}")
    return cs


@router.get("/api/changes", summary="Accepted change sets, newest first")
def changes(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    before: Annotated[str | None, Query(max_length=64, pattern=r"^[0-9a-f]+$")] = None,
) -> JSONResponse:
    """`{"changes": [{"id", "token", "time", "graphs", "added", "removed", "reverts"}]}`; `before` pages."""
    return JSONResponse({"changes": [c.as_dict() for c in _gate(request).log.newest(limit, before)]})


@router.get("/api/changes/{change_id}", summary="One change set: JSON, or RDF Patch by Accept")
def change(request: Request, change_id: str) -> Response:
    cs = _change(request, change_id)
    if _PATCH in request.headers.get("accept", ""):
        return Response(ChangeLog.patch(cs), media_type=_PATCH)
    removed, added = ChangeLog.quads(cs)
    body = {
        **cs.as_dict(),
        "reverted_by": _gate(request).log.reverted(cs.id),
        "removed_quads": [str(q) for q in removed],
        "added_quads": [str(q) for q in added],
    }
    return JSONResponse(body, headers={"Link": urls.link_header([(request.url.path, _PATCH)])})


@router.post("/api/changes/{change_id}/revert", summary="Revert a change set (admin token)")
async def revert(request: Request, change_id: str) -> JSONResponse:
    """An inverse change set through the same gate (validated, recorded, itself revertible)."""
    who = get_principal(request)
    auth.require(who, auth.ADMIN, "reverting a change")
    _change(request, change_id)
    result = await _gate(request).revert(change_id, who)
    return JSONResponse(result.as_dict())


@router.get("/changes.atom", summary="The change log as an Atom feed")
def feed(request: Request, limit: Annotated[int, Query(ge=1, le=200)] = 50) -> Response:
    from feedgen.feed import FeedGenerator

    base = str(request.base_url).rstrip("/")
    fg = FeedGenerator()
    fg.id(base + "/changes.atom")
    fg.title("regkg: changes to the graph")
    fg.link(href=base + "/changes.atom", rel="self")
    fg.link(href=base + "/", rel="alternate")
    fg.language("en")
    sets = _gate(request).log.newest(limit)
    fg.updated(sets[0].time if sets else "1970-01-01T00:00:00Z")
    for cs in reversed(sets):
        entry = fg.add_entry()
        entry.id(cs.iri)
        entry.title(
            f"{cs.added} added, {cs.removed} removed by {cs.token}" + (f" (reverts {cs.reverts})" if cs.reverts else "")
        )
        entry.updated(cs.time)
        entry.author({"name": cs.token})
        entry.link(href=f"{base}/api/changes/{cs.id}")
        entry.summary("Graphs: " + ", ".join(g or "(default graph)" for g in cs.graphs))
    return Response(fg.atom_str(pretty=True), media_type="application/atom+xml")
