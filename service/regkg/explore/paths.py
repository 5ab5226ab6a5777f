"""Shortest paths between two entities, over a networkx *projection* of the graph.

The projection (:class:`EntityGraph`) holds entities only (no literals, no amounts or exchange
rates, no hub vocabularies such as concerns, statuses, jurisdictions or classes, no
prov:wasDerivedFrom links to sources), asserted edges only, and is rebuilt when the store's data
version changes: a path search then walks memory, not the store.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from typing import Any, Final

import networkx as nx

from regkg import vocab
from regkg.explore import deadline
from regkg.explore.labels import predicate_labels
from regkg.explore.limits import EXPLORE_LIMITS, Limits
from regkg.explore.neighbourhood import Links, StoreLinks
from regkg.explore.nodes import ACTOR_TYPES, HIDDEN_PREDICATES, HIDDEN_TYPES, HUB_TYPES
from regkg.explore.query import named, select
from regkg.longlived import long_lived
from regkg.store.base import Store

__all__ = ["EntityGraph", "path_result", "paths", "project"]

INFERRED: Final = vocab.INFERRED_GRAPH
PROV_SOURCE: Final = f"{vocab.PROV}wasDerivedFrom"


class EntityGraph:
    """An undirected networkx projection of the store (entities only), kept per data version."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._graph: nx.Graph | None = None
        self._version: str | None = None
        self._lock = threading.Lock()
        self.build_seconds = 0.0

    def get(self) -> nx.Graph:
        version = self.store.data_version
        if self._graph is None or self._version != version:
            with deadline.paused(), self._lock:
                if self._graph is None or self._version != version:
                    started = time.perf_counter()
                    # millions of objects: no collector pauses, never walked again; a build serves every
                    # later request, so it is not charged to the one that started it (deadline.paused)
                    with long_lived():
                        self._graph = project(self.store)
                    self._version = version
                    self.build_seconds = time.perf_counter() - started
        assert self._graph is not None
        return self._graph


def project(store: Store) -> nx.Graph:
    """The entity graph: asserted IRI-IRI edges, minus hidden predicates and hub or hidden nodes."""
    skip: set[str] = set()
    for t in HUB_TYPES | HIDDEN_TYPES:
        skip |= {row[0].value for row in select(store, f"SELECT ?s WHERE {{ ?s a <{t}> }}")}
    for t in ACTOR_TYPES:  # an authority or company that also publishes is no hub (nodes.is_hub)
        skip -= {row[0].value for row in select(store, f"SELECT ?s WHERE {{ ?s a <{t}> }}")}
    g = nx.Graph()
    # paths do not go through the articles that report two events: those are provenance, not links
    hidden = ", ".join(named(p) for p in HIDDEN_PREDICATES | {PROV_SOURCE})
    q = (
        f"SELECT ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
        f"FILTER(isIRI(?o) && isIRI(?s) && ?g != <{INFERRED}> && ?g != <{vocab.ONTOLOGY_GRAPH}> "
        f"&& ?p NOT IN ({hidden})) }}"
    )
    for row in select(store, q):
        s, p, o = row[0].value, row[1].value, row[2].value
        if s in skip or o in skip or s == o:
            continue
        data = g.get_edge_data(s, o)
        if data is None:
            g.add_edge(s, o, links=[(s, p, o)])
        elif (s, p, o) not in data["links"]:
            data["links"].append((s, p, o))
    return g


def paths(
    graph: nx.Graph,
    source: str,
    target: str,
    *,
    max_hops: int | None = None,
    limits: Limits = EXPLORE_LIMITS,
) -> list[list[str]]:
    """All shortest paths (up to ``limits.max_paths``) of at most ``max_hops`` edges (capped by
    ``limits.max_path_hops``), by a bidirectional breadth-first search that starts no layer after
    ``limits.path_visits`` visits and stops a layer under way at twice that (bounded time)."""
    max_hops = min(limits.default_path_hops if max_hops is None else max_hops, limits.max_path_hops)
    max_paths, max_visits = limits.max_paths, limits.path_visits
    if source == target:
        return [[source]]
    if source not in graph or target not in graph:
        return []
    fwd: dict[str, list[str]] = {source: []}
    bwd: dict[str, list[str]] = {target: []}
    f_front, b_front = [source], [target]
    depth = 0
    visits = 0
    meet: list[str] = []
    adj = graph.adj
    hard = 2 * max_visits  # a layer under way stops there: one layer of hubs can cost far more than the rest
    while f_front and b_front and depth < max_hops and visits < max_visits:
        depth += 1
        # expand the side whose next layer costs fewer visits: the sum of its degrees, not its node
        # count (a few companies with thousands of links cost more than many small actions)
        forward = sum(len(adj[u]) for u in f_front) <= sum(len(adj[u]) for u in b_front)
        front, seen, other = (f_front, fwd, bwd) if forward else (b_front, bwd, fwd)
        nxt: list[str] = []
        layer: dict[str, list[str]] = {}
        for u in front:
            deadline.check()
            if visits >= hard:
                break
            for v in adj[u]:
                visits += 1
                if v in seen:
                    continue
                if v not in layer:
                    layer[v] = []
                    nxt.append(v)
                layer[v].append(u)
        seen.update(layer)
        meet = [v for v in nxt if v in other]
        if forward:
            f_front = nxt
        else:
            b_front = nxt
        if meet:
            break
    if not meet:
        return []

    def walk(preds: dict[str, list[str]], node: str) -> Iterator[list[str]]:
        if not preds[node]:
            yield [node]
            return
        for p in preds[node]:
            for rest in walk(preds, p):
                yield [*rest, node]

    out: list[list[str]] = []
    for m in sorted(meet):
        for head in walk(fwd, m):
            for tail in walk(bwd, m):
                out.append(head + list(reversed(tail))[1:])
                if len(out) >= max_paths:
                    return out
    return out


def path_result(store: Store, graph: nx.Graph, found: list[list[str]], links: Links | None = None) -> dict[str, Any]:
    """Paths as ``{"paths": [{"nodes": [ids], "edges": [...]}], "nodes": [...]}``; the nodes from
    ``links`` (the graph index) when given."""
    ids = {n for p in found for n in p}
    info = (links or StoreLinks(store)).node_info(ids)
    preds: set[str] = set()
    out_paths = []
    all_edges: list[list[dict[str, str]]] = []
    for nodes in found:
        edges = []
        for a, b in itertools.pairwise(nodes):
            for s, pred, o in graph.get_edge_data(a, b)["links"]:
                edges.append({"source": s, "target": o, "predicate": pred})
                preds.add(pred)
        all_edges.append(edges)
        out_paths.append({"nodes": nodes, "edges": edges, "length": len(nodes) - 1})
    plabels = predicate_labels(store, preds)
    for edges in all_edges:
        for e in edges:
            e["label"] = plabels.get(e["predicate"]) or e["predicate"]
    return {"paths": out_paths, "nodes": [info[i].as_dict() for i in sorted(ids)]}
