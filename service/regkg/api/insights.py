"""/insights: charts of the graph, each drawn from a researcher's query file (queries/*.rq).

The page names its charts and their query files; its script (static/insights.js) sends each
file's text to /sparql for SPARQL JSON results and draws them with Observable Plot. Every chart
has its data twice more: ``/insights/{name}.csv`` (the file's answer as the endpoint's CSV, for
download) and ``/insights/{name}.rq`` (the file, to rerun anywhere). Both run through the query
workers like any /sparql request (time limit, row cap, the same sandbox).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response, StreamingResponse

from regkg import examples, resources, urls
from regkg.api.deps import client_id, get_queries
from regkg.errors import ApiError
from regkg.workers import QueryJob

__all__ = ["CHARTS", "Chart", "router"]

router = APIRouter(tags=["pages"], include_in_schema=False)

CSV = "text/csv"


@dataclass(frozen=True)
class Chart:
    """One chart of the page: its element id, its query file's stem, its titles in both languages."""

    id: str
    query: str
    title_en: str
    title_zh: str


#: The charts, in the page's order. The texts around them are in the template and the script.
CHARTS: tuple[Chart, ...] = (
    Chart("fines", "13-fines-by-jurisdiction-year", "Fines per year by jurisdiction", "各司法管辖区每年罚款总额"),
    Chart("concerns", "14-actions-by-concern-year", "Actions by concern over time", "各类关注事项的执法行动（按年份）"),
    Chart("groups", "15-groups-most-actions", "The groups with the most actions", "执法行动最多的企业集团"),
    Chart("regulators", "16-regulator-activity", "Each regulator's activity", "各监管机构的执法活动"),
)
_BY_QUERY = {c.query: c for c in CHARTS}


def _query_text(name: str) -> str:
    if name not in _BY_QUERY:
        raise ApiError(404, "not_found", f"no chart query {name!r}; the charts are {', '.join(_BY_QUERY)}")
    return (resources.queries_dir() / f"{name}.rq").read_text(encoding="utf-8")


@router.get("/insights", response_class=HTMLResponse)
def insights(request: Request) -> Response:
    from regkg.api.pages import _render

    known = {e.name: e for e in examples.load()}
    charts: list[dict[str, Any]] = []
    for c in CHARTS:
        example = known.get(c.query)
        charts.append(
            {
                "id": c.id,
                "query": c.query,
                "title_en": c.title_en,
                "title_zh": c.title_zh,
                "question": example.title if example else c.title_en,
                "csv": f"/insights/{c.query}.csv",
                "rq": f"/insights/{c.query}.rq",
            }
        )
    page_data = {
        "sparql": urls.SPARQL,
        "charts": [
            {"id": c["id"], "query": c["query"], "text": _query_text(c["query"]), "csv": c["csv"]} for c in charts
        ],
    }
    # The charts' data are the page's twins: named in a Link header and in <link rel="alternate">
    # (by the template, with a title each, rather than as four "csv" links in the shared footer).
    response = _render(
        request,
        "insights.html",
        {
            "title": "Seen at a glance",
            "charts": charts,
            # </ cannot end the script element early: the JSON's slashes are escaped.
            "page_data": json.dumps(page_data, ensure_ascii=False).replace("</", "<\\/"),
        },
        alternates=[],
    )
    response.headers["Link"] = urls.link_header((c["csv"], CSV) for c in charts)
    return response


@router.get("/insights/{name}.rq")
def query_file(name: str) -> Response:
    """The chart's query file as shipped, to rerun on any SPARQL 1.1 endpoint holding the data."""
    return PlainTextResponse(
        _query_text(name),
        media_type="application/sparql-query",
        headers={"Content-Disposition": f'inline; filename="{name}.rq"'},
    )


@router.get("/insights/{name}.csv")
async def chart_csv(request: Request, name: str) -> Response:
    """The chart's data: its query file's answer as the SPARQL endpoint gives it in CSV."""
    text = _query_text(name)
    job = QueryJob(text, accept=CSV, base_iri=str(request.url_for("query")), client=client_id(request))
    response = await get_queries(request).execute(job, request.is_disconnected)
    headers = {
        **response.outcome.headers(request.app.state.settings.max_rows),
        "Content-Disposition": f'attachment; filename="{name}.csv"',
    }
    media = response.outcome.content_type
    if response.complete is not None:
        return Response(response.complete, media_type=media, headers=headers)
    return StreamingResponse(response.body, media_type=media, headers=headers)
