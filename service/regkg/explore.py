"""Exploration: one entity, its neighbourhood, paths between entities, corporate-group roll-ups.

Everything here reads the durable store with small, bounded, service-written SPARQL in the
shape Oxigraph answers fast (DESIGN §9): single patterns, ``VALUES`` blocks of the nodes at
hand, no multi-pattern OPTIONALs; joins happen in Python. Sizes a client controls (hops,
node limits, path length) are capped by the callers' validation and again here.

Paths use networkx over a *projection* of the graph (:class:`EntityGraph`): entities only
(no literals, no amounts or exchange rates, no hub vocabularies such as concerns, statuses,
jurisdictions or classes, no prov:wasDerivedFrom links to sources), asserted edges only, rebuilt
when the store's data version changes.
"""

from __future__ import annotations

import gc
import itertools
import re
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Final

import networkx as nx
import pyoxigraph as ox

from regkg import vocab
from regkg.search import ALIAS_PREDICATES, LABEL_PREDICATES
from regkg.store.base import Store

__all__ = [
    "EXPLORE_LIMITS",
    "EntityGraph",
    "NotApplicable",
    "NotFound",
    "entity",
    "exists",
    "group",
    "labels",
    "neighbourhood",
    "outcomes",
    "parse_iri",
    "paths",
    "recent_actions",
    "stats",
]

RDF_TYPE: Final = f"{vocab.RDF}type"
RK: Final = vocab.RK
INFERRED: Final = vocab.INFERRED_GRAPH
PROV_SOURCE: Final = f"{vocab.PROV}wasDerivedFrom"

#: Types whose nodes are shown but never walked through: hubs that would connect everything.
HUB_TYPES: Final = frozenset(
    {
        f"{vocab.SKOS}Concept",
        f"{vocab.SKOS}ConceptScheme",
        f"{RK}ActionStatus",
        f"{RK}Jurisdiction",
        f"{RK}Publisher",
        f"{vocab.OWL}Class",
        f"{vocab.OWL}ObjectProperty",
        f"{vocab.OWL}DatatypeProperty",
        f"{vocab.RDFS}Class",
        f"{vocab.OWL}Ontology",
    }
)
#: Types that are not entities of the projected graph at all.
HIDDEN_TYPES: Final = frozenset({f"{RK}ExchangeRate", f"{vocab.SCHEMA}MonetaryAmount"})
#: Predicates that are not edges between entities.
HIDDEN_PREDICATES: Final = frozenset(
    {
        RDF_TYPE,
        f"{RK}exchangeRate",
        f"{RK}convertedAmount",
        f"{RK}amount",
        f"{vocab.SCHEMA}url",
        f"{vocab.SCHEMA}sameAs",
        f"{vocab.OWL}sameAs",
        f"{vocab.RDFS}seeAlso",
        f"{vocab.DCT}language",
    }
)
#: Node attributes fetched for every node shown.
_NODE_PREDICATES: Final = (
    RDF_TYPE,
    *LABEL_PREDICATES,
    f"{RK}date",
    f"{RK}dateDecided",
    f"{RK}dateAnnounced",
    f"{RK}dateOpened",
    f"{RK}regulator",
    f"{RK}concern",
    f"{RK}groupParent",
    f"{RK}subsidiaryOf",
)


@dataclass(frozen=True)
class Limits:
    max_hops: int = 3
    max_nodes: int = 500
    default_nodes: int = 100
    max_path_hops: int = 8
    default_path_hops: int = 5
    max_paths: int = 10
    incoming: int = 500
    group_actions: int = 2000


EXPLORE_LIMITS: Final = Limits()


class NotFound(Exception):
    """The store holds nothing about this IRI."""

    def __init__(self, iri: str) -> None:
        self.iri = iri
        super().__init__(f"no entity {iri} in the graph")


class NotApplicable(Exception):
    """The entity exists but the question does not apply to it (e.g. a group of a regulator)."""


# -- IRIs -----------------------------------------------------------------------------------
_IRI_BAD: Final = re.compile('[\x00-\x20\x7f<>"{}|\\\\^`\ud800-\udfff]')
_CURIE: Final = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*):([^/].*)?$")


