"""The clients researchers use, pointed at the live endpoint: SPARQLWrapper, rdflib's SPARQLStore
and curl. Each sends what it sends by default (its own URL parameters, Accept headers and
methods), so these tests see the protocol as they do, on both paths of /sparql: the lookup lane
and the engines."""

from __future__ import annotations

import json
import shutil
import subprocess
from urllib.parse import quote

import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, POST, TURTLE, XML, SPARQLWrapper

from .conftest import LiveServer

ALIBABA = "https://w3id.org/regkg/id/org/alibaba-group"
LOOKUP = f"SELECT ?p ?o WHERE {{ <{ALIBABA}> ?p ?o }}"
FINES = """PREFIX rk: <https://w3id.org/regkg/ontology#>
SELECT ?regulator (COUNT(?action) AS ?n) WHERE { ?action rk:regulator ?regulator } GROUP BY ?regulator"""
LABEL = rdflib.URIRef("http://www.w3.org/2000/01/rdf-schema#label")


def _wrapper(server: LiveServer, query: str, fmt: str) -> SPARQLWrapper:
    w = SPARQLWrapper(server.url + "/sparql")
    w.setQuery(query)
    w.setReturnFormat(fmt)
    return w


def _pairs(bindings: list[dict[str, dict[str, str]]]) -> set[tuple[str, str]]:
    return {(b["p"]["value"], b["o"]["value"]) for b in bindings}


def test_sparqlwrapper_get_and_post_in_every_results_format(live_server: LiveServer) -> None:
    got = _wrapper(live_server, LOOKUP, JSON).queryAndConvert()
    assert isinstance(got, dict)
    rows = _pairs(got["results"]["bindings"])
    assert (str(LABEL), "Alibaba Group Holding Limited") in rows
    post = _wrapper(live_server, LOOKUP, JSON)
    post.setMethod(POST)
    posted = post.queryAndConvert()
    assert isinstance(posted, dict) and _pairs(posted["results"]["bindings"]) == rows, "POST goes to an engine"
    xml = _wrapper(live_server, LOOKUP, XML).queryAndConvert()
    assert len(xml.getElementsByTagName("result")) == len(rows)  # type: ignore[union-attr]
    table = _wrapper(live_server, LOOKUP, CSV).queryAndConvert()
    assert isinstance(table, bytes) and table.decode().splitlines()[0] == "p,o"
    assert len(table.decode().strip().splitlines()) == len(rows) + 1
    counts = _wrapper(live_server, FINES, JSON).queryAndConvert()
    assert isinstance(counts, dict) and len(counts["results"]["bindings"]) > 50


def test_sparqlwrapper_construct_and_ask(live_server: LiveServer) -> None:
    w = _wrapper(live_server, f"CONSTRUCT {{ <{ALIBABA}> ?p ?o }} WHERE {{ <{ALIBABA}> ?p ?o }}", TURTLE)
    g = rdflib.Graph().parse(data=w.queryAndConvert(), format="turtle")  # type: ignore[arg-type]
    assert (rdflib.URIRef(ALIBABA), LABEL, rdflib.Literal("Alibaba Group Holding Limited", lang="en")) in g
    ask = _wrapper(live_server, f"ASK {{ <{ALIBABA}> ?p ?o }}", JSON).queryAndConvert()
    assert isinstance(ask, dict) and ask["boolean"] is True


def test_rdflib_sparqlstore_reads_the_graph(live_server: LiveServer) -> None:
    g = rdflib.Graph(store=SPARQLStore(live_server.url + "/sparql", returnFormat="xml"))
    labels = set(g.objects(rdflib.URIRef(ALIBABA), LABEL))
    assert rdflib.Literal("Alibaba Group Holding Limited", lang="en") in labels
    triples = list(g.triples((rdflib.URIRef(ALIBABA), None, None)))
    assert len(triples) >= 10
    rows = list(g.query("SELECT ?p ?o WHERE { <" + ALIBABA + "> ?p ?o }"))
    assert {(str(p), str(o)) for p, o in rows} == {(str(p), str(o)) for _, p, o in triples}


def test_curl_gets_a_lookup_and_revalidates(live_server: LiveServer) -> None:
    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("curl is not installed")
    url = f"{live_server.url}/sparql?query={quote(LOOKUP)}"
    head = ["-s", "-H", "Accept: application/sparql-results+json", "-D", "-"]
    first = subprocess.run([curl, *head, url], capture_output=True, text=True, check=True).stdout
    headers, _, body = first.partition("\n\n")  # (text mode: curl's CRLF read as LF)
    assert headers.startswith("HTTP/1.1 200")
    assert (str(LABEL), "Alibaba Group Holding Limited") in _pairs(json.loads(body)["results"]["bindings"])
    etag = next(line.split(":", 1)[1].strip() for line in headers.splitlines() if line.lower().startswith("etag:"))
    again = subprocess.run(
        [curl, *head, "-H", f"If-None-Match: {etag}", url], capture_output=True, text=True, check=True
    )
    assert again.stdout.startswith("HTTP/1.1 304")
