"""The engine side, in-process: what an engine sends for small and large results, and how it turns an
update into a change (quads removed and added) while leaving its copy as it was."""

from __future__ import annotations

import multiprocessing
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest

from regkg.config import Settings
from regkg.errors import ApiError
from regkg.workers.changes import apply_change, compute_change, parse_quads
from regkg.workers.engine import _run_query
from regkg.workers.messages import Chunk, ComputeChange, End, Failed, Head, QueryJob, RunQuery, UpdateJob

G = "urn:regkg:test:g"


def _store(n: int) -> ox.Store:
    store = ox.Store()
    g = ox.NamedNode(G)
    store.extend(
        ox.Quad(ox.NamedNode(f"urn:regkg:test:s{i}"), ox.NamedNode("urn:regkg:test:p"), ox.Literal(str(i)), g)
        for i in range(n)
    )
    return store


def _messages(store: ox.Store, query: str, max_rows: int, accept: str) -> list[Any]:
    parent, child = multiprocessing.Pipe()
    msg = RunQuery(QueryJob(query, accept=accept), max_rows)
    # The engine writes while we read (a pipe holds 64 KiB).
    engine = threading.Thread(target=_run_query, args=(child, store, msg, Settings(store="memory")))
    engine.start()
    out = []
    while True:
        got = parent.recv()
        out.append(got)
        if isinstance(got, End | Failed) or (isinstance(got, Head) and got.finished):
            break
    engine.join(10)
    assert not parent.poll()
    return out


def test_small_result_is_one_message() -> None:
    (head,) = _messages(_store(10), "SELECT * WHERE { ?s ?p ?o }", 100, "text/csv")
    assert isinstance(head, Head) and head.finished
    assert head.outcome["truncated"] is False and head.outcome["rows"] == 10
    assert head.first.count(b"\r\n") == 11


def test_large_unlimited_result_streams() -> None:
    """With no row cap the engine never holds the whole result: the head goes with the first chunk."""
    msgs = _messages(_store(20_000), "CONSTRUCT WHERE { ?s ?p ?o }", 0, "application/n-triples")
    assert isinstance(msgs[0], Head) and not msgs[0].finished
    assert all(isinstance(m, Chunk) for m in msgs[1:-1])
    assert isinstance(msgs[-1], End)
    assert len(msgs) > 3
    body = msgs[0].first + b"".join(m.data for m in msgs[1:-1])
    assert len(list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))) == 20_000


def test_errors_are_messages() -> None:
    (msg,) = _messages(_store(1), "SELECT * WHERE { ?s ?p }", 10, "text/csv")
    assert isinstance(msg, Failed) and msg.status == 400 and msg.code == "syntax_error"
    (msg,) = _messages(_store(1), "SELECT * WHERE { ?s ?p ?o }", 10, "image/png")
    assert isinstance(msg, Failed) and msg.status == 406


def test_unknown_functions_are_expression_errors() -> None:
    (head,) = _messages(_store(1), "SELECT ?x WHERE { BIND(<http://example/fun>(1) AS ?x) }", 10, "text/csv")
    assert isinstance(head, Head) and head.outcome["rows"] == 1
    assert head.first.split(b"\r\n")[1] == b""  # unbound


CHANGES = [
    # (update, removed, added)
    (f"INSERT DATA {{ GRAPH <{G}> {{ <urn:a> <urn:b> 1 }} }}", 0, 1),
    (f"DELETE DATA {{ GRAPH <{G}> {{ <urn:regkg:test:s1> <urn:regkg:test:p> '1' }} }}", 1, 0),
    (f"DELETE {{ GRAPH <{G}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{G}> {{ ?s ?p ?o FILTER(?o = '2') }} }}", 1, 0),
    (f"DROP GRAPH <{G}>", 5, 0),
    (f"COPY <{G}> TO <urn:regkg:test:h>", 0, 5),
    ("INSERT DATA { <urn:a> <urn:b> _:x }", 0, 1),
    ("DELETE { GRAPH ?g { ?s ?p '3' } } WHERE { GRAPH ?g { ?s ?p '3' } }", 1, 0),
    ("DROP ALL", 5, 0),
    ("INSERT DATA { <urn:a> <urn:b> 1 } ; DELETE DATA { <urn:a> <urn:b> 1 }", 0, 0),
]


@pytest.mark.parametrize(("update", "removed", "added"), CHANGES)
def test_compute_change_leaves_the_copy_as_it_was(update: str, removed: int, added: int) -> None:
    store = _store(5)
    before = set(store)
    change = compute_change(store, ComputeChange(UpdateJob(update)), Settings(store="memory"))
    assert set(store) == before
    assert (change.removed_count, change.added_count) == (removed, added)
    # Applied, the change gives what the update gives.
    expected = _store(5)
    expected.update(update)
    apply_change(store, change)
    assert len(store) == len(expected)
    assert {str(q) for q in store if not _blank(q)} == {str(q) for q in expected if not _blank(q)}
    # and its inverse restores the copy exactly
    apply_change(store, change.inverse())
    assert set(store) == before
    assert len(parse_quads(change.added)) == added


def _blank(q: ox.Quad) -> bool:
    return isinstance(q.object, ox.BlankNode)


def test_forbidden_updates_change_nothing() -> None:
    store = _store(2)
    with pytest.raises(ApiError) as err:
        compute_change(store, ComputeChange(UpdateJob("LOAD <http://127.0.0.1:9/>")), Settings(store="memory"))
    assert err.value.status == 403
    assert len(store) == 2


def test_engines_are_recycled_after_their_changes_and_see_every_write(tmp_path: Path) -> None:
    """REGKG_ENGINE_RECYCLE_CHANGES: an engine that has applied that many changes is replaced, in
    the background, by a fresh fork of the zygote (its pages shared again); the new engine is at
    the current version or catches up, so every write stays visible, and no lane has a gap
    (/healthz stays "ok")."""
    from .conftest import running_server

    with running_server(tmp_path, REGKG_ENGINE_RECYCLE_CHANGES="2") as server:
        auth = {"Authorization": f"Bearer {server.write_token}", "Content-Type": "application/sparql-update"}
        before = {e["pid"] for e in server.health()["workers"]["engines"]}  # type: ignore[index]
        with httpx.Client(base_url=server.url, timeout=30) as c:
            for i in range(6):
                text = f'INSERT DATA {{ GRAPH <urn:x:recycle> {{ <urn:x:r{i}> <urn:x:p> "{i}" }} }}'
                assert c.post("/update", content=text, headers=auth).status_code == 200
            deadline = time.monotonic() + 20  # recycling runs in the background
            while True:
                health = server.health()
                after = {e["pid"] for e in health["workers"]["engines"]}  # type: ignore[index]
                if (after and not (after & before)) or time.monotonic() > deadline:
                    break
                time.sleep(0.1)
            assert health["status"] == "ok", health
            assert after and not (after & before), (before, after)
            assert health["workers"]["recycled"] >= 2, health["workers"]  # type: ignore[index]
            count = c.get(
                "/sparql",
                params={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <urn:x:recycle> { ?s ?p ?o } }"},
                headers={"Accept": "application/sparql-results+json"},
            ).json()["results"]["bindings"][0]["n"]["value"]
            assert count == "6"
