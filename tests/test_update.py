"""SPARQL 1.1 Update over HTTP: token, atomicity, inference and worker refresh after writes."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from regkg import vocab

from .conftest import LiveServer

UPDATE = {"Content-Type": "application/sparql-update"}


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def graph(client: httpx.Client, live_server: LiveServer) -> Iterator[str]:
    """A graph of this test's own, dropped afterwards."""
    g = f"urn:regkg:test:{uuid.uuid4().hex}"
    yield g
    client.post(
        "/update", content=f"DROP SILENT GRAPH <{g}>".encode(), headers={**UPDATE, **_auth(live_server.write_token)}
    )


def _ask(client: httpx.Client, query: str) -> bool:
    r = client.get("/sparql", params={"query": query})
    assert r.status_code == 200, r.text
    return bool(r.json()["boolean"])


AUTH_CASES = [
    ("no header", {}, 401),
    ("wrong token", _auth("nope"), 401),
    ("basic scheme", {"Authorization": "Basic dGVzdDp0ZXN0"}, 401),
    ("bearer without token", {"Authorization": "Bearer"}, 401),
]


@pytest.mark.parametrize(("name", "headers", "status"), AUTH_CASES, ids=[c[0] for c in AUTH_CASES])
def test_update_needs_a_token(
    name: str, headers: dict[str, str], status: int, client: httpx.Client, live_server: LiveServer, graph: str
) -> None:
    before = live_server.health()["data_version"]
    r = client.post(
        "/update",
        content=f"INSERT DATA {{ GRAPH <{graph}> {{ <urn:a> <urn:b> 1 }} }}".encode(),
        headers={**UPDATE, **headers},
    )
    assert r.status_code == status
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert r.json()["error"]["code"] == "unauthorized"
    assert live_server.health()["data_version"] == before
    assert not _ask(client, f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")


@pytest.mark.parametrize("token_attr", ["write_token", "other_token"])
@pytest.mark.parametrize("how", ["direct", "form"])
def test_insert_is_visible_to_queries_and_inferred(
    how: str, token_attr: str, client: httpx.Client, live_server: LiveServer, graph: str
) -> None:
    fine = f"https://w3id.org/regkg/id/org/test-{uuid.uuid4().hex[:8]}"
    text = f'INSERT DATA {{ GRAPH <{graph}> {{ <{fine}> a rk:Publisher ; rdfs:label "test publisher"@en }} }}'
    token = getattr(live_server, token_attr)
    before = live_server.health()["data_version"]
    if how == "direct":
        r = client.post("/update", content=text.encode(), headers={**UPDATE, **_auth(token)})
    else:
        r = client.post("/update", data={"update": text}, headers=_auth(token))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["ok"] is True
    assert body["data_version"] != before
    assert live_server.health()["data_version"] == body["data_version"]
    # Every worker sees the write (ask more times than there are workers), with its inferences.
    for _ in range(4):
        assert _ask(client, f"ASK {{ GRAPH <{graph}> {{ <{fine}> a rk:Publisher }} }}")
        assert _ask(client, f"ASK {{ GRAPH <{vocab.INFERRED_GRAPH}> {{ <{fine}> a org:Organization }} }}")


def test_update_is_atomic(client: httpx.Client, live_server: LiveServer, graph: str) -> None:
    before = live_server.health()["data_version"]
    # The second operation fails at run time (the graph exists): the first must not stay applied.
    text = (
        f"INSERT DATA {{ GRAPH <{graph}> {{ <urn:regkg:test:a> <urn:regkg:test:b> 1 }} }} ;\n"
        f"CREATE GRAPH <{vocab.ONTOLOGY_GRAPH}>"
    )
    r = client.post("/update", content=text.encode(), headers={**UPDATE, **_auth(live_server.write_token)})
    assert r.status_code == 400, r.text
    assert r.json()["error"]["code"] == "update_failed"
    assert not _ask(client, "ASK { <urn:regkg:test:a> ?p ?o }")
    assert live_server.health()["data_version"] == before


def test_using_graph_parameters(client: httpx.Client, live_server: LiveServer, graph: str) -> None:
    auth = _auth(live_server.write_token)
    source = graph
    target = graph + ":copy"
    r = client.post(
        "/update",
        content=f"INSERT DATA {{ GRAPH <{source}> {{ <urn:regkg:test:s> <urn:regkg:test:p> 42 }} }}".encode(),
        headers={**UPDATE, **auth},
    )
    assert r.status_code == 200, r.text
    try:
        r = client.post(
            "/update",
            params={"using-graph-uri": source},
            content=f"INSERT {{ GRAPH <{target}> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}".encode(),
            headers={**UPDATE, **auth},
        )
        assert r.status_code == 200, r.text
        rows = client.get(
            "/sparql", params={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{target}> {{ ?s ?p ?o }} }}"}
        )
        assert rows.json()["results"]["bindings"][0]["n"]["value"] == "1"
        # with USING in the text as well: refused
        r = client.post(
            "/update",
            data={
                "update": f"INSERT {{ GRAPH <{target}> {{ ?s ?p ?o }} }} USING <{source}> WHERE {{ ?s ?p ?o }}",
                "using-graph-uri": source,
            },
            headers=auth,
        )
        assert r.status_code == 400
    finally:
        client.post("/update", content=f"DROP SILENT GRAPH <{target}>".encode(), headers={**UPDATE, **auth})


BAD_UPDATES = [
    ("syntax error", {"update": "INSERT DATA { <urn:a> <urn:b> }"}, 400, "syntax_error"),
    ("query sent as update", {"update": "SELECT * WHERE { ?s ?p ?o }"}, 400, "syntax_error"),
    (
        "two update params",
        [("update", "CLEAR SILENT GRAPH <urn:x>"), ("update", "CLEAR SILENT GRAPH <urn:y>")],
        400,
        "duplicate_parameter",
    ),
    ("missing update", {"x": "1"}, 400, "missing_parameter"),
    ("empty update", {"update": " "}, 400, "empty_query"),
    (
        "deeply nested",
        {"update": "INSERT { <urn:a> <urn:b> 1 } WHERE " + "{" * 3000 + "}" * 3000},
        400,
        "too_deeply_nested",
    ),
]


@pytest.mark.parametrize(("name", "data", "status", "code"), BAD_UPDATES, ids=[b[0] for b in BAD_UPDATES])
def test_bad_updates(
    name: str, data: object, status: int, code: str, client: httpx.Client, live_server: LiveServer
) -> None:
    before = live_server.health()["data_version"]
    r = client.post(
        "/update",
        content=httpx.QueryParams(data).__str__().encode(),  # type: ignore[arg-type]
        headers={"Content-Type": "application/x-www-form-urlencoded", **_auth(live_server.write_token)},
    )
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code
    assert live_server.health()["data_version"] == before


def test_update_content_type(client: httpx.Client, live_server: LiveServer) -> None:
    r = client.post(
        "/update",
        content=b"CLEAR SILENT GRAPH <urn:x>",
        headers={"Content-Type": "application/sparql-query", **_auth(live_server.write_token)},
    )
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "unsupported_media_type"
    r = client.post(
        "/update", content=b"CLEAR SILENT GRAPH <urn:x> \xff", headers={**UPDATE, **_auth(live_server.write_token)}
    )
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "invalid_encoding"
