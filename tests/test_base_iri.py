"""The base IRI: the files name things https://w3id.org/regkg/id/...; a service answers for those
IRIs under its own host (the shared live server), and ``REGKG_BASE_IRI`` makes a deployment mint
them under its own base (a second live server here, whose base is its own URL, so its IRIs are
the very URLs it answers at). The rewrite happens once, in loading, at parse time.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import RDF

from regkg import loading, vocab
from tests.conftest import LiveServer, free_port

W3ID_ALIBABA = "https://w3id.org/regkg/id/org/alibaba-group"
COMPANY = rdflib.URIRef(vocab.RK + "Company")


def _turtle(client: httpx.Client, url: str) -> tuple[httpx.Response, rdflib.Graph]:
    r = client.get(url, headers={"Accept": "text/turtle"}, follow_redirects=True)
    assert r.status_code == 200, r.text
    return r, rdflib.Graph().parse(data=r.text, format="turtle")


def test_default_base_answers_for_w3id_iris_under_its_own_host(client: httpx.Client) -> None:
    r, g = _turtle(client, "/id/org/alibaba-group")
    assert r.history[0].status_code == 303
    assert (rdflib.URIRef(W3ID_ALIBABA), RDF.type, COMPANY) in g
    local = str(client.base_url).rstrip("/") + "/id/"
    assert not any(str(t).startswith(local) for triple in g for t in triple)


@pytest.fixture(scope="module")
def rebased(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A second server whose REGKG_BASE_IRI is its own root URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("rebased") / "server.log"
    env = {**os.environ, "REGKG_STORE": "memory", "REGKG_WORKERS": "1", "REGKG_BASE_IRI": url + "/"}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "regkg.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = LiveServer(url=url, process=proc, log=log)
    deadline = time.monotonic() + 180
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"regkg serve exited with {proc.returncode}:\n{log.read_text()}")
            try:
                if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"regkg serve did not become healthy:\n{log.read_text()}")
            time.sleep(0.2)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def test_own_base_mints_iris_that_are_its_urls(rebased: LiveServer) -> None:
    iri = f"{rebased.url}/id/org/alibaba-group"
    with httpx.Client(timeout=30) as c:
        r, g = _turtle(c, iri)  # the IRI itself, dereferenced
        assert r.history[0].headers["location"] == "/data/org/alibaba-group.ttl"
        assert (rdflib.URIRef(iri), RDF.type, COMPANY) in g
        assert "https://w3id.org/regkg/id/" not in r.text
        # the vocabularies keep their published IRIs
        _, action = _turtle(c, f"{rebased.url}/id/action/2021-07-21-cac-minors-taobao")
        concerns = set(action.objects(None, rdflib.URIRef(vocab.RK + "concern")))
        assert rdflib.URIRef(vocab.CONCERN + "child-safety") in concerns
        # SPARQL sees the rebased IRIs
        ask = c.get(f"{rebased.url}/sparql", params={"query": f"ASK {{ <{iri}> a <{COMPANY}> }}"},
                    headers={"Accept": "application/sparql-results+json"})  # fmt: skip
        assert ask.json()["boolean"] is True
        void = rdflib.Graph().parse(data=c.get(f"{rebased.url}/.well-known/void").text, format="turtle")
        assert rdflib.Literal(f"{rebased.url}/id/") in set(void.objects(None, rdflib.URIRef(vocab.VOID + "uriSpace")))
        assert (rdflib.URIRef(f"{rebased.url}/.well-known/void#dataset"), RDF.type, None) in void
        with c.stream("GET", f"{rebased.url}/export.nt") as dump:
            text = b"".join(dump.iter_bytes()).decode()
        assert f"<{iri}> <{RDF.type}> <{COMPANY}> ." in text
        assert "<https://w3id.org/regkg/id/" not in text
        # concepts answer under the rebased host too, with their published IRIs
        r, g = _turtle(c, f"{rebased.url}/concern/antitrust")
        assert (rdflib.URIRef(vocab.CONCERN + "antitrust"), RDF.type, None) in g


def test_rewrite_happens_in_loading() -> None:
    f = next(f for f in loading.shipped_files() if f.path.name == "organisations.ttl" and "cn" in f.path.parts)
    kept = loading.parse_file(f.path, f.graph)
    moved = loading.parse_file(f.path, f.graph, "http://example.org/kg/")
    assert len(kept) == len(moved)
    alibaba = ox.NamedNode("http://example.org/kg/id/org/alibaba-group")
    assert any(q.subject == alibaba for q in moved)
    assert not any(
        isinstance(t, ox.NamedNode) and t.value.startswith(vocab.ID) for q in moved for t in (q.subject, q.object)
    )
    assert any(q.subject == ox.NamedNode(W3ID_ALIBABA) for q in kept)
    # predicates, classes, concepts and graph names are not things: unchanged
    assert {q.predicate for q in kept} == {q.predicate for q in moved}
    assert {q.graph_name for q in moved} == {ox.NamedNode(f.graph)}
    # the default base rewrites nothing
    assert loading.parse_file(f.path, f.graph, vocab.BASE) == kept
