"""The query engine cannot be turned against the host or its other users (issue 9).

* Safety by construction: with the text checks switched off, an engine still cannot reach a
  local server, read a file or run a program (the sandbox alone holds).
* The text checks decide on one real parse: SERVICE after every kind of token is refused (403),
  in queries and updates, and nothing reaches the listener.
* No input kills a process: the reproductions of the issue answer 400 too_deeply_nested, with
  every engine and the web process alive.
* Fairness: a client over its share gets 429; a long query moves its client to the slow lane,
  and another client's short queries are still answered.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from regkg.config import Settings
from regkg.errors import ApiError
from regkg.workers import EnginePool, QueryJob, UpdateJob

from .conftest import LiveServer, running_server
from .test_sparql_hostile import Listener

pytestmark = pytest.mark.slow

CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    lst = Listener()
    yield lst
    lst.close()


# -- the sandbox alone holds ---------------------------------------------------------------


def _snapshot(tmp_path: Path) -> str:
    path = tmp_path / "snapshot.nq"
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"), ox.Literal("o"), ox.NamedNode("urn:x:g")))
    store.dump(str(path), ox.RdfFormat.N_QUADS)
    return f"snapshot:{path}"


def test_the_sandbox_alone_holds(tmp_path: Path, listener: Listener) -> None:
    """With the text checks switched off, SERVICE and LOAD reach nothing and files stay unread."""
    secret = tmp_path / "secret.ttl"
    secret.write_text("<urn:x:secret> <urn:x:p> 'do not read' .\n")
    settings = Settings(store="memory", workers=1, slow_workers=0, query_timeout=10)

    async def run() -> list[str]:
        pool = EnginePool(settings, _snapshot(tmp_path))
        await pool.start()
        outcomes = []
        try:
            for text in (
                f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}",
                f"SELECT * WHERE {{ ?x ?y ?z . SERVICE SILENT <{listener.url}> {{ ?s ?p ?o }} }}",
            ):
                try:
                    response = await pool.execute(QueryJob(text, check_policy=False))
                    outcomes.append(f"answered {response.outcome.rows} rows")
                except ApiError as exc:
                    outcomes.append(f"{exc.status} {exc.message}")
            for text in (f"LOAD <{listener.url}>", f"LOAD <file://{secret}>", f"LOAD SILENT <{listener.url}>"):
                try:
                    change = await pool.compute_change(UpdateJob(text, check_policy=False))
                    outcomes.append(f"changed {change.added_count}")
                except ApiError as exc:
                    outcomes.append(f"{exc.status} {exc.message}")
            assert pool.state()["sandbox"]["enabled"] is True
            assert pool.stats["crashes"] == 0
        finally:
            await pool.close()
        return outcomes

    outcomes = asyncio.run(run())
    time.sleep(0.2)
    assert listener.connections == 0, outcomes
    # SERVICE fails (or, SILENT, gives the rows without the service's part); LOAD changes nothing.
    assert outcomes[0].startswith("400") and "ermission" in outcomes[0], outcomes
    assert all(not o.startswith("changed") or o == "changed 0" for o in outcomes[2:]), outcomes
    assert outcomes[3].startswith("400") or outcomes[3] == "changed 0", outcomes


# -- the text checks: one real parse ------------------------------------------------------------

# SERVICE after every kind of token, and spelt with escapes: each is refused on the parse tree.
SERVICE_SPELLINGS = [
    "SELECT * WHERE {{ ?x ?y concern:.SERVICE <{url}> {{ ?s ?p ?o }} }}",
    # (a dot inside a local name belongs to it: `rk:Regulator.SERVICE` is one name, and the
    # query a syntax error -- see test_a_dot_inside_a_local_name_is_part_of_it)
    "SELECT * WHERE {{ ?x ?y rk:Regulator .SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ ?x ?y ?z.SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ ?x ?y ?z ; ?w ?v .SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ ?x ?y ?z , ?v .SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ {{ ?x ?y ?z }}SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ ?x ?y ?z #comment\nSERVICE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ ?x ?y 1.SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ ?x ?y 'a'.SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ ?x ?y <urn:x>.SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ \\U00000053ervice <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ OPTIONAL{{SERVICE<{url}>{{?s ?p ?o}}}} }}",
    "SELECT * WHERE {{ FILTER EXISTS {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }} }}",
]


@pytest.mark.parametrize("template", SERVICE_SPELLINGS)
def test_service_after_any_token_is_refused(
    template: str, client: httpx.Client, listener: Listener, live_server: LiveServer
) -> None:
    query = template.format(url=listener.url)
    r = client.get("/sparql", params={"query": query})
    assert r.status_code == 403, r.text
    assert r.json()["error"]["code"] == "forbidden"
    # The same spelling inside an update.
    update = query.replace("SELECT * WHERE", "INSERT { GRAPH <urn:regkg:test:svc> { ?s ?p ?o } } WHERE", 1)
    r = client.post(
        "/update",
        content=update.encode(),
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {live_server.write_token}"},
    )
    assert r.status_code == 403, r.text
    time.sleep(0.05)
    assert listener.connections == 0


def test_a_dot_inside_a_local_name_is_part_of_it(client: httpx.Client, listener: Listener) -> None:
    query = f"SELECT * WHERE {{ ?x ?y rk:Regulator.SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"
    r = client.get("/sparql", params={"query": query})
    assert r.status_code == 400 and r.json()["error"]["code"] == "syntax_error", r.text
    assert listener.connections == 0


# -- no input kills a process --------------------------------------------------------------------

KILLERS = [
    ("10,000 !", "SELECT * WHERE { FILTER(" + "!" * 10_000 + "true) }"),
    ("20,000 ||", "SELECT * WHERE { FILTER(" + "1||" * 20_000 + "1) }"),
    ("9,000 path steps", "SELECT * WHERE { ?s " + "rdf:type/" * 9_000 + "rdf:type ?o }"),
    ("40,000 +", "SELECT (1" + "+1" * 40_000 + " AS ?x) {}"),
    ("10,000 unary -", "SELECT (" + "-" * 10_000 + "1 AS ?x) {}"),
]


@pytest.mark.parametrize(("name", "text"), KILLERS, ids=[k[0] for k in KILLERS])
def test_inputs_that_killed_processes_are_refused(
    name: str, text: str, client: httpx.Client, live_server: LiveServer
) -> None:
    before = live_server.health()["workers"]
    r = client.post("/sparql", content=text.encode(), headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "too_deeply_nested", r.text[:300]
    update = text.replace("SELECT * WHERE", "INSERT { <urn:a> <urn:b> <urn:c> } WHERE", 1)
    r = client.post(
        "/update",
        content=update.encode(),
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {live_server.write_token}"},
    )
    assert r.status_code in {400, 413}, r.text[:300]
    after = live_server.health()["workers"]
    assert live_server.alive()
    assert after["crashes"] == before["crashes"]  # type: ignore[index]
    assert after["restarts"] == before["restarts"]  # type: ignore[index]
    assert after["alive"] == 2  # type: ignore[index]


# -- fairness -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fair_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with running_server(
        tmp_path_factory.mktemp("fair"),
        REGKG_WORKERS="2",
        REGKG_SLOW_WORKERS="1",
        REGKG_CLIENT_CONCURRENCY="2",
        REGKG_QUERY_TIMEOUT="3",
        REGKG_SHORT_QUERY_SECONDS="0.3",
    ) as server:
        yield server


def _client(address: str) -> httpx.Client:
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=15)


def test_a_client_over_its_share_gets_429(fair_server: LiveServer) -> None:
    results: list[int] = []

    def one() -> None:
        with _client("127.0.0.3") as c:
            results.append(c.get(fair_server.url + "/sparql", params={"query": CARTESIAN}).status_code)

    threads = [threading.Thread(target=one) for _ in range(4)]
    for t in threads:
        t.start()
        time.sleep(0.05)
    for t in threads:
        t.join()
    assert 429 in results, results
    with _client("127.0.0.3") as c:
        r = c.get(fair_server.url + "/sparql", params={"query": CARTESIAN + " #x"})
        # the client is heavy now: its query queues in the slow lane; over its share or timed out
        assert r.status_code in {200, 429, 503}


def test_long_queries_do_not_hold_up_short_ones(fair_server: LiveServer) -> None:
    stop = threading.Event()
    statuses: list[int] = []

    def runaway(address: str) -> None:
        with _client(address) as c:
            while not stop.is_set():
                with contextlib.suppress(httpx.HTTPError):
                    statuses.append(c.get(fair_server.url + "/sparql", params={"query": CARTESIAN}).status_code)

    threads = [threading.Thread(target=runaway, args=(f"127.0.1.{i}",)) for i in range(1, 4)]
    for t in threads:
        t.start()
    try:
        time.sleep(1.5)  # each runaway client has had its first query moved to the slow lane
        latencies = []
        saw_degraded = False
        answered = 0
        with _client("127.0.2.1") as c:
            for i in range(40):
                t = time.monotonic()
                r = c.get(fair_server.url + "/sparql", params={"query": f"ASK {{ ?s a rk:Regulator }} #{i}"})
                latencies.append(time.monotonic() - t)
                answered += r.status_code == 200
                saw_degraded = saw_degraded or fair_server.health()["status"] == "degraded"
    finally:
        stop.set()
        for t in threads:
            t.join(20)
    latencies.sort()
    # Generous bounds for a shared machine; bench/fairness.py measures the real figures.
    assert answered >= 36, (answered, latencies)
    assert latencies[len(latencies) // 2] < 0.5, latencies
    assert saw_degraded
    assert set(statuses) <= {200, 429, 503}
    assert fair_server.health()["workers"]["moved_to_slow_lane"] >= 1  # type: ignore[index]
