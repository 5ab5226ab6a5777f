"""An in-memory index of the graph, one per data version: the asserted links between IRIs both ways
and what every node shows (:class:`~regkg.explore.nodes.Node`), so that a neighbourhood walks
dictionaries instead of sending the store half a dozen queries.

Built by one scan of the store (seconds on a million quads) on a worker thread, never on the event
loop. :class:`CurrentIndex` follows the store's data version the way the search index does: a graph
that builds fast is rebuilt by the request that notices new data; a large one in the background,
and meanwhile requests read the store directly (:mod:`.neighbourhood` falls back), so a write is
never hidden behind a stale index.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Final

import pyoxigraph as ox

from regkg import vocab
from regkg.explore import deadline
from regkg.explore.labels import BestLabels, local_name
from regkg.explore.nodes import DATE_PREDICATES, GROUP_PREDICATES, HIDDEN_PREDICATES, RDF_TYPE, Node, pick_date
from regkg.explore.query import select
from regkg.longlived import long_lived
from regkg.store.base import Store

__all__ = ["CurrentIndex", "GraphIndex", "build"]

RK: Final = vocab.RK
INFERRED: Final = vocab.INFERRED_GRAPH
_ABOVE: Final = frozenset({f"{RK}subsidiaryOf", f"{RK}succeededBy"})
Edge = tuple[str, str, str]


class GraphIndex:
    """Links and nodes of one data version; read-only once built, so shared by every thread."""

    def __init__(self, version: str) -> None:
        self.version = version
        self.out: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self.inc: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self.nodes: dict[str, Node] = {}

    def exists(self, iri: str) -> bool:
        return iri in self.nodes

    def edges_of(self, frontier: Sequence[str], limit: int) -> tuple[list[Edge], bool]:
        """The same answer as the store's (:func:`.neighbourhood.edges_of`): links touching ``frontier``,
        out-links first, at most ``limit``."""
        edges: list[Edge] = []
        for n in frontier:
            edges += [(n, p, o) for p, o in self.out.get(n, ())]
        for n in frontier:
            edges += [(s, p, n) for s, p in self.inc.get(n, ())]
        if len(edges) > limit:
            return edges[:limit], True
        return edges, False

    def edges_among(self, nodes: Iterable[str]) -> set[Edge]:
        members = set(nodes)
        return {(n, p, o) for n in members for p, o in self.out.get(n, ()) if o in members}

    def node_info(self, iris: Iterable[str]) -> dict[str, Node]:
        """As :func:`.nodes.node_info`: a company that heads the group of another node asked for is
        shown as its own group's top (a copy, the index stays as built)."""
        wanted = sorted(set(iris))
        nodes = {i: self.nodes.get(i) or Node(i, label=local_name(i)) for i in wanted}
        heads = {node.group for node in nodes.values() if node.group}
        for i in heads & nodes.keys():
            nodes[i] = replace(nodes[i], group=i)
        return nodes


def build(store: Store) -> GraphIndex:
    """One scan of every quad: links (asserted, IRI to IRI, not hidden) and each node's facts."""
    index = GraphIndex(store.data_version)
    names = BestLabels()
    dates: dict[str, dict[str, str]] = defaultdict(dict)
    types: dict[str, set[str]] = defaultdict(set)
    concerns: dict[str, set[str]] = defaultdict(set)
    regulators: dict[str, set[str]] = defaultdict(set)
    parents: dict[str, set[str]] = defaultdict(set)
    has_parent: set[str] = set()
    seen: set[str] = set()
    out, inc = index.out, index.inc
    for row in select(store, "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"):
        s, o = row[0], row[2]
        if not isinstance(s, ox.NamedNode):
            continue
        sv, p = s.value, row[1].value
        seen.add(sv)
        if isinstance(o, ox.NamedNode):
            ov = o.value
            seen.add(ov)
            if p == RDF_TYPE:
                types[sv].add(ov)
            elif p == f"{RK}concern":
                concerns[sv].add(ov)
            elif p == f"{RK}regulator":
                regulators[sv].add(ov)
            if p in GROUP_PREDICATES:
                parents[sv].add(ov)
            if p in _ABOVE:
                has_parent.add(sv)
            if p not in HIDDEN_PREDICATES and row[3].value != INFERRED:
                out[sv].append((p, ov))
                inc[ov].append((sv, p))
        elif isinstance(o, ox.Literal):
            if p in DATE_PREDICATES:
                dates[sv][p] = o.value
            else:
                names.offer(sv, p, o)
    for iri in seen:
        tops = sorted(x for x in parents.get(iri, ()) if x not in has_parent)
        index.nodes[iri] = Node(
            iri,
            label=names.get(iri),
            types=sorted(types.get(iri, ())),
            date=pick_date(dates.get(iri, {})),
            regulator=min(regulators[iri]) if iri in regulators else None,
            concerns=sorted(concerns.get(iri, ())),
            group=tops[0] if tops else None,
            parents=sorted(parents.get(iri, ())),
        )
    index.out, index.inc = dict(out), dict(inc)
    return index


class CurrentIndex:
    """The :class:`GraphIndex` of a store's current data version, or None while one is being built in
    the background (the caller then reads the store)."""

    def __init__(self, store: Store, *, sync_rebuild_seconds: float) -> None:
        self.store = store
        self.sync_rebuild_seconds = sync_rebuild_seconds
        self._index: GraphIndex | None = None
        self._lock = threading.Lock()
        self._building = False
        self.build_seconds = 0.0

    def get(self) -> GraphIndex | None:
        index = self._index
        version = self.store.data_version
        if index is not None and index.version == version:
            return index
        if index is None or self.build_seconds < self.sync_rebuild_seconds:
            # the first build, or a small graph: build now, once, and wait
            with deadline.paused(), self._lock:
                if self._index is None or self._index.version != version:
                    self._build()
                return self._index
        with self._lock:
            if not self._building:
                self._building = True
                threading.Thread(target=self._rebuild, name="regkg-graph-index", daemon=True).start()
        return None

    def _build(self) -> None:
        started = time.perf_counter()
        # millions of objects never walked again: no collector pauses; one build serves every later
        # request, so it is not charged to the one that started it (nor to those waiting for it)
        with long_lived(), deadline.paused():
            self._index = build(self.store)
        self.build_seconds = time.perf_counter() - started

    def _rebuild(self) -> None:
        try:
            self._build()
        finally:
            self._building = False
