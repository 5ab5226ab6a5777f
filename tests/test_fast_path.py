"""The engine's fast path for plain queries (issue 11, lookups): a query whose text plainly has
nothing for the policy parse to judge skips it, and nothing else changes.

* A plain point lookup answers the same rows as the same lookup written so that it takes the
  full parse.
* Every SERVICE spelling of the engine-safety and hostile-input tests, inside the plainest
  query there is, is still refused with 403: the fast path is never taken for them (were it
  taken, the engine would run SERVICE and the sandbox would answer 400, not 403).
* A syntax error in a plain-looking query keeps the parse's line and column; an update sent as a
  query is still told to go to /update.
* An idle engine that died is noticed before it gets a query (its pipe is at end of file).
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from regkg.sparql import plain_insert_data, plain_query

from .conftest import LiveServer, running_server
from .test_engine_safety import SERVICE_SPELLINGS
from .test_sparql_hostile import Listener

pytestmark = pytest.mark.slow

JSON = {"Accept": "application/sparql-results+json"}
PLAIN = "SELECT * WHERE { ?s ?p ?o } LIMIT 1"


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    lst = Listener()
    yield lst
    lst.close()


def _rows(r: httpx.Response) -> set[tuple[tuple[str, str], ...]]:
    assert r.status_code == 200, r.text
    return {tuple(sorted((k, v["value"]) for k, v in b.items())) for b in r.json()["results"]["bindings"]}


def _spellings(url: str) -> list[str]:
    """The plain query with a SERVICE spelt each way the safety tests spell it (their pattern
    added to the plain query's, so the text is the plain one plus nothing but the SERVICE)."""
    out = []
    for template in SERVICE_SPELLINGS:
        inner = template.format(url=url).removeprefix("SELECT * WHERE {").removesuffix("}")
        out.append(PLAIN.replace("?o }", f"?o . {inner} }}", 1))
    for keyword in ("service", "Service", "sErViCe"):
        out.append(PLAIN.replace("?o }", f"?o . {keyword} SILENT <{url}> {{ ?s ?p ?o }} }}", 1))
    return out


def test_a_plain_lookup_answers_as_the_full_parse_does(client: httpx.Client) -> None:
    assert plain_query(PLAIN).plain
    r = client.get("/sparql", params={"query": PLAIN}, headers=JSON)
    (row,) = _rows(r)
    subject = dict(row)["s"]
    lookup = f"SELECT ?p ?o WHERE {{ <{subject}> ?p ?o }}"
    assert plain_query(lookup).plain
    # The same lookup with a FILTER: it has a bracket, so it takes rdflib's parse.
    parsed = f"SELECT ?p ?o WHERE {{ ?s ?p ?o FILTER(?s = <{subject}>) }}"
    assert not plain_query(parsed).plain
    fast = _rows(client.get("/sparql", params={"query": lookup}, headers=JSON))
    assert fast, f"no rows for {subject}"
    assert fast == _rows(client.get("/sparql", params={"query": parsed}, headers=JSON))


def test_service_in_a_plain_query_is_still_refused(client: httpx.Client, listener: Listener) -> None:
    queries = _spellings(listener.url)
    assert len(queries) == len(SERVICE_SPELLINGS) + 3
    for query in queries:
        r = client.get("/sparql", params={"query": query}, headers=JSON)
        assert r.status_code == 403, (query, r.text)
        assert r.json()["error"]["code"] == "forbidden" and "SERVICE" in r.json()["error"]["message"], r.text
    time.sleep(0.05)
    assert listener.connections == 0


def test_a_syntax_error_in_a_plain_query_keeps_its_line_and_column(client: httpx.Client) -> None:
    text = "SELECT ?p ?o\nWHERE { <urn:x:s> ?p ?o ?extra }"
    assert plain_query(text).plain
    r = client.get("/sparql", params={"query": text}, headers=JSON)
    assert r.status_code == 400, r.text
    err = r.json()["error"]
    assert err["code"] == "syntax_error"
    assert err["line"] == 2 and isinstance(err["column"], int), err
    assert "at line 2, column" in err["message"], err


def test_an_update_sent_as_a_plain_query_is_sent_to_update(client: httpx.Client) -> None:
    text = "INSERT DATA { <urn:x:s> <urn:x:p> <urn:x:o> }"
    assert plain_query(text).plain
    r = client.get("/sparql", params={"query": text}, headers=JSON)
    assert r.status_code == 400 and r.json()["error"]["code"] == "update_not_allowed", r.text


def test_a_dead_idle_engine_is_replaced_before_it_gets_a_query(tmp_path: Path) -> None:
    # A server of its own: in the shared one, earlier tests may have moved this client to the
    # slow lane, and then no query of it would come near the fast lane's engine.
    with running_server(tmp_path) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        _dead_idle_engines_are_replaced(server, client)


def _dead_idle_engines_are_replaced(live_server: LiveServer, client: httpx.Client) -> None:
    workers = live_server.health()["workers"]
    assert isinstance(workers, dict)
    idle = [e["pid"] for e in workers["engines"] if e["state"] == "idle"]
    assert idle, workers
    restarts = workers["restarts"]
    for pid in idle:
        os.kill(pid, signal.SIGKILL)
    time.sleep(0.2)  # the zygote reaps them; the web process has not asked them anything yet
    for i in range(len(idle) + 2):  # texts asked for the first time: no cache answers them
        query = f"SELECT * WHERE {{ ?s ?p ?o }} OFFSET {i} LIMIT {time.time_ns() % 1000 + 2}"
        r = client.get("/sparql", params={"query": query}, headers=JSON)
        assert r.status_code == 200, r.text
    after = live_server.health()["workers"]
    assert isinstance(after, dict)
    assert after["restarts"] >= restarts + len(idle), after
    assert not {e["pid"] for e in after["engines"]} & set(idle), after


# -- the write side: a plain INSERT DATA is evaluated on a scratch store, without rdflib's parse --


def test_plain_insert_data_is_recognised_conservatively() -> None:
    assert plain_insert_data('INSERT DATA { GRAPH <urn:x:g> { <urn:x:a> <urn:x:b> "an address" } }')
    for text in (
        "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> } ; DELETE WHERE { ?s ?p ?o }",
        "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> } ; LOAD <http://127.0.0.1:9/>",
        'INSERT DATA { <urn:x:a> <urn:x:b> "\\u0053" }',  # a backslash: the full parse
        'INSERT DATA { <urn:x:a> <urn:x:b> "where it was" }',  # a keyword in a literal: the full parse
        'INSERT DATA { <urn:x:a> <urn:x:b> "caf\u00e9" }',  # not ASCII: the full parse
        "INSERT { <urn:x:a> <urn:x:b> ?o } WHERE { ?s ?p ?o }",
    ):
        assert not plain_insert_data(text), text


def test_a_plain_insert_data_is_a_recorded_change_and_errors_keep_their_messages(
    live_server: LiveServer, client: httpx.Client
) -> None:
    auth = {"Authorization": f"Bearer {live_server.write_token}", "Content-Type": "application/sparql-update"}
    text = (
        'INSERT DATA { GRAPH <urn:x:fast> { <urn:x:fast-a> <http://www.w3.org/2000/01/rdf-schema#label> "fast"@en } }'
    )
    assert plain_insert_data(text)
    r = client.post("/update", content=text, headers=auth)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["added"] == 1 and body["change"]
    again = client.post("/update", content=text, headers=auth)  # nothing new: an empty change
    assert again.status_code == 200 and again.json()["added"] == 0
    ask = client.get("/sparql", params={"query": "ASK { GRAPH <urn:x:fast> { <urn:x:fast-a> ?p ?o } }"}, headers=JSON)
    assert ask.json()["boolean"] is True
    broken = client.post("/update", content="INSERT DATA { <urn:x:a> <urn:x:b> }", headers=auth)
    assert broken.status_code == 400 and broken.json()["error"]["code"] == "syntax_error", broken.text
