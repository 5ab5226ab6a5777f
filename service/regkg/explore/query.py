"""Small reads the service writes itself: SELECT rows, existence, and VALUES blocks.

Every exploration query is a single pattern over a ``VALUES`` block of the nodes at hand (DESIGN §9:
Oxigraph answers those fast; joins happen in Python), so the pieces to write one live here, once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Final

import pyoxigraph as ox

from regkg.explore.deadline import check
from regkg.store.base import Store

__all__ = ["chunks", "exists", "named", "props", "select", "term", "values"]

#: IRIs per VALUES block: long enough to save round trips, short enough for the parser.
CHUNK: Final = 400
_EXISTS: Final = "ASK {{ {{ {iri} ?p ?o }} UNION {{ ?s ?p {iri} }} }}"


def named(iri: str) -> str:
    """``<iri>`` for a query. Only for IRIs that came from the store or through :func:`parse_iri`
    (checked once there, not again for each of the thousands a neighbourhood names)."""
    return f"<{iri}>"


def values(iris: Iterable[str]) -> str:
    return " ".join(named(i) for i in iris)


def chunks(items: Sequence[str], size: int = CHUNK) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def select(store: Store, query: str) -> Iterator[ox.QuerySolution]:
    """Rows of a SELECT the service wrote itself (a TypeError for any other query form: a bug here),
    with the read's deadline checked before the query and every thousand rows."""
    check()
    result = store.query(query)
    if not isinstance(result, ox.QuerySolutions):
        raise TypeError("expected a SELECT query")
    return _checked(result)


def _checked(rows: ox.QuerySolutions) -> Iterator[ox.QuerySolution]:
    for i, row in enumerate(rows):
        if not i & 1023:
            check()
        yield row


def exists(store: Store, iri: str) -> bool:
    """Whether the graph says anything about ``iri``, as subject or object: what "not found" means
    for every page, API answer and linked-data document."""
    check()
    result = store.query(_EXISTS.format(iri=ox.NamedNode(iri)))  # NamedNode checks the IRI is well formed
    return bool(result) if isinstance(result, ox.QueryBoolean) else False


def props(store: Store, nodes: Iterable[str], predicates: Iterable[str]) -> Iterator[tuple[str, str, Any]]:
    """``(node, predicate, value)`` for the given nodes and predicates. One VALUES block and a
    FILTER ... IN: two VALUES blocks joined with a pattern make Oxigraph scan the pattern first."""
    preds = ", ".join(named(p) for p in predicates)
    for chunk in chunks(sorted(set(nodes))):
        q = f"SELECT ?n ?p ?v WHERE {{ VALUES ?n {{ {values(chunk)} }} ?n ?p ?v FILTER(?p IN ({preds})) }}"
        for row in select(store, q):
            yield row[0].value, row[1].value, row[2]


def term(t: Any) -> str | None:
    """The IRI of a named node; None for a blank node, a literal or an unbound value."""
    return t.value if isinstance(t, ox.NamedNode) else None
