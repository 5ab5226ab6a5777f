"""What every node shown carries (label, types, date, regulator, concerns, corporate group), and
which nodes and links the exploration walks through at all."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

import pyoxigraph as ox

from regkg import vocab
from regkg.explore.labels import NAME_PREDICATES, BestLabels
from regkg.explore.query import chunks, props, select, values
from regkg.store.base import Store

__all__ = [
    "ACTOR_TYPES",
    "DATE_PREDICATES",
    "GROUP_PREDICATES",
    "HIDDEN_PREDICATES",
    "HIDDEN_TYPES",
    "HUB_TYPES",
    "RDF_TYPE",
    "Node",
    "is_hub",
    "node_info",
    "pick_date",
    "tops",
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
#: Types that make a node an actor worth walking through even when it also has a hub type: an
#: authority or a company that publishes the sources the graph cites is typed rk:Publisher too (the
#: European Commission, the CNIL, Amazon...), and is no hub for that.
ACTOR_TYPES: Final = frozenset({f"{RK}Authority", f"{RK}Regulator", f"{RK}Court", f"{RK}Company"})
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
#: The dates a node may carry, the one shown first.
DATE_PREDICATES: Final = (f"{RK}dateDecided", f"{RK}dateAnnounced", f"{RK}dateOpened", f"{RK}date")
#: Links to the companies above a node, whose heads name its corporate group.
GROUP_PREDICATES: Final = frozenset({f"{RK}groupParent", f"{RK}subsidiaryOf"})
#: Node attributes fetched for every node shown.
_NODE_PREDICATES: Final = (
    RDF_TYPE,
    *NAME_PREDICATES,
    *DATE_PREDICATES,
    f"{RK}regulator",
    f"{RK}concern",
    *sorted(GROUP_PREDICATES),
)


def pick_date(dates: dict[str, str]) -> str | None:
    """The date shown of a node: decided, else announced, else opened, else its plain date."""
    return next((dates[p] for p in DATE_PREDICATES if p in dates), None)


def is_hub(types: Iterable[str]) -> bool:
    """Whether a node of these types is shown but never walked through (see :data:`ACTOR_TYPES`)."""
    kinds = set(types)
    return not HUB_TYPES.isdisjoint(kinds) and ACTOR_TYPES.isdisjoint(kinds)


@dataclass(slots=True)
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
        return is_hub(self.types)

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


def node_info(store: Store, iris: Iterable[str]) -> dict[str, Node]:
    """Labels, types, date, regulator, concerns and corporate group of each node, in one query per 400."""
    wanted = sorted(set(iris))
    nodes = {i: Node(i) for i in wanted}
    names = BestLabels()
    dates: dict[str, dict[str, str]] = defaultdict(dict)
    for n, p, v in props(store, wanted, _NODE_PREDICATES):
        node = nodes[n]
        if p == RDF_TYPE:
            if isinstance(v, ox.NamedNode):
                node.types.append(v.value)
        elif p in NAME_PREDICATES:
            names.offer(n, p, v)
        elif p in DATE_PREDICATES:
            dates[n][p] = v.value
        elif p == f"{RK}regulator":
            node.regulator = min(node.regulator or v.value, v.value)
        elif p == f"{RK}concern":
            node.concerns.append(v.value)
        elif p in GROUP_PREDICATES:
            node.parents.append(v.value)
    heads_of = tops(store, {p for node in nodes.values() for p in node.parents})
    for node in nodes.values():
        node.label = names.get(node.id)
        node.types = sorted(set(node.types))
        node.concerns = sorted(set(node.concerns))
        node.parents = sorted(set(node.parents))
        node.date = pick_date(dates.get(node.id, {}))
        top = sorted(p for p in node.parents if p in heads_of)
        if top:
            node.group = top[0]
    # a company that heads a group is its own group's top
    heads = {node.group for node in nodes.values() if node.group}
    for node in nodes.values():
        if node.id in heads:
            node.group = node.id
    return nodes


def tops(store: Store, iris: Iterable[str]) -> set[str]:
    """Those of ``iris`` that are no one's subsidiary and no one's predecessor (rk:succeededBy): the heads of
    corporate groups."""
    cands = sorted(set(iris))
    has_parent: set[str] = set()
    for chunk in chunks(cands):
        above = f"<{RK}subsidiaryOf>|<{RK}succeededBy>"
        q = f"SELECT DISTINCT ?n WHERE {{ VALUES ?n {{ {values(chunk)} }} ?n {above} ?x }}"
        has_parent |= {row[0].value for row in select(store, q)}
    return set(cands) - has_parent
