"""SHACL on a change: the affected resources and what their shapes reach, not the whole graph.

The affected resources are the subjects of the quads a change removes or adds (a blank node
counts as the resource that links to it). They are validated as they will be after the change,
together with the nodes they point to (for sh:class and nested shapes: an action's amount, its
sources, its regulator's types) and the ontology (class hierarchy, term definitions). The logic
is :func:`regkg.validation.validate_affected`, which ``regkg import`` uses too.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from regkg import vocab
from regkg.store.base import Store
from regkg.validation import ValidationReport, validate_affected

__all__ = ["validate_change"]

# (the inferred graph is left out: it is recomputed after the change; the ontology's class
# hierarchy gives the shapes what they need)
_SKIP = frozenset({vocab.INFERRED_GRAPH, vocab.CHANGES_GRAPH})


def validate_change(store: Store, removed: Iterable[ox.Quad], added: Iterable[ox.Quad]) -> ValidationReport:
    return validate_affected(
        store.quads,  # type: ignore[attr-defined]
        store.incoming,  # type: ignore[attr-defined]
        store.quads(None, vocab.ONTOLOGY_GRAPH),  # type: ignore[attr-defined]
        removed,
        added,
        skip_graphs=_SKIP,
    )
