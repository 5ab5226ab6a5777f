"""The one gate (issue 10), over HTTP against a running server: named tokens and roles, protected
graphs, SHACL on the affected resources (422, store unchanged), the change log (list, one change,
RDF Patch, Atom), revert, and a replay of the log that rebuilds the same quads."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from regkg import loading, vocab
from regkg.writes.changelog import replay

from .conftest import LiveServer, running_server

pytestmark = pytest.mark.slow

WRITER = "writer-token-" + "x" * 8
ADMIN = "admin-token-" + "y" * 8
UPDATE = {"Content-Type": "application/sparql-update"}
ALIBABA_FINE_AMOUNT = "https://w3id.org/regkg/id/amount/2021-04-10-samr-alibaba-fine-cny"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("gate")
    tokens = folder / "tokens.toml"
    tokens.write_text(
        "[[token]]\n"
        f'name = "newsroom"\nrole = "writer"\nsha256 = "{hashlib.sha256(WRITER.encode()).hexdigest()}"\n'
        "[[token]]\n"
        f'name = "editor"\nrole = "admin"\nsha256 = "{hashlib.sha256(ADMIN.encode()).hexdigest()}"\n'
    )
    with running_server(folder, REGKG_TOKENS_FILE=str(tokens), REGKG_QUERY_TIMEOUT="10") as s:
        yield s


def _post(server: LiveServer, text: str, token: str) -> httpx.Response:
    return httpx.post(
        server.url + "/update",
        content=text.encode(),
        headers={**UPDATE, "Authorization": f"Bearer {token}"},
        timeout=60,
    )


def _count(server: LiveServer, where: str = "GRAPH ?g { ?s ?p ?o }") -> int:
    r = httpx.get(server.url + "/sparql", params={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}"}, timeout=30)
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def test_tokens_and_roles(server: LiveServer) -> None:
    g = f"urn:regkg:test:{uuid.uuid4().hex}"
    text = f'INSERT DATA {{ GRAPH <{g}> {{ <urn:x:a> rdfs:label "a"@en }} }}'
    assert _post(server, text, "nope").status_code == 401
    assert _post(server, text, server.write_token).status_code == 200  # REGKG_WRITE_TOKEN: a writer
    r = _post(server, text.replace("<urn:x:a>", "<urn:x:b>"), WRITER)
    assert r.status_code == 200, r.text
    cs = httpx.get(server.url + f"/api/changes/{r.json()['change']}", timeout=10).json()
    assert cs["token"] == "newsroom" and cs["added"] == 1


# A violation of each shape family, in a graph of the writer's own: 422, nothing changed.
VIOLATIONS = [
    (
        "negative amount",
        '<{id}amount/test-neg> a schema:MonetaryAmount ; schema:value "-1"^^xsd:decimal ; schema:currency "CNY" .',
    ),
    (
        "action without a regulator",
        '<{id}action/test-noreg> a rk:Decision ; rdfs:label "x"@en ; rk:target <{id}org/alibaba-group> ;'
        ' rk:concern concern:antitrust ; rk:dateDecided "2021-01-01"^^xsd:date ;'
        " prov:wasDerivedFrom <{id}source/2021-07-21-ap-china-fines-tech-giants> .",
    ),
    (
        "a date that is not a date",
        '<{id}action/test-baddate> a rk:Decision ; rdfs:label "x"@en ;'
        " rk:regulator <{id}org/state-administration-for-market-regulation> ; rk:target <{id}org/alibaba-group> ;"
        ' rk:concern concern:antitrust ; rk:dateDecided "not a date" .',
    ),
    (
        "currency that is not ISO 4217",
        '<{id}amount/test-cur> a schema:MonetaryAmount ; schema:value 5 ; schema:currency "yuan" .',
    ),
    (
        # (ontology-style.ttl: the shapes files a change's resources cannot meet are skipped, this one is not)
        "an ontology term with no label or comment",
        "<https://w3id.org/regkg/ontology#testTerm> a <http://www.w3.org/2002/07/owl#ObjectProperty> .",
    ),
]


@pytest.mark.parametrize(("name", "triples"), VIOLATIONS, ids=[v[0] for v in VIOLATIONS])
def test_a_violation_changes_nothing(name: str, triples: str, server: LiveServer) -> None:
    before = server.health()["data_version"]
    g = f"urn:regkg:test:{uuid.uuid4().hex}"
    triples = triples.replace("{id}", "https://w3id.org/regkg/id/")
    r = _post(server, f"INSERT DATA {{ GRAPH <{g}> {{ {triples} }} }}", WRITER)
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "shacl_violation"
    assert err["results"] and all({"focus", "path", "value", "message", "shape"} <= set(x) for x in err["results"])
    assert server.health()["data_version"] == before
    assert _count(server, f"GRAPH <{g}> {{ ?s ?p ?o }}") == 0


def test_protected_graphs_need_an_admin(server: LiveServer) -> None:
    graph = next(f.graph for f in loading.shipped_files() if f.path.name == "2021-samr-alibaba-antitrust.ttl")
    text = (
        f"DELETE {{ GRAPH <{graph}> {{ <{ALIBABA_FINE_AMOUNT}> schema:value ?v }} }} "
        f"INSERT {{ GRAPH <{graph}> {{ <{ALIBABA_FINE_AMOUNT}> schema:value -1 }} }} "
        f"WHERE {{ GRAPH <{graph}> {{ <{ALIBABA_FINE_AMOUNT}> schema:value ?v }} }}"
    )
    r = _post(server, text, WRITER)
    assert r.status_code == 403, r.text
    assert "2021-samr-alibaba-antitrust.ttl" in r.json()["error"]["message"]
    # An admin may write there, but not a negative amount: the gate still checks.
    r = _post(server, text, ADMIN)
    assert r.status_code == 422, r.text
    assert _post(server, "DROP ALL", WRITER).status_code == 403
    assert _post(server, f"CLEAR GRAPH <{vocab.INFERRED_GRAPH}>", WRITER).status_code == 403


def test_drop_all_by_an_admin_is_recorded_and_reverted(server: LiveServer) -> None:
    before = _count(server)
    r = _post(server, "DROP ALL", ADMIN)
    assert r.status_code == 200, r.text
    dropped = r.json()["change"]
    assert _count(server) < before / 10  # only the change log's record and what inference makes of it
    listed = httpx.get(server.url + "/api/changes", params={"limit": 5}, timeout=10).json()["changes"]
    assert listed[0]["id"] == dropped and listed[0]["token"] == "editor"
    # a writer may not revert; an admin may
    assert (
        httpx.post(server.url + f"/api/changes/{dropped}/revert", headers=_auth(WRITER), timeout=60).status_code == 403
    )
    r = httpx.post(server.url + f"/api/changes/{dropped}/revert", headers=_auth(ADMIN), timeout=120)
    assert r.status_code == 200, r.text
    after = _count(server)
    # every quad is back, plus the two change sets' PROV-O records
    records = _count(server, f"GRAPH <{vocab.CHANGES_GRAPH}> {{ ?s ?p ?o }}")
    assert after - records == before - _records_before(listed, server)
    again = httpx.post(server.url + f"/api/changes/{dropped}/revert", headers=_auth(ADMIN), timeout=60)
    assert again.status_code == 409


def _records_before(listed: list[dict[str, object]], server: LiveServer) -> int:
    """PROV-O quads of the change sets made before the DROP ALL (it removed them too)."""
    return sum(_record_size(server, str(c["id"])) for c in listed[1:])


def _record_size(server: LiveServer, change_id: str) -> int:
    patch = httpx.get(server.url + f"/api/changes/{change_id}", headers={"Accept": "application/rdf-patch"}, timeout=10)
    return sum(1 for line in patch.text.splitlines() if line.startswith("A ") and vocab.CHANGES_GRAPH in line)


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_change_log_formats(server: LiveServer) -> None:
    g = f"urn:regkg:test:{uuid.uuid4().hex}"
    r = _post(server, f'INSERT DATA {{ GRAPH <{g}> {{ <urn:x:c> rdfs:label "c"@en }} }}', WRITER)
    cid = r.json()["change"]
    patch = httpx.get(server.url + f"/api/changes/{cid}", headers={"Accept": "application/rdf-patch"}, timeout=10)
    assert patch.headers["content-type"].startswith("application/rdf-patch")
    assert patch.text.startswith("H id <") and "\nTX .\n" in patch.text and "A <urn:x:c> " in patch.text
    feed = httpx.get(server.url + "/changes.atom", timeout=10)
    assert feed.headers["content-type"].startswith("application/atom+xml")
    assert cid in feed.text
    # SPARQL sees the record
    ask = httpx.get(
        server.url + "/sparql",
        params={"query": f'ASK {{ GRAPH <{vocab.CHANGES_GRAPH}> {{ ?c dct:identifier "{cid}" ; a prov:Activity }} }}'},
        timeout=10,
    )
    assert ask.json()["boolean"] is True
    assert httpx.get(server.url + "/api/changes/0000", timeout=10).status_code == 404


def test_replaying_the_log_rebuilds_the_store(server: LiveServer) -> None:
    """The shipped files plus the change log, replayed in order, give the served quads (the
    inferred graph aside, which is computed)."""
    folder = _log_folder(server)
    store = ox.Store()
    for _f, quads in loading.parse_files(loading.shipped_files()):
        store.extend(quads)
    replay(store, folder.glob("*.rdfp"))
    inferred = ox.NamedNode(vocab.INFERRED_GRAPH)
    mine = {str(q) for q in store if q.graph_name != inferred}
    served = httpx.get(server.url + "/export.nq", timeout=120).text
    theirs = {str(q) for q in ox.parse(served.encode(), format=ox.RdfFormat.N_QUADS) if q.graph_name != inferred}
    theirs = {q for q in theirs if vocab.VOID_GRAPH not in q}
    assert mine == theirs


def _log_folder(server: LiveServer) -> Path:
    return Path(str(server.health()["changes"]["folder"]))  # type: ignore[index]


DRAFT = """@prefix rk: <https://w3id.org/regkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/regkg/id/action/2099-01-01-test-draft> a rk:Decision ;
  rdfs:label "A reviewed draft"@en ;
  {regulator}
  rk:target <https://w3id.org/regkg/id/org/alibaba-group> ;
  rk:concern <https://w3id.org/regkg/concern/antitrust> ;
  rk:status rk:Concluded ;
  rk:dateDecided "2021-04-10"^^xsd:date ;
  prov:wasDerivedFrom <https://w3id.org/regkg/id/source/2021-07-21-ap-china-fines-tech-giants> .
