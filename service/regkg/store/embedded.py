"""The embedded store: pyoxigraph, in memory or on disk.

Opening a store only opens it; what it is loaded with, and when, is decided by
:mod:`regkg.writes.load` (the load door), so every change to a durable store is a change set.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox

from regkg import incremental, inference
from regkg.store.base import QueryResult, Store, StoreError
from regkg.store.spec import StoreKind, StoreSpec

__all__ = ["EmbeddedStore", "open_store"]


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
        self._writing = 0  # writes under way (see writing() and match())

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

    # -- reads that must never see half a write -----------------------------
    @contextmanager
    def writing(self) -> Iterator[None]:
        """Mark a write of several transactions (a commit: its quads, then their inferences) as
        under way, so that :meth:`match` never answers from between two of them."""
        self._writing += 1
        try:
            yield
        finally:
            self._writing -= 1
            self._bump()

    def match(
        self, subject: ox.NamedNode, predicate: ox.NamedNode | None, obj: ox.NamedNode | None, at_most: int
    ) -> list[ox.Quad] | None:
        """At most ``at_most`` quads of one pattern, in every graph (the union default graph as
        queries see it); None when a write was under way or happened while they were read (the
        caller then asks an engine, which only ever sees whole changes)."""
        before = self._writes
        if self._writing:
            return None
        found: list[ox.Quad] = []
        if at_most > 0:
            for q in self.ox.quads_for_pattern(subject, predicate, obj, None):
                found.append(q)
                if len(found) >= at_most:
                    break
        if self._writing or self._writes != before:
            return None
        return found

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
        (cost: the change's neighbourhood, unless it touches a hierarchy -- see incremental.infer_change)."""
        lost, gained = incremental.infer_change(self.ox, removed, added)
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


def open_store(spec: str | StoreSpec = "memory", *, update_url: str | None = None) -> Store:
    """Open the store a ``--store`` value names (see :mod:`regkg.store.spec`). Only opens: loading
    the shipped files is :func:`regkg.writes.load.prepare`'s job (a memory store opens empty)."""
    parsed = spec if isinstance(spec, StoreSpec) else StoreSpec.parse(spec)
    if parsed.kind is StoreKind.REMOTE:
        from regkg.store.remote import RemoteStore

        return RemoteStore(parsed.location, update_url)
    if parsed.kind is StoreKind.SNAPSHOT:
        # A private in-memory copy of an N-Quads snapshot (what engines hold).
        store = EmbeddedStore()
        store.ox.bulk_load(path=parsed.location, format=ox.RdfFormat.N_QUADS)
        return store
    return EmbeddedStore(parsed.path)