def parse_iri(value: str) -> str:
    """An absolute IRI, or a CURIE with one of :data:`vocab.PREFIXES` (``rk:Platform``,
    ``concern:antitrust``), expanded. Raises ValueError with a message for anything else."""
    value = value.strip()
    if not value:
        raise ValueError("an IRI is required")
    if _IRI_BAD.search(value):
        raise ValueError('an IRI cannot contain spaces, control characters, lone surrogates or any of <>"{}|\\^`')
    m = _CURIE.match(value)
    if m and m.group(1) in vocab.PREFIXES and not value.startswith(("http:", "https:", "urn:")):
        return vocab.PREFIXES[m.group(1)] + (m.group(2) or "")
    scheme, sep, rest = value.partition(":")
    if not sep or not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", scheme) or not rest:
        raise ValueError(f"not an absolute IRI nor a known prefix: {value!r}")
    if scheme.lower() in {"http", "https"} and not rest.startswith("//"):
        raise ValueError(f"not an absolute IRI: {value!r}")
    try:
        ox.NamedNode(value)  # the engine's own IRI parser has the last word
    except ValueError as exc:
        raise ValueError(f"not a valid IRI: {exc}") from None
    return value


def _n(iri: str) -> str:
    return f"<{iri}>"


def _values(iris: Iterable[str]) -> str:
    return " ".join(_n(i) for i in iris)


def _chunks(items: Sequence[str], size: int = 400) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _props(store: Store, nodes: Iterable[str], predicates: Iterable[str]) -> Iterator[tuple[str, str, Any]]:
    """``(node, predicate, value)`` for the given nodes and predicates. One VALUES block and a
    FILTER ... IN: two VALUES blocks joined with a pattern make Oxigraph scan the pattern first."""
    preds = ", ".join(_n(p) for p in predicates)
    for chunk in _chunks(sorted(set(nodes))):
        q = f"SELECT ?n ?p ?v WHERE {{ VALUES ?n {{ {_values(chunk)} }} ?n ?p ?v FILTER(?p IN ({preds})) }}"
        for row in select(store, q):
            yield row[0].value, row[1].value, row[2]


def select(store: Store, query: str) -> ox.QuerySolutions:
    """Rows of a SELECT the service wrote itself."""
    result = store.query(query)
    if not isinstance(result, ox.QuerySolutions):
        raise TypeError("expected a SELECT query")
    return result


def _term(t: Any) -> str | None:
    return t.value if isinstance(t, ox.NamedNode) else None


# -- labels ---------------------------------------------------------------------------------
def _lang_key(lit: ox.Literal) -> int:
    lang = lit.language or ""
    return 0 if lang.startswith("en") else 1 if not lang else 2


def _local_name(iri: str) -> str:
    tail = re.split(r"[/#]", iri.rstrip("/#"))[-1]
    return tail or iri


def labels(store: Store, iris: Iterable[str]) -> dict[str, str]:
    """The best display label of each IRI (English first); the local name when it has none."""
    wanted = sorted({i for i in iris if i})
    best: dict[str, tuple[int, int, str]] = {}
    for n, p, lit in _props(store, wanted, LABEL_PREDICATES):
        if not isinstance(lit, ox.Literal):
            continue
        key = (LABEL_PREDICATES.index(p), _lang_key(lit), lit.value)
        if n not in best or key < best[n]:
            best[n] = key
    return {i: best[i][2] if i in best else _local_name(i) for i in wanted}


_PREDICATE_LABELS: dict[tuple[int, str], dict[str, str]] = {}


def predicate_labels(store: Store, predicates: Iterable[str]) -> dict[str, str]:
    """Labels of predicates: few, asked for on every request, so remembered per data version."""
    key = (id(store), store.data_version)
    known = _PREDICATE_LABELS.get(key)
    if known is None:
        _PREDICATE_LABELS.clear()
        known = _PREDICATE_LABELS.setdefault(key, {})
    wanted = set(predicates)
    missing = wanted - known.keys()
    if missing:
        known.update(labels(store, missing))
    return {p: known[p] for p in wanted}


def exists(store: Store, iri: str) -> bool:
    q = f"ASK {{ {{ {_n(iri)} ?p ?o }} UNION {{ ?s ?p {_n(iri)} }} }}"
    result = store.query(q)
    return bool(result) if isinstance(result, ox.QueryBoolean) else False


# -- one entity -----------------------------------------------------------------------------
def _literal_json(lit: ox.Literal) -> dict[str, Any]:
    out: dict[str, Any] = {"value": lit.value}
    if lit.language:
        out["language"] = lit.language
    elif lit.datatype.value != f"{vocab.XSD}string":
        out["datatype"] = lit.datatype.value
    return out


