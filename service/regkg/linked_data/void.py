"""The dataset describes itself: VoID and DCAT, served at ``/.well-known/void`` and written
at the head of every dump.

Counts are of the data as the export writes it, the description itself left out:

* ``void:triples`` -- distinct triples of the union of all graphs (what a triple-format dump
  parses to);
* ``void:subset`` -- one per named graph, with ``sd:name`` and its ``void:triples`` (what an
  N-Quads or TriG dump holds in that graph); their sum is the number of quads;
* ``void:classPartition`` -- per class, ``void:entities`` = distinct instances;
* ``void:propertyPartition`` -- per property, ``void:triples`` = distinct triples;
* ``void:distinctSubjects`` / ``void:distinctObjects`` / ``void:classes`` / ``void:properties``.

``dct:modified`` is when the service first saw the store's current data version (its load,
or the last write); ``owl:versionInfo`` is that data version. Every node of the description
has an IRI in ``Urls.void_namespace`` (``{base}.well-known/void#...``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

import pyoxigraph as ox

from regkg import urls, vocab
from regkg.store.base import Store

__all__ = ["DATA_LICENSE", "Stats", "compute_stats", "describe_dataset", "first_seen"]

DATA_LICENSE: Final = "https://creativecommons.org/licenses/by/4.0/"

_Q_GRAPHS: Final = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
_Q_DEFAULT: Final = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
_Q_PREDICATES: Final = "SELECT DISTINCT ?p WHERE { ?s ?p ?o }"
#: Distinct triples of one property; one property at a time keeps the DISTINCT's hash table to the
#: largest property's size (42 MB instead of 226 MB at a million triples, in the same 3.7 s).
_Q_PROPERTY: Final = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?o WHERE { ?s <P> ?o } }"
_Q_CLASSES: Final = "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c"
_Q_DISTINCT: Final = """SELECT (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?o) AS ?objects)
    WHERE { ?s ?p ?o }"""


@dataclass(frozen=True)
class Stats:
    """Counts of one data version."""

    data_version: str
    graphs: Mapping[str, int]
    default_graph: int
    properties: Mapping[str, int]
    classes: Mapping[str, int]
    subjects: int
    objects: int
    modified: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    @property
    def triples(self) -> int:
        return sum(self.properties.values())

    @property
    def quads(self) -> int:
        return sum(self.graphs.values()) + self.default_graph


_seen: dict[str, dt.datetime] = {}
_seen_lock = threading.Lock()


def first_seen(data_version: str) -> dt.datetime:
    """When this process first saw ``data_version`` (UTC, to the second)."""
    with _seen_lock:
        if data_version not in _seen:
            _seen[data_version] = dt.datetime.now(dt.UTC).replace(microsecond=0)
        return _seen[data_version]


def _int(term: object) -> int:
    return int(term.value) if isinstance(term, ox.Literal) else 0


def _rows(store: Store, sparql: str, *, union: bool = True) -> list[ox.QuerySolution]:
    result = store.query(sparql, query_dataset=not union)
    assert isinstance(result, ox.QuerySolutions)
    return list(result)


def compute_stats(store: Store) -> Stats:
    """Count the store: a few aggregate queries and one per property (3.7 s and 42 MB of transient
    memory on a million triples; bench/results/export-memory.md)."""
    version = store.data_version
    graphs = {r["g"].value: _int(r["n"]) for r in _rows(store, _Q_GRAPHS, union=False) if r["g"] is not None}
    default = _int(_rows(store, _Q_DEFAULT, union=False)[0]["n"])
    predicates = [r["p"].value for r in _rows(store, _Q_PREDICATES) if isinstance(r["p"], ox.NamedNode)]
    properties = {p: _int(_rows(store, _Q_PROPERTY.replace("<P>", str(ox.NamedNode(p))))[0]["n"]) for p in predicates}
    classes = {r["c"].value: _int(r["n"]) for r in _rows(store, _Q_CLASSES) if isinstance(r["c"], ox.NamedNode)}
    d = _rows(store, _Q_DISTINCT)[0]
    return Stats(
        data_version=version,
        graphs=dict(sorted(graphs.items())),
        default_graph=default,
        properties=dict(sorted(properties.items())),
        classes=dict(sorted(classes.items())),
        subjects=_int(d["subjects"]),
        objects=_int(d["objects"]),
        modified=first_seen(version),
    )


def _h(iri: str) -> str:
    return hashlib.sha1(iri.encode(), usedforsecurity=False).hexdigest()[:12]


def describe_dataset(stats: Stats, u: urls.Urls, root: str) -> list[ox.Triple]:
    """The VoID/DCAT description; ``root`` is where the service answers (``http://host:8000/``),
    used for the SPARQL endpoint and the dump URLs."""
    N, L = ox.NamedNode, ox.Literal
    ns = u.void_namespace
    ds = N(u.dataset)
    xsd_int = N(vocab.XSD + "integer")
    a = N(vocab.RDF + "type")
    VOID, DCAT, DCT = vocab.VOID, vocab.DCAT, vocab.DCT
    out: list[ox.Triple] = []

    def add(s: ox.NamedNode, p: str, o: ox.NamedNode | ox.Literal) -> None:
        out.append(ox.Triple(s, N(p), o))

    def count(n: int) -> ox.Literal:
        return L(str(n), datatype=xsd_int)

    out.append(ox.Triple(ds, a, N(VOID + "Dataset")))
    out.append(ox.Triple(ds, a, N(DCAT + "Dataset")))
    add(ds, DCT + "title", L("regkg: a knowledge graph of technology-regulation events", language="en"))
    add(
        ds,
        DCT + "description",
        L(
            "Regulators, companies, the platforms they operate, and the enforcement actions (probes, fines, "
            "orders) regulators take against them, each traced to a published source.",
            language="en",
        ),
    )
    add(ds, DCT + "license", N(DATA_LICENSE))
    add(ds, DCT + "modified", L(stats.modified.strftime("%Y-%m-%dT%H:%M:%SZ"), datatype=N(vocab.XSD + "dateTime")))
    add(ds, vocab.OWL + "versionInfo", L(stats.data_version))
    add(ds, DCT + "conformsTo", N(vocab.ONTOLOGY_IRI))
    add(ds, VOID + "vocabulary", N(vocab.RK))
    add(ds, VOID + "uriSpace", L(u.things))
    add(ds, DCAT + "landingPage", N(urls.absolute(root, "/")))
    endpoint = N(urls.absolute(root, urls.SPARQL))
    add(ds, VOID + "sparqlEndpoint", endpoint)
    service = N(ns + "sparql")
    out.append(ox.Triple(service, a, N(DCAT + "DataService")))
    add(service, DCAT + "endpointURL", endpoint)
    add(service, DCAT + "servesDataset", ds)
    add(ds, DCAT + "accessService", service)

    from regkg.linked_data.export import EXPORT_FORMATS

    for ext, fmt in EXPORT_FORMATS.items():
        dump = N(urls.absolute(root, u.export(ext)))
        add(ds, VOID + "dataDump", dump)
        dist = N(f"{ns}dump-{ext}")
        add(ds, DCAT + "distribution", dist)
        out.append(ox.Triple(dist, a, N(DCAT + "Distribution")))
        add(dist, DCAT + "downloadURL", dump)
        add(dist, DCAT + "mediaType", N("https://www.iana.org/assignments/media-types/" + fmt.media_type))
        add(dist, DCT + "format", L(fmt.media_type))
        add(dist, DCT + "license", N(DATA_LICENSE))

    add(ds, VOID + "triples", count(stats.triples))
    add(ds, VOID + "distinctSubjects", count(stats.subjects))
    add(ds, VOID + "distinctObjects", count(stats.objects))
    add(ds, VOID + "properties", count(len(stats.properties)))
    add(ds, VOID + "classes", count(len(stats.classes)))
    for graph, n in stats.graphs.items():
        sub = N(f"{ns}graph-{_h(graph)}")
        add(ds, VOID + "subset", sub)
        out.append(ox.Triple(sub, a, N(VOID + "Dataset")))
        add(sub, vocab.SD + "name", N(graph))
        add(sub, VOID + "triples", count(n))
    for cls, n in stats.classes.items():
        part = N(f"{ns}class-{_h(cls)}")
        add(ds, VOID + "classPartition", part)
        add(part, VOID + "class", N(cls))
        add(part, VOID + "entities", count(n))
    for prop, n in stats.properties.items():
        part = N(f"{ns}property-{_h(prop)}")
        add(ds, VOID + "propertyPartition", part)
        add(part, VOID + "property", N(prop))
        add(part, VOID + "triples", count(n))
    out.sort(key=lambda t: (t.subject != ds, str(t.subject)))  # one block per node in Turtle
    return out


#: Prefixes for serialising the description.
PREFIXES: Final[dict[str, str]] = {
    **vocab.PREFIXES,
    "void": vocab.VOID,
    "dcat": vocab.DCAT,
    "sd": vocab.SD,
}
