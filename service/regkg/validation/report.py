"""SHACL validation with pyshacl, and a report people can read.

pyshacl needs rdflib graphs; the files are parsed with pyoxigraph (fast, with
line and column on errors) and handed over as N-Triples, which rdflib reads
quickly. Whole-graph checks that would be slow as per-node SPARQL constraints
are the ``shapes/*-violation.rq`` queries: each must return no rows.
"""

from __future__ import annotations

import functools
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
import rdflib
from pyshacl import validate as shacl_validate
from rdflib.namespace import SH
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.processor import SPARQLProcessor
from rdflib.plugins.sparql.sparql import Query

from regkg import resources, vocab

__all__ = ["ValidationReport", "Violation", "shapes_graph", "validate_quads"]


@dataclass(frozen=True)
class Violation:
    """One failed constraint."""

    focus: str
    message: str
    shape: str
    path: str | None = None
    value: str | None = None
    severity: str = "Violation"
    source_file: str | None = None


@dataclass
class ValidationReport:
    violations: list[Violation] = field(default_factory=list)
    checked_triples: int = 0

    @property
    def conforms(self) -> bool:
        return not any(v.severity == "Violation" for v in self.violations)

    def by_focus(self) -> dict[str, list[Violation]]:
        groups: dict[str, list[Violation]] = defaultdict(list)
        for v in self.violations:
            groups[v.focus].append(v)
        return dict(sorted(groups.items()))

    def as_dict(self) -> dict[str, object]:
        return {
            "conforms": self.conforms,
            "checked_triples": self.checked_triples,
            "results": [
                {
                    "focus": focus,
                    "file": vs[0].source_file,
                    "violations": [
                        {
                            "message": v.message,
                            "path": v.path,
                            "value": v.value,
                            "shape": v.shape,
                            "severity": v.severity,
                        }
                        for v in vs
                    ],
                }
                for focus, vs in self.by_focus().items()
            ],
        }


@contextmanager
def _quiet_ill_typed_literals() -> Iterator[None]:
    """rdflib logs a traceback for every ill-typed literal ("2021-13-45"^^xsd:date) it reads; the
    shapes report such a literal as a violation, so the traceback only hides the report."""
    log = logging.getLogger("rdflib.term")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(level)


# pyShacl hands rdflib each sh:sparql constraint as text, once per focus node, and rdflib parses the
# text every time (pyparsing, about 0.1 s a query): most of a validation's time went there. While
# validate_quads runs, each text is parsed once and the prepared query reused for every focus node,
# as rdflib's own prepareQuery is meant to be used (the bindings differ, the query does not).
_prepared: ContextVar[dict[tuple[str, str | None, str], Query] | None] = ContextVar("regkg_prepared", default=None)


def _install_prepared_queries() -> None:
    original = SPARQLProcessor.query
    if getattr(original, "_regkg_prepared", False):
        return

    def query(
        self: SPARQLProcessor,
        strOrQuery: str | Query,
        initBindings: Mapping[str, Any] | None = None,
        initNs: Mapping[str, Any] | None = None,
        base: str | None = None,
        DEBUG: bool = False,
    ) -> Mapping[str, Any]:
        cache = _prepared.get()
        if cache is not None and isinstance(strOrQuery, str):
            key = (strOrQuery, base, repr(sorted((initNs or {}).items())))
            prepared = cache.get(key)
            if prepared is None:
                prepared = cache[key] = translateQuery(parseQuery(strOrQuery), base, initNs)
            strOrQuery = prepared
        return original(self, strOrQuery, initBindings, initNs, base, DEBUG)

    query._regkg_prepared = True  # type: ignore[attr-defined]
    SPARQLProcessor.query = query  # type: ignore[assignment,method-assign]


@contextmanager
def _prepared_queries() -> Iterator[None]:
    _install_prepared_queries()
    token = _prepared.set({})
    try:
        yield
    finally:
        _prepared.reset(token)


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _rdflib_term(term: object) -> rdflib.term.Node:
    """A pyoxigraph term as rdflib reads it from N-Triples (a plain literal has no datatype)."""
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    assert isinstance(term, ox.Literal), term
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    return rdflib.Literal(term.value, datatype=None if datatype == _XSD_STRING else rdflib.URIRef(datatype))


