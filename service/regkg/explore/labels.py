"""Display labels: the one rule that picks the name shown for an IRI, for every page, API answer
and search hit.

**The rule.** Of an IRI's names (literals of :data:`LABEL_PREDICATES`, then of
:data:`ALIAS_PREDICATES`), the first predicate in that order that has any wins; among that
predicate's literals, the language asked for (``language``, matched as a BCP 47 prefix:
``zh`` takes ``zh-Hans``), then English (``en``, ``en-GB``, ...), then a literal without a
language tag, then any other language; ties by tag, then by text, so the choice never depends on
the order the store returns rows in. An IRI with no name at all is shown by its local name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

import pyoxigraph as ox

from regkg import vocab
from regkg.explore.query import props
from regkg.store.base import Store

__all__ = [
    "ALIAS_PREDICATES",
    "LABEL_PREDICATES",
    "NAME_PREDICATES",
    "BestLabels",
    "labels",
    "language_rank",
    "local_name",
    "predicate_labels",
]

#: Predicates whose literal values name an entity, preferred first.
LABEL_PREDICATES: Final = (
    f"{vocab.RDFS}label",
    f"{vocab.SKOS}prefLabel",
    f"{vocab.DCT}title",
    f"{vocab.SCHEMA}name",
)
#: Other names: found by search, shown only when an entity has no label.
ALIAS_PREDICATES: Final = (f"{vocab.SKOS}altLabel", f"{vocab.RK}formerName", f"{vocab.SKOS}notation")
NAME_PREDICATES: Final = LABEL_PREDICATES + ALIAS_PREDICATES
_RANK: Final = {p: i for i, p in enumerate(NAME_PREDICATES)}

Key = tuple[int, int, str, str]


def _matches(tag: str, wanted: str) -> bool:
    return tag == wanted or tag.startswith(wanted + "-")


def language_rank(tag: str | None, language: str | None = None) -> int:
    """0 the language asked for, 1 English, 2 no tag, 3 any other (see the module's rule)."""
    tag = (tag or "").lower()
    if language and tag and _matches(tag, language.lower()):
        return 0
    if _matches(tag, "en"):
        return 1
    return 2 if not tag else 3


class BestLabels:
    """The best name seen so far of each IRI, by the module's rule; offer names in any order."""

    def __init__(self, language: str | None = None) -> None:
        self.language = language
        self._best: dict[str, Key] = {}

    def offer(self, iri: str, predicate: str, value: object) -> None:
        rank = _RANK.get(predicate)
        if rank is None or not isinstance(value, ox.Literal):
            return
        tag = value.language or ""
        key = (rank, language_rank(tag, self.language), tag, value.value)
        old = self._best.get(iri)
        if old is None or key < old:
            self._best[iri] = key

    def __contains__(self, iri: object) -> bool:
        return iri in self._best

    def iris(self) -> Iterable[str]:
        return self._best.keys()

    def get(self, iri: str) -> str:
        """The best name of ``iri``; its local name when it has none."""
        key = self._best.get(iri)
        return key[3] if key is not None else local_name(iri)


def local_name(iri: str) -> str:
    """The last segment of an IRI: the label of last resort."""
    tail = re.split(r"[/#]", iri.rstrip("/#"))[-1]
    return tail or iri


def labels(store: Store, iris: Iterable[str], language: str | None = None) -> dict[str, str]:
    """The display label of each IRI, by the module's rule."""
    wanted = sorted({i for i in iris if i})
    best = BestLabels(language)
    for n, p, lit in props(store, wanted, NAME_PREDICATES):
        best.offer(n, p, lit)
    return {i: best.get(i) for i in wanted}


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
