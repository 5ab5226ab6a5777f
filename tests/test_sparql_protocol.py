"""The SPARQL 1.1 Protocol over HTTP against a running server: (request, expected) tables."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx
import pyoxigraph as ox
import pytest

from regkg import vocab
from regkg.config import Settings
from regkg.formats import Kind, NotAcceptable, negotiate
from regkg.sparql import nesting_depth

from .conftest import LiveServer

SELECT = "SELECT ?s WHERE { ?s a rk:Regulator } LIMIT 3"
ASK = "ASK { ?s a rk:EnforcementAction }"
CONSTRUCT = "CONSTRUCT { ?s a rk:Regulator } WHERE { ?s a rk:Regulator } LIMIT 5"
DESCRIBE = "DESCRIBE ?s WHERE { ?s a rk:Regulator } LIMIT 1"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
DIRECT = {"Content-Type": "application/sparql-query"}


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    params: list[tuple[str, str]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    status: int = 200
    content_type: str | None = None
    code: str | None = None  # error code expected in the JSON error body


def _form(**kw: str) -> bytes:
    return httpx.QueryParams(kw).__str__().encode()


CASES = [
    # -- the three ways to send a query
    Case("get", "GET", [("query", SELECT)], content_type="application/sparql-results+json"),
    Case("post form", "POST", headers=FORM, body=_form(query=SELECT), content_type="application/sparql-results+json"),
    Case("post direct", "POST", headers=DIRECT, body=SELECT.encode(), content_type="application/sparql-results+json"),
    Case(
        "post direct utf-8 charset",
        "POST",
        headers={"Content-Type": "application/sparql-query; charset=UTF-8"},
        body=SELECT.encode(),
        content_type="application/sparql-results+json",
    ),
    # -- negotiation for SELECT / ASK
    *(
        Case(f"select as {mt}", "GET", [("query", SELECT)], {"Accept": mt}, content_type=mt)
        for mt in (
            "application/sparql-results+json",
            "application/sparql-results+xml",
            "text/csv",
            "text/tab-separated-values",
        )
    ),
    Case(
        "q weights",
        "GET",
        [("query", SELECT)],
        {"Accept": "text/csv;q=0.5, application/sparql-results+xml;q=0.9, */*;q=0.1"},
        content_type="application/sparql-results+xml",
    ),
    Case("wildcard", "GET", [("query", SELECT)], {"Accept": "*/*"}, content_type="application/sparql-results+json"),
    Case("text wildcard", "GET", [("query", SELECT)], {"Accept": "text/*"}, content_type="text/csv"),
    Case("ask", "GET", [("query", ASK)], content_type="application/sparql-results+json"),
    Case(
        "ask as xml",
        "GET",
        [("query", ASK)],
        {"Accept": "application/sparql-results+xml"},
        content_type="application/sparql-results+xml",
    ),
    # -- negotiation for CONSTRUCT / DESCRIBE
    Case("construct default", "GET", [("query", CONSTRUCT)], content_type="text/turtle"),
    Case("construct */*", "GET", [("query", CONSTRUCT)], {"Accept": "*/*"}, content_type="text/turtle"),
    *(
        Case(f"construct as {mt}", "GET", [("query", CONSTRUCT)], {"Accept": mt}, content_type=mt)
        for mt in (
            "text/turtle",
            "application/n-triples",
            "application/ld+json",
            "application/rdf+xml",
            "application/n-quads",
            "application/trig",
        )
    ),
    Case(
        "describe",
        "GET",
        [("query", DESCRIBE)],
        {"Accept": "application/n-triples"},
        content_type="application/n-triples",
    ),
    # -- 406
    Case("select as turtle", "GET", [("query", SELECT)], {"Accept": "text/turtle"}, status=406, code="not_acceptable"),
    Case(
        "construct as json results",
        "GET",
        [("query", CONSTRUCT)],
        {"Accept": "application/sparql-results+json"},
        status=406,
        code="not_acceptable",
    ),
    Case("image", "GET", [("query", SELECT)], {"Accept": "image/png"}, status=406, code="not_acceptable"),
    Case(
        "q=0 only",
        "GET",
        [("query", SELECT)],
        {"Accept": "application/sparql-results+json;q=0"},
        status=406,
        code="not_acceptable",
    ),
    # -- protocol misuse: 400
    Case("two query params", "GET", [("query", SELECT), ("query", ASK)], status=400, code="duplicate_parameter"),
    Case(
        "query in url and form",
        "POST",
        [("query", SELECT)],
        FORM,
        _form(query=ASK),
        status=400,
        code="duplicate_parameter",
    ),
    Case(
        "query in url and direct body",
        "POST",
        [("query", SELECT)],
        DIRECT,
        ASK.encode(),
        status=400,
        code="duplicate_parameter",
    ),
    Case("post without content type", "POST", body=SELECT.encode(), status=400, code="unsupported_media_type"),
    Case(
        "post text/plain",
        "POST",
        headers={"Content-Type": "text/plain"},
        body=SELECT.encode(),
        status=400,
        code="unsupported_media_type",
    ),
    Case(
        "post latin-1 charset",
        "POST",
        headers={"Content-Type": "application/sparql-query; charset=latin-1"},
        body=SELECT.encode(),
        status=400,
        code="unsupported_media_type",
    ),
    Case("post form without query", "POST", headers=FORM, body=b"x=1", status=400, code="missing_parameter"),
    Case(
        "get without query but other params",
        "GET",
        [("default-graph-uri", vocab.ONTOLOGY_GRAPH)],
        status=400,
        code="missing_parameter",
    ),
    Case(
        "direct body not utf-8",
        "POST",
        headers=DIRECT,
        body=b'SELECT * WHERE { ?s ?p "\xff\xfe" }',
        status=400,
        code="invalid_encoding",
    ),
    Case("form body not utf-8", "POST", headers=FORM, body=b"query=SELECT%20%FF", status=400, code="invalid_encoding"),
    Case("syntax error", "GET", [("query", "SELECT * WHERE { ?s ?p }")], status=400, code="syntax_error"),
    Case(
        "update as query",
        "GET",
        [("query", "INSERT DATA { <urn:a> <urn:b> <urn:c> }")],
        status=400,
        code="update_not_allowed",
    ),
    Case(
        "update param on /sparql",
        "GET",
        [("update", "INSERT DATA { <urn:a> <urn:b> <urn:c> }")],
        status=400,
        code="update_not_allowed",
    ),
    Case(
        "update form on /sparql",
        "POST",
        headers=FORM,
        body=_form(update="CLEAR ALL"),
        status=400,
        code="update_not_allowed",
    ),
    Case(
        "update body on /sparql",
        "POST",
        headers={"Content-Type": "application/sparql-update"},
        body=b"CLEAR ALL",
        status=400,
        code="update_not_allowed",
    ),
    # -- service description
    Case("service description", "GET", content_type="text/turtle"),
    Case(
        "service description as json-ld",
        "GET",
        headers={"Accept": "application/ld+json"},
        content_type="application/ld+json",
    ),
    Case("service description 406", "GET", headers={"Accept": "text/csv"}, status=406, code="not_acceptable"),
    # -- other methods and paths share the error shape
    Case("put", "PUT", [("query", SELECT)], status=405, code="method_not_allowed"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_protocol(case: Case, client: httpx.Client) -> None:
    r = client.request(case.method, "/sparql", params=case.params, headers=case.headers, content=case.body)
    assert r.status_code == case.status, r.text
    if case.content_type is not None:
        assert r.headers["content-type"].split(";")[0] == case.content_type
        assert "Accept" in [v.strip() for v in r.headers.get("vary", "").split(",")]
        _parses(r, case.content_type)
    if case.code is not None:
        body = r.json()
        assert set(body) == {"error"}
        assert body["error"]["code"] == case.code
        assert body["error"]["message"]
        if case.status == 406:
            assert "application/" in body["error"]["message"]
            assert body["error"]["supported"]


def _parses(r: httpx.Response, media_type: str) -> None:
    """The body is well-formed in the format it claims."""
    data = r.content
    rdf = ox.RdfFormat.from_media_type(media_type)
    if rdf is not None:
        list(ox.parse(data, format=rdf))
        return
    if media_type == "text/csv":  # lossy: pyoxigraph does not parse it back
        import csv
        import io

        assert next(csv.reader(io.StringIO(data.decode())))
        return
    results = ox.QueryResultsFormat.from_media_type(media_type)
    assert results is not None, media_type
    ox.parse_query_results(data, format=results)


def _select(client: httpx.Client, query: str, **params: Any) -> list[dict[str, Any]]:
    r = client.get("/sparql", params={"query": query, **params})
    assert r.status_code == 200, r.text
    return r.json()["results"]["bindings"]  # type: ignore[no-any-return]


def _count(client: httpx.Client, where: str = "?s ?p ?o", **params: Any) -> int:
    rows = _select(client, f"SELECT (COUNT(*) AS ?n) {where}", **params)
    return int(rows[0]["n"]["value"])


def test_default_graph_is_the_union_and_includes_inferences(client: httpx.Client) -> None:
    total = _count(client, "WHERE { ?s ?p ?o }")
    in_graphs = _count(client, "WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert total == in_graphs > 0
    inferred = _count(client, f"WHERE {{ GRAPH <{vocab.INFERRED_GRAPH}> {{ ?s ?p ?o }} }}")
    assert inferred > 0
    # A fine is a penalty only by inference (rdfs:subClassOf).
    r = client.get("/sparql", params={"query": "ASK { ?f a rk:Fine , rk:Penalty }"})
    assert r.json()["boolean"] is True


def test_from_restricts_the_dataset(client: httpx.Client) -> None:
    ontology = _count(client, f"FROM <{vocab.ONTOLOGY_GRAPH}> WHERE {{ ?s ?p ?o }}")
    in_graph = _count(client, f"WHERE {{ GRAPH <{vocab.ONTOLOGY_GRAPH}> {{ ?s ?p ?o }} }}")
    assert ontology == in_graph
    assert ontology < _count(client, "WHERE { ?s ?p ?o }")
    rows = _select(
        client, f"SELECT DISTINCT ?g FROM NAMED <{vocab.ONTOLOGY_GRAPH}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    )
    assert [r["g"]["value"] for r in rows] == [vocab.ONTOLOGY_GRAPH]


def test_graph_parameters_override_from(client: httpx.Client) -> None:
    ontology = _count(client, f"WHERE {{ GRAPH <{vocab.ONTOLOGY_GRAPH}> {{ ?s ?p ?o }} }}")
    inferred = _count(client, f"WHERE {{ GRAPH <{vocab.INFERRED_GRAPH}> {{ ?s ?p ?o }} }}")
    got = _count(
        client, f"FROM <{vocab.INFERRED_GRAPH}> WHERE {{ ?s ?p ?o }}", **{"default-graph-uri": vocab.ONTOLOGY_GRAPH}
    )
    assert got == ontology != inferred
    rows = _select(
        client,
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
        **{"named-graph-uri": vocab.ONTOLOGY_GRAPH},
    )
    assert [r["g"]["value"] for r in rows] == [vocab.ONTOLOGY_GRAPH]


def test_row_cap_is_signalled_never_silent(client: httpx.Client, live_server: LiveServer) -> None:
    r = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert r.status_code == 200
    assert r.headers["x-regkg-truncated"] == "true"
    assert r.headers["x-regkg-max-rows"] == str(live_server.max_rows)
    assert len(r.json()["results"]["bindings"]) == live_server.max_rows
    small = client.get("/sparql", params={"query": SELECT})
    assert small.headers["x-regkg-truncated"] == "false"
    # CONSTRUCT results are capped the same way, in every format.
    g = client.get(
        "/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, headers={"Accept": "application/n-triples"}
    )
    assert g.headers["x-regkg-truncated"] == "true"
    assert len(list(ox.parse(g.content, format=ox.RdfFormat.N_TRIPLES))) == live_server.max_rows


def test_truncated_results_keep_terms_exact(client: httpx.Client) -> None:
    """The capped path rebuilds results; literals with languages, datatypes and escapes survive."""
    q = (
        'SELECT ?x ?y ?z WHERE { VALUES (?x ?y ?z) { ("a\\nb\\t\\"c"@zh-Hans 1.5 <urn:x>) '
        '("" UNDEF "2021-07-21"^^xsd:date) } }'
    )
    rows = _select(client, q)
    assert (
        rows[0]["x"] == {"type": "literal", "value": 'a\nb\t"c', "xml:lang": "zh-hans"}
        or rows[0]["x"]["value"] == 'a\nb\t"c'
    )
    assert rows[0]["y"]["datatype"] == vocab.XSD + "decimal"
    assert rows[1]["x"]["value"] == ""
    assert "y" not in rows[1]
    assert rows[1]["z"]["datatype"] == vocab.XSD + "date"


def test_large_results_stream(client: httpx.Client) -> None:
    with client.stream(
        "GET", "/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, headers={"Accept": "application/n-triples"}
    ) as r:
        assert r.status_code == 200
        assert r.headers.get("transfer-encoding") == "chunked"
        chunks = [c for c in r.iter_raw()]
    assert sum(len(c) for c in chunks) > 64 * 1024


def test_service_description_lists_graphs_and_formats(client: httpx.Client) -> None:
    r = client.get("/sparql")
    g = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object) for t in ox.parse(r.content, format=ox.RdfFormat.TURTLE))
    sd = "http://www.w3.org/ns/sparql-service-description#"
    names = {q.object.value for q in g.quads_for_predicate(ox.NamedNode(sd + "name"))}
    assert vocab.ONTOLOGY_GRAPH in names
    formats_ = {q.object.value for q in g.quads_for_predicate(ox.NamedNode(sd + "resultFormat"))}
    assert "http://www.w3.org/ns/formats/SPARQL_Results_JSON" in formats_


ERROR_PATHS = [
    ("GET", "/no/such/page", 404, "not_found"),
    ("DELETE", "/sparql", 405, "method_not_allowed"),
    ("GET", "/update", 405, "method_not_allowed"),
]


@pytest.mark.parametrize(("method", "path", "status", "code"), ERROR_PATHS)
def test_one_error_shape(client: httpx.Client, method: str, path: str, status: int, code: str) -> None:
    r = client.request(method, path)
    assert r.status_code == status
    assert r.headers["content-type"] == "application/json"
    assert r.json()["error"]["code"] == code


def test_validation_errors_use_the_error_shape() -> None:
    """FastAPI's 422 goes through the same handler (routers added later rely on it)."""
    import asyncio

    from regkg.api.app import create_app

    app = create_app(Settings(store="memory"))

    @app.get("/_typed")
    def typed(n: int) -> dict[str, int]:
        return {"n": n}

    async def get() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            return await c.get("/_typed", params={"n": "x"})

    r = asyncio.run(get())
    assert r.status_code == 422
    body = r.json()
    assert body["error"]["code"] == "invalid_request"
    assert body["error"]["details"][0]["location"] == ["query", "n"]


