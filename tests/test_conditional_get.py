"""Conditional GET and the hot-result cache, over HTTP against live servers.

/sparql (GET, POST form, POST sparql-query), the linked-data documents and the web pages carry an
ETag made from the data version, what was asked and the negotiated format; If-None-Match with it
gives 304 until a write. The result cache answers repeated queries of the current version only:
a write empties it, so the same query sees the write at once.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from regkg.cache import CACHE_HEADER, Entry, ResultCache

from .conftest import LiveServer, running_server

JSON = "application/sparql-results+json"
CSV = "text/csv"
UPDATE = {"Content-Type": "application/sparql-update"}
ALIBABA = "https://w3id.org/regkg/id/org/alibaba-group"


def _auth(server: LiveServer) -> dict[str, str]:
    return {"Authorization": f"Bearer {server.write_token}", **UPDATE}


@pytest.fixture
def graph(client: httpx.Client, live_server: LiveServer) -> Iterator[str]:
    """A graph of this test's own, dropped afterwards."""
    g = f"urn:regkg:test:conditional:{uuid.uuid4().hex}"
    yield g
    client.post("/update", content=f"DROP SILENT GRAPH <{g}>".encode(), headers=_auth(live_server))


def _write(client: httpx.Client, server: LiveServer, graph: str, value: int) -> None:
    text = f"INSERT DATA {{ GRAPH <{graph}> {{ <urn:regkg:test:s> <urn:regkg:test:p> {value} }} }}"
    r = client.post("/update", content=text.encode(), headers=_auth(server))
    assert r.status_code == 200, r.text


def _values(r: httpx.Response) -> list[str]:
    return sorted(b["o"]["value"] for b in r.json()["results"]["bindings"])


def _lookup(graph: str) -> str:
    return f"SELECT ?o WHERE {{ GRAPH <{graph}> {{ <urn:regkg:test:s> <urn:regkg:test:p> ?o }} }}"


# (how the query is sent) -> request keyword arguments for client.request
def _sent(client: httpx.Client, how: str, query: str, **headers: str) -> httpx.Response:
    headers = {"Accept": JSON, **headers}
    if how == "GET":
        return client.get("/sparql", params={"query": query}, headers=headers)
    if how == "POST form":
        return client.post("/sparql", data={"query": query}, headers=headers)
    return client.post(
        "/sparql", content=query.encode(), headers={**headers, "Content-Type": "application/sparql-query"}
    )


HOW = ["GET", "POST form", "POST sparql-query"]


@pytest.mark.parametrize("how", HOW)
def test_sparql_answers_304_on_repeat(client: httpx.Client, how: str) -> None:
    query = f"SELECT ?p ?o WHERE {{ <{ALIBABA}> ?p ?o }} # {how} {uuid.uuid4().hex}"
    first = _sent(client, how, query)
    assert first.status_code == 200, first.text
    etag = first.headers["etag"]
    assert etag.startswith('W/"')
    assert "no-cache" in first.headers["cache-control"]
    assert "Accept" in first.headers["vary"]
    again = _sent(client, how, query, **{"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    other = _sent(client, how, query, **{"If-None-Match": 'W/"other"'})
    assert other.status_code == 200
    assert other.headers["etag"] == etag
    assert other.json() == first.json()


def test_get_and_post_of_one_query_share_the_etag(client: httpx.Client) -> None:
    query = f"ASK {{ <{ALIBABA}> ?p ?o }} # {uuid.uuid4().hex}"
    tags = {how: _sent(client, how, query).headers["etag"] for how in HOW}
    assert len(set(tags.values())) == 1, tags


def test_etag_differs_by_accept_and_by_query(client: httpx.Client) -> None:
    query = f"SELECT ?p WHERE {{ <{ALIBABA}> ?p ?o }} LIMIT 3 # {uuid.uuid4().hex}"
    as_json = client.get("/sparql", params={"query": query}, headers={"Accept": JSON})
    as_csv = client.get("/sparql", params={"query": query}, headers={"Accept": CSV})
    other = client.get("/sparql", params={"query": query + " x"}, headers={"Accept": JSON})
    assert as_json.headers["content-type"].startswith(JSON)
    assert as_csv.headers["content-type"].startswith(CSV)
    assert len({as_json.headers["etag"], as_csv.headers["etag"], other.headers["etag"]}) == 3
    # The JSON answer's tag does not validate the CSV answer.
    r = client.get(
        "/sparql", params={"query": query}, headers={"Accept": CSV, "If-None-Match": as_json.headers["etag"]}
    )
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(CSV)


def test_a_write_changes_the_etag_and_the_answer(client: httpx.Client, live_server: LiveServer, graph: str) -> None:
    query = _lookup(graph)
    before = client.get("/sparql", params={"query": query}, headers={"Accept": JSON})
    assert _values(before) == []
    cached = client.get("/sparql", params={"query": query}, headers={"Accept": JSON})
    assert cached.headers.get(CACHE_HEADER) == "hit", "a repeated small answer comes from the cache"
    _write(client, live_server, graph, 1)
    after = client.get(
        "/sparql", params={"query": query}, headers={"Accept": JSON, "If-None-Match": before.headers["etag"]}
    )
    assert after.status_code == 200
    assert after.headers["etag"] != before.headers["etag"]
    assert after.headers.get(CACHE_HEADER) == "miss"
    assert _values(after) == ["1"], "the query sees the write, never the cached answer of the version before"
    _write(client, live_server, graph, 2)
    assert _values(client.get("/sparql", params={"query": query}, headers={"Accept": JSON})) == ["1", "2"]


def test_errors_carry_no_etag_and_are_not_cached(client: httpx.Client) -> None:
    for _ in range(2):
        r = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})
        assert r.status_code == 400
        assert "etag" not in r.headers
        assert CACHE_HEADER.lower() not in r.headers


