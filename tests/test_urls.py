"""The URL builder: IRI <-> path, under the default and a deployment's own base IRI."""

from __future__ import annotations

import pytest

from regkg import urls, vocab

W3ID = "https://w3id.org/regkg/"
LOCAL = "http://127.0.0.1:8000/"

CASES = [
    # (base, IRI, path, page, data .ttl)
    (
        W3ID,
        W3ID + "id/org/alibaba-group",
        "/id/org/alibaba-group",
        "/page/org/alibaba-group",
        "/data/org/alibaba-group.ttl",
    ),
    (
        LOCAL,
        LOCAL + "id/org/alibaba-group",
        "/id/org/alibaba-group",
        "/page/org/alibaba-group",
        "/data/org/alibaba-group.ttl",
    ),
    (W3ID, W3ID + "concern/antitrust", "/concern/antitrust", "/page/concern/antitrust", "/data/concern/antitrust.ttl"),
    (LOCAL, W3ID + "concern/antitrust", "/concern/antitrust", "/page/concern/antitrust", "/data/concern/antitrust.ttl"),
    (W3ID, W3ID + "concern/", "/concern/", "/page/concern", "/data/concern.ttl"),
    (W3ID, W3ID + "sector/e-commerce", "/sector/e-commerce", "/page/sector/e-commerce", "/data/sector/e-commerce.ttl"),
    (W3ID, W3ID + "ontology", "/ontology", "/ontology.html", "/ontology.ttl"),
    (W3ID, W3ID + "ontology#Regulator", "/ontology#Regulator", "/ontology.html#Regulator", "/ontology.ttl"),
    (LOCAL, W3ID + "ontology#fine", "/ontology#fine", "/ontology.html#fine", "/ontology.ttl"),
    # IRIs the service does not answer for
    (LOCAL, W3ID + "id/org/alibaba-group", None, None, None),
    (W3ID, "https://www.wikidata.org/entity/Q1359568", None, None, None),
]


@pytest.mark.parametrize(("base", "iri", "path", "page", "data"), CASES)
def test_iri_to_paths(base: str, iri: str, path: str | None, page: str | None, data: str | None) -> None:
    u = urls.Urls(base)
    assert u.path(iri) == path
    assert u.page(iri) == page
    assert u.data(iri, "ttl") == data
    if path is not None:
        assert u.from_path(path) == iri.split("#")[0]
        assert u.from_path(data or "") == iri.split("#")[0]
        assert u.from_path((page or "").split("#")[0]) == iri.split("#")[0]


@pytest.mark.parametrize(
    "path",
    ["/id/", "/id/org/../x", "/id/concern/antitrust", "/data/org/x", "/data/org/x.exe", "/export", "/id/org/a b"],
)
def test_paths_that_name_nothing(path: str) -> None:
    assert urls.Urls(W3ID).from_path(path) is None


def test_base_without_slash_and_link_header() -> None:
    u = urls.for_base("http://example.org/kg")
    assert u.base_iri == "http://example.org/kg/"
    iri = "http://example.org/kg/id/platform/taobao"
    header = u.link_header(iri, current="/data/platform/taobao.ttl")
    assert '</page/platform/taobao>; rel="alternate"; type="text/html"' in header
    assert '</data/platform/taobao.nt>; rel="alternate"; type="application/n-triples"' in header
    assert "taobao.ttl" not in header
    assert u.dataset.startswith(u.void_namespace)
    assert urls.absolute("http://h:1/", "/id/x") == "http://h:1/id/x"
    assert u.export("nq") == "/export.nq"
    assert urls.for_base().base_iri == vocab.BASE


@pytest.mark.parametrize("base", [W3ID, LOCAL])
def test_graphs_and_ontology_versions(base: str) -> None:
    u = urls.Urls(base)
    assert u.path(W3ID + "graph/inferred") == "/graph/inferred"
    assert u.path(W3ID + "graph/data/cn/organisations") == "/graph/data/cn/organisations"
    assert u.from_path("/graph/data/cn/organisations") == W3ID + "graph/data/cn/organisations"
    assert u.page(W3ID + "graph/inferred") is None
    assert u.path(W3ID + "ontology/0.1.0") == "/ontology/0.1.0"
    assert u.from_path("/ontology/0.1.0") == W3ID + "ontology/0.1.0"
    assert u.from_path("/graph/../x") is None


# (builder call, expected URL): pages and API answers about any IRI, the key-less ones in a query string
QUERY_CASES = [
    (lambda u: u.page_any(W3ID + "id/org/alibaba-group"), "/page/org/alibaba-group"),
    (
        lambda u: u.page_any("https://www.wikidata.org/entity/Q1359568"),
        "/page?iri=https%3A%2F%2Fwww.wikidata.org%2Fentity%2FQ1359568",
    ),
    (lambda u: u.page_any(W3ID + "ontology#Regulator"), "/ontology.html#Regulator"),
    (lambda u: u.explorer(W3ID + "id/org/a b&c"), "/explore?iri=https%3A%2F%2Fw3id.org%2Fregkg%2Fid%2Forg%2Fa+b%26c"),
    (lambda u: u.api_entity(W3ID + "id/org/x"), "/api/entity?iri=https%3A%2F%2Fw3id.org%2Fregkg%2Fid%2Forg%2Fx"),
    (
        lambda u: u.api_neighbourhood(W3ID + "id/org/x"),
        "/api/neighbourhood?iri=https%3A%2F%2Fw3id.org%2Fregkg%2Fid%2Forg%2Fx",
    ),
    (
        lambda _u: urls.link_header([("/a", "text/html"), ("/api/entity?iri=x", "application/json")]),
        '</a>; rel="alternate"; type="text/html", </api/entity?iri=x>; rel="alternate"; type="application/json"',
    ),
    (lambda _u: urls.link_header([]), ""),
    (
        lambda _u: urls.link_header([("/.well-known/void", None)], rel="describedby"),
        '</.well-known/void>; rel="describedby"',
    ),
]


@pytest.mark.parametrize(("build", "expected"), QUERY_CASES)
def test_page_and_api_urls(build: object, expected: str) -> None:
    assert callable(build)
    assert build(urls.Urls(W3ID)) == expected
