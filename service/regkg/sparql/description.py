"""The SPARQL 1.1 Service Description of the query endpoint (GET /sparql without a query)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import pyoxigraph as ox

from regkg import formats
from regkg.config import Settings
from regkg.sparql.results import TRUNCATED_HEADER

__all__ = ["service_description"]

_SD: Final = "http://www.w3.org/ns/sparql-service-description#"
_FORMATS_NS: Final = "http://www.w3.org/ns/formats/"
_RESULT_FORMAT_IRIS: Final[dict[str, str]] = {
    "application/sparql-results+json": "SPARQL_Results_JSON",
    "application/sparql-results+xml": "SPARQL_Results_XML",
    "text/csv": "SPARQL_Results_CSV",
    "text/tab-separated-values": "SPARQL_Results_TSV",
    "text/turtle": "Turtle",
    "application/n-triples": "N-Triples",
    "application/ld+json": "JSON-LD",
    "application/rdf+xml": "RDF_XML",
    "application/n-quads": "N-Quads",
    "application/trig": "TriG",
}


def service_description(endpoint: str, graphs: Iterable[str], settings: Settings) -> list[ox.Triple]:
    """A SPARQL 1.1 Service Description of the query endpoint at ``endpoint``."""
    from regkg import vocab

    sd = ox.NamedNode(endpoint)
    rdf_type = ox.NamedNode(vocab.RDF + "type")

    def n(local: str) -> ox.NamedNode:
        return ox.NamedNode(_SD + local)

    ds = ox.BlankNode("dataset")
    dg = ox.BlankNode("defaultGraph")
    triples = [
        ox.Triple(sd, rdf_type, n("Service")),
        ox.Triple(sd, n("endpoint"), sd),
        ox.Triple(sd, n("supportedLanguage"), n("SPARQL11Query")),
        ox.Triple(sd, n("feature"), n("UnionDefaultGraph")),
        ox.Triple(sd, n("defaultDataset"), ds),
        ox.Triple(ds, rdf_type, n("Dataset")),
        ox.Triple(ds, n("defaultGraph"), dg),
        ox.Triple(dg, rdf_type, n("Graph")),
        ox.Triple(
            sd,
            ox.NamedNode(vocab.RDFS + "comment"),
            ox.Literal(
                "regkg SPARQL 1.1 endpoint (read only; updates at /update with a token). The default graph is "
                f"the union of the named graphs. Limits: {settings.query_timeout:g} s per query "
                f"(REGKG_QUERY_TIMEOUT), {settings.max_rows} rows (REGKG_MAX_ROWS; a cut result carries "
                f"{TRUNCATED_HEADER}: true), {settings.max_query_bytes} bytes per query. SERVICE, LOAD and "
                "FROM/USING of graphs outside the store are refused.",
                language="en",
            ),
        ),
    ]
    for fmt in formats.FORMATS:
        local = _RESULT_FORMAT_IRIS.get(fmt.media_type)
        if local:
            triples.append(ox.Triple(sd, n("resultFormat"), ox.NamedNode(_FORMATS_NS + local)))
    for g in sorted(set(graphs)):
        node = ox.BlankNode()
        triples.append(ox.Triple(ds, n("namedGraph"), node))
        triples.append(ox.Triple(node, rdf_type, n("NamedGraph")))
        triples.append(ox.Triple(node, n("name"), ox.NamedNode(g)))
    return triples