def test_healthz_reports_store_and_workers(live_server: LiveServer) -> None:
    h = live_server.health()
    assert h["status"] == "ok"
    assert h["store"]["quads"] > 0  # type: ignore[index]
    assert h["workers"]["alive"] == 2  # type: ignore[index]
    assert all(w["pid"] for w in h["workers"]["engines"])  # type: ignore[index]
    assert {w["lane"] for w in h["workers"]["engines"]} == {"fast", "slow"}  # type: ignore[index]
    assert h["workers"]["sandbox"]["enabled"] is True  # type: ignore[index]
    assert h["workers"]["sandbox"]["seccomp"] is True  # type: ignore[index]


# -- pure functions ----------------------------------------------------------------------

NEGOTIATION = [
    (None, Kind.RESULTS, "application/sparql-results+json"),
    ("", Kind.GRAPH, "text/turtle"),
    ("application/json", Kind.RESULTS, "application/json"),
    ("text/turtle;q=0.2, application/rdf+xml", Kind.GRAPH, "application/rdf+xml"),
    ("application/*", Kind.GRAPH, "application/n-triples"),
    ("*/*", Kind.DATASET, "application/n-quads"),
    ("application/trig, */*;q=0.1", Kind.GRAPH, "application/trig"),
]


@pytest.mark.parametrize(("accept", "kind", "expected"), NEGOTIATION)
def test_negotiate(accept: str | None, kind: Kind, expected: str) -> None:
    assert negotiate(accept, kind).media_type == expected


