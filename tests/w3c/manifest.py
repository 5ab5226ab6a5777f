"""Read W3C SPARQL test manifests (``manifest.ttl``) into :class:`W3CTest` records.

Each manifest lists its tests in ``mf:entries`` and other manifests in ``mf:include``. A test
is identified by its manifest-relative id, ``<folder>/manifest#<name>`` (the form used in
``expected-failures.txt``). Tests whose ``dawgt:approval`` is ``dawgt:Rejected`` or
``dawgt:Withdrawn`` are kept but marked, so that the runners skip them and say so.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final
from urllib.parse import unquote, urlparse

import pyoxigraph as ox

__all__ = [
    "ALL_SUITES",
    "QUERY_SUITES",
    "SUITES_ROOT",
    "UPDATE_SUITES",
    "W3CTest",
    "find_root",
    "graph_node",
    "load_manifest",
    "load_suites",
    "skip_reason",
]

MF: Final = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
QT: Final = "http://www.w3.org/2001/sw/DataAccess/tests/test-query#"
UT: Final = "http://www.w3.org/2009/sparql/tests/test-update#"
DAWGT: Final = "http://www.w3.org/2001/sw/DataAccess/tests/test-dawg#"
RDF: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS: Final = "http://www.w3.org/2000/01/rdf-schema#"

#: Where the suites are, relative to the repository (never copied into it).
SUITES_ROOT: Final = Path(__file__).resolve().parents[3] / "shared" / "w3c-rdf-tests" / "sparql" / "sparql11"

_NOT_RUN: Final = {DAWGT + "Rejected": "rejected", DAWGT + "Withdrawn": "withdrawn"}

Term = ox.NamedNode | ox.BlankNode | ox.Literal


#: The evaluation suites of manifest-sparql11-query.ttl (their syntax tests run over HTTP).
QUERY_SUITES: Final = [
    "aggregates",
    "bind",
    "bindings",
    "cast",
    "construct",
    "exists",
    "functions",
    "grouping",
    "negation",
    "project-expression",
    "property-path",
    "subquery",
    "json-res",
    "csv-tsv-res",
]
#: The evaluation suites of manifest-sparql11-update.ttl.
UPDATE_SUITES: Final = [
    "add",
    "basic-update",
    "clear",
    "copy",
    "delete-data",
    "delete-insert",
    "delete-where",
    "delete",
    "drop",
    "move",
    "update-silent",
]
#: Every suite folder a test module runs (for checking the ids in expected-failures.txt).
ALL_SUITES: Final = [
    *QUERY_SUITES,
    "syntax-query",
    "syntax-fed",
    *UPDATE_SUITES,
    "syntax-update-1",
    "syntax-update-2",
    "protocol",
]


def graph_node(graph: str) -> ox.NamedNode:
    return ox.NamedNode(graph)


def find_root() -> Path:
    """The sparql11 folder of the W3C suites (``REGKG_W3C_TESTS`` overrides)."""
    env = os.environ.get("REGKG_W3C_TESTS")
    return Path(env) if env else SUITES_ROOT


def skip_reason() -> str | None:
    """Why the W3C tests cannot run here, or None."""
    root = find_root()
    if not (root / "manifest-all.ttl").is_file():
        return f"the W3C SPARQL 1.1 test suites are not checked out at {root} (set REGKG_W3C_TESTS)"
    return None


@dataclass(frozen=True)
class GraphFile:
    """A data file and the graph it goes into (None: the default graph)."""

    path: Path
    graph: str | None = None


@dataclass(frozen=True)
class W3CTest:
    """One manifest entry."""

    id: str  # "<folder>/manifest#<name>"
    iri: str
    suite: str  # the folder, e.g. "aggregates"
    kind: str  # local name of the test type, e.g. "QueryEvaluationTest"
    name: str
    approval: str | None = None  # local name: Approved, Proposed, NotClassified, ...
    comment: str = ""
    #: syntax tests: the query/update file; evaluation tests: the query or update request
    action: Path | None = None
    data: tuple[GraphFile, ...] = ()  # dataset before (default graph and named graphs)
    result: Path | None = None  # query evaluation: the expected results file
    result_data: tuple[GraphFile, ...] = ()  # update evaluation: the dataset after
    #: the manifest node of the test, and the manifest's triples, for tests that read more
    #: (protocol tests).
    node: Term | None = None
    graph: ManifestGraph | None = field(default=None, compare=False, repr=False)

    @property
    def not_run(self) -> str | None:
        """``rejected`` / ``withdrawn`` for tests the suites no longer stand by."""
        return _NOT_RUN.get(DAWGT + (self.approval or ""))


class ManifestGraph:
    """The triples of one manifest, indexed by subject."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.base = path.resolve().as_uri()
        self._index: dict[Term, dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))
        for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=self.base):
            self._index[t.subject][t.predicate.value].append(t.object)  # type: ignore[index]

    def objects(self, s: Term, p: str) -> list[Term]:
        return list(self._index.get(s, {}).get(p, ()))

    def value(self, s: Term, p: str) -> Term | None:
        objs = self.objects(s, p)
        return objs[0] if objs else None

    def text(self, s: Term, p: str) -> str | None:
        v = self.value(s, p)
        return None if v is None else v.value

    def items(self, head: Term | None) -> list[Term]:
        """The members of an RDF list."""
        out: list[Term] = []
        while head is not None and not (isinstance(head, ox.NamedNode) and head.value == RDF + "nil"):
            first = self.value(head, RDF + "first")
            if first is not None:
                out.append(first)
            head = self.value(head, RDF + "rest")
        return out

    def manifest_node(self) -> ox.NamedNode:
        return ox.NamedNode(self.base)


