"""Provenance shown beside entities and actions: the sources each one cites (prov:wasDerivedFrom)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import pyoxigraph as ox

from regkg import vocab
from regkg.explore.labels import labels, local_name
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
    fields = {
        f"{vocab.DCT}title": "title",
        f"{vocab.SCHEMA}url": "url",
        f"{vocab.DCT}date": "date",
        f"{vocab.SCHEMA}publisher": "publisher",
        f"{vocab.RDFS}label": "label",
    }
    for s, p, v in props(store, all_src, fields):
        key = fields[p]
        if key in details[s] and key in {"title", "label"}:
            if isinstance(v, ox.Literal) and (v.language or "").startswith("en"):
                details[s][key] = v.value
            continue
        details[s][key] = v.value
    pubs = labels(store, {d["publisher"] for d in details.values() if "publisher" in d})
    for d in details.values():
        if "publisher" in d:
            d["publisher"] = {"id": d["publisher"], "label": pubs.get(d["publisher"])}
        d.setdefault("title", d.pop("label", None) or local_name(d["id"]))
        d.pop("label", None)
    return {n: [details[s] for s in ss] for n, ss in cited.items()}