@pytest.mark.parametrize("accept", ["image/png", "text/turtle;q=0", "garbage;;;", "text/html"])
def test_negotiate_refuses(accept: str) -> None:
    with pytest.raises(NotAcceptable) as exc:
        negotiate(accept, Kind.GRAPH)
    assert "text/turtle" in str(exc.value)


DEPTHS = [
    ("SELECT * { ?s ?p ?o }", 1),
    ('SELECT * { ?s ?p "{{{{((((" }', 1),
    ("SELECT * { ?s ?p '''\n{{{\n''' }", 1),
    ("SELECT * { # {{{{{\n ?s ?p ?o }", 1),
    ("SELECT * { <urn:x#{> ?p ?o }", 1),
    ("SELECT * { <http://x/a_(b)> ?p ?o }", 2),
    ("SELECT * { { { ?s ?p ?o } } }", 3),
    ("SELECT * { FILTER(?a<((((1))))>2) }", 6),
    ("SELECT * { ?s ex:a\\#b ((((( }", 6),
    # runs of operators nest in the engine's parser, one level each; `.`, `;` and `,` end a run
    ("ASK { FILTER(!!!!true) }", 6),
    ("ASK { FILTER(1 || 2 || 3) }", 4),
    ("ASK { ?s <p>/<q>/<r> ?o }", 3),
    ("SELECT (1+1+1 AS ?x) {}", 3),
    ("ASK { ?s <p> 1 ; <q> -2 , -3 . ?s <r> 4 }", 2),
    ("ASK { FILTER(\\u0021\\u0021true) }", 4),
    ("SELECT ?x WHERE { ?s rk:p ?x. ?x rk:q/rk:r ?y. ?y rk:q/rk:r ?z. }", 2),
]


@pytest.mark.parametrize(("text", "depth"), DEPTHS)
def test_nesting_depth(text: str, depth: int) -> None:
    assert nesting_depth(text) == depth


def test_json_error_body_is_stable() -> None:
    from regkg.errors import error_body

    assert json.loads(json.dumps(error_body("x", "y", limit=3))) == {"error": {"code": "x", "message": "y", "limit": 3}}
