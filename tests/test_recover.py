"""A crash in the middle of a commit (issue 10: writes are all-or-nothing; the ledger's crash
window). The crash is simulated by taking the commit's first steps by hand on an on-disk store
and stopping there; the next start -- `regkg load` or `regkg serve`, as subprocesses -- must set
the change aside (logged, never committed) or finish it (committed, not settled)."""

from __future__ import annotations

import gc
import os
import signal
import threading
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from regkg import inference, vocab
from regkg.store import EmbeddedStore
from regkg.writes.changelog import ChangeLog, ChangeSet, prov_quads
from regkg.writes.commit import make_change
from tests.conftest import running_server
from tests.test_load import regkg

pytestmark = pytest.mark.slow

AMOUNT = ox.NamedNode(vocab.ID + "amount/2021-04-10-samr-alibaba-fine-cny")
VALUE = ox.NamedNode(vocab.SCHEMA + "value")


def _log_only(folder: Path, removed: list[ox.Quad], added: list[ox.Quad]) -> tuple[ChangeSet, list[ox.Quad]]:
    """The commit's first step: the change set written to the log (fsync'd), nothing else."""
    log = ChangeLog(folder / "changes")
    change = make_change(removed, added)
    cs = log.new(change, "editor")
    record = prov_quads(cs)
    return log.write(cs, change + make_change([], record)), record


def test_a_change_logged_but_never_committed_is_set_aside(loaded_copy: Path, tmp_path: Path) -> None:
    folder = loaded_copy
    quad = ox.Quad(
        ox.NamedNode("urn:x:crash"),
        ox.NamedNode(vocab.RDFS + "label"),
        ox.Literal("x", language="en"),
        ox.NamedNode("urn:g:crash"),
    )
    cs, _ = _log_only(folder, [], [quad])  # ... and the process dies before the store's transaction

    r = regkg("load", "--store", str(folder))
    assert r.returncode == 0, r.stderr
    assert "never committed" in r.stderr, r.stderr
    assert ChangeLog(folder / "changes").get(cs.id) is None  # not listed, reverted or replayed
    assert cs.path is not None and cs.path.with_name(cs.path.name + ".not-committed").exists()
    assert quad not in set(ox.Store.read_only(str(folder)))


def test_a_change_committed_but_not_settled_is_finished_at_the_next_start(loaded_copy: Path, tmp_path: Path) -> None:
    """An admin's change to a shipped graph, committed, then the crash: before its inference and
    the ledger. The next start must not call the graph changed outside the gate, and the
    inferred graph must be what a full recompute gives."""
    folder = loaded_copy
    store = EmbeddedStore(folder)
    old = [
        q
        for q in store.ox.quads_for_pattern(AMOUNT, VALUE, None, None)
        if q.graph_name != ox.NamedNode(vocab.INFERRED_GRAPH)
    ]
    assert len(old) == 1
    new = [ox.Quad(AMOUNT, VALUE, ox.Literal("1000", datatype=ox.NamedNode(vocab.XSD + "decimal")), old[0].graph_name)]
    _, record = _log_only(folder, old, new)
    store.apply(old, [*new, *record])  # the store's transaction; the process dies before inference
    store.close()
    del store  # (RocksDB's lock goes with the last reference)
    gc.collect()

    with running_server(tmp_path, REGKG_STORE=str(folder), REGKG_WORKERS="1", REGKG_SLOW_WORKERS="0") as server:
        health = server.health()
        assert health["status"] == "ok", health
        eur = httpx.get(
            server.url + "/sparql",
            params={"query": f"SELECT ?v WHERE {{ <{AMOUNT.value}-eur> schema:value ?v }}"},
            headers={"Accept": "application/sparql-results+json"},
            timeout=30,
        ).json()["results"]["bindings"]
        assert [float(b["v"]["value"]) for b in eur] and all(float(b["v"]["value"]) < 1000 for b in eur), eur
    assert "committed but not settled" in server.log.read_text()

    disk = ox.Store.read_only(str(folder))
    inferred = ox.NamedNode(vocab.INFERRED_GRAPH)
    copy = ox.Store()
    copy.extend(q for q in disk if q.graph_name != inferred)
    inference.infer(copy)
    assert set(disk.quads_for_pattern(None, None, None, inferred)) == set(
        copy.quads_for_pattern(None, None, None, inferred)
    )
    r = regkg("load", "--store", str(folder))  # settled: nothing redone, nothing left alone
    assert r.returncode == 0 and "left alone" not in r.stderr and "settled" not in r.stderr, r.stderr


