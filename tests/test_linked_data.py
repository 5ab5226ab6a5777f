"""Linked data over HTTP, against the live server (default base IRI https://w3id.org/regkg/).

A table of (path, Accept) -> (status, Location, Content-Type) cases for dereferencing, documents,
the ontology, VoID, export and the JSON-LD context; then what the documents hold, the one error
shape of 404 and 406, every export format parsing with rdflib, and the export's counts agreeing
with VoID.
"""

from __future__ import annotations

import io
import json
import re
import warnings
from typing import Any

import httpx
import pytest
import rdflib
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS

from regkg import resources, vocab

ALIBABA = "https://w3id.org/regkg/id/org/alibaba-group"
VERSION = re.search(r'owl:versionInfo "([^"]+)"', (resources.ontology_dir() / "regkg.ttl").read_text()).group(1)  # type: ignore[union-attr]
TAOBAO_ACTION = "https://w3id.org/regkg/id/action/2021-07-21-cac-minors-taobao"
VOID = rdflib.Namespace(vocab.VOID)
SD = rdflib.Namespace(vocab.SD)
FOAF = rdflib.Namespace(vocab.FOAF)
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"

TTL = "text/turtle; charset=utf-8"
NT = "application/n-triples; charset=utf-8"
JSONLD = "application/ld+json"
RDFXML = "application/rdf+xml"
HTML = "text/html; charset=utf-8"
JSON = "application/json"

# (path, Accept) -> (status, Location, Content-Type); None: no Accept header / no Location expected.
CASES: list[tuple[str, str | None, int, str | None, str | None]] = [
    # things: 303 See Other to the page or the data, by Accept with q-weights
    ("/id/org/alibaba-group", None, 303, "/page/org/alibaba-group", None),
    ("/id/org/alibaba-group", "*/*", 303, "/page/org/alibaba-group", None),
    ("/id/org/alibaba-group", BROWSER, 303, "/page/org/alibaba-group", None),
    ("/id/org/alibaba-group", "text/html", 303, "/page/org/alibaba-group", None),
    ("/id/org/alibaba-group", "text/turtle", 303, "/data/org/alibaba-group.ttl", None),
    ("/id/org/alibaba-group", "application/n-triples", 303, "/data/org/alibaba-group.nt", None),
    ("/id/org/alibaba-group", "application/ld+json", 303, "/data/org/alibaba-group.jsonld", None),
    ("/id/org/alibaba-group", "application/rdf+xml", 303, "/data/org/alibaba-group.rdf", None),
    ("/id/org/alibaba-group", "text/html;q=0.5, text/turtle", 303, "/data/org/alibaba-group.ttl", None),
    ("/id/org/alibaba-group", "text/turtle;q=0.5, text/html;q=0.9", 303, "/page/org/alibaba-group", None),
    ("/id/org/alibaba-group", "application/ld+json;q=0.9, text/turtle;q=0.5", 303, "/data/org/alibaba-group.jsonld",
     None),
    ("/id/action/2021-07-21-cac-minors-taobao", "text/turtle", 303, "/data/action/2021-07-21-cac-minors-taobao.ttl",
     None),
    ("/id/org/alibaba-group", "image/png", 406, None, JSON),
    ("/id/org/alibaba-group", "application/n-quads", 406, None, JSON),
    ("/id/org/no-such-company", "text/turtle", 404, None, JSON),
    ("/id/org/no-such-company", None, 404, None, JSON),
    ("/id/concern/antitrust", "text/turtle", 404, None, JSON),
    ("/id/", "text/turtle", 404, None, JSON),
    # concepts
    ("/concern/antitrust", "text/turtle", 303, "/data/concern/antitrust.ttl", None),
    ("/concern/antitrust", BROWSER, 303, "/page/concern/antitrust", None),
    ("/concern/", "text/turtle", 303, "/data/concern.ttl", None),
    ("/concern/no-such-concern", "text/turtle", 404, None, JSON),
    ("/sector/e-commerce", "application/ld+json", 303, "/data/sector/e-commerce.jsonld", None),
    # documents
    ("/data/org/alibaba-group.ttl", None, 200, None, TTL),
    ("/data/org/alibaba-group.nt", "text/html", 200, None, NT),
    ("/data/org/alibaba-group.jsonld", None, 200, None, JSONLD),
    ("/data/org/alibaba-group.rdf", None, 200, None, RDFXML),
    ("/data/concern/antitrust.ttl", None, 200, None, TTL),
    ("/data/concern.nt", None, 200, None, NT),
    ("/data/org/alibaba-group", "text/turtle", 303, "/data/org/alibaba-group.ttl", None),
    ("/data/org/alibaba-group", "application/rdf+xml", 303, "/data/org/alibaba-group.rdf", None),
    ("/data/org/alibaba-group", "image/png", 406, None, JSON),
    ("/data/org/alibaba-group.exe", None, 404, None, JSON),
    ("/data/org/no-such-company.ttl", None, 404, None, JSON),
    # the ontology (hash IRIs: a term's fragment stays with the client)
    ("/ontology", BROWSER, 303, "/ontology.html", None),
    ("/ontology", None, 303, "/ontology.html", None),
    ("/ontology", "text/turtle", 303, "/ontology.ttl", None),
    ("/ontology", "application/rdf+xml", 303, "/ontology.rdf", None),
    ("/ontology", "image/png", 406, None, JSON),
    ("/ontology.html", None, 200, None, HTML),
    ("/ontology.ttl", None, 200, None, TTL),
    ("/ontology.nt", None, 200, None, NT),
    ("/ontology.jsonld", None, 200, None, JSONLD),
    ("/ontology.rdf", None, 200, None, RDFXML),
    ("/ontology.xyz", None, 404, None, JSON),
    (f"/ontology/{VERSION}", "text/turtle", 303, "/ontology.ttl", None),
    (f"/ontology/{VERSION}", BROWSER, 303, "/ontology.html", None),
    ("/ontology/0.1.0", "text/turtle", 303, "/ontology.ttl", None),  # a prior version: the current one
    ("/ontology/9.9.9", None, 404, None, JSON),
    # named graphs
    ("/graph/ontology", None, 200, None, TTL),
    ("/graph/inferred", "application/n-triples", 200, None, NT),
    ("/graph/data/cn/organisations", "application/ld+json", 200, None, JSONLD),
    ("/graph/data/no-such-file", None, 404, None, JSON),
    ("/graph/inferred", "image/png", 406, None, JSON),
    # self-description, context, export
    ("/.well-known/void", None, 200, None, TTL),
    ("/.well-known/void", "application/n-triples", 200, None, NT),
    ("/.well-known/void", "application/ld+json", 200, None, JSONLD),
    ("/.well-known/void", "image/png", 406, None, JSON),
    ("/context.jsonld", None, 200, None, JSONLD),
    ("/export", None, 200, None, "application/n-quads; charset=utf-8"),
    ("/export", "application/trig", 200, None, "application/trig; charset=utf-8"),
    ("/export", "image/png", 406, None, JSON),
    ("/export?format=ttl", None, 200, None, TTL),
    ("/export?format=application%2Fld%2Bjson", None, 200, None, JSONLD),
    ("/export?format=rdf", None, 406, None, JSON),
    ("/export.nq", None, 200, None, "application/n-quads; charset=utf-8"),
    ("/export.trig", None, 200, None, "application/trig; charset=utf-8"),
    ("/export.nt", None, 200, None, NT),
    ("/export.jsonld", None, 200, None, JSONLD),
    ("/export.rdf", None, 404, None, JSON),
]  # fmt: skip


