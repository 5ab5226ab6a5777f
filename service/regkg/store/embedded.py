"""The embedded store: pyoxigraph, in memory or on disk.

On disk, the store remembers a fingerprint of the shipped files it was loaded
from and reloads when they change, so `make serve` after a `git pull` serves the
new data without a manual step.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path

import pyoxigraph as ox

from regkg import inference, loading
from regkg.store.base import QueryResult, StoreError

__all__ = ["EmbeddedStore", "load_shipped", "open_store", "shipped_fingerprint"]

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
    ) -> QueryResult:
        if default_graph_uris or named_graph_uris:
            return self.ox.query(
                sparql,
                default_graph=[ox.NamedNode(g) for g in default_graph_uris] if default_graph_uris else None,
                named_graphs=[ox.NamedNode(g) for g in named_graph_uris] if named_graph_uris else None,
            )
        return self.ox.query(sparql, use_default_graph_as_union=True)

    def update(self, sparql: str) -> None:
        self.ox.update(sparql)
        self._bump()

    def add(self, quads: Iterable[ox.Quad]) -> None:
        self.ox.extend(quads)
        self._bump()

    def replace_graph(self, graph: str, quads: Iterable[ox.Quad]) -> None:
        g = ox.NamedNode(graph)
        items = list(quads)
        # One update transaction: drop then insert, so readers never see a half-written graph.
        self.ox.remove_graph(g) if g in set(self.ox.named_graphs()) else None
        self.ox.extend(ox.Quad(q.subject, q.predicate, q.object, g) for q in items)
        self._bump()

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self.ox.named_graphs() if isinstance(g, ox.NamedNode))

    def count(self, graph: str | None = None) -> int:
        if graph is None:
            return len(self.ox)
        return sum(1 for _ in self.ox.quads_for_pattern(None, None, None, ox.NamedNode(graph)))

    @property
    def data_version(self) -> str:
        return f"{self._epoch}-{self._writes}"

    # -- helpers -----------------------------------------------------------
    def _bump(self) -> None:
        self._writes += 1

    def reinfer(self) -> int:
        """Recompute the inferred graph after a write."""
        n = inference.infer(self.ox)
        self._bump()
        return n


def shipped_fingerprint() -> str:
    """A hash of every shipped file's path and content."""
    h = hashlib.sha256()
    for f in loading.shipped_files():
        h.update(f.graph.encode())
        h.update(f.path.read_bytes())
    return h.hexdigest()


def load_shipped(store: EmbeddedStore) -> None:
    """Load the ontology and data files into their named graphs, then infer."""
    for _f, quads in loading.parse_files(loading.shipped_files()):
        store.ox.extend(quads)
    inference.infer(store.ox)
    store._bump()


def open_store(spec: str = "memory") -> EmbeddedStore:
    """Open the store a ``--store`` value names: ``memory`` or a folder."""
    if spec.startswith(("http://", "https://")):
        raise StoreError("a remote SPARQL store is not supported yet; use --store memory or a folder")
    if spec == "memory":
        store = EmbeddedStore()
        load_shipped(store)
        return store
    path = Path(spec)
    store = EmbeddedStore(path)
    fingerprint = shipped_fingerprint()
    marker = path / _FINGERPRINT_FILE
    if not marker.exists() or marker.read_text() != fingerprint:
        store.ox.clear()
        load_shipped(store)
        store.ox.flush()
        marker.write_text(fingerprint)
    return store

