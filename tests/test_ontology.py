"""ontology/: it parses, passes its own style shapes (shapes/ontology-style.ttl), and every
class and property is labelled, commented and defined by the ontology."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from pyshacl import validate as shacl_validate
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from regkg import loading, resources, vocab
from regkg.validation import validate_quads

ONTOLOGY = rdflib.URIRef(vocab.ONTOLOGY_IRI)
TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
FILES = sorted(resources.ontology_dir().glob("*.ttl"))


@pytest.fixture(scope="module")
def graph() -> rdflib.Graph:
    g = rdflib.Graph()
    for p in FILES:
        g.parse(p, format="turtle")
    return g


def terms(g: rdflib.Graph) -> list[rdflib.URIRef]:
    found = {s for t in TERM_TYPES for s in g.subjects(RDF.type, t) if isinstance(s, rdflib.URIRef)}
    return sorted(found)


def test_there_are_ontology_files() -> None:
    assert resources.ontology_dir() / "regkg.ttl" in FILES


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_ontology_file_parses_with_pyoxigraph_and_rdflib(path: Path) -> None:
    quads = loading.parse_file(path, vocab.ONTOLOGY_GRAPH)
    assert quads
    g = rdflib.Graph().parse(path, format="turtle")
    assert len(g) == len({(q.subject, q.predicate, q.object) for q in quads})


def test_ontology_header(graph: rdflib.Graph) -> None:
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in graph
    version_iris = list(graph.objects(ONTOLOGY, OWL.versionIRI))
    version_infos = [str(v) for v in graph.objects(ONTOLOGY, OWL.versionInfo)]
    assert len(version_iris) == 1 and len(version_infos) == 1
    assert str(version_iris[0]) == f"{vocab.ONTOLOGY_IRI}/{version_infos[0]}", "owl:versionIRI ends in owl:versionInfo"
    assert re.fullmatch(r"\d+\.\d+\.\d+", version_infos[0]), "owl:versionInfo is a semantic version"
    assert graph.value(ONTOLOGY, RDFS.label) is not None and graph.value(ONTOLOGY, RDFS.comment) is not None


def test_ontology_passes_its_style_shapes(graph: rdflib.Graph) -> None:
    style = rdflib.Graph().parse(resources.shapes_dir() / "ontology-style.ttl", format="turtle")
    conforms, _results, report = shacl_validate(graph, shacl_graph=style, inference="none", advanced=True)
    assert conforms, report


def test_ontology_passes_all_shapes_through_the_validator() -> None:
    quads: list[ox.Quad] = []
    for f in loading.ontology_files():
        quads.extend(loading.parse_file(f.path, f.graph))
    report = validate_quads(quads)
    assert report.conforms, [(v.focus, v.message) for v in report.violations]


def test_every_term_is_labelled_commented_and_defined_by_the_ontology(graph: rdflib.Graph) -> None:
    found = terms(graph)
    assert len(found) > 40
    problems = []
    for t in found:
        if not str(t).startswith(vocab.RK):
            problems.append(f"{t}: declared outside the rk: namespace")
        labels = [o for o in graph.objects(t, RDFS.label) if isinstance(o, rdflib.Literal) and o.language == "en"]
        comments = [o for o in graph.objects(t, RDFS.comment) if isinstance(o, rdflib.Literal) and o.language == "en"]
        if not labels:
            problems.append(f"{t}: no English rdfs:label")
        if not comments:
            problems.append(f"{t}: no English rdfs:comment")
        if (t, RDFS.isDefinedBy, ONTOLOGY) not in graph:
            problems.append(f"{t}: not rdfs:isDefinedBy the ontology")
    assert not problems, "\n".join(problems)


def test_class_and_property_names_follow_the_naming_rules(graph: rdflib.Graph) -> None:
    for c in graph.subjects(RDF.type, OWL.Class):
        assert re.fullmatch(r"[A-Z][A-Za-z0-9]*", str(c)[len(vocab.RK) :]), f"{c} is not UpperCamelCase"
    for t in (OWL.ObjectProperty, OWL.DatatypeProperty):
        for p in graph.subjects(RDF.type, t):
            assert re.fullmatch(r"[a-z][A-Za-z0-9]*", str(p)[len(vocab.RK) :]), f"{p} is not lowerCamelCase"


def test_design_classes_and_reuse(graph: rdflib.Graph) -> None:
    """The model of DESIGN §4: its classes exist and control rolls up through W3C ORG."""
    rk = rdflib.Namespace(vocab.RK)
    for name in ("Regulator", "Company", "Platform", "EnforcementAction", "Probe", "Penalty", "Fine",
                 "RectificationOrder", "AccountBan", "AppRemoval", "ServiceSuspension", "Commitment",
                 "Campaign", "Rule", "Initiative", "Source", "Jurisdiction"):  # fmt: skip
        assert (rk[name], RDF.type, OWL.Class) in graph, f"rk:{name} is missing"
    org = rdflib.Namespace(vocab.ORG)
    assert (rk.subsidiaryOf, RDFS.subPropertyOf, org.subOrganizationOf) in graph
    assert (rk.minorityStakeIn, RDFS.subPropertyOf, org.subOrganizationOf) not in graph
    assert (rk.Fine, RDFS.subClassOf, rk.Penalty) in graph


@pytest.mark.parametrize("scheme", [vocab.CONCERN, vocab.SECTOR])
def test_concept_schemes_have_english_and_chinese_labels(graph: rdflib.Graph, scheme: str) -> None:
    concepts = list(graph.subjects(SKOS.inScheme, rdflib.URIRef(scheme)))
    assert concepts
    for c in concepts:
        langs = {o.language for o in graph.objects(c, SKOS.prefLabel) if isinstance(o, rdflib.Literal)}
        assert {"en", "zh"} <= langs, f"{c} lacks an English or Chinese skos:prefLabel"


def test_concern_scheme_covers_the_issue(graph: rdflib.Graph) -> None:
    for slug in ("antitrust", "data-security", "child-safety", "privacy", "consumer-protection", "content"):
        assert (rdflib.URIRef(vocab.CONCERN + slug), RDF.type, SKOS.Concept) in graph, slug
