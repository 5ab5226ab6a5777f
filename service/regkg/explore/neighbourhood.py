"""The entities within a few hops of one, with the typed, labelled edges among them.

Hub nodes (concepts, statuses, jurisdictions, publishers, classes) are shown but not walked
through beyond the start; amounts and exchange rates are left out; only asserted edges count.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final, Protocol

import pyoxigraph as ox

from regkg import vocab
from regkg.explore import deadline
from regkg.explore.errors import NotFound
from regkg.explore.index import CurrentIndex
from regkg.explore.labels import local_name, predicate_labels
from regkg.explore.limits import EXPLORE_LIMITS, Limits
from regkg.explore.nodes import HIDDEN_PREDICATES, Node, node_info
from regkg.explore.query import chunks, exists, named, select, values
from regkg.store.base import Store

__all__ = ["Links", "StoreLinks", "Subgraph", "links_of", "neighbourhood"]

RDF_TYPE: Final = f"{vocab.RDF}type"
INFERRED: Final = vocab.INFERRED_GRAPH
Edge = tuple[str, str, str]


@dataclass
class Subgraph:
    nodes: dict[str, Node]
    edges: list[Edge]
    truncated: bool
    predicate_labels: dict[str, str]

    def as_dict(self) -> dict[str, Any]:
        return {
            "nodes": [n.as_dict() for n in self.nodes.values()],
            "edges": [
                {"source": s, "target": o, "predicate": p, "label": self.predicate_labels.get(p, local_name(p))}
                for s, p, o in self.edges
            ],
            "truncated": self.truncated,
        }

    def triples(self) -> list[ox.Triple]:
        """The same subgraph as RDF: the edges, each node's label and asserted-looking types."""
        out = [ox.Triple(ox.NamedNode(s), ox.NamedNode(p), ox.NamedNode(o)) for s, p, o in self.edges]
        label = ox.NamedNode(f"{vocab.RDFS}label")
        typ = ox.NamedNode(RDF_TYPE)
        for n in self.nodes.values():
            out.append(ox.Triple(ox.NamedNode(n.id), label, ox.Literal(n.label)))
            for t in n.types:
                out.append(ox.Triple(ox.NamedNode(n.id), typ, ox.NamedNode(t)))
        return out


class Links(Protocol):
    """Where a walk reads links and nodes: the store itself or its in-memory index (.index)."""

    def exists(self, iri: str) -> bool: ...
    def edges_of(self, frontier: Sequence[str], limit: int) -> tuple[list[Edge], bool]: ...
    def edges_among(self, nodes: Iterable[str]) -> set[Edge]: ...
    def node_info(self, iris: Iterable[str]) -> dict[str, Node]: ...


class StoreLinks:
    """The store, queried as the walk goes: while no index of the current data version is ready."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def exists(self, iri: str) -> bool:
        return exists(self.store, iri)

    def edges_of(self, frontier: Sequence[str], limit: int) -> tuple[list[Edge], bool]:
        return _edges_of(self.store, frontier, limit)

    def edges_among(self, nodes: Iterable[str]) -> set[Edge]:
        return _edges_among(self.store, nodes)

    def node_info(self, iris: Iterable[str]) -> dict[str, Node]:
        return node_info(self.store, iris)


def links_of(store: Store, index: CurrentIndex | None) -> Links:
    """The graph index when it is of the store's current data version, else the store itself."""
    current = index.get() if index is not None else None
    return current if current is not None else StoreLinks(store)