def _to_rdflib(quads: Iterable[ox.Quad]) -> rdflib.Graph:
    """Quads -> one rdflib graph (graph names dropped), term by term (parsing N-Triples took longer)."""
    g = rdflib.Graph()
    terms: dict[object, rdflib.term.Node] = {}

    def term(t: object) -> rdflib.term.Node:
        found = terms.get(t)
        if found is None:
            found = terms[t] = _rdflib_term(t)
        return found

    for q in quads:
        g.add((term(q.subject), term(q.predicate), term(q.object)))  # type: ignore[arg-type]
    return g


def shapes_graph(types: frozenset[str] | None = None) -> rdflib.Graph:
    """The shapes, parsed once per version of shapes/ (a write validates against them each time;
    pySHACL reads the shapes graph and leaves it as it is).

    With ``types`` (the classes of the resources to report on, superclasses included), a shapes
    file whose every shape targets only classes outside them is left out: its shapes could not
    report on those resources. So a write of data does not re-validate the ontology's ~100 terms
    against ontology-style.ttl (about half of a small write's time went there)."""
    files = tuple((str(p), p.stat().st_mtime_ns) for p in sorted(resources.shapes_dir().glob("*.ttl")))
    if types is not None:
        files = tuple(f for f in files if (targets := _class_targets(f, files)) is None or targets & types)
    return _shapes_graph(files)


@functools.lru_cache(maxsize=8)
def _shapes_graph(files: tuple[tuple[str, int], ...]) -> rdflib.Graph:
    g = rdflib.Graph()
    for path, _mtime in files:
        g.parse(path, format="turtle")
    return g


_OTHER_TARGETS = (SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)


@functools.lru_cache(maxsize=16)
def _class_targets(file: tuple[str, int], files: tuple[tuple[str, int], ...]) -> frozenset[str] | None:
    """The classes a shapes file's shapes target, or None when it may be skipped for no data: a
    shape with another kind of target (or an implicit class target), or a shape another of
    ``files`` refers to (all of them, with their versions, are the cache key)."""
    g = rdflib.Graph().parse(file[0], format="turtle")
    if any(True for p in _OTHER_TARGETS for _ in g.triples((None, p, None))):
        return None
    shapes = set(g.subjects(rdflib.RDF.type, SH.NodeShape)) | set(g.subjects(rdflib.RDF.type, SH.PropertyShape))
    if any((s, rdflib.RDF.type, rdflib.RDFS.Class) in g or (s, rdflib.RDF.type, rdflib.OWL.Class) in g for s in shapes):
        return None
    named = {s for s in shapes if isinstance(s, rdflib.URIRef)}
    for other, _version in files:
        if other != file[0] and named & set(rdflib.Graph().parse(other, format="turtle").objects()):
            return None
    return frozenset(str(c) for c in g.objects(None, SH.targetClass))


def _types_of(data: rdflib.Graph, subjects: set[str]) -> frozenset[str]:
    """The classes of ``subjects`` and of every blank node in ``data``, with their superclasses
    there (rdfs:subClassOf*)."""
    found: set[rdflib.term.Node] = set()
    nodes = {rdflib.URIRef(s) for s in subjects} | {s for s in data.subjects() if isinstance(s, rdflib.BNode)}
    frontier = [t for s in nodes for t in data.objects(s, rdflib.RDF.type)]
    while frontier:
        c = frontier.pop()
        if c not in found:
            found.add(c)
            frontier.extend(data.objects(c, rdflib.RDFS.subClassOf))
    return frozenset(str(c) for c in found)


def _violation_queries() -> list[tuple[str, str]]:
    return [(p.stem, p.read_text()) for p in sorted(resources.shapes_dir().glob("*-violation.rq"))]


def _short(term: rdflib.term.Node | None) -> str | None:
    if term is None:
        return None
    if isinstance(term, rdflib.BNode):
        return "(blank node)"
    return str(term)


def _shape_name(shapes: rdflib.Graph, shape: rdflib.term.Node | None) -> str:
    """A shape's IRI; for an anonymous property shape, the node shape that holds it."""
    if shape is None:
        return "?"
    if isinstance(shape, rdflib.URIRef):
        return str(shape)
    owner = shapes.value(None, SH.property, shape)
    return str(owner) if owner is not None else "(anonymous shape)"


def _owner(g: rdflib.Graph, node: rdflib.term.Node) -> tuple[str, str] | None:
    """The nearest IRI that links to a blank node (breadth first), and the property it links with."""
    frontier, seen = [node], {node}
    while frontier:
        current = frontier.pop(0)
        for s, p in g.subject_predicates(current):
            if isinstance(s, rdflib.URIRef):
                return str(s), str(p)
            if s not in seen:
                seen.add(s)
                frontier.append(s)
    return None