@pytest.mark.parametrize(("path", "accept", "status", "location", "content_type"), CASES)
def test_dereferencing_table(
    client: httpx.Client, path: str, accept: str | None, status: int, location: str | None, content_type: str | None
) -> None:
    headers = {"Accept": accept} if accept is not None else {}
    with client.stream("GET", path, headers=headers) as r:
        assert r.status_code == status, r.read()[:500]
        assert r.headers.get("location") == location
        if content_type is not None:
            assert r.headers.get("content-type") == content_type
        if status == 303:
            assert "Accept" in r.headers.get("vary", "")
        if status >= 400:
            _check_error(json.loads(r.read()), status)


def _check_error(body: dict[str, Any], status: int) -> None:
    assert set(body) == {"error"}
    err = body["error"]
    assert err["code"] == {404: "not_found", 406: "not_acceptable"}[status]
    assert isinstance(err["message"], str) and err["message"]
    if status == 406:
        assert "text/turtle" in err["supported"]
        assert "text/turtle" in err["message"]


def test_errors_name_the_iri_and_the_supported_types(client: httpx.Client) -> None:
    r = client.get("/id/org/no-such-company", headers={"Accept": "text/turtle"})
    assert r.json()["error"]["iri"] == "https://w3id.org/regkg/id/org/no-such-company"
    r = client.get("/id/org/alibaba-group", headers={"Accept": "image/png"})
    assert r.json()["error"]["supported"][:1] == ["text/html"]
    assert "application/ld+json" in r.json()["error"]["supported"]


