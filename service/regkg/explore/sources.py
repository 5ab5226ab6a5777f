"""Provenance shown beside entities and actions: the sources each one cites (prov:wasDerivedFrom)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from regkg import vocab
from regkg.explore.labels import BestLabels, labels
from regkg.explore.query import chunks, props, select, term, values
from regkg.store.base import Store

__all__ = ["sources"]


def sources(store: Store, iris: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """Each IRI's cited sources (prov:wasDerivedFrom) with title, URL, date and publisher."""
    cited: dict[str, list[str]] = defaultdict(list)
    for chunk in chunks(sorted(set(iris))):
        q = f"SELECT ?n ?src WHERE {{ VALUES ?n {{ {values(chunk)} }} ?n <{vocab.PROV}wasDerivedFrom> ?src }}"
        for row in select(store, q):
            n, src = term(row[0]), term(row[1])
            if n and src and src not in cited[n]:
                cited[n].append(src)
    all_src = sorted({s for ss in cited.values() for s in ss})
    details: dict[str, dict[str, Any]] = {s: {"id": s} for s in all_src}
    fields = {f"{vocab.SCHEMA}url": "url", f"{vocab.DCT}date": "date", f"{vocab.SCHEMA}publisher": "publisher"}
    # a source's title is its dct:title, else its rdfs:label, each picked by the one language rule
    titles, names = BestLabels(), BestLabels()
    title, label = f"{vocab.DCT}title", f"{vocab.RDFS}label"
    for s, p, v in props(store, all_src, [*fields, title, label]):
        if p == title:
            titles.offer(s, p, v)
        elif p == label:
            names.offer(s, p, v)
        else:
            details[s][fields[p]] = v.value
    pubs = labels(store, {d["publisher"] for d in details.values() if "publisher" in d})
    for s, d in details.items():
        if "publisher" in d:
            d["publisher"] = {"id": d["publisher"], "label": pubs.get(d["publisher"])}
        d["title"] = titles.get(s) if s in titles else names.get(s)
    return {n: [details[s] for s in ss] for n, ss in cited.items()}
