"""The W3C SPARQL 1.1 Graph Store HTTP Protocol tests (graph-store-protocol/, read from
../shared/w3c-rdf-tests, never copied), sent over HTTP to /graph-store of a running server on an
empty store. The manifest's /gsp prefix becomes /graph-store; statuses, Location templates and
expected graphs (isomorphism) are checked. This service identifies graphs indirectly
(``?graph=``); the direct-identification manifest is not run (no such URLs are offered)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

import httpx
import pyoxigraph as ox
import pytest

from .conftest import LiveServer
from .test_w3c_syntax import empty_store_server
from .w3c import expected, manifest
from .w3c.manifest import MF, W3CTest
from .w3c.results import compare_datasets

pytestmark = pytest.mark.slow

HT: Final = "http://www.w3.org/2011/http#"
CNT: Final = "http://www.w3.org/2011/content#"
HTS: Final = "http://www.w3.org/2011/http-statusCodes#"
STATUS: Final = {"OK": 200, "Created": 201, "NoContent": 204, "NotFound": 404}
SKIP = manifest.skip_reason()


@dataclass(frozen=True)
class Step:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: frozenset[int]
    location: str | None
    expected_body: bytes | None
    expected_type: str | None


def _steps(test: W3CTest) -> list[Step]:
    g = test.graph
    assert g is not None and test.node is not None
    action = g.value(test.node, MF + "action")
    out = []
    for req in g.items(g.value(action, HT + "requests")):
        headers = {
            (g.text(h, HT + "fieldName") or "").lower(): g.text(h, HT + "fieldValue") or ""
            for h in g.items(g.value(req, HT + "headers"))
        }
        body_node = g.value(req, HT + "body")
        body = None if body_node is None else (g.text(body_node, CNT + "chars") or "").encode()
        resp = g.value(req, HT + "resp")
        statuses = frozenset(STATUS[s.value.removeprefix(HTS)] for s in g.objects(resp, MF + "expectedStatus"))
        resp_headers = {
            (g.text(h, HT + "fieldName") or "").lower(): g.text(h, HT + "fieldValue") or ""
            for h in g.items(g.value(resp, HT + "headers"))
        }
        resp_body = g.value(resp, HT + "body")
        out.append(
            Step(
                method=g.text(req, HT + "methodName") or "GET",
                path=g.text(req, HT + "absolutePath") or "/gsp",
                headers=headers,
                body=body,
                statuses=statuses,
                location=g.text(resp, MF + "expectedLocation"),
                expected_body=None if resp_body is None else (g.text(resp_body, CNT + "chars") or "").encode(),
                expected_type=resp_headers.get("content-type"),
            )
        )
    return out


def _tests() -> list[W3CTest]:
    if SKIP is not None:
        return []
    return manifest.load_manifest(manifest.find_root() / "graph-store-protocol" / "manifest-indirect.ttl")


TESTS: Final = _tests()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with empty_store_server(tmp_path_factory.mktemp("w3c-gsp")) as s:
        yield s


def _graph(body: bytes, media_type: str, base: str) -> list[ox.Quad]:
    fmt = ox.RdfFormat.from_media_type(media_type.split(";")[0].strip())
    assert fmt is not None, media_type
    return [ox.Quad(t.subject, t.predicate, t.object) for t in ox.parse(body, format=fmt, base_iri=base)]


def _empty(http: httpx.Client, server: LiveServer) -> None:
    """Each test starts from an empty store (the change log's own graph aside: it is protected)."""
    rows = http.get("/sparql", params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"}).json()
    graphs = [b["g"]["value"] for b in rows["results"]["bindings"] if not b["g"]["value"].endswith("/graph/changes")]
    text = " ;\n".join([*(f"DROP SILENT GRAPH <{g}>" for g in graphs), "CLEAR SILENT DEFAULT"])
    auth = {"Authorization": f"Bearer {server.write_token}", "Content-Type": "application/sparql-update"}
    assert http.post("/update", content=text.encode(), headers=auth).status_code == 200


def gsp_failure(server: LiveServer, test: W3CTest) -> str | None:
    location: str | None = None
    with httpx.Client(base_url=server.url, timeout=30) as http:
        _empty(http, server)
        for n, step in enumerate(_steps(test), 1):
            path = step.path.replace("/gsp", "/graph-store", 1)
            body = step.body
            if location is not None:
                path = path.replace("$LOCATION$", location)
                body = body.replace(b"$LOCATION$", location.encode()) if body else body
            headers = {**step.headers, "Authorization": f"Bearer {server.write_token}"}
            r = http.request(step.method, path, content=body, headers=headers)
            shown = f"{step.method} {path[:120]} -> {r.status_code} {r.text[:240]!r}"
            if step.statuses and r.status_code not in step.statuses:
                return f"request {n}: wants {sorted(step.statuses)}; {shown}"
            if step.location is not None:
                if "location" not in r.headers:
                    return f"request {n}: wants a Location header; {shown}"
                location = r.headers["location"]
            if step.expected_body is not None and step.method == "GET":
                base = "http://www.example" + step.path
                want = _graph(step.expected_body, step.expected_type or "text/turtle", base)
                got = _graph(r.content, r.headers.get("content-type", "text/turtle"), base)
                problem = compare_datasets(want, got)
                if problem is not None:
                    return f"request {n}: the graph differs: {problem}"
    return None


@pytest.mark.parametrize("test", TESTS, ids=lambda t: t.id)
def test_graph_store_protocol(test: W3CTest, server: LiveServer) -> None:
    expected.check(test.id, gsp_failure(server, test))
