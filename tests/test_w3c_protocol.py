"""The W3C SPARQL 1.1 Protocol tests (protocol/manifest.ttl) over HTTP, against a running server.

Each test is one or more ``ht:Request`` records: method, ``ht:absolutePath`` (its leading
``/sparql/`` becomes /sparql for queries and /update for updates; the service has one endpoint
for each), headers and body, sent as they are, in order; each answer is checked against
``mf:expectedStatus`` (2xx / 3xx / 4xx), ``mf:expectedFormat`` (boolean, tabular, RDF) and
``mf:expectedBoolean``. Requests to /update carry the test write token (the manifest has none).

The data a test names (``ut:graphData``: data1.nt ... loaded into the graphs
``http://kasei.us/2009/09/sparql/data/data1.rdf`` ...) is written into those named graphs through
/update INSERT DATA before its requests; nothing is fetched. The server holds an empty in-memory
store. Known failures are listed in tests/w3c/expected-failures.txt.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

import httpx
import pyoxigraph as ox
import pytest

from .conftest import LiveServer
from .test_w3c_syntax import W3C_ADMIN_TOKEN, empty_store_server
from .w3c import expected, manifest
from .w3c.manifest import MF, RDFS, UT, ManifestGraph, W3CTest, file_path

SKIP: Final = manifest.skip_reason()
pytestmark = [pytest.mark.slow, pytest.mark.skipif(SKIP is not None, reason=SKIP or "")]

HT: Final = "http://www.w3.org/2011/http#"
CNT: Final = "http://www.w3.org/2011/content#"
HTS: Final = "http://www.w3.org/2011/http-statusCodes#"

RESULT_TYPES: Final = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
    "text/csv": ox.QueryResultsFormat.CSV,
}
RDF_TYPES: Final = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
}


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: tuple[str, ...]  # "2xx", "3xx", "4xx", ...
    format: str | None  # "boolean", "tabular", "RDF"
    boolean: bool | None

    @property
    def is_query(self) -> bool:
        ct = self.headers.get("content-type", "")
        return (
            ct.startswith("application/sparql-query")
            or "query=" in self.path
            or (self.body is not None and self.body.startswith(b"query="))
        )


def _requests(test: W3CTest) -> list[Request]:
    g = test.graph
    assert g is not None and test.node is not None
    action = g.value(test.node, MF + "action")
    assert action is not None
    out = []
    for req in g.items(g.value(action, HT + "requests")):
        headers = {
            (g.text(h, HT + "fieldName") or "").lower(): g.text(h, HT + "fieldValue") or ""
            for h in g.items(g.value(req, HT + "headers"))
        }
        body_node = g.value(req, HT + "body")
        body = None
        if body_node is not None:
            encoding = g.text(body_node, CNT + "characterEncoding") or "UTF-8"
            body = (g.text(body_node, CNT + "chars") or "").encode(encoding)
        resp = g.value(req, HT + "resp")
        assert resp is not None
        statuses = tuple(
            s.value.removeprefix(HTS + "StatusCode").lower() for s in g.objects(resp, MF + "expectedStatus")
        )
        boolean = g.text(resp, MF + "expectedBoolean")
        out.append(
            Request(
                method=g.text(req, HT + "methodName") or "GET",
                path=g.text(req, HT + "absolutePath") or "/sparql/",
                headers=headers,
                body=body,
                statuses=statuses,
                format=g.text(resp, MF + "expectedFormat"),
                boolean=None if boolean is None else boolean == "true",
            )
        )
    return out


def _graph_data(test: W3CTest) -> list[tuple[str, str]]:
    """(graph IRI, N-Triples) for each ``ut:graphData`` of the test."""
    g: ManifestGraph | None = test.graph
    assert g is not None and test.node is not None
    out = []
    for node in g.objects(test.node, UT + "graphData"):
        path = file_path(g.value(node, UT + "graph"))
        iri = g.text(node, RDFS + "label")
        assert path is not None and iri is not None
        out.append((iri, path.read_text(encoding="utf-8")))
    return out


def _tests() -> list[W3CTest]:
    return [] if SKIP is not None else manifest.load_suites("protocol")


TESTS: Final = _tests()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with empty_store_server(tmp_path_factory.mktemp("w3c-protocol")) as s:
        yield s


@pytest.fixture(scope="module")
def http(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as c:
        yield c


def _auth(server: LiveServer) -> dict[str, str]:
    return {"Authorization": f"Bearer {W3C_ADMIN_TOKEN}"}


def load_graphs(http: httpx.Client, server: LiveServer, test: W3CTest) -> None:
    for iri, ntriples in _graph_data(test):
        text = f"DROP SILENT GRAPH <{iri}> ;\nINSERT DATA {{ GRAPH <{iri}> {{\n{ntriples}\n}} }}"
        r = http.post(
            "/update", content=text.encode(), headers={"Content-Type": "application/sparql-update", **_auth(server)}
        )
        assert r.status_code == 200, f"loading <{iri}> failed: {r.status_code} {r.text}"


def endpoint_path(test: W3CTest, req: Request) -> str:
    """The request's path with /sparql/ replaced by the endpoint the operation goes to."""
    local = test.id.rsplit("#", 1)[-1]
    endpoint = "/update" if "update" in local and not req.is_query else "/sparql"
    rest = req.path.removeprefix("/sparql/").removeprefix("/sparql")
    return endpoint + ("" if not rest or rest.startswith("?") else "/") + rest