def entity(store: Store, iri: str, *, incoming_limit: int = EXPLORE_LIMITS.incoming) -> dict[str, Any]:
    """Types, labels, outgoing facts, incoming links (each with the label of the other end) and sources."""
    out_rows = list(select(store, f"SELECT ?p ?o ?g WHERE {{ GRAPH ?g {{ {_n(iri)} ?p ?o }} }}"))
    in_rows = list(
        select(store, f"SELECT ?s ?p ?g WHERE {{ GRAPH ?g {{ ?s ?p {_n(iri)} }} }} LIMIT {incoming_limit + 1}")
    )
    if not out_rows and not in_rows:
        raise NotFound(iri)
    truncated = len(in_rows) > incoming_limit
    in_rows = in_rows[:incoming_limit]
    names: dict[str, list[dict[str, Any]]] = defaultdict(list)
    types: dict[str, bool] = {}
    facts: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for row in out_rows:
        p, o, g = row[0].value, row[1], row[2]
        inferred = _term(g) == INFERRED
        if p == RDF_TYPE and isinstance(o, ox.NamedNode):
            types[o.value] = types.get(o.value, True) and inferred
            continue
        if isinstance(o, ox.Literal) and p in LABEL_PREDICATES + ALIAS_PREDICATES:
            entry = {"predicate": p, **_literal_json(o)}
            if entry not in names[p]:
                names[p].append(entry)
            continue
        key = (p, str(o))
        if key in seen:
            continue
        seen.add(key)
        fact: dict[str, Any] = {"predicate": p, "inferred": inferred}
        if isinstance(o, ox.Literal):
            fact["value"] = _literal_json(o)
        elif isinstance(o, ox.NamedNode):
            fact["value"] = {"id": o.value}
        else:
            fact["value"] = {"bnode": str(o)}
        facts.append(fact)
    # a fact asserted somewhere is not "inferred" even if the inferred graph repeats it
    asserted = {(row[0].value, str(row[1])) for row in out_rows if _term(row[2]) != INFERRED}
    for f in facts:
        if f["inferred"] and (f["predicate"], _fact_key(f)) in asserted:
            f["inferred"] = False
    incoming: list[dict[str, Any]] = []
    in_seen: set[tuple[str, str]] = set()
    for row in in_rows:
        s, p, g = row[0], row[1].value, row[2]
        sid = _term(s)
        if sid is None or (sid, p) in in_seen:
            continue
        in_seen.add((sid, p))
        incoming.append({"predicate": p, "source": {"id": sid}, "inferred": _term(g) == INFERRED})
    asserted_in = {(i["source"]["id"], i["predicate"]) for i in incoming if not i["inferred"]}
    for i in incoming:
        if i["inferred"] and (i["source"]["id"], i["predicate"]) in asserted_in:
            i["inferred"] = False
    incoming = _dedupe(incoming, lambda i: (i["source"]["id"], i["predicate"]))
    sources = _sources(store, [iri])
    needed = {iri, *types, *(f["predicate"] for f in facts), *(i["predicate"] for i in incoming)}
    needed |= {f["value"]["id"] for f in facts if "id" in f["value"]}
    needed |= {i["source"]["id"] for i in incoming}
    lab = labels(store, needed)
    for f in facts:
        f["predicate_label"] = lab.get(f["predicate"])
        if "id" in f["value"]:
            f["value"]["label"] = lab.get(f["value"]["id"])
    for i in incoming:
        i["predicate_label"] = lab.get(i["predicate"])
        i["source"]["label"] = lab.get(i["source"]["id"])
    facts.sort(key=lambda f: (f["inferred"], f["predicate_label"] or "", str(f["value"])))
    incoming.sort(key=lambda i: (i["inferred"], i["predicate_label"] or "", i["source"]["label"] or ""))
    all_names = [n for p in LABEL_PREDICATES + ALIAS_PREDICATES for n in names.get(p, [])]
    return {
        "id": iri,
        "label": lab[iri],
        "types": [
            {"id": t, "label": lab.get(t), "inferred": inf} for t, inf in sorted(types.items(), key=lambda x: x[1])
        ],
        "labels": all_names,
        "facts": facts,
        "incoming": incoming,
        "incoming_truncated": truncated,
        "sources": sources.get(iri, []),
    }


def _fact_key(f: dict[str, Any]) -> str:
    v = f["value"]
    if "id" in v:
        return str(ox.NamedNode(v["id"]))
    return ""  # literals are never inferred twice; only IRIs matter here


def _dedupe(items: list[dict[str, Any]], key: Any) -> list[dict[str, Any]]:
    seen: set[Any] = set()
    out = []
    for i in items:
        k = key(i)
        if k in seen:
            continue
        seen.add(k)
        out.append(i)
    return out


