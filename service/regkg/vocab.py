"""Every namespace and IRI scheme of regkg, in one place.

Both rdflib and pyoxigraph code read their IRIs from here so that a change of
base IRI (REGKG_BASE_IRI) or of a term name happens once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

__all__ = [
    "BASE",
    "CHANGE",
    "CHANGES_GRAPH",
    "CONCERN",
    "CURIE_PREFIXES",
    "DCAT",
    "DCT",
    "FOAF",
    "GRAPH",
    "ID",
    "INFERRED_GRAPH",
    "ONTOLOGY_GRAPH",
    "ONTOLOGY_IRI",
    "ORG",
    "OWL",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "RK",
    "SCHEMA",
    "SD",
    "SECTOR",
    "SH",
    "SHAPES",
    "SKOS",
    "VOID",
    "VOID_GRAPH",
    "XSD",
    "curie",
    "sparql_prefixes",
]

BASE: Final = "https://w3id.org/regkg/"
RK: Final = f"{BASE}ontology#"
ONTOLOGY_IRI: Final = f"{BASE}ontology"
ID: Final = f"{BASE}id/"
CONCERN: Final = f"{BASE}concern/"
SECTOR: Final = f"{BASE}sector/"
GRAPH: Final = f"{BASE}graph/"
ONTOLOGY_GRAPH: Final = f"{GRAPH}ontology"
INFERRED_GRAPH: Final = f"{GRAPH}inferred"
DATA_GRAPH_PREFIX: Final = f"{GRAPH}data/"
#: The named graph that holds the dataset's VoID/DCAT description inside the dumps (not in the store).
VOID_GRAPH: Final = f"{GRAPH}void"
#: The change log, in PROV-O (one prov:Activity per accepted change set).
CHANGES_GRAPH: Final = f"{GRAPH}changes"
CHANGE: Final = f"{BASE}id/change/"

RDF: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS: Final = "http://www.w3.org/2000/01/rdf-schema#"
OWL: Final = "http://www.w3.org/2002/07/owl#"
XSD: Final = "http://www.w3.org/2001/XMLSchema#"
SKOS: Final = "http://www.w3.org/2004/02/skos/core#"
DCT: Final = "http://purl.org/dc/terms/"
ORG: Final = "http://www.w3.org/ns/org#"
PROV: Final = "http://www.w3.org/ns/prov#"
SCHEMA: Final = "https://schema.org/"
SH: Final = "http://www.w3.org/ns/shacl#"
VOID: Final = "http://rdfs.org/ns/void#"
DCAT: Final = "http://www.w3.org/ns/dcat#"
FOAF: Final = "http://xmlns.com/foaf/0.1/"
SD: Final = "http://www.w3.org/ns/sparql-service-description#"

#: Prefixes offered to SPARQL users and used when serialising Turtle.
PREFIXES: Final[dict[str, str]] = {
    "rk": RK,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "dct": DCT,
    "org": ORG,
    "prov": PROV,
    "schema": SCHEMA,
    "concern": CONCERN,
    "sector": SECTOR,
}


def sparql_prefixes() -> str:
    """The PREFIX block the CLI and the query editor put before a user's query."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


#: The shapes' namespace (shapes/*.ttl), named in validation reports.
SHAPES: Final = f"{BASE}shapes#"
#: Prefixes of the CURIEs shown to people (pages, ontology docs, command-line reports): the SPARQL
#: ones, the shapes' and the things'.
CURIE_PREFIXES: Final[dict[str, str]] = {**PREFIXES, "rks": SHAPES, "id": ID}


def curie(iri: str | None, prefixes: Mapping[str, str] = CURIE_PREFIXES) -> str:
    """``iri`` shortened for display (``rk:Platform``) by the longest namespace it starts with, so
    that nested namespaces pick the closest; the IRI itself when none fits or nothing would be left
    after the prefix, and "" for no IRI."""
    if not iri:
        return ""
    best = ""
    for prefix, ns in prefixes.items():
        if iri.startswith(ns) and len(iri) > len(ns) and len(ns) > len(prefixes.get(best, "")):
            best = prefix
    return f"{best}:{iri[len(prefixes[best]) :]}" if best else iri
