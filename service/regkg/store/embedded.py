"""The embedded store: pyoxigraph, in memory or on disk.

On disk, the store remembers a fingerprint of the shipped files it was loaded
from and reloads their graphs when they change, so `make serve` after a `git pull`
serves the new data without a manual step; graphs the files do not own (the default
graph, graphs written through /update) are kept.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pyoxigraph as ox

from regkg import inference, loading
from regkg.store.base import QueryResult, Store, StoreError

__all__ = ["EmbeddedStore", "mark_synced", "open_store", "shipped_fingerprint"]

_FINGERPRINT_FILE = "regkg-fingerprint"


class EmbeddedStore:
    """A :class:`~regkg.store.base.Store` over a pyoxigraph ``Store``."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        try:
            if path is None:
                self.ox = ox.Store()
            else:
                path.mkdir(parents=True, exist_ok=True)
                self.ox = ox.Store(str(path))
        except OSError as exc:
            raise StoreError(f"cannot open the store at {path}: {exc}") from exc
        self._epoch = uuid.uuid4().hex[:12]
        self._writes = 0

    # -- Store interface -------------------------------------------------
    def query(
        self,
        sparql: str,
        *,
        default_graph_uris: Sequence[str] | None = None,
        named_graph_uris: Sequence[str] | None = None,
        prefixes: Mapping[str, str] | None = None,
        query_dataset: bool = False,
    ) -> QueryResult:
        pfx = dict(prefixes) if prefixes else None
        if default_graph_uris or named_graph_uris:
            # The protocol's graph parameters override FROM / FROM NAMED. With only one of the
            # two given, the other part of the dataset is empty (SPARQL 1.1 Protocol 2.1.4).
            return self.ox.query(
                sparql,
                prefixes=pfx,
                default_graph=[ox.NamedNode(g) for g in default_graph_uris or ()] or ox.DefaultGraph(),
                named_graphs=[ox.NamedNode(g) for g in named_graph_uris or ()],
            )
        if query_dataset:
            return self.ox.query(sparql, prefixes=pfx)
        return self.ox.query(sparql, prefixes=pfx, use_default_graph_as_union=True)

    def update(
        self,
        sparql: str,
        *,
        using_graph_uris: Sequence[str] | None = None,
        using_named_graph_uris: Sequence[str] | None = None,
        prefixes: Mapping[str, str] | None = None,
    ) -> None:
        if using_graph_uris or using_named_graph_uris:
            from regkg.sparql import apply_using

            sparql = apply_using(sparql, using_graph_uris or (), using_named_graph_uris or ())
        self.ox.update(sparql, prefixes=dict(prefixes) if prefixes else None)
        self._bump()

    def add(self, quads: Iterable[ox.Quad]) -> None:
        self.ox.extend(quads)
        self._bump()

    def replace_graph(self, graph: str, quads: Iterable[ox.Quad]) -> None:
        g = ox.NamedNode(graph)
        new = {ox.Quad(q.subject, q.predicate, q.object, g) for q in quads}
        old = set(self.ox.quads_for_pattern(None, None, None, g))
        self.apply(old - new, new - old)

    def apply(self, removed: Iterable[ox.Quad], added: Iterable[ox.Quad]) -> None:
        """Remove and add quads in one transaction (one SPARQL update of DATA blocks, which
        pyoxigraph applies atomically and durably). Blank nodes cannot be named in DATA blocks,
        so a change that holds some is applied as removals then one atomic extend."""
        gone, new = list(removed), list(added)
        if not gone and not new:
            return
        if any(_has_blank(q) for q in gone) or any(_has_blank(q) for q in new):
            for q in gone:
                self.ox.remove(q)
            self.ox.extend(new)
        else:
            parts = []
            if gone:
                parts.append("DELETE DATA { " + " ".join(_data_block(q) for q in gone) + " }")
            if new:
                parts.append("INSERT DATA { " + " ".join(_data_block(q) for q in new) + " }")
            self.ox.update(" ;\n".join(parts))
        self._bump()

    def has(self, quad: ox.Quad) -> bool:
        return quad in self.ox

    def quads(self, subject: ox.NamedNode | ox.BlankNode | None = None, graph: str | None = None) -> list[ox.Quad]:
        """The quads about one subject (or of one graph), for the write gate's checks."""
        g = ox.NamedNode(graph) if graph else None
        return list(self.ox.quads_for_pattern(subject, None, None, g))

    def default_graph(self) -> list[ox.Quad]:
        return list(self.ox.quads_for_pattern(None, None, None, ox.DefaultGraph()))

    def incoming(self, node: ox.NamedNode | ox.BlankNode) -> list[ox.Quad]:
        return list(self.ox.quads_for_pattern(None, None, node, None))

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self.ox.named_graphs() if isinstance(g, ox.NamedNode))

    def count(self, graph: str | None = None) -> int:
        if graph is None:
            return len(self.ox)
        return sum(1 for _ in self.ox.quads_for_pattern(None, None, None, ox.NamedNode(graph)))

    @property
    def data_version(self) -> str:
        return f"{self._epoch}-{self._writes}"

    def snapshot(self, path: Path) -> str:
        tmp = path.with_name(path.name + ".tmp")
        self.ox.dump(str(tmp), ox.RdfFormat.N_QUADS)
        os.replace(tmp, path)
        return f"snapshot:{path}"

    def describe(self) -> dict[str, object]:
        return {
            "kind": "memory" if self.path is None else "disk",
            "location": None if self.path is None else str(self.path),
            "quads": len(self.ox),
            "graphs": len(self.named_graphs()),
            "data_version": self.data_version,
        }

    def close(self) -> None:
        if self.path is not None:
            self.ox.flush()

    # -- helpers -----------------------------------------------------------
    def _bump(self) -> None:
        self._writes += 1

    def reinfer(self) -> int:
        """Recompute the inferred graph after a write."""
        n = inference.infer(self.ox)
        self._bump()
        return n

    def reinfer_change(self, removed: list[ox.Quad], added: list[ox.Quad]) -> tuple[set[ox.Quad], set[ox.Quad]]:
        """Bring the inferred graph up to date after a change; returns the quads it lost and gained
        (cost: the change's neighbourhood, unless it touches a hierarchy -- see inference.infer_change)."""
        lost, gained = inference.infer_change(self.ox, removed, added)
        self._bump()
        return lost, gained


