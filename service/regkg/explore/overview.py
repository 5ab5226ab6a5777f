"""What the home page shows: counts of what the graph holds and the latest actions."""

from __future__ import annotations

import time
from typing import Any, Final

from regkg import vocab
from regkg.explore.labels import labels
from regkg.explore.nodes import node_info
from regkg.explore.query import select
from regkg.store.base import Store

__all__ = ["recent_actions", "stats"]

RK: Final = vocab.RK
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
    info = node_info(store, ids)
    ids = [i for i in ids if f"{RK}EnforcementAction" in info[i].types]
    ids.sort(key=lambda i: (info[i].date or "", i), reverse=True)
    ids = ids[: int(limit)]
    regs = labels(store, {r for i in ids if (r := info[i].regulator)})
    return [{**info[i].as_dict(), "regulator_label": regs.get(info[i].regulator or "", None)} for i in ids]