def test_acknowledged_writes_survive_kill_9(loaded_copy: Path, tmp_path: Path) -> None:
    """Each write answered 200 is on disk: the server killed with SIGKILL right after the fifth
    acknowledgement, a new server on the same store has all five, listed in the change log."""
    folder = loaded_copy
    env = {"REGKG_STORE": str(folder), "REGKG_WORKERS": "1", "REGKG_SLOW_WORKERS": "0"}
    subjects = [f"urn:x:kill-{i}" for i in range(5)]
    changes = []
    with running_server(tmp_path, **env) as server:
        for s in subjects:
            r = httpx.post(
                server.url + "/update",
                content=f'INSERT DATA {{ GRAPH <urn:g:kill> {{ <{s}> rdfs:label "{s}"@en }} }}'.encode(),
                headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {server.write_token}"},
                timeout=60,
            )
            assert r.status_code == 200, r.text
            changes.append(r.json()["change"])
        os.kill(server.process.pid, signal.SIGKILL)  # no shutdown, no flush: right after the last 200
        server.process.wait(10)
    with running_server(tmp_path, **env) as server:
        assert server.health()["status"] == "ok"
        for s in subjects:
            r = httpx.get(server.url + "/sparql", params={"query": f"ASK {{ <{s}> rdfs:label ?l }}"}, timeout=30)
            assert r.json()["boolean"] is True, s
        listed = {
            c["id"] for c in httpx.get(server.url + "/api/changes", params={"limit": 50}, timeout=30).json()["changes"]
        }
        assert set(changes) <= listed


def test_sigterm_ends_a_write_in_flight_within_its_grace(loaded_copy: Path, tmp_path: Path) -> None:
    """SIGTERM while a long update is being evaluated: the server is gone within its 10 s grace
    (with a margin for a loaded machine), the write is wholly absent, and the store opens again."""
    folder = loaded_copy
    env = {"REGKG_STORE": str(folder), "REGKG_WORKERS": "1", "REGKG_SLOW_WORKERS": "0", "REGKG_QUERY_TIMEOUT": "120"}
    g = "urn:g:sigterm"
    # a cross product of the shipped graph with itself: minutes of evaluation
    text = (
        f"INSERT {{ GRAPH <{g}> {{ ?a <urn:p:x> ?d }} }} WHERE {{ GRAPH ?g1 {{ ?a ?b ?c }} GRAPH ?g2 {{ ?d ?e ?f }} }}"
    )
    answers: list[object] = []
    with running_server(tmp_path, **env) as server:

        def write() -> None:
            try:
                answers.append(
                    httpx.post(
                        server.url + "/update",
                        content=text.encode(),
                        headers={
                            "Content-Type": "application/sparql-update",
                            "Authorization": f"Bearer {server.write_token}",
                        },
                        timeout=120,
                    ).status_code
                )
            except httpx.HTTPError as exc:
                answers.append(type(exc).__name__)

        writer = threading.Thread(target=write)
        writer.start()
        time.sleep(2)  # the engine is evaluating
        assert not answers, answers  # still being evaluated
        started = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        server.process.wait(30)
        took = time.monotonic() - started
        writer.join(30)
    assert took < 15, f"the server took {took:.1f} s to stop"
    assert answers and answers[0] != 200, answers
    with running_server(tmp_path, **env) as server:
        assert server.health()["status"] == "ok"
        r = httpx.get(server.url + "/sparql", params={"query": f"ASK {{ GRAPH <{g}> {{ ?s ?p ?o }} }}"}, timeout=30)
        assert r.json()["boolean"] is False