def _sources(store: Store, iris: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """Each IRI's cited sources (prov:wasDerivedFrom) with title, URL, date and publisher."""
    cited: dict[str, list[str]] = defaultdict(list)
    for chunk in _chunks(sorted(set(iris))):
        q = f"SELECT ?n ?src WHERE {{ VALUES ?n {{ {_values(chunk)} }} ?n <{PROV_SOURCE}> ?src }}"
        for row in select(store, q):
            n, src = _term(row[0]), _term(row[1])
            if n and src and src not in cited[n]:
                cited[n].append(src)
    all_src = sorted({s for ss in cited.values() for s in ss})
    details: dict[str, dict[str, Any]] = {s: {"id": s} for s in all_src}
    props = {
        f"{vocab.DCT}title": "title",
        f"{vocab.SCHEMA}url": "url",
        f"{vocab.DCT}date": "date",
        f"{vocab.SCHEMA}publisher": "publisher",
        f"{vocab.RDFS}label": "label",
    }
    for s, p, v in _props(store, all_src, props):
        key = props[p]
        if key in details[s] and key in {"title", "label"}:
            if isinstance(v, ox.Literal) and (v.language or "").startswith("en"):
                details[s][key] = v.value
            continue
        details[s][key] = v.value
    pubs = labels(store, {d["publisher"] for d in details.values() if "publisher" in d})
    for d in details.values():
        if "publisher" in d:
            d["publisher"] = {"id": d["publisher"], "label": pubs.get(d["publisher"])}
        d.setdefault("title", d.pop("label", None) or _local_name(d["id"]))
        d.pop("label", None)
    return {n: [details[s] for s in ss] for n, ss in cited.items()}


# -- node attributes ------------------------------------------------------------------------
@dataclass
class Node:
    id: str
    label: str = ""
    types: list[str] = field(default_factory=list)
    date: str | None = None
    regulator: str | None = None
    concerns: list[str] = field(default_factory=list)
    group: str | None = None
    parents: list[str] = field(default_factory=list)

    @property
    def hub(self) -> bool:
        return not HUB_TYPES.isdisjoint(self.types)

    @property
    def hidden(self) -> bool:
        return not HIDDEN_TYPES.isdisjoint(self.types)

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"id": self.id, "label": self.label, "types": self.types}
        if self.date:
            d["date"] = self.date
        if self.regulator:
            d["regulator"] = self.regulator
        if self.concerns:
            d["concerns"] = self.concerns
        if self.group:
            d["group"] = self.group
        return d


def _nodes(store: Store, iris: Iterable[str]) -> dict[str, Node]:
    """Labels, types, date, regulator, concerns and corporate group of each node, in one query per 400."""
    wanted = sorted(set(iris))
    nodes = {i: Node(i) for i in wanted}
    label_keys: dict[str, tuple[int, int, str]] = {}
    dates: dict[str, dict[str, str]] = defaultdict(dict)
    for n, p, v in _props(store, wanted, _NODE_PREDICATES):
        node = nodes[n]
        if p == RDF_TYPE:
            if isinstance(v, ox.NamedNode):
                node.types.append(v.value)
        elif p in LABEL_PREDICATES:
            if isinstance(v, ox.Literal):
                key = (LABEL_PREDICATES.index(p), _lang_key(v), v.value)
                if n not in label_keys or key < label_keys[n]:
                    label_keys[n] = key
        elif p.startswith(f"{RK}date"):
            dates[n][p] = v.value
        elif p == f"{RK}regulator":
            node.regulator = v.value
        elif p == f"{RK}concern":
            node.concerns.append(v.value)
        elif p in {f"{RK}groupParent", f"{RK}subsidiaryOf"}:
            node.parents.append(v.value)
    tops = _tops(store, {p for node in nodes.values() for p in node.parents})
    for node in nodes.values():
        node.label = label_keys[node.id][2] if node.id in label_keys else _local_name(node.id)
        node.types.sort()
        node.concerns.sort()
        d = dates.get(node.id, {})
        node.date = (
            d.get(f"{RK}dateDecided") or d.get(f"{RK}dateAnnounced") or d.get(f"{RK}dateOpened") or d.get(f"{RK}date")
        )
        top = sorted(p for p in node.parents if p in tops)
        if top:
            node.group = top[0]
    # a company that heads a group is its own group's top
    heads = {node.group for node in nodes.values() if node.group}
    for node in nodes.values():
        if node.id in heads:
            node.group = node.id
    return nodes