def _has_blank(q: ox.Quad) -> bool:
    return (
        isinstance(q.subject, ox.BlankNode)
        or isinstance(q.object, ox.BlankNode)
        or isinstance(q.graph_name, ox.BlankNode)
    )


def _data_block(q: ox.Quad) -> str:
    """One quad in a DATA block, written from its terms' N-Triples forms (never from client text)."""
    triple = f"{q.subject} {q.predicate} {q.object} ."
    if isinstance(q.graph_name, ox.DefaultGraph):
        return triple
    return f"GRAPH {q.graph_name} {{ {triple} }}"


def shipped_fingerprint() -> str:
    """A hash of every shipped file's path and content."""
    h = hashlib.sha256(loading.deployment_base().encode())  # a new REGKG_BASE_IRI reloads too
    for f in loading.shipped_files():
        h.update(f.graph.encode())
        h.update(f.path.read_bytes())
    return h.hexdigest()


def mark_synced(store: EmbeddedStore, fingerprint: str | None = None) -> None:
    """Record that an on-disk store holds the shipped files as they are now."""
    if store.path is None:
        return
    store.ox.flush()
    (store.path / _FINGERPRINT_FILE).write_text(fingerprint or shipped_fingerprint())


def open_store(spec: str = "memory", *, update_url: str | None = None, writable: bool = False) -> Store:
    """Open the store a ``--store`` value names: ``memory``, a folder, an http(s) SPARQL endpoint
    (a :class:`~regkg.store.remote.RemoteStore`; with ``writable``, loaded with the shipped files
    when it holds none), or ``snapshot:FILE.nq`` (an in-memory copy of an N-Quads snapshot, as
    query workers hold)."""
    if spec.startswith(("http://", "https://")):
        from regkg.store.remote import RemoteStore

        remote = RemoteStore(spec, update_url)
        if writable:
            remote.load_shipped_if_empty()
        return remote
    from regkg.store.sync import sync_shipped

    if spec == "memory":
        store = EmbeddedStore()
        sync_shipped(store)
        return store
    if spec.startswith("snapshot:"):
        # A query worker's private in-memory copy of an N-Quads snapshot.
        store = EmbeddedStore()
        store.ox.bulk_load(path=spec.removeprefix("snapshot:"), format=ox.RdfFormat.N_QUADS)
        return store
    path = Path(spec)
    store = EmbeddedStore(path)
    fingerprint = shipped_fingerprint()
    marker = path / _FINGERPRINT_FILE
    if not marker.exists() or marker.read_text() != fingerprint:
        # Graph by graph, so that what writes added elsewhere in the store survives a `git pull`.
        sync_shipped(store)
        mark_synced(store, fingerprint)
    return store
