"""Display labels: the best name of each IRI, and of predicates (remembered per data version)."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pyoxigraph as ox

from regkg.explore.query import props
from regkg.search import LABEL_PREDICATES
from regkg.store.base import Store

__all__ = ["labels", "local_name", "predicate_labels"]


def lang_key(lit: ox.Literal) -> int:
    lang = lit.language or ""
    return 0 if lang.startswith("en") else 1 if not lang else 2


def local_name(iri: str) -> str:
    """The last segment of an IRI: the label of last resort."""
    tail = re.split(r"[/#]", iri.rstrip("/#"))[-1]
    return tail or iri


def labels(store: Store, iris: Iterable[str]) -> dict[str, str]:
    """The best display label of each IRI (English first); the local name when it has none."""
    wanted = sorted({i for i in iris if i})
    best: dict[str, tuple[int, int, str]] = {}
    for n, p, lit in props(store, wanted, LABEL_PREDICATES):
        if not isinstance(lit, ox.Literal):
            continue
        key = (LABEL_PREDICATES.index(p), lang_key(lit), lit.value)
        if n not in best or key < best[n]:
            best[n] = key
    return {i: best[i][2] if i in best else local_name(i) for i in wanted}


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
