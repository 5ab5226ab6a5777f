"""Bring a store in line with RDF files, graph by graph, without touching anything else.

Each file owns one named graph (loading.graph_for); several ontology files share the
ontology graph. Syncing replaces exactly those graphs, drops the data graphs of files
that no longer exist, and re-infers. The default graph and any other named graph (what
writes through /update put there) are left as they are, so reloading changed shipped
files never loses data written to the store.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from regkg import loading, vocab
from regkg.store.base import Store

__all__ = ["SyncResult", "shipped_graphs", "shipped_in_memory", "sync_files", "sync_shipped"]


@dataclass(frozen=True)
class SyncResult:
    replaced: int
    dropped: int
    quads: int
    inferred: int


def _by_graph(files: Iterable[loading.RdfFile]) -> dict[str, list[ox.Quad]]:
    graphs: dict[str, list[ox.Quad]] = {}
    for f, quads in loading.parse_files(files):
        graphs.setdefault(f.graph, []).extend(quads)
    return graphs


def shipped_graphs() -> set[str]:
    return {f.graph for f in loading.shipped_files()}


def sync_files(store: Store, files: Sequence[loading.RdfFile], *, drop: Iterable[str] = ()) -> SyncResult:
    """Replace the graphs of ``files`` (parsed first: a parse error changes nothing), drop ``drop``, re-infer."""
    graphs = _by_graph(files)
    for graph, quads in graphs.items():
        store.replace_graph(graph, quads)
    dropped = 0
    for graph in drop:
        if graph not in graphs:
            store.replace_graph(graph, [])
            dropped += 1
    inferred = store.reinfer()
    return SyncResult(len(graphs), dropped, sum(len(q) for q in graphs.values()), inferred)


def sync_shipped(store: Store) -> SyncResult:
    """Load the shipped ontology and data; drop data graphs whose files are gone."""
    current = shipped_graphs()
    stale = [g for g in store.named_graphs() if g.startswith(vocab.DATA_GRAPH_PREFIX) and g not in current]
    return sync_files(store, loading.shipped_files(), drop=stale)


def shipped_in_memory() -> Store:
    """A fresh in-memory store holding the shipped files and their inferences (what ``--store
    memory`` serves; the command line's read verbs and the tests start from it)."""
    from regkg.store.embedded import EmbeddedStore

    store = EmbeddedStore()
    sync_shipped(store)
    return store
