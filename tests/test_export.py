"""Export round trip: export the shipped graph, load the dump into a fresh store, and the two are
isomorphic (rdflib's ``isomorphic``): per named graph for N-Quads, TriG and JSON-LD (which keep
the named graphs), on the merged triples for Turtle and N-Triples. A failure prints the triples found on one side only.

Also: ``regkg export`` writes parseable files, and JSON-LD refers to the published context.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import graph_diff, isomorphic

from regkg import urls, vocab
from regkg.linked_data import export as exp
from regkg.linked_data import jsonld, void
from regkg.store import EmbeddedStore
from regkg.store.sync import shipped_in_memory

CONTEXT_URL = "https://w3id.org/regkg/context.jsonld"


@pytest.fixture(scope="module")
def store() -> EmbeddedStore:
    return shipped_in_memory()  # type: ignore[return-value]


@pytest.fixture(scope="module")
def description(store: EmbeddedStore) -> list[ox.Triple]:
    u = urls.for_base()
    return void.describe_dataset(void.compute_stats(store), u, u.base_iri)


@pytest.fixture(scope="module")
def original(store: EmbeddedStore) -> dict[str, rdflib.Graph]:
    """The store's graphs as rdflib graphs, by name."""
    return _graphs(store.ox)


def _term(t: object) -> rdflib.term.Node:
    if isinstance(t, ox.NamedNode):
        return rdflib.URIRef(t.value)
    if isinstance(t, ox.BlankNode):
        return rdflib.BNode(t.value)
    if isinstance(t, ox.Literal):
        if t.language:
            return rdflib.Literal(t.value, lang=t.language)
        return rdflib.Literal(t.value, datatype=rdflib.URIRef(t.datatype.value))
    raise TypeError(t)


def _graphs(quads: Iterable[ox.Quad]) -> dict[str, rdflib.Graph]:
    """rdflib graphs by graph name ("" for the default graph)."""
    out: dict[str, rdflib.Graph] = defaultdict(rdflib.Graph)
    for q in quads:
        name = "" if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value  # type: ignore[union-attr]
        out[name].add((_term(q.subject), _term(q.predicate), _term(q.object)))
    return out


def _merged(graphs: dict[str, rdflib.Graph]) -> rdflib.Graph:
    g = rdflib.Graph()
    for part in graphs.values():
        for t in part:
            g.add(t)
    return g


def assert_isomorphic(expected: rdflib.Graph, actual: rdflib.Graph, what: str) -> None:
    if isomorphic(expected, actual):
        return
    _both, only_expected, only_actual = graph_diff(expected, actual)
    lines = [f"{what}: not isomorphic ({len(expected)} expected, {len(actual)} after the round trip)"]
    for label, g in (("only in the store", only_expected), ("only in the dump", only_actual)):
        nt = sorted(g.serialize(format="nt").splitlines())
        lines.append(f"--- {label}: {len(nt)} triple(s)")
        lines.extend(nt[:25])
    pytest.fail("\n".join(lines))


def _load(data: bytes, ext: str) -> list[ox.Quad]:
    """Load a dump into a fresh store; a JSON-LD dump's context URL is replaced by the context itself."""
    if ext == "jsonld":
        doc = json.loads(data)
        assert doc["@context"] == CONTEXT_URL
        doc["@context"] = jsonld.context_document()["@context"]
        data = json.dumps(doc).encode()
    fresh = ox.Store()
    fresh.load(data, format=exp.EXPORT_FORMATS[ext].rdf_format or ox.RdfFormat.JSON_LD)
    return list(fresh)


@pytest.mark.parametrize("ext", list(exp.EXPORT_FORMATS))
def test_round_trip_is_isomorphic(
    store: EmbeddedStore, description: list[ox.Triple], original: dict[str, rdflib.Graph], ext: str
) -> None:
    fmt = exp.EXPORT_FORMATS[ext]
    buf = io.BytesIO()
    n = exp.write_export(store, fmt, buf, description=description, context_url=CONTEXT_URL)
    assert n == store.count() + len(description)
    described = _graphs(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(vocab.VOID_GRAPH)) for t in description)
    reloaded = _graphs(_load(buf.getvalue(), ext))
    if ext in {"nq", "trig", "jsonld"}:
        expected = {**original, **described}
        assert sorted(reloaded) == sorted(expected), "the same named graphs"
        for name in expected:
            assert_isomorphic(expected[name], reloaded[name], f"{ext}: graph <{name}>")
    else:
        assert set(reloaded) == {""}, "a triple format has only the default graph"
        assert_isomorphic(_merged({**original, **described}), reloaded[""], f"{ext}: merged triples")


def test_triple_count_is_what_void_says(store: EmbeddedStore, original: dict[str, rdflib.Graph]) -> None:
    stats = void.compute_stats(store)
    merged = _merged(original)
    assert stats.triples == len(merged)
    assert stats.quads == store.count()
    assert sum(stats.graphs.values()) + stats.default_graph == store.count()


def test_export_format_choice() -> None:
    assert exp.export_format(None).extension == "nq"
    assert exp.export_format(None, "text/turtle").extension == "ttl"
    assert exp.export_format(None, "application/trig;q=0.9, application/n-quads;q=0.1").extension == "trig"
    assert exp.export_format("jsonld").extension == "jsonld"
    assert exp.export_format("application/n-triples").extension == "nt"
    for bad in ("rdf", "application/rdf+xml", "xml"):
        with pytest.raises(exp.formats.NotAcceptable):
            exp.export_format(bad)


@pytest.mark.parametrize(("ext", "rdflib_format"), [("nt", "nt"), ("trig", "trig")])
def test_cli_export_writes_a_parseable_file(tmp_path: Path, ext: str, rdflib_format: str) -> None:
    out = tmp_path / f"dump.{ext}"
    env = {k: v for k, v in os.environ.items() if k != "REGKG_BASE_IRI"}
    proc = subprocess.run(
        [sys.executable, "-m", "regkg.cli", "export", "--format", ext, "-o", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "wrote" in proc.stderr
    from tests.test_linked_data import merged, rdflib_parse

    g = merged(rdflib_parse(out.read_text(encoding="utf-8"), rdflib_format))
    dataset = rdflib.URIRef(urls.for_base().dataset)
    assert (dataset, rdflib.URIRef(vocab.VOID + "sparqlEndpoint"), rdflib.URIRef(vocab.BASE + "sparql")) in g
    assert int(g.value(dataset, rdflib.URIRef(vocab.VOID + "triples"))) > 1000


def test_cli_export_to_stdout_jsonld() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "regkg.cli", "export", "--format", "jsonld"],
        capture_output=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["@context"] == CONTEXT_URL
    assert len(doc["@graph"]) > 10
