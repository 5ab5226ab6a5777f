"""The Store interface (a Protocol), shared by the embedded and remote stores."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Protocol, TypeAlias, runtime_checkable

import pyoxigraph as ox

__all__ = ["QueryResult", "Store", "StoreError"]

#: What a query returns: solutions (SELECT), a boolean (ASK) or triples (CONSTRUCT/DESCRIBE).
QueryResult: TypeAlias = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


class StoreError(Exception):
    """The store could not do what was asked (unreachable, corrupt, refused)."""


@runtime_checkable
class Store(Protocol):
    """A quad store whose default graph, for queries, is the union of its named graphs."""

    def query(
        self,
        sparql: str,
        *,
        default_graph_uris: Sequence[str] | None = None,
        named_graph_uris: Sequence[str] | None = None,
        prefixes: Mapping[str, str] | None = None,
        query_dataset: bool = False,
    ) -> QueryResult:
        """Evaluate a SPARQL 1.1 query; the dataset arguments override FROM / FROM NAMED.

        Without dataset arguments the default graph is the union of all graphs, unless
        ``query_dataset`` says the query text has FROM / FROM NAMED clauses, which then apply.
        ``prefixes`` are predeclared for the query.
        """
        ...

    def update(
        self,
        sparql: str,
        *,
        using_graph_uris: Sequence[str] | None = None,
        using_named_graph_uris: Sequence[str] | None = None,
        prefixes: Mapping[str, str] | None = None,
    ) -> None:
        """Apply a SPARQL 1.1 update atomically (all of it or nothing)."""
        ...

    def add(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads in one transaction."""
        ...

    def replace_graph(self, graph: str, quads: Iterable[ox.Quad]) -> None:
        """Atomically replace the content of one named graph."""
        ...

    def named_graphs(self) -> list[str]: ...

    def count(self, graph: str | None = None) -> int:
        """Number of quads in one named graph, or in the whole store."""
        ...

    def reinfer(self) -> int:
        """Recompute the inferred graph after a write; returns its size."""
        ...

    def snapshot(self, path: Path) -> str:
        """Make a copy for query workers and return the ``open_store`` spec they open.

        The embedded store writes every named graph to ``path`` as N-Quads and returns
        ``snapshot:<path>`` (workers hold it in memory); a remote store, which answers its
        own queries, writes nothing and returns its URL."""
        ...

    def describe(self) -> dict[str, object]:
        """A JSON-able summary for /healthz: kind, location, quads, graphs."""
        ...

    def close(self) -> None: ...

    @property
    def data_version(self) -> str:
        """An opaque token that changes on every write; caches key on it."""
        ...
