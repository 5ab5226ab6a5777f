"""The Store interface (a Protocol), shared by the embedded and remote stores."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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
    ) -> QueryResult:
        """Evaluate a SPARQL 1.1 query; the dataset arguments override FROM / FROM NAMED."""
        ...

    def update(self, sparql: str) -> None:
        """Apply a SPARQL 1.1 update atomically."""
        ...

    def add(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads in one transaction."""
        ...

    def replace_graph(self, graph: str, quads: Iterable[ox.Quad]) -> None:
        """Atomically replace the content of one named graph."""
        ...

    def named_graphs(self) -> list[str]:
        ...

    def count(self, graph: str | None = None) -> int:
        """Number of quads in one named graph, or in the whole store."""
        ...

    @property
    def data_version(self) -> str:
        """An opaque token that changes on every write; caches key on it."""
        ...