def file_path(term: Term | None) -> Path | None:
    if not isinstance(term, ox.NamedNode) or not term.value.startswith("file:"):
        return None
    return Path(unquote(urlparse(term.value).path))


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _test_id(suite: str, iri: str) -> str:
    return f"{suite}/manifest#{iri.rsplit('#', 1)[-1]}" if "#" in iri else f"{suite}/{_local(iri)}"


def _graph_files(g: ManifestGraph, node: Term, default_p: str, named_p: str) -> list[GraphFile]:
    out = [GraphFile(p) for t in g.objects(node, default_p) if (p := file_path(t)) is not None]
    for t in g.objects(node, named_p):
        if isinstance(t, ox.NamedNode):
            p = file_path(t)
            if p is not None:
                out.append(GraphFile(p, t.value))
        else:  # update tests: [ ut:graph <file> ; rdfs:label "graph IRI" ]
            p = file_path(g.value(t, UT + "graph"))
            label = g.text(t, RDFS + "label")
            if p is not None:
                out.append(GraphFile(p, label or p.resolve().as_uri()))
    return out


def load_manifest(path: Path) -> list[W3CTest]:
    """The tests of one manifest (not of the manifests it includes)."""
    g = ManifestGraph(path)
    suite = path.parent.name
    tests: list[W3CTest] = []
    for entry in g.items(g.value(g.manifest_node(), MF + "entries")):
        types = [t.value for t in g.objects(entry, RDF + "type") if t.value.startswith(MF)]
        kind = _local(types[0]) if types else "Unknown"
        approval = g.value(entry, DAWGT + "approval")
        action = g.value(entry, MF + "action")
        result = g.value(entry, MF + "result")
        query_file: Path | None = file_path(action)
        data: list[GraphFile] = []
        result_data: list[GraphFile] = []
        result_file = file_path(result)
        if action is not None and query_file is None and kind != "ProtocolTest":
            query_file = file_path(g.value(action, QT + "query")) or file_path(g.value(action, UT + "request"))
            data = _graph_files(g, action, QT + "data", QT + "graphData") + _graph_files(
                g, action, UT + "data", UT + "graphData"
            )
        if result is not None and result_file is None:
            result_data = _graph_files(g, result, UT + "data", UT + "graphData")
        tests.append(
            W3CTest(
                id=_test_id(suite, entry.value),
                iri=entry.value,
                suite=suite,
                kind=kind,
                name=g.text(entry, MF + "name") or _local(entry.value),
                approval=_local(approval.value) if approval is not None else None,
                comment=g.text(entry, RDFS + "comment") or "",
                action=query_file,
                data=tuple(data),
                result=result_file,
                result_data=tuple(result_data),
                node=entry,
                graph=g,
            )
        )
    return tests


def included(path: Path) -> list[Path]:
    """The manifests a top-level manifest includes (``mf:include``), in order."""
    g = ManifestGraph(path)
    out = []
    for m in g.items(g.value(g.manifest_node(), MF + "include")):
        p = file_path(m)
        if p is not None:
            out.append(p)
    return out


def load_suites(*folders: str) -> list[W3CTest]:
    """The tests of the named suite folders (e.g. ``"aggregates"``), in manifest order."""
    root = find_root()
    out: list[W3CTest] = []
    for folder in folders:
        out += load_manifest(root / folder / "manifest.ttl")
    return out