"""


def test_an_accepted_draft_enters_through_the_graph_store(server: LiveServer) -> None:
    """What /draft submits: the reviewed Turtle into …/graph/drafts/<slug>, through the gate."""
    url = server.url + "/graph-store"
    graph = vocab.GRAPH + "drafts/2099-01-01-test-draft"
    headers = {"Authorization": f"Bearer {WRITER}", "Content-Type": "text/turtle"}
    bad = DRAFT.replace("{regulator}", "")
    r = httpx.post(url, params={"graph": graph}, content=bad.encode(), headers=headers, timeout=60)
    assert r.status_code == 422, r.text
    assert any("regulator" in x["message"] for x in r.json()["error"]["results"])
    good = DRAFT.replace(
        "{regulator}", "rk:regulator <https://w3id.org/regkg/id/org/state-administration-for-market-regulation> ;"
    )
    r = httpx.post(url, params={"graph": graph}, content=good.encode(), headers=headers, timeout=60)
    assert r.status_code == 201, r.text
    change = r.headers["x-regkg-change"]
    assert httpx.get(server.url + f"/api/changes/{change}", timeout=10).json()["token"] == "newsroom"
    got = httpx.get(url, params={"graph": graph}, headers={"Accept": "application/n-triples"}, timeout=10)
    assert got.status_code == 200 and "2099-01-01-test-draft" in got.text
