"""Drafting an action from an article over HTTP: ``POST /api/draft``, ``POST /api/draft/render`` and
the page ``GET /draft`` (paste, review with the evidence highlighted, edit, validate, download,
submit through the write gate's ``/graph-store``). Thin: the work is :mod:`regkg.drafting`'s.
"""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from regkg import vocab
from regkg.api.deps import get_principal
from regkg.errors import ApiError

__all__ = ["DRAFTS_GRAPH", "router"]

router = APIRouter(tags=["drafts"])

#: accepted drafts are submitted into ``<this><action slug>``
DRAFTS_GRAPH = f"{vocab.GRAPH}drafts/"
#: the largest article or draft accepted (bytes)
MAX_BODY = 2_000_000


def require_writer(request: Request) -> None:
    """A writer's or an admin's bearer token (REGKG_WRITE_TOKEN or REGKG_TOKENS_FILE): drafting is
    for the people who may write."""
    get_principal(request)


async def _body(request: Request) -> bytes:
    body = await request.body()
    if len(body) > MAX_BODY:
        raise ApiError(413, "too_large", f"the body is larger than {MAX_BODY} bytes")
    return body


@router.post(
    "/api/draft",
    summary="Propose an enforcement action from an article (writer token)",
    dependencies=[Depends(require_writer)],
)
async def draft_article(
    request: Request, url: Annotated[str | None, Query(max_length=2000, description="where it was published")] = None
) -> JSONResponse:
    """Body: the article as ``text/plain`` or ``text/html``. Answers the draft as `regkg draft --format json`
    prints it: each field with its evidence; what the text does not settle is null and listed in ``unsure``."""
    body = await _body(request)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "bad_request", "the article is not UTF-8 text") from None
    if not text.strip():
        raise ApiError(400, "bad_request", "the article is empty")
    from regkg.drafting import shipped

    def work() -> dict[str, Any]:
        drafter, _ = shipped()
        return drafter.draft(text, url).as_json()

    return JSONResponse(await asyncio.to_thread(work))


@router.post(
    "/api/draft/render",
    summary="A reviewed draft as a CSV row and Turtle, validated by the shapes (writer token)",
    dependencies=[Depends(require_writer)],
)
async def render_draft(request: Request) -> JSONResponse:
    """Body: a draft (JSON, as /api/draft answers it, edited). Answers ``{"ok", "csv", "turtle", "action",
    "graph", "problems": [{"column", "message", "value"}]}``; ``turtle`` is empty while there are problems."""
    body = await _body(request)
    try:
        proposal = json.loads(body)
    except ValueError:
        raise ApiError(400, "bad_request", "the body is not JSON") from None
    if not isinstance(proposal, dict):
        raise ApiError(400, "bad_request", "the body is not a draft (a JSON object)")
    from regkg.drafting import render, shipped

    def work() -> dict[str, Any]:
        drafter, context = shipped()
        try:
            out = render(proposal, drafter.cat, context)
        except (TypeError, KeyError, AttributeError) as exc:
            raise ApiError(400, "bad_request", f"the draft is not in the shape /api/draft answers: {exc}") from None
        action = out.action
        return {
            "ok": out.ok,
            "csv": out.csv,
            "turtle": out.turtle,
            "action": action,
            "graph": DRAFTS_GRAPH + action.rsplit("/", 1)[-1] if action else None,
            "problems": out.problems_json(),
        }

    return JSONResponse(await asyncio.to_thread(work))


@router.get("/draft", response_class=HTMLResponse, include_in_schema=False)
def draft_page(request: Request) -> Response:
    """The page to paste an article, review the proposed fields with their evidence, edit and submit."""
    from regkg.api.pages import _render

    return _render(
        request,
        "draft.html",
        {"title": "Draft an action from an article", "drafts_graph": DRAFTS_GRAPH},
        alternates=[("/openapi.json", "application/json")],
    )
