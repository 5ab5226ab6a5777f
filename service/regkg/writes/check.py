"""SHACL on a change: the affected resources and what their shapes reach, not the whole graph.

The affected resources are the subjects of the quads a change removes or adds (a blank node
counts as the resource that links to it). They are validated as they will be after the change,
together with the nodes they point to (for sh:class and nested shapes: an action's amount, its
sources, its regulator's types) and the ontology (class hierarchy, term definitions).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox

from regkg import vocab
from regkg.store.base import Store
from regkg.validation import ValidationReport, validate_quads

__all__ = ["validate_change"]

_SKIP = {vocab.INFERRED_GRAPH, vocab.CHANGES_GRAPH}


def _graph(q: ox.Quad) -> str:
    g = q.graph_name
    return "" if isinstance(g, ox.DefaultGraph) else str(g.value)


def validate_change(store: Store, removed: Iterable[ox.Quad], added: Iterable[ox.Quad]) -> ValidationReport:
    gone = {q for q in removed if _graph(q) not in _SKIP}
    new = {q for q in added if _graph(q) not in _SKIP}
    quads_of = store.quads  # type: ignore[attr-defined]
    new_by_subject: dict[object, set[ox.Quad]] = defaultdict(set)
    new_by_object: dict[object, set[ox.Quad]] = defaultdict(set)
    for q in new:
        new_by_subject[q.subject].add(q)
        new_by_object[q.object].add(q)

    def after(node: ox.NamedNode | ox.BlankNode) -> set[ox.Quad]:
        # (the inferred graph is left out: it is recomputed after the change; the ontology's
        # class hierarchy gives the shapes what they need)
        now = {q for q in quads_of(node) if q not in gone and _graph(q) not in _SKIP}
        return now | new_by_subject.get(node, set())

    focus: set[ox.NamedNode | ox.BlankNode] = set()
    vanished: set[ox.NamedNode | ox.BlankNode] = set()
    for q in gone | new:
        if isinstance(q.subject, ox.NamedNode | ox.BlankNode):
            focus.add(q.subject)
    for node in list(focus):
        if not after(node):
            # Removed altogether: nothing left to validate, but what still points to it is checked
            # (a dangling link to a deleted source or regulator breaks its referrer's shape).
            focus.discard(node)
            vanished.add(node)
    incoming = store.incoming  # type: ignore[attr-defined]
    for node in vanished:
        focus.update(
            q.subject
            for q in incoming(node)
            if q not in gone and isinstance(q.subject, ox.NamedNode | ox.BlankNode) and _graph(q) not in _SKIP
        )
    data: set[ox.Quad] = set(quads_of(None, vocab.ONTOLOGY_GRAPH))
    reached: set[ox.NamedNode | ox.BlankNode] = set()
    for node in focus:
        mine = after(node)
        # what links to it too (shapes with inverse paths: a penalty is some action's outcome)
        mine |= {q for q in incoming(node) if q not in gone and _graph(q) not in _SKIP}
        mine |= new_by_object.get(node, set())
        data |= mine
        reached.update(q.object for q in mine if isinstance(q.object, ox.NamedNode | ox.BlankNode))
    for node in reached - focus:
        data |= after(node)
    # One graph for the shapes: the union, as queries see it.
    triples = [ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in data]
    return validate_quads(triples, report_subjects={n.value for n in focus if isinstance(n, ox.NamedNode)})