def check_response(req: Request, r: httpx.Response) -> str | None:
    shown = f"{r.request.method} {r.request.url.raw_path.decode()[:160]} -> {r.status_code} {r.text[:240]!r}"
    if req.statuses and f"{r.status_code // 100}xx" not in req.statuses:
        return f"status: wants {' or '.join(req.statuses)}; {shown}"
    media_type = r.headers.get("content-type", "").split(";")[0].strip().lower()
    if req.format in {"boolean", "tabular"}:
        fmt = RESULT_TYPES.get(media_type)
        if fmt is None:
            return f"wants SPARQL results ({req.format}), got Content-Type {media_type!r}; {shown}"
        if fmt == ox.QueryResultsFormat.CSV:
            parsed: object = None if req.format == "tabular" else "csv"
        else:
            parsed = ox.parse_query_results(r.content, fmt)
        if req.format == "boolean" and not isinstance(parsed, ox.QueryBoolean):
            return f"wants a boolean result; {shown}"
        if req.format == "tabular" and isinstance(parsed, ox.QueryBoolean):
            return f"wants a tabular result; {shown}"
        if req.boolean is not None and isinstance(parsed, ox.QueryBoolean) and bool(parsed) != req.boolean:
            return f"wants {str(req.boolean).lower()}; {shown}"
    elif req.format == "RDF":
        rdf = RDF_TYPES.get(media_type)
        if rdf is None:
            return f"wants RDF, got Content-Type {media_type!r}; {shown}"
        list(ox.parse(r.content, rdf))
    return None


def protocol_failure(http: httpx.Client, server: LiveServer, test: W3CTest) -> str | None:
    load_graphs(http, server, test)
    for n, req in enumerate(_requests(test), 1):
        path = endpoint_path(test, req)
        headers = dict(req.headers)
        if path.startswith("/update"):
            headers.update(_auth(server))
        r = http.request(req.method, path, content=req.body, headers=headers)
        problem = check_response(req, r)
        if problem is not None:
            return f"request {n}: {problem}"
    return None


@pytest.mark.parametrize("test", TESTS, ids=lambda t: t.id)
def test_protocol(test: W3CTest, server: LiveServer, http: httpx.Client) -> None:
    if test.not_run:
        pytest.skip(f"{test.id} is {test.not_run} by the W3C (dawgt:approval); not run")
    expected.check(test.id, protocol_failure(http, server, test))
