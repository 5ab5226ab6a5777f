"""One entity as JSON: types, names, outgoing facts, incoming links and sources, each fact marked
asserted or inferred (a fact asserted somewhere is asserted, even if the inferred graph repeats it)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable
from typing import Any, Final

import pyoxigraph as ox

from regkg import vocab
from regkg.explore.errors import NotFound
from regkg.explore.labels import ALIAS_PREDICATES, LABEL_PREDICATES, labels
from regkg.explore.limits import EXPLORE_LIMITS, Limits
from regkg.explore.query import named, select, term
from regkg.explore.sources import sources
from regkg.store.base import Store

__all__ = ["entity"]

RDF_TYPE: Final = f"{vocab.RDF}type"
INFERRED: Final = vocab.INFERRED_GRAPH


def _literal_json(lit: ox.Literal) -> dict[str, Any]:
    out: dict[str, Any] = {"value": lit.value}
    if lit.language:
        out["language"] = lit.language
    elif lit.datatype.value != f"{vocab.XSD}string":
        out["datatype"] = lit.datatype.value
    return out


def entity(store: Store, iri: str, *, limits: Limits = EXPLORE_LIMITS) -> dict[str, Any]:
    """Types, labels, outgoing facts, incoming links (each with the label of the other end; at most
    ``limits.incoming``) and sources."""
    incoming_limit = limits.incoming
    out_rows = list(select(store, f"SELECT ?p ?o ?g WHERE {{ GRAPH ?g {{ {named(iri)} ?p ?o }} }}"))
    in_rows = list(
        select(store, f"SELECT ?s ?p ?g WHERE {{ GRAPH ?g {{ ?s ?p {named(iri)} }} }} LIMIT {incoming_limit + 1}")
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
        inferred = term(g) == INFERRED
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
    asserted = {(row[0].value, str(row[1])) for row in out_rows if term(row[2]) != INFERRED}
    for f in facts:
        if f["inferred"] and (f["predicate"], _fact_key(f)) in asserted:
            f["inferred"] = False
    incoming: list[dict[str, Any]] = []
    in_seen: set[tuple[str, str]] = set()
    for row in in_rows:
        s, p, g = row[0], row[1].value, row[2]
        sid = term(s)
        if sid is None or (sid, p) in in_seen:
            continue
        in_seen.add((sid, p))
        incoming.append({"predicate": p, "source": {"id": sid}, "inferred": term(g) == INFERRED})
    asserted_in = {(i["source"]["id"], i["predicate"]) for i in incoming if not i["inferred"]}
    for i in incoming:
        if i["inferred"] and (i["source"]["id"], i["predicate"]) in asserted_in:
            i["inferred"] = False
    incoming = _dedupe(incoming, lambda i: (i["source"]["id"], i["predicate"]))
    cited = sources(store, [iri])
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
        "sources": cited.get(iri, []),
    }


def _fact_key(f: dict[str, Any]) -> str:
    v = f["value"]
    if "id" in v:
        return str(ox.NamedNode(v["id"]))
    return ""  # literals are never inferred twice; only IRIs matter here


def _dedupe(items: list[dict[str, Any]], key: Callable[[dict[str, Any]], Hashable]) -> list[dict[str, Any]]:
    seen: set[Hashable] = set()
    out = []
    for i in items:
        k = key(i)
        if k in seen:
            continue
        seen.add(k)
        out.append(i)
    return out
