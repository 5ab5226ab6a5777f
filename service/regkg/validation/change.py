"""SHACL on a change: the resources it touches and what their shapes reach, not the whole graph.
The write gate, ``regkg import`` and ``regkg validate`` all check this way."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable

import pyoxigraph as ox

from regkg import vocab
from regkg.validation.report import ValidationReport, validate_quads

__all__ = ["QuadIndex", "affected_data", "validate_affected"]

# ------------------------------------------------------------------ a change: what it touches, not the whole graph

Node = ox.NamedNode | ox.BlankNode
Lookup = Callable[[Node], Iterable[ox.Quad]]


def _graph_of(q: ox.Quad) -> str:
    g = q.graph_name
    return "" if isinstance(g, ox.DefaultGraph) else str(g.value)


class QuadIndex:
    """Quads in memory, looked up by subject and by object: what :func:`affected_data` needs from
    a list of quads (the shipped files, say) as it does from a store."""

    def __init__(self, quads: Iterable[ox.Quad]) -> None:
        self._by_subject: dict[object, list[ox.Quad]] = defaultdict(list)
        self._by_object: dict[object, list[ox.Quad]] = defaultdict(list)
        self._ontology: list[ox.Quad] = []
        for q in quads:
            self._by_subject[q.subject].append(q)
            if isinstance(q.object, ox.NamedNode | ox.BlankNode):
                self._by_object[q.object].append(q)
            if _graph_of(q) == vocab.ONTOLOGY_GRAPH:
                self._ontology.append(q)

    def quads(self, subject: Node) -> list[ox.Quad]:
        return self._by_subject.get(subject, [])

    def incoming(self, node: Node) -> list[ox.Quad]:
        return self._by_object.get(node, [])

    def ontology(self) -> list[ox.Quad]:
        return self._ontology


def affected_data(
    quads_of: Lookup,
    incoming: Lookup,
    ontology: Iterable[ox.Quad],
    removed: Iterable[ox.Quad],
    added: Iterable[ox.Quad],
    *,
    skip_graphs: Collection[str] = (),
) -> tuple[list[ox.Quad], set[str]]:
    """The data a change's shapes read, and the resources to report on.

    The affected resources are the subjects of the quads the change removes or adds (a blank
    node counts as the resource that links to it). They are taken as they will be after the
    change, together with what links to them (shapes with inverse paths: a penalty is some
    action's outcome), the descriptions of the nodes they point to (for sh:class and nested
    shapes: an action's amount, its sources, its regulator's types) and the ontology (class
    hierarchy, term definitions). A resource the change removes altogether is not validated,
    but whatever still points to it is (a dangling link breaks its referrer's shape).

    ``quads_of(node)`` and ``incoming(node)`` give the quads before the change with ``node`` as
    subject and as object; quads in ``skip_graphs`` are left out (the inferred graph, recomputed
    after a change). Returns the quads, all in the default graph (the union, as queries see it),
    and the IRIs of the affected resources.
    """
    gone = {q for q in removed if _graph_of(q) not in skip_graphs}
    new = {q for q in added if _graph_of(q) not in skip_graphs}
    new_by_subject: dict[object, set[ox.Quad]] = defaultdict(set)
    new_by_object: dict[object, set[ox.Quad]] = defaultdict(set)
    for q in new:
        new_by_subject[q.subject].add(q)
        new_by_object[q.object].add(q)

    def kept(quads: Iterable[ox.Quad]) -> set[ox.Quad]:
        if not gone and not skip_graphs:
            return set(quads)
        return {q for q in quads if q not in gone and _graph_of(q) not in skip_graphs}

    def after(node: Node) -> set[ox.Quad]:
        return kept(quads_of(node)) | new_by_subject.get(node, set())

    focus: set[Node] = set()
    vanished: set[Node] = set()
    for q in gone | new:
        if isinstance(q.subject, ox.NamedNode | ox.BlankNode):
            focus.add(q.subject)
    for node in list(focus):
        if not after(node):
            focus.discard(node)
            vanished.add(node)
    for node in vanished:
        focus.update(q.subject for q in kept(incoming(node)) if isinstance(q.subject, ox.NamedNode | ox.BlankNode))
    data: set[ox.Quad] = set(ontology)
    reached: set[Node] = set()
    for node in focus:
        mine = after(node) | kept(incoming(node)) | new_by_object.get(node, set())
        data |= mine
        reached.update(q.object for q in mine if isinstance(q.object, ox.NamedNode | ox.BlankNode))
    for node in reached - focus:
        data |= after(node)
    triples = list(dict.fromkeys(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in data))
    return triples, {n.value for n in focus if isinstance(n, ox.NamedNode)}


def validate_affected(
    quads_of: Lookup,
    incoming: Lookup,
    ontology: Iterable[ox.Quad],
    removed: Iterable[ox.Quad],
    added: Iterable[ox.Quad],
    *,
    skip_graphs: Collection[str] = (),
    subject_files: dict[str, str] | None = None,
) -> ValidationReport:
    """SHACL on a change: the resources it affects and what their shapes reach (:func:`affected_data`),
    reported on the affected resources only. The write gate and ``regkg import`` both check this way."""
    # (pySHACL's own focus_nodes would be faster, but 0.40 then fails sh:qualifiedValueShape on
    # literals -- "exactly one English prefLabel" -- so the data is cut down instead.)
    data, focus = affected_data(quads_of, incoming, ontology, removed, added, skip_graphs=skip_graphs)
    return validate_quads(data, report_subjects=focus, subject_files=subject_files)