def _ox_owner(store: ox.Store, node: ox.BlankNode) -> str | None:
    """The nearest IRI that links to a blank node, in a pyoxigraph store."""
    frontier: list[ox.BlankNode] = [node]
    seen = {node}
    while frontier:
        current = frontier.pop(0)
        for q in store.quads_for_pattern(None, None, current, None):
            if isinstance(q.subject, ox.NamedNode):
                return q.subject.value
            if isinstance(q.subject, ox.BlankNode) and q.subject not in seen:
                seen.add(q.subject)
                frontier.append(q.subject)
    return None


def _path_text(g: rdflib.Graph, path: rdflib.term.Node | None) -> str | None:
    if path is None:
        return None
    if isinstance(path, rdflib.URIRef):
        return str(path)
    inv = g.value(path, SH.inversePath)
    if inv is not None:
        return f"^{inv}"
    alt = g.value(path, SH.alternativePath)
    if alt is not None:
        items = list(rdflib.collection.Collection(g, alt))
        return "|".join(_path_text(g, i) or "?" for i in items)
    return "(complex path)"


@_quiet_ill_typed_literals()
@_prepared_queries()
def validate_quads(
    quads: Sequence[ox.Quad],
    *,
    report_subjects: set[str] | None = None,
    subject_files: dict[str, str] | None = None,
) -> ValidationReport:
    """Validate data quads (ontology included by the caller) against shapes/.

    ``report_subjects`` limits the report to those focus nodes (the resources of
    the files the user named); the rest of the data is context for sh:class checks.
    """
    data = _to_rdflib(quads)
    # (the results reported are on report_subjects and on blank nodes, whoever holds them)
    shapes = shapes_graph(None if report_subjects is None else _types_of(data, report_subjects))
    _conforms, results, _text = shacl_validate(
        data,
        shacl_graph=shapes,
        inference="none",
        abort_on_first=False,
        allow_warnings=True,
        advanced=True,
        inplace=True,  # no rules, no inference: nothing is added, so the graph need not be copied first
    )
    report = ValidationReport(checked_triples=len(data))
    assert isinstance(results, rdflib.Graph)
    for r in results.subjects(rdflib.RDF.type, SH.ValidationResult):
        focus_node = results.value(r, SH.focusNode)
        focus = _short(focus_node) or "?"
        path = _path_text(results, results.value(r, SH.resultPath))
        owner = _owner(data, focus_node) if isinstance(focus_node, rdflib.BNode) else None
        if owner is not None:
            # A blank node (an inline amount, say) is reported under the IRI that links to it,
            # so that it is grouped with that resource and not filtered out of a file's report.
            focus, link = owner
            path = f"{link}/{path}" if path else link
        unowned_blank = isinstance(focus_node, rdflib.BNode) and owner is None  # cannot be traced to a file: kept
        if report_subjects is not None and focus not in report_subjects and not unowned_blank:
            continue
        severity = results.value(r, SH.resultSeverity)
        sev = str(severity).rsplit("#", 1)[-1] if severity else "Violation"
        source_shape = _shape_name(shapes, results.value(r, SH.sourceShape))
        message = results.value(r, SH.resultMessage)
        report.violations.append(
            Violation(
                focus=focus,
                message=str(message) if message else "constraint failed",
                shape=source_shape,
                path=path,
                value=_short(results.value(r, SH.value)),
                severity=sev,
                source_file=(subject_files or {}).get(focus),
            )
        )
    # Whole-graph checks: SPARQL queries that must return no rows; each projects ?this and ?message.
    checks = _violation_queries()
    if checks:
        store = ox.Store()
        store.extend(quads)
        for name, query in checks:
            for row in store.query(vocab.sparql_prefixes() + query, use_default_graph_as_union=True):  # type: ignore[union-attr]
                this = row["this"]
                focus = this.value if this is not None else "?"
                holder = _ox_owner(store, this) if isinstance(this, ox.BlankNode) else None
                if holder is not None:
                    focus = holder  # as for shapes: a blank node is reported under the IRI that links to it
                unowned = isinstance(this, ox.BlankNode) and holder is None
                if report_subjects is not None and focus not in report_subjects and not unowned:
                    continue
                message = row["message"]
                msg = message.value if message is not None else name
                report.violations.append(
                    Violation(
                        focus=focus,
                        message=msg,
                        shape=f"shapes/{name}.rq",
                        source_file=(subject_files or {}).get(focus),
                    )
                )
    return report