def test_curl_follows_to_the_turtle(client: httpx.Client) -> None:
    """`curl -L -H 'Accept: text/turtle' http://127.0.0.1:8000/id/org/alibaba-group`."""
    r = client.get("/id/org/alibaba-group", headers={"Accept": "text/turtle"}, follow_redirects=True)
    assert r.status_code == 200
    assert str(r.url).endswith("/data/org/alibaba-group.ttl")
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    assert (rdflib.URIRef(ALIBABA), RDF.type, rdflib.URIRef(vocab.RK + "Company")) in g


def rdflib_parse(data: str, fmt: str) -> rdflib.Dataset:
    """Parse with rdflib into a Dataset. rdflib 7.6's own parsers (JSON-LD, TriG, N-Quads) use its
    deprecated ConjunctiveGraph API internally; those DeprecationWarnings are rdflib's, not ours."""
    ds = rdflib.Dataset()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="rdflib")
        ds.parse(data=data, format=fmt)
    return ds


def merged(ds: rdflib.Dataset) -> rdflib.Graph:
    g = rdflib.Graph()
    for s, p, o, _g in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


def _document(client: httpx.Client, path: str, fmt: str) -> rdflib.Graph:
    r = client.get(path)
    assert r.status_code == 200, r.text
    data = r.text
    if fmt == "json-ld":
        data = _inline_context(client, data)
    return merged(rdflib_parse(data, fmt))


def _inline_context(client: httpx.Client, text: str) -> str:
    """The JSON-LD with its context URL replaced by the context served there (no fetching by rdflib)."""
    doc = json.loads(text)
    url = doc["@context"]
    assert isinstance(url, str) and url.endswith("/context.jsonld")
    doc["@context"] = client.get(url).json()["@context"]
    return json.dumps(doc)