LINKED = [
    ("/data/org/alibaba-group.ttl", None, 200),
    ("/id/org/alibaba-group", "text/turtle", 303),
    ("/id/org/alibaba-group", "text/html", 303),
    ("/page/org/alibaba-group", "text/html", 200),
    ("/page/action/2021-07-21-cac-minors-taobao", None, 200),
]


@pytest.mark.parametrize(("path", "accept", "status"), LINKED, ids=[f"{p} {a}" for p, a, _ in LINKED])
def test_linked_data_revalidates_until_a_write(
    client: httpx.Client, live_server: LiveServer, graph: str, path: str, accept: str | None, status: int
) -> None:
    headers = {"Accept": accept} if accept else {}
    first = client.get(path, headers=headers)
    assert first.status_code == status
    etag = first.headers["etag"]
    assert "no-cache" in first.headers["cache-control"]
    again = client.get(path, headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["etag"] == etag
    assert again.content == b""
    _write(client, live_server, graph, 7)
    after = client.get(path, headers={**headers, "If-None-Match": etag})
    assert after.status_code == status
    assert after.headers["etag"] != etag


def test_id_etag_differs_by_accept(client: httpx.Client) -> None:
    html = client.get("/id/org/alibaba-group", headers={"Accept": "text/html"})
    ttl = client.get("/id/org/alibaba-group", headers={"Accept": "text/turtle"})
    assert html.headers["location"] != ttl.headers["location"]
    assert html.headers["etag"] != ttl.headers["etag"]
    r = client.get("/id/org/alibaba-group", headers={"Accept": "text/turtle", "If-None-Match": html.headers["etag"]})
    assert r.status_code == 303
    assert r.headers["location"] == ttl.headers["location"]


def test_data_link_header_names_the_alternates(client: httpx.Client) -> None:
    r = client.get("/data/org/alibaba-group.ttl")
    links = r.headers["link"]
    for alt in ("/page/org/alibaba-group", "/data/org/alibaba-group.nt", "/data/org/alibaba-group.jsonld"):
        assert f"<{alt}>" in links
    assert "alibaba-group.ttl>" not in links, "a document does not name itself as its alternate"


# -- the cache switched off, and its bounds ------------------------------------------------------


@pytest.fixture(scope="module")
def uncached(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with running_server(tmp_path_factory.mktemp("uncached"), REGKG_RESULT_CACHE_ENTRIES="0") as server:
        yield server


def test_cache_off_still_revalidates(uncached: LiveServer) -> None:
    with httpx.Client(base_url=uncached.url, timeout=30) as c:
        query = f"SELECT ?p ?o WHERE {{ <{ALIBABA}> ?p ?o }}"
        first = c.get("/sparql", params={"query": query}, headers={"Accept": JSON})
        second = c.get("/sparql", params={"query": query}, headers={"Accept": JSON})
        assert CACHE_HEADER.lower() not in first.headers
        assert CACHE_HEADER.lower() not in second.headers
        assert first.json() == second.json()
        assert (
            c.get(
                "/sparql", params={"query": query}, headers={"Accept": JSON, "If-None-Match": first.headers["etag"]}
            ).status_code
            == 304
        )


def _entry(size: int) -> Entry:
    return Entry(b"x" * size, "text/csv")


def test_cache_is_bounded_in_entries_and_bytes() -> None:
    c = ResultCache(entries=3, max_bytes=10_000)
    v = c.at(0)
    for i in range(5):
        c.put(v, i, _entry(10))
    assert len(c) == 3
    assert c.get(v, 0) is None and c.get(v, 1) is None, "the least recently used go first"
    assert c.get(v, 4) is not None
    big = ResultCache(entries=100, max_bytes=3 * _entry(1000).size)
    for i in range(10):
        big.put(v, i, _entry(1000))
    assert len(big) == 3
    assert big.bytes <= big.max_bytes
    big.put(v, "huge", _entry(100_000))
    assert big.get(v, "huge") is None, "an answer larger than the whole cache is not kept"


def test_cache_never_keeps_an_older_version() -> None:
    c = ResultCache(entries=10, max_bytes=10_000)
    c.put(c.at(1), "q", _entry(1))
    assert c.get(c.at(1), "q") is not None
    assert c.get(c.at(2), "q") is None, "a new version empties the cache"
    c.put(c.at(1), "q", _entry(1))  # computed before the write, finished after it
    assert c.get(c.at(2), "q") is None
    assert ResultCache(entries=0, max_bytes=10_000).enabled is False