def _tops(store: Store, iris: Iterable[str]) -> set[str]:
    """Those of ``iris`` that are no one's subsidiary and no one's predecessor (rk:succeededBy): the heads of
    corporate groups."""
    cands = sorted(set(iris))
    has_parent: set[str] = set()
    for chunk in _chunks(cands):
        above = f"<{RK}subsidiaryOf>|<{RK}succeededBy>"
        q = f"SELECT DISTINCT ?n WHERE {{ VALUES ?n {{ {_values(chunk)} }} ?n {above} ?x }}"
        has_parent |= {row[0].value for row in select(store, q)}
    return set(cands) - has_parent


# -- neighbourhood --------------------------------------------------------------------------
@dataclass
class Subgraph:
    nodes: dict[str, Node]
    edges: list[tuple[str, str, str]]
    truncated: bool
    predicate_labels: dict[str, str]

    def as_dict(self) -> dict[str, Any]:
        return {
            "nodes": [n.as_dict() for n in self.nodes.values()],
            "edges": [
                {"source": s, "target": o, "predicate": p, "label": self.predicate_labels.get(p, _local_name(p))}
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


def _edges_of(store: Store, frontier: Sequence[str], limit: int) -> tuple[list[tuple[str, str, str]], bool]:
    """Asserted IRI-to-IRI edges touching ``frontier``, both directions; at most ``limit``."""
    hidden = _values(HIDDEN_PREDICATES)
    edges: list[tuple[str, str, str]] = []
    cut = False
    for direction in ("out", "in"):
        for chunk in _chunks(list(frontier)):
            left = limit - len(edges)
            if left <= 0:
                return edges, True
            pattern = "?n ?p ?o" if direction == "out" else "?o ?p ?n"
            q = (
                f"SELECT ?n ?p ?o ?g WHERE {{ VALUES ?n {{ {_values(chunk)} }} GRAPH ?g {{ {pattern} }} "
                f"FILTER(isIRI(?o) && ?g != <{INFERRED}> && ?p NOT IN ({hidden.replace(' ', ', ')})) }} "
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


def _edges_among(store: Store, nodes: Iterable[str]) -> set[tuple[str, str, str]]:
    """Asserted edges between any two of ``nodes``: each is an out-edge of one of them."""
    ids = sorted(nodes)
    members = ", ".join(_n(i) for i in ids)
    hidden = ", ".join(_n(p) for p in HIDDEN_PREDICATES)
    out: set[tuple[str, str, str]] = set()
    for chunk in _chunks(ids):
        q = (
            f"SELECT ?n ?p ?o WHERE {{ VALUES ?n {{ {_values(chunk)} }} GRAPH ?g {{ ?n ?p ?o }} "
            f"FILTER(?o IN ({members}) && ?g != <{INFERRED}> && ?p NOT IN ({hidden})) }}"
        )
        out |= {(row[0].value, row[1].value, row[2].value) for row in select(store, q)}
    return out


def neighbourhood(
    store: Store,
    iri: str,
    *,
    hops: int = 1,
    limit: int = EXPLORE_LIMITS.default_nodes,
    concern: str | None = None,
) -> Subgraph:
    """Nodes within ``hops`` of ``iri`` (at most ``limit``), with typed, labelled edges among them.

    Hub nodes (concepts, statuses, jurisdictions, publishers, classes) are shown but not walked
    through beyond the start; amounts and exchange rates are left out. With ``concern``, actions
    and campaigns that are not about that concern are left out (and not walked through).
    """
    hops = max(1, min(hops, EXPLORE_LIMITS.max_hops))
    limit = max(1, min(limit, EXPLORE_LIMITS.max_nodes))
    nodes: dict[str, Node] = _nodes(store, [iri])
    edges: set[tuple[str, str, str]] = set()
    truncated = False
    frontier = [iri]
    for hop in range(hops):
        if not frontier:
            break
        found, cut = _edges_of(store, frontier, limit * 4)
        if hop == 0 and not found and not nodes[iri].types and not exists(store, iri):
            raise NotFound(iri)
        truncated |= cut
        new_ids = sorted({x for s, _p, o in found for x in (s, o)} - set(nodes))
        room = limit - len(nodes)
        if len(new_ids) > 2 * room + 20:
            # a hub: look up only as many candidates as could be kept (some are filtered out)
            new_ids, truncated = new_ids[: 2 * room + 20], True
        info = _nodes(store, new_ids)
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
        edges |= _edges_among(store, nodes)
    ordered = sorted(edges)
    plabels = predicate_labels(store, {p for _s, p, _o in ordered})
    return Subgraph(nodes, ordered, truncated, plabels)


# -- paths ----------------------------------------------------------------------------------
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
            with self._lock:
                if self._graph is None or self._version != version:
                    started = time.perf_counter()
                    self._graph = project(self.store)
                    self._version = version
                    self.build_seconds = time.perf_counter() - started
                    # millions of long-lived objects: keep the collector from walking them (DESIGN §9)
                    gc.collect()
                    gc.freeze()
        assert self._graph is not None
        return self._graph


def project(store: Store) -> nx.Graph:
    """The entity graph: asserted IRI-IRI edges, minus hidden predicates and hub or hidden nodes."""
    skip: set[str] = set()
    for t in HUB_TYPES | HIDDEN_TYPES:
        skip |= {row[0].value for row in select(store, f"SELECT ?s WHERE {{ ?s a <{t}> }}")}
    g = nx.Graph()
    # paths do not go through the articles that report two events: those are provenance, not links
    hidden = ", ".join(_n(p) for p in HIDDEN_PREDICATES | {PROV_SOURCE})
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
    max_hops: int = EXPLORE_LIMITS.default_path_hops,
    max_paths: int = EXPLORE_LIMITS.max_paths,
    max_visits: int = 50_000,
) -> list[list[str]]:
    """All shortest paths (up to ``max_paths``) of at most ``max_hops`` edges, by a bidirectional
    breadth-first search that stops after ``max_visits`` nodes (bounded time)."""
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
    while f_front and b_front and depth < max_hops and visits < max_visits:
        depth += 1
        forward = len(f_front) <= len(b_front)
        front, seen, other = (f_front, fwd, bwd) if forward else (b_front, bwd, fwd)
        nxt: list[str] = []
        layer: dict[str, list[str]] = {}
        for u in front:
            for v in graph.adj[u]:
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


def path_result(store: Store, graph: nx.Graph, found: list[list[str]]) -> dict[str, Any]:
    """Paths as ``{"paths": [{"nodes": [ids], "edges": [...]}], "nodes": [...]}``."""
    ids = {n for p in found for n in p}
    info = _nodes(store, ids)
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


# -- corporate groups -----------------------------------------------------------------------
def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _amount_str(value: Decimal) -> str:
    q = value.normalize()
    return format(q, "f")


def _outcome_amounts(
    store: Store, action_ids: Sequence[str]
) -> tuple[dict[str, list[str]], dict[str, list[str]], dict[str, dict[str, str]]]:
    """Each action's outcomes (rk:outcome), each outcome's amounts (rk:amount), each amount's value and
    currency: three steps of single patterns over VALUES blocks."""
    outcomes: dict[str, list[str]] = defaultdict(list)
    for chunk in _chunks(list(action_ids)):
        q = f"SELECT ?a ?pen WHERE {{ VALUES ?a {{ {_values(chunk)} }} ?a <{RK}outcome> ?pen }}"
        for row in select(store, q):
            outcomes[row[0].value].append(row[1].value)
    penalties = sorted({p for ps in outcomes.values() for p in ps})
    amount_of: dict[str, list[str]] = defaultdict(list)
    for chunk in _chunks(penalties):
        q = f"SELECT ?pen ?amt WHERE {{ VALUES ?pen {{ {_values(chunk)} }} ?pen <{RK}amount> ?amt }}"
        for row in select(store, q):
            amount_of[row[0].value].append(row[1].value)
    amount_ids = sorted({a for aa in amount_of.values() for a in aa})
    amounts: dict[str, dict[str, str]] = defaultdict(dict)
    props = {f"{vocab.SCHEMA}value": "value", f"{vocab.SCHEMA}currency": "currency"}
    for m, p, v in _props(store, amount_ids, props):
        amounts[m][props[p]] = v.value
    return outcomes, amount_of, amounts


def outcomes(store: Store, action: str) -> list[dict[str, Any]]:
    """The penalties an action imposed, each with its kind and published amounts."""
    outs, amount_of, amounts = _outcome_amounts(store, [action])
    pens = sorted(outs.get(action, []))
    info = _nodes(store, pens)
    result = []
    for pen in pens:
        money = []
        for amt in amount_of.get(pen, []):
            m = amounts.get(amt, {})
            value = _decimal(m.get("value", ""))
            if value is not None and "currency" in m:
                money.append({"id": amt, "value": _amount_str(value), "currency": m["currency"]})
        result.append({"id": pen, "label": info[pen].label, "types": info[pen].types, "amounts": money})
    return result


def _largest(store: Store, heads: Sequence[str]) -> str:
    """Of several group heads (a company controlled jointly through two chains), the one with the
    most companies under it; ties by IRI."""
    if len(heads) == 1:
        return heads[0]

    def size(head: str) -> int:
        q = f"SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE {{ ?m <{RK}subsidiaryOf>* {_n(head)} }}"
        return int(next(iter(select(store, q)))[0].value)

    return sorted(heads, key=lambda h: (-size(h), h))[0]


def group_head(store: Store, iri: str) -> str:
    """The head of the corporate group ``iri`` belongs to (a company or a platform's operator)."""
    types = {row[0].value for row in select(store, f"SELECT ?t WHERE {{ {_n(iri)} a ?t }}")}
    if not types and not exists(store, iri):
        raise NotFound(iri)
    if f"{RK}Platform" in types:
        parents = [row[0].value for row in select(store, f"SELECT ?p WHERE {{ {_n(iri)} <{RK}groupParent> ?p }}")]
        if not parents:
            raise NotApplicable(f"{iri} has no recorded operator, so belongs to no corporate group")
        tops = sorted(_tops(store, parents))
        return _largest(store, tops) if tops else sorted(parents)[0]
    if f"{RK}Company" in types:
        q = f"SELECT ?p WHERE {{ {_n(iri)} (<{RK}subsidiaryOf>|<{RK}succeededBy>)* ?p }}"
        chain = [row[0].value for row in select(store, q)]
        tops = sorted(_tops(store, chain))
        return _largest(store, tops) if tops else iri
    raise NotApplicable(f"{iri} is neither a company nor a platform; corporate groups are made of those")


def group(store: Store, iri: str) -> dict[str, Any]:
    """The roll-up of the corporate group of ``iri``: members (control above 50 %, rk:subsidiaryOf, and
    predecessors, rk:succeededBy), their platforms, every action against any of them (rk:groupTarget),
    totals per currency of the standing amounts, and
    minority stakes listed apart (never summed)."""
    head = group_head(store, iri)
    members = sorted(
        {
            row[0].value
            for row in select(store, f"SELECT ?m WHERE {{ ?m (<{RK}subsidiaryOf>|<{RK}succeededBy>)* {_n(head)} }}")
        }
    )
    platforms = sorted(
        {row[0].value for row in select(store, f"SELECT ?p WHERE {{ ?p <{RK}groupParent> {_n(head)} }}")}
    )
    q = f"SELECT DISTINCT ?a WHERE {{ ?a <{RK}groupTarget> {_n(head)} }} LIMIT {EXPLORE_LIMITS.group_actions}"
    action_ids = sorted({row[0].value for row in select(store, q)})
    info = _nodes(store, [*action_ids, *members, *platforms])
    outcomes, amount_of, amounts = _outcome_amounts(store, action_ids)
    standing = _standing_amounts(store, sorted({p for ps in outcomes.values() for p in ps}))
    sources = _sources(store, action_ids)
    extra = labels(
        store, {n.regulator for n in info.values() if n.regulator} | {c for n in info.values() for c in n.concerns}
    )
    actions: list[dict[str, Any]] = []
    totals: dict[str, tuple[Decimal, int]] = {}
    counted: set[str] = set()
    for a in action_ids:
        n = info[a]
        review = f"{RK}JudicialReview" in n.types
        row_amounts = []
        for pen in sorted(outcomes.get(a, [])):
            for amt in amount_of.get(pen, []):
                money = amounts.get(amt, {})
                value = _decimal(money.get("value", ""))
                currency = money.get("currency")
                if value is None or currency is None:
                    continue
                row_amounts.append({"id": amt, "value": _amount_str(value), "currency": currency})
                if amt in standing and amt not in counted:
                    counted.add(amt)
                    total, count = totals.get(currency, (Decimal(0), 0))
                    totals[currency] = (total + value, count + 1)
        actions.append(
            {
                "id": a,
                "label": n.label,
                "types": n.types,
                "date": n.date,
                "regulator": {"id": n.regulator, "label": extra.get(n.regulator)} if n.regulator else None,
                "concerns": [{"id": c, "label": extra.get(c)} for c in n.concerns],
                "amounts": row_amounts,
                "standing_amounts": [m["id"] for m in row_amounts if m["id"] in standing],
                "judicial_review": review,
                "sources": sources.get(a, []),
            }
        )
    actions.sort(key=lambda x: (x["date"] or "9999", x["label"]))
    stakes = _stakes(store, members)
    return {
        "group": {"id": head, "label": info[head].label if head in info else labels(store, [head])[head]},
        "member": iri,
        "members": [{"id": m, "label": info[m].label} for m in members],
        "platforms": [{"id": p, "label": info[p].label} for p in platforms],
        "actions": actions,
        "totals": [{"currency": c, "amount": _amount_str(v), "count": k} for c, (v, k) in sorted(totals.items())],
        "minority_stakes": stakes,
        "notes": [
            "Members are companies under control above 50 % (rk:subsidiaryOf) and predecessors merged or renamed "
            "into a member (rk:succeededBy); minority stakes are listed apart and never summed.",
            "Totals add standing amounts only (rk:standingAmount): a fine superseded by a later one (a provisional "
            "fine by the final fine, a regulator's fine by the amount a court set on review), a figure amended by a "
            "later one, and the fines of annulled decisions are shown but not added; each action lists the amounts "
            "that stand (standing_amounts).",
        ],
    }


def _standing_amounts(store: Store, penalties: Sequence[str]) -> set[str]:
    """The amounts of ``penalties`` that stand (the inferred rk:standingAmount): the ones totals add."""
    out: set[str] = set()
    for chunk in _chunks(list(penalties)):
        q = f"SELECT ?amt WHERE {{ VALUES ?pen {{ {_values(chunk)} }} ?pen <{RK}standingAmount> ?amt }}"
        out |= {row[0].value for row in select(store, q)}
    return out


def _stakes(store: Store, members: Sequence[str]) -> list[dict[str, Any]]:
    rows: list[tuple[str, str]] = []
    for chunk in _chunks(list(members)):
        v = _values(chunk)
        for q in (
            f"SELECT ?h ?c WHERE {{ VALUES ?h {{ {v} }} ?h <{RK}minorityStakeIn> ?c }}",
            f"SELECT ?h ?c WHERE {{ VALUES ?c {{ {v} }} ?h <{RK}minorityStakeIn> ?c }}",
        ):
            rows += [(r[0].value, r[1].value) for r in select(store, q)]
    lab = labels(store, {x for r in rows for x in r})
    return [{"holder": {"id": h, "label": lab[h]}, "company": {"id": c, "label": lab[c]}} for h, c in sorted(set(rows))]


# -- home page ------------------------------------------------------------------------------
_STAT_TYPES: Final = (
    ("actions", f"{RK}EnforcementAction"),
    ("penalties", f"{RK}Penalty"),
    ("companies", f"{RK}Company"),
    ("platforms", f"{RK}Platform"),
    ("regulators", f"{RK}Authority"),
    ("campaigns", f"{RK}Campaign"),
    ("rules", f"{RK}Rule"),
    ("laws", f"{RK}Law"),
    ("sources", f"{RK}Source"),
)


def stats(store: Store) -> dict[str, Any]:
    """Counts of what the graph holds, for the home page."""
    out: dict[str, Any] = {}
    for name, t in _STAT_TYPES:
        rows = list(select(store, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a <{t}> }}"))
        out[name] = int(rows[0][0].value) if rows else 0
    out["jurisdictions"] = int(
        next(iter(select(store, f"SELECT (COUNT(DISTINCT ?j) AS ?n) WHERE {{ ?a <{RK}jurisdiction> ?j }}")))[0].value
    )
    out["triples"] = store.count()
    return out


def recent_actions(store: Store, limit: int = 10) -> list[dict[str, Any]]:
    """The latest actions by their date (decided, else announced, else opened), newest first."""
    today = time.strftime("%Y-%m-%d")
    q = (
        f"SELECT ?a (MAX(?d) AS ?date) WHERE {{ ?a <{RK}dateDecided>|<{RK}dateAnnounced>|<{RK}dateOpened> ?d "
        f'FILTER(STR(?d) <= "{today}") }} GROUP BY ?a ORDER BY DESC(?date) ?a LIMIT {int(limit) * 3}'
    )
    ids = [row[0].value for row in select(store, q)]
    info = _nodes(store, ids)
    ids = [i for i in ids if f"{RK}EnforcementAction" in info[i].types]
    ids.sort(key=lambda i: (info[i].date or "", i), reverse=True)
    ids = ids[: int(limit)]
    regs = labels(store, {r for i in ids if (r := info[i].regulator)})
    return [{**info[i].as_dict(), "regulator_label": regs.get(info[i].regulator or "", None)} for i in ids]