@pytest.mark.parametrize(("ext", "fmt"), [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"), ("rdf", "xml")])
def test_document_describes_the_resource(client: httpx.Client, ext: str, fmt: str) -> None:
    g = _document(client, f"/data/action/2021-07-21-cac-minors-taobao.{ext}", fmt)
    action = rdflib.URIRef(TAOBAO_ACTION)
    # its own triples
    assert (action, RDF.type, rdflib.URIRef(vocab.RK + "EnforcementAction")) in g
    assert (action, RDFS.label, None) in g
    # labels and types of the nodes at the other end
    platform = rdflib.URIRef("https://w3id.org/regkg/id/platform/taobao")
    assert (action, rdflib.URIRef(vocab.RK + "platform"), platform) in g
    assert (platform, RDFS.label, None) in g
    assert (platform, RDF.type, rdflib.URIRef(vocab.RK + "Platform")) in g
    # provenance: the sources with their url, title, publisher (labelled) and date
    sources = list(g.objects(action, PROV.wasDerivedFrom))
    assert sources
    for src in sources:
        assert (src, rdflib.URIRef(vocab.SCHEMA + "url"), None) in g
        assert (src, DCTERMS.title, None) in g
        assert (src, DCTERMS.date, None) in g
        publisher = g.value(src, rdflib.URIRef(vocab.SCHEMA + "publisher"))
        assert publisher is not None and (publisher, RDFS.label, None) in g
    # the document itself
    doc = next(g.subjects(FOAF.primaryTopic, action))
    assert str(doc).endswith(f"/data/action/2021-07-21-cac-minors-taobao.{ext}")
    assert (doc, DCTERMS.license, rdflib.URIRef("https://creativecommons.org/licenses/by/4.0/")) in g


def test_document_has_incoming_links_and_alternates(client: httpx.Client) -> None:
    g = _document(client, "/data/org/alibaba-group.nt", "nt")
    alibaba = rdflib.URIRef(ALIBABA)
    incoming = set(g.subjects(rdflib.URIRef(vocab.RK + "target"), alibaba))
    assert incoming, "actions that target the group are part of its description"
    for action in incoming:
        assert (action, RDFS.label, None) in g
    r = client.get("/data/org/alibaba-group.nt")
    link = r.headers["link"]
    for alt in ('</page/org/alibaba-group>; rel="alternate"; type="text/html"',
                '</data/org/alibaba-group.ttl>; rel="alternate"; type="text/turtle"',
                '</data/org/alibaba-group.jsonld>; rel="alternate"; type="application/ld+json"',
                '</data/org/alibaba-group.rdf>; rel="alternate"; type="application/rdf+xml"'):  # fmt: skip
        assert alt in link
    assert "alibaba-group.nt>" not in link


def test_concept_document(client: httpx.Client) -> None:
    g = _document(client, "/data/concern/antitrust.ttl", "turtle")
    antitrust = rdflib.URIRef(vocab.CONCERN + "antitrust")
    assert (antitrust, rdflib.URIRef(vocab.SKOS + "prefLabel"), rdflib.Literal("antitrust", lang="en")) in g
    assert set(g.subjects(rdflib.URIRef(vocab.RK + "concern"), antitrust)), "actions about antitrust link to it"


def test_ontology_documents(client: httpx.Client) -> None:
    from regkg.linked_data import describe, ontology_docs

    assert client.get("/ontology.ttl").content == describe.ontology_turtle()
    g = _document(client, "/ontology.jsonld", "json-ld")
    reference = rdflib.Graph().parse(data=describe.ontology_turtle().decode(), format="turtle")
    assert len(g) == len(reference)
    html = client.get("/ontology.html")
    assert html.content == ontology_docs.docs_file().read_bytes()
    # every term's local name is an anchor of the page: https://w3id.org/regkg/ontology#Term -> /ontology.html#Term
    for term in {s for s in reference.subjects() if str(s).startswith(vocab.RK)}:
        assert f'id="{str(term).removeprefix(vocab.RK)}"' in html.text, term
    assert '<link rel="alternate" type="text/turtle" href="/ontology.ttl">' in html.text
    assert '</ontology.ttl>; rel="alternate"; type="text/turtle"' in html.headers["link"]


def test_context_is_the_prefix_table(client: httpx.Client) -> None:
    assert client.get("/context.jsonld").json() == {"@context": dict(vocab.PREFIXES)}


# -- export and VoID ---------------------------------------------------------------------------

FORMATS = {"nq": "nquads", "trig": "trig", "ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}


@pytest.fixture(scope="module")
def exports(live_server: Any) -> dict[str, bytes]:
    with httpx.Client(base_url=live_server.url, timeout=120) as c:
        return {ext: c.get(f"/export.{ext}").content for ext in FORMATS}


def _parse(client: httpx.Client, ext: str, data: bytes) -> rdflib.Dataset:
    text = data.decode("utf-8")
    if ext == "jsonld":
        text = _inline_context(client, text)
    return rdflib_parse(text, FORMATS[ext])


def _void_graph(ds: rdflib.Dataset) -> rdflib.Graph:
    return ds.graph(rdflib.URIRef(vocab.VOID_GRAPH))


def _data_triples(ds: rdflib.Dataset, void_ns: str) -> set[tuple[Any, Any, Any]]:
    """Distinct triples of every graph, the description (subjects in the VoID namespace) left out."""
    return {(s, p, o) for s, p, o, _g in ds.quads((None, None, None, None)) if not str(s).startswith(void_ns)}


@pytest.mark.parametrize("ext", list(FORMATS))
def test_every_export_format_parses_and_agrees_with_void(
    client: httpx.Client, exports: dict[str, bytes], ext: str
) -> None:
    void = rdflib.Graph().parse(data=client.get("/.well-known/void").text, format="turtle")
    dataset = next(s for s in void.subjects(RDF.type, VOID.Dataset) if str(s).endswith("#dataset"))
    void_ns = str(dataset).removesuffix("dataset")
    ds = _parse(client, ext, exports[ext])
    triples = _data_triples(ds, void_ns)
    assert len(triples) == int(void.value(dataset, VOID.triples)), "void:triples = distinct triples of the dump"
    # class and property partitions
    for part in void.objects(dataset, VOID.propertyPartition):
        prop = void.value(part, VOID.property)
        if prop == RDF.type or str(prop).startswith((vocab.VOID, vocab.DCAT)):
            continue
        n = sum(1 for t in triples if t[1] == prop)
        assert n == int(void.value(part, VOID.triples)), prop
    company = rdflib.URIRef(vocab.RK + "Company")
    part = next(p for p in void.objects(dataset, VOID.classPartition) if void.value(p, VOID["class"]) == company)
    assert len({s for s, p, o in triples if p == RDF.type and o == company}) == int(void.value(part, VOID.entities))
    # the description travels inside the dump
    assert any(True for _ in ds.quads((dataset, VOID.triples, None, None)))
    if ext in {"nq", "trig"}:
        # named graphs kept: each graph as many triples as its void:subset says
        assert len(_void_graph(ds)) > 0
        for sub in void.objects(dataset, VOID.subset):
            name = void.value(sub, SD.name)
            assert len(ds.graph(name)) == int(void.value(sub, VOID.triples)), name


def test_export_streams_and_names_its_description(client: httpx.Client) -> None:
    with client.stream("GET", "/export.nt") as r:
        assert r.headers.get("content-length") is None, "streamed, not buffered"
        assert r.headers["link"] == '</.well-known/void>; rel="describedby"'
        first = next(r.iter_bytes())
        assert first
    # clients that leave half-way hold nothing: after a dozen of them, every route still answers
    for ext in ["nq", "nt", "trig", "ttl", "jsonld"] * 3:
        with client.stream("GET", f"/export.{ext}") as r:
            next(r.iter_bytes())
    with httpx.Client(base_url=str(client.base_url), timeout=10) as quick:
        assert quick.get("/healthz").status_code == 200
        assert quick.get("/id/org/alibaba-group", headers={"Accept": "text/turtle"}).status_code == 303
        assert quick.get("/data/org/alibaba-group.nt").status_code == 200


def test_void_describes_the_service(client: httpx.Client, live_server: Any) -> None:
    g = rdflib.Graph().parse(data=client.get("/.well-known/void").text, format="turtle")
    dataset = next(s for s in g.subjects(RDF.type, VOID.Dataset) if str(s).endswith("#dataset"))
    assert (dataset, RDF.type, rdflib.URIRef(vocab.DCAT + "Dataset")) in g
    assert (dataset, DCTERMS.license, rdflib.URIRef("https://creativecommons.org/licenses/by/4.0/")) in g
    assert (dataset, VOID.sparqlEndpoint, rdflib.URIRef(live_server.url + "/sparql")) in g
    dumps = {str(o) for o in g.objects(dataset, VOID.dataDump)}
    assert dumps == {f"{live_server.url}/export.{ext}" for ext in FORMATS}
    assert g.value(dataset, DCTERMS.modified) is not None
    assert str(g.value(dataset, VOID.uriSpace)) == "https://w3id.org/regkg/id/"
    graphs = {str(g.value(s, SD.name)) for s in g.objects(dataset, VOID.subset)}
    assert vocab.ONTOLOGY_GRAPH in graphs and vocab.INFERRED_GRAPH in graphs
    health = client.get("/healthz").json()
    assert str(g.value(dataset, rdflib.OWL.versionInfo)) == health["data_version"]
    for dist in g.objects(dataset, rdflib.URIRef(vocab.DCAT + "distribution")):
        assert str(g.value(dist, rdflib.URIRef(vocab.DCAT + "downloadURL"))) in dumps


def test_every_iri_dereferences(client: httpx.Client, exports: dict[str, bytes]) -> None:
    """Every IRI under https://w3id.org/regkg/ in the dump has a path on this service; a few of
    each kind (id/org, id/action, concern, ontology, graph, ...) are dereferenced over HTTP."""
    import re

    from regkg import urls

    u = urls.for_base()
    iris = set(re.findall(rb"<(https://w3id\.org/regkg/[^>]*)>", exports["nt"]))
    assert len(iris) > 1000
    by_kind: dict[str, list[str]] = {}
    for raw in sorted(iris):
        iri = raw.decode()
        path = u.path(iri)
        if iri.startswith(u.void_namespace):
            assert path is None  # the description's nodes: hash IRIs of /.well-known/void
            continue
        assert path is not None, iri
        kind = "/".join(path.split("#")[0].split("/")[:3])
        by_kind.setdefault(kind, []).append(path.split("#")[0])
    assert {"/id/org", "/id/action", "/concern/antitrust", "/ontology", "/graph/inferred"} <= set(by_kind) | {
        k for k in by_kind if k.startswith("/concern/")
    }
    for paths in by_kind.values():
        for path in paths[:3]:
            r = client.get(path, headers={"Accept": "text/turtle"})
            assert r.status_code in (200, 303), (path, r.text[:300])


def test_jsonld_export_uses_the_published_context(client: httpx.Client, exports: dict[str, bytes]) -> None:
    head = exports["jsonld"][:200].decode()
    assert head.startswith('{"@context": "http://127.0.0.1:')
    assert '/context.jsonld"' in head
    doc = json.load(io.BytesIO(exports["jsonld"]))
    assert any(node.get("@id") == vocab.VOID_GRAPH for node in doc["@graph"])


@pytest.mark.parametrize(
    "path", ["/data/org/alibaba-group.ttl", "/graph/ontology", "/.well-known/void", "/export.nt", "/export.jsonld"]
)
def test_conditional_get(client: httpx.Client, path: str) -> None:
    """Harvesters revalidate: a document carries an ETag for the data version; If-None-Match gives 304."""
    with client.stream("GET", path) as r:
        assert r.status_code == 200
        etag = r.headers["etag"]
    assert etag.startswith('W/"')
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    with client.stream("GET", path, headers={"If-None-Match": 'W/"something-else"'}) as r:
        assert r.status_code == 200
