"""The worker side of the query pool, in-process: what a worker sends for small and large results."""

from __future__ import annotations

import multiprocessing
import threading
from typing import Any

import pyoxigraph as ox

from regkg.config import Settings
from regkg.store import EmbeddedStore
from regkg.workers import _run_query


def _store(n: int) -> EmbeddedStore:
    store = EmbeddedStore()
    g = ox.NamedNode("urn:regkg:test:g")
    store.add(
        ox.Quad(ox.NamedNode(f"urn:regkg:test:s{i}"), ox.NamedNode("urn:regkg:test:p"), ox.Literal(str(i)), g)
        for i in range(n)
    )
    return store


def _messages(store: EmbeddedStore, query: str, max_rows: int, accept: str) -> list[tuple[Any, ...]]:
    parent, child = multiprocessing.Pipe()
    job = {"text": query, "default_graphs": (), "named_graphs": (), "accept": accept, "max_rows": max_rows}
    # The worker writes while we read (a pipe holds 64 KiB).
    worker = threading.Thread(target=_run_query, args=(child, store, job, Settings(store="memory")))
    worker.start()
    out = []
    while True:
        msg = parent.recv()
        out.append(msg)
        if msg[0] in {"end", "error"} or (msg[0] == "head" and msg[3]):
            break
    worker.join(10)
    assert not parent.poll()
    return out


def test_small_result_is_one_message() -> None:
    msgs = _messages(_store(10), "SELECT * WHERE { ?s ?p ?o }", 100, "text/csv")
    assert len(msgs) == 1
    kind, head, body, finished = msgs[0]
    assert (kind, finished) == ("head", True)
    assert head["truncated"] is False and head["rows"] == 10
    assert body.count(b"\r\n") == 11


def test_large_unlimited_result_streams() -> None:
    """With no row cap the worker never holds the whole result: the head goes with the first chunk."""
    msgs = _messages(_store(20_000), "CONSTRUCT WHERE { ?s ?p ?o }", 0, "application/n-triples")
    assert msgs[0][0] == "head" and msgs[0][3] is False
    assert [m[0] for m in msgs[1:-1]] == ["chunk"] * (len(msgs) - 2)
    assert msgs[-1][0] == "end"
    assert len(msgs) > 3
    body = msgs[0][2] + b"".join(m[1] for m in msgs[1:-1])
    assert len(list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))) == 20_000


def test_errors_are_messages() -> None:
    (msg,) = _messages(_store(1), "SELECT * WHERE { ?s ?p }", 10, "text/csv")
    assert msg[0] == "error" and msg[1]["status"] == 400 and msg[1]["code"] == "syntax_error"
    (msg,) = _messages(_store(1), "SELECT * WHERE { ?s ?p ?o }", 10, "image/png")
    assert msg[1]["status"] == 406