def _edges_of(store: Store, frontier: Sequence[str], limit: int) -> tuple[list[Edge], bool]:
    """Asserted IRI-to-IRI edges touching ``frontier``, both directions; at most ``limit``."""
    hidden = ", ".join(named(p) for p in HIDDEN_PREDICATES)
    edges: list[Edge] = []
    cut = False
    for direction in ("out", "in"):
        for chunk in chunks(list(frontier)):
            left = limit - len(edges)
            if left <= 0:
                return edges, True
            pattern = "?n ?p ?o" if direction == "out" else "?o ?p ?n"
            q = (
                f"SELECT ?n ?p ?o ?g WHERE {{ VALUES ?n {{ {values(chunk)} }} GRAPH ?g {{ {pattern} }} "
                f"FILTER(isIRI(?o) && ?g != <{INFERRED}> && ?p NOT IN ({hidden})) }} "
                f"LIMIT {left + 1}"
            )
            rows = list(select(store, q))
            if len(rows) > left:
                cut = True
                rows = rows[:left]
            for row in rows:
                n, p, o = row[0].value, row[1].value, row[2].value
                edges.append((n, p, o) if direction == "out" else (o, p, n))
    return edges, cut


def _edges_among(store: Store, nodes: Iterable[str]) -> set[Edge]:
    """Asserted edges between any two of ``nodes``: each is an out-edge of one of them."""
    ids = sorted(nodes)
    members = ", ".join(named(i) for i in ids)
    hidden = ", ".join(named(p) for p in HIDDEN_PREDICATES)
    out: set[Edge] = set()
    for chunk in chunks(ids):
        q = (
            f"SELECT ?n ?p ?o WHERE {{ VALUES ?n {{ {values(chunk)} }} GRAPH ?g {{ ?n ?p ?o }} "
            f"FILTER(?o IN ({members}) && ?g != <{INFERRED}> && ?p NOT IN ({hidden})) }}"
        )
        out |= {(row[0].value, row[1].value, row[2].value) for row in select(store, q)}
    return out


def neighbourhood(
    store: Store,
    iri: str,
    *,
    hops: int = 1,
    limit: int | None = None,
    concern: str | None = None,
    limits: Limits = EXPLORE_LIMITS,
    index: CurrentIndex | None = None,
) -> Subgraph:
    """Nodes within ``hops`` of ``iri`` (at most ``limit``), with typed, labelled edges among them.

    With ``concern``, actions and campaigns that are not about that concern are left out (and
    not walked through). Sizes are capped here as well as by the callers' validation. With ``index``,
    the walk reads its graph index when that is of the current data version, the store otherwise.
    """
    links = links_of(store, index)
    hops = max(1, min(hops, limits.max_hops))
    limit = max(1, min(limits.default_nodes if limit is None else limit, limits.max_nodes))
    nodes: dict[str, Node] = links.node_info([iri])
    edges: set[Edge] = set()
    truncated = False
    frontier = [iri]
    for hop in range(hops):
        if not frontier:
            break
        deadline.check()
        found, cut = links.edges_of(frontier, limit * 4)
        if hop == 0 and not found and not nodes[iri].types and not links.exists(iri):
            raise NotFound(iri)
        truncated |= cut
        new_ids = sorted({x for s, _p, o in found for x in (s, o)} - set(nodes))
        room = limit - len(nodes)
        if len(new_ids) > 2 * room + 20:
            # a hub: look up only as many candidates as could be kept (some are filtered out)
            new_ids, truncated = new_ids[: 2 * room + 20], True
        info = links.node_info(new_ids)
        added: list[str] = []
        for nid in new_ids:
            node = info[nid]
            if node.hidden or (concern and node.concerns and concern not in node.concerns):
                continue
            if len(nodes) >= limit:
                truncated = True
                break
            nodes[nid] = node
            added.append(nid)
        edges |= {e for e in found if e[0] in nodes and e[2] in nodes}
        frontier = [n for n in added if not nodes[n].hub]
    # edges among the nodes kept that the walk has not seen (e.g. between two neighbours)
    if len(nodes) > 2:
        edges |= links.edges_among(nodes)
    ordered = sorted(edges)
    plabels = predicate_labels(store, {p for _s, p, _o in ordered})
    return Subgraph(nodes, ordered, truncated, plabels)
