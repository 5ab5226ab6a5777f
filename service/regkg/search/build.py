"""Building a search :class:`~regkg.search.ranking.Index` from the store, in one pass of a handful of
single-pattern SELECTs: every name of every entity (labels and aliases, in every language), its
types, and the label it is shown with (the one rule of :mod:`regkg.explore.labels`)."""

from __future__ import annotations

from collections import defaultdict
from typing import Final

import pyoxigraph as ox

from regkg import vocab
from regkg.explore.labels import LABEL_PREDICATES, NAME_PREDICATES, BestLabels
from regkg.explore.query import select
from regkg.search.ranking import Entity, Index
from regkg.store.base import Store

__all__ = ["EXCLUDED_TYPES", "TYPE_WEIGHTS", "build_index"]

#: Things not worth finding by name: amounts and exchange rates (thousands, labelled by number).
EXCLUDED_TYPES: Final = frozenset({f"{vocab.RK}ExchangeRate", f"{vocab.SCHEMA}MonetaryAmount"})

#: Small score adjustments by type, within a ranking band: actors first, documents last.
TYPE_WEIGHTS: Final = {
    f"{vocab.RK}Company": 0.03,
    f"{vocab.RK}Platform": 0.03,
    f"{vocab.RK}Authority": 0.03,
    f"{vocab.RK}Campaign": 0.02,
    f"{vocab.RK}EnforcementAction": 0.01,
    f"{vocab.RK}Source": -0.02,
    f"{vocab.RK}Penalty": -0.01,
}


def build_index(store: Store) -> Index:
    """Read every name and type from ``store`` into a new :class:`Index`."""
    index = Index(store.data_version)
    types: dict[str, list[str]] = defaultdict(list)
    for row in select(store, "SELECT ?s ?t WHERE { ?s a ?t }"):
        s, t = row[0], row[1]
        if isinstance(s, ox.NamedNode) and isinstance(t, ox.NamedNode):
            types[s.value].append(t.value)
    excluded = {s for s, ts in types.items() if not EXCLUDED_TYPES.isdisjoint(ts)}
    labels = BestLabels()
    for pred in NAME_PREDICATES:
        preferred = pred in LABEL_PREDICATES
        for row in select(store, f"SELECT ?s ?l WHERE {{ ?s <{pred}> ?l }}"):
            s, lit = row[0], row[1]
            if not isinstance(s, ox.NamedNode) or not isinstance(lit, ox.Literal) or s.value in excluded:
                continue
            index.add(s.value, lit.value, preferred)
            labels.offer(s.value, pred, lit)
    for iri in labels.iris():
        label = labels.get(iri)
        ts = tuple(sorted(types.get(iri, ())))
        weight = max((TYPE_WEIGHTS[t] for t in ts if t in TYPE_WEIGHTS), default=0.0)
        if weight >= 0:
            weight = max(weight, min((TYPE_WEIGHTS[t] for t in ts if t in TYPE_WEIGHTS), default=0.0))
        index.entities[iri] = Entity(iri, label, ts, weight)
    return index.finish()
