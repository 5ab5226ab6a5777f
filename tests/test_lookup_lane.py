"""The lookup lane (regkg.api.lane): point lookups answered in the web process, never differently.

The recogniser is a whitelist: every text that is not exactly the accepted shape goes to an
engine. Over HTTP, against the shared live server, the lane's answers are compared with the
engine's answers to the same lookups (a trailing comment sends a query to the engine), in every
results format; its ETags revalidate, a write is seen by the next lookup, and the row cap and
the lane's own bound behave as the route's.
"""

from __future__ import annotations

import csv
import io
import random
import uuid
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator

import httpx
import pyoxigraph as ox
import pytest

from regkg.api.lane import LANE_HEADER
from regkg.sparql.lookup import recognise
from regkg.store.embedded import EmbeddedStore

from .conftest import LiveServer, running_server

JSON = "application/sparql-results+json"
XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
ALIBABA = "https://w3id.org/regkg/id/org/alibaba-group"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

# -- the recogniser -------------------------------------------------------------------------------

ACCEPTED = [
    f"SELECT ?p ?o WHERE {{ <{ALIBABA}> ?p ?o }}",
    f"select ?o ?p where{{<{ALIBABA}> ?p ?o .}}",
    f"SELECT * {{ <{ALIBABA}> ?p ?o }} LIMIT 5",
    f"SELECT ?o WHERE {{ <{ALIBABA}> a ?o }}",
    f"SELECT ?p WHERE {{ <{ALIBABA}> ?p <https://w3id.org/regkg/ontology#Company> }}",
    f"\n  SELECT ?p?o\nWHERE\t{{\n<{ALIBABA}>\n?p\n?o\n}}\n",
]

REJECTED = [
    f"SELECT ?p ?o WHERE {{ <{ALIBABA}> ?p ?o }} # a comment",
    f"PREFIX x: <urn:x> SELECT ?p ?o WHERE {{ <{ALIBABA}> ?p ?o }}",
    f"BASE <http://e/> SELECT ?p ?o WHERE {{ <{ALIBABA}> ?p ?o }}",
    "SELECT ?p ?o WHERE { <relative> ?p ?o }",
    f"SELECT ?p ?o WHERE {{ <{ALIBABA}> ?p ?o FILTER(true) }}",
    f"SELECT ?p ?o WHERE {{ <{ALIBABA}> ?p ?o . ?o ?q ?r }}",
    f"SELECT ?p ?o WHERE {{ SERVICE <http://127.0.0.1:1/> {{ <{ALIBABA}> ?p ?o }} }}",
    f"SELECT ?p ?o FROM <urn:g> WHERE {{ <{ALIBABA}> ?p ?o }}",
    f"SELECT ?p ?o WHERE {{ GRAPH ?g {{ <{ALIBABA}> ?p ?o }} }}",
    f"SELECT DISTINCT ?p WHERE {{ <{ALIBABA}> ?p ?o }}",
    f"SELECT ?p ?o WHERE {{ <{ALIBABA}> ?p ?o }} OFFSET 1",
    f"SELECT ?p ?o WHERE {{ <{ALIBABA}> ?p ?o }} ORDER BY ?p",
    f"SELECT ?x WHERE {{ <{ALIBABA}> ?x ?x }}",
    f"SELECT ?q WHERE {{ <{ALIBABA}> ?p ?o }}",
    f"SELECT ?p ?p WHERE {{ <{ALIBABA}> ?p ?o }}",
    f"SELECT ?o WHERE {{ <{ALIBABA}> A ?o }}",
    f'SELECT ?p WHERE {{ <{ALIBABA}> ?p "Alibaba" }}',
    f"SELECT ?p ?o WHERE {{ <{ALIBABA}> <{RDF_TYPE}> <urn:x> }}",
    "SELECT ?p ?o WHERE { <https://w3id.org/\\u0041> ?p ?o }",
    f"SELECT $p $o WHERE {{ <{ALIBABA}> $p $o }}",
    f"SELECT (?p AS ?q) WHERE {{ <{ALIBABA}> ?p ?o }}",
    f"ASK {{ <{ALIBABA}> ?p ?o }}",
    f"CONSTRUCT {{ <{ALIBABA}> ?p ?o }} WHERE {{ <{ALIBABA}> ?p ?o }}",
    f"SELECT ?p ?o WHERE {{ <{ALIBABA}> ?p ?o }} LIMIT 1 LIMIT 2",
    f"SELECT ?p ?o WHERE {{ <{ALIBABA}> ?p ?o }} VALUES ?p {{ <urn:x> }}",
    f"SELECT ?p ?o WHERE {{ <{ALIBABA}> ?p ?o }};",
    f"SELECT ?p ?o WHERE {{ {{ <{ALIBABA}> ?p ?o }} }}",
    f"SELECT ?p ?o WHERE {{ <{ALIBABA}> ?p ?o }} LIMIT 1234567890",
    "SELECT ?p ?o WHERE { <urn:a b> ?p ?o }",
    "SELECT ?p ?o WHERE { <not an iri> ?p ?o }",
]


@pytest.mark.parametrize("text", ACCEPTED)
def test_the_accepted_shapes_are_recognised(text: str) -> None:
    assert recognise(text) is not None


@pytest.mark.parametrize("text", REJECTED)
def test_every_other_text_goes_to_an_engine(text: str) -> None:
    assert recognise(text) is None


def test_what_is_recognised_is_terms_not_text() -> None:
    found = recognise(f"SELECT ?o ?p WHERE {{ <{ALIBABA}> a ?o }} LIMIT 7")
    assert found is None  # ?p is not in the pattern
    found = recognise(f"SELECT ?o WHERE {{ <{ALIBABA}> a ?o }} LIMIT 7")
    assert found is not None
    assert found.subject == ox.NamedNode(ALIBABA)
    assert found.predicate == ox.NamedNode(RDF_TYPE)
    assert found.obj is None
    assert found.columns == (("o", "o"),)
    assert found.limit == 7


def test_a_store_never_answers_from_the_middle_of_a_write() -> None:
    store = EmbeddedStore()
    s, p = ox.NamedNode("urn:s"), ox.NamedNode("urn:p")
    store.add([ox.Quad(s, p, ox.Literal("1"), ox.NamedNode("urn:g"))])
    got = store.match(s, None, None, 10)
    assert got is not None and len(got) == 1
    with store.writing():
        store.apply([], [ox.Quad(s, p, ox.Literal("2"), ox.NamedNode("urn:g"))])
        assert store.match(s, None, None, 10) is None, "a commit's first transaction alone is never read"
    got = store.match(s, None, None, 10)
    assert got is not None and len(got) == 2
    assert len(store.match(s, None, None, 1) or []) == 1


# -- over HTTP ------------------------------------------------------------------------------------


def _rows(r: httpx.Response) -> Counter[tuple[str, ...]]:
    """The answer's rows as a multiset of cell texts, whatever the format (blank nodes as _:)."""
    ct = r.headers["content-type"].split(";")[0]
    if ct == JSON:
        data = r.json()
        names = data["head"]["vars"]

        def cell(b: dict[str, str] | None) -> str:
            if b is None:
                return ""
            if b["type"] == "bnode":
                return "_:"
            return "|".join([b["type"], b["value"], b.get("xml:lang", ""), b.get("datatype", "")])

        return Counter(tuple(cell(row.get(n)) for n in names) for row in data["results"]["bindings"])
    if ct == XML:
        ns = {"r": "http://www.w3.org/2005/sparql-results#"}
        root = ET.fromstring(r.content)
        out: Counter[tuple[str, ...]] = Counter()
        for result in root.iterfind(".//r:result", ns):
            cells = []
            for b in result:
                (term,) = list(b)
                tag = term.tag.split("}")[1]
                cells.append(
                    "_:" if tag == "bnode" else "|".join([tag, term.text or "", str(sorted(term.attrib.items()))])
                )
            out[tuple(cells)] += 1
        return out
    text = r.text
    if ct == TSV:
        lines = text.splitlines()[1:]
        return Counter(tuple("_:" if c.startswith("_:") else c for c in line.split("\t")) for line in lines)
    rows = list(csv.reader(io.StringIO(text)))[1:]
    return Counter(tuple("_:" if c.startswith("_:") else c for c in row) for row in rows)


def _ask(client: httpx.Client, text: str, accept: str = JSON, **headers: str) -> httpx.Response:
    r = client.get("/sparql", params={"query": text}, headers={"Accept": accept, **headers})
    assert r.status_code in (200, 304), r.text
    return r


def _subjects(client: httpx.Client, n: int) -> list[str]:
    r = _ask(client, "SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s)) }")
    every = sorted(b["s"]["value"] for b in r.json()["results"]["bindings"])
    return random.Random(20261206).sample(every, min(n, len(every)))


def test_the_lane_answers_as_the_engine_does(client: httpx.Client) -> None:
    subjects = _subjects(client, 150)
    assert len(subjects) == 150
    answered = 0
    for i, s in enumerate(subjects):
        accept = (JSON, XML, CSV, TSV)[i % 4]
        for text in (
            f"SELECT ?p ?o WHERE {{ <{s}> ?p ?o }}",
            f"SELECT ?o WHERE {{ <{s}> a ?o }}",
            f"SELECT ?o ?p {{ <{s}> ?p ?o }} LIMIT 3",
        ):
            lane = _ask(client, text, accept)
            engine = _ask(client, text + " # through an engine", accept)
            assert LANE_HEADER.lower() not in engine.headers
            if lane.headers.get(LANE_HEADER) == "lookup":
                answered += 1
            if "LIMIT" in text:
                assert sum(_rows(lane).values()) == sum(_rows(engine).values()) <= 3
                assert _rows(lane) <= _rows(_ask(client, text.split(" LIMIT")[0] + " # all", accept))
            else:  # (LIMIT's rows are any 3: their sizes, and so their compression, may differ)
                assert _rows(lane) == _rows(engine), (s, text, accept)
                assert lane.headers["vary"] == engine.headers["vary"]
            assert lane.headers["content-type"] == engine.headers["content-type"]
            assert lane.headers["x-regkg-truncated"] == engine.headers["x-regkg-truncated"]
    assert answered == 450, "every one of these lookups is the lane's"
    assert client.get("/healthz").json()["workers"]["lookups_in_lane"] >= 450


def test_an_unrecognised_or_unwritable_request_is_the_routes(client: httpx.Client) -> None:
    text = f"SELECT ?p ?o WHERE {{ <{ALIBABA}> ?p ?o }}"
    assert _ask(client, text).headers.get(LANE_HEADER) == "lookup"
    for r in (
        client.get("/sparql", params={"query": text, "default-graph-uri": "urn:x"}, headers={"Accept": JSON}),
        client.post("/sparql", data={"query": text}, headers={"Accept": JSON}),
        client.get("/sparql", params={"query": text}, headers={"Accept": "text/turtle"}),
    ):
        assert LANE_HEADER.lower() not in r.headers
    bad = client.get("/sparql", params={"query": text, "update": "x"}, headers={"Accept": JSON})
    assert bad.status_code == 400 and LANE_HEADER.lower() not in bad.headers
    refused = client.get("/sparql", params={"query": text}, headers={"Accept": "image/png"})
    assert refused.status_code == 406


def test_revalidation_and_a_write_seen_by_the_next_lookup(client: httpx.Client, live_server: LiveServer) -> None:
    s = f"urn:regkg:test:lane:{uuid.uuid4().hex}"
    text = f"SELECT ?p ?o WHERE {{ <{s}> ?p ?o }}"
    first = _ask(client, text)
    assert first.headers[LANE_HEADER] == "lookup" and first.json()["results"]["bindings"] == []
    tag = first.headers["etag"]
    again = _ask(client, text, **{"If-None-Match": tag})
    assert again.status_code == 304 and again.headers["etag"] == tag
    # The same question by POST goes to the route, whose ETag is the lane's: one validator for both.
    posted = client.post("/sparql", data={"query": text}, headers={"Accept": JSON, "If-None-Match": tag})
    assert posted.status_code == 304 and LANE_HEADER.lower() not in posted.headers
    g = f"urn:regkg:test:lane:g:{uuid.uuid4().hex}"
    auth = {"Authorization": f"Bearer {live_server.write_token}", "Content-Type": "application/sparql-update"}
    try:
        w = client.post("/update", content=f"INSERT DATA {{ GRAPH <{g}> {{ <{s}> <urn:p> 1 }} }}", headers=auth)
        assert w.status_code == 200, w.text
        after = _ask(client, text, **{"If-None-Match": tag})
        assert after.status_code == 200, "a write moves the ETag"
        assert after.headers[LANE_HEADER] == "lookup"
        assert [b["o"]["value"] for b in after.json()["results"]["bindings"]] == ["1"]
    finally:
        client.post("/update", content=f"DROP SILENT GRAPH <{g}>", headers=auth)


@pytest.fixture(scope="module")
def capped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    folder = tmp_path_factory.mktemp("lane-capped")
    with running_server(folder, REGKG_MAX_ROWS="3") as server, httpx.Client(base_url=server.url, timeout=60) as c:
        yield c


def test_the_row_cap_as_the_route_applies_it(capped: httpx.Client) -> None:
    text = f"SELECT ?p ?o WHERE {{ <{ALIBABA}> ?p ?o }}"
    cut = _ask(capped, text)
    assert cut.headers["x-regkg-truncated"] == "true" and cut.headers["x-regkg-max-rows"] == "3"
    assert cut.headers[LANE_HEADER] == "lookup" and len(cut.json()["results"]["bindings"]) == 3
    within = _ask(capped, text + " LIMIT 2")
    assert within.headers["x-regkg-truncated"] == "false" and len(within.json()["results"]["bindings"]) == 2
    engine = _ask(capped, text + " # through an engine")
    assert engine.headers["x-regkg-truncated"] == "true" and len(engine.json()["results"]["bindings"]) == 3


def test_a_subject_past_the_lanes_bound_goes_to_an_engine(client: httpx.Client, live_server: LiveServer) -> None:
    s = f"urn:regkg:test:lane:big:{uuid.uuid4().hex}"
    g = f"urn:regkg:test:lane:g:{uuid.uuid4().hex}"
    auth = {"Authorization": f"Bearer {live_server.write_token}", "Content-Type": "application/sparql-update"}
    quads = " ".join(f"<{s}> <urn:p> {i} ." for i in range(1_001))  # REGKG_LOOKUP_LANE_ROWS: 256; MAX_ROWS: 1,000
    try:
        w = client.post("/update", content=f"INSERT DATA {{ GRAPH <{g}> {{ {quads} }} }}", headers=auth)
        assert w.status_code == 200, w.text
        r = _ask(client, f"SELECT ?p ?o WHERE {{ <{s}> ?p ?o }}")
        assert LANE_HEADER.lower() not in r.headers
        assert r.headers["x-regkg-truncated"] == "true" and len(r.json()["results"]["bindings"]) == 1_000
        few = _ask(client, f"SELECT ?o WHERE {{ <{s}> ?p ?o }} LIMIT 10")
        assert few.headers[LANE_HEADER] == "lookup" and len(few.json()["results"]["bindings"]) == 10
    finally:
        client.post("/update", content=f"DROP SILENT GRAPH <{g}>", headers=auth)


def test_a_large_lookup_is_compressed_for_a_client_that_asks(client: httpx.Client) -> None:
    text = f"SELECT ?p ?o WHERE {{ <{ALIBABA}> ?p ?o }}"
    r = client.get("/sparql", params={"query": text}, headers={"Accept": JSON, "Accept-Encoding": "gzip"})
    assert r.headers[LANE_HEADER] == "lookup"
    assert r.headers.get("content-encoding") == "gzip"
    assert r.json()["results"]["bindings"]


# -- the recogniser against pyoxigraph's own parser, on generated near-lookups ---------------------


def _texts(n: int, seed: int) -> Iterator[str]:
    """Texts around the accepted shape: keywords in any case, odd spacing, IRIs the grammar must
    refuse or accept exactly as SPARQL does, comments, prefixed names, literals, trailing text."""
    rnd = random.Random(seed)
    ws = ["", " ", "  ", "\n", "\t", " \r\n "]
    iris = [
        "<urn:s1>",
        "<http://e.org/s2>",
        "<http://e.org/ü>",
        "<http://e.org/a%20b>",
        "<http://e.org/q?x=1#f>",
        "<http://[::1]/x>",
        "<relative>",
        "<>",
        "<http://e.org/a b>",
        "<http://e.org/{x}>",
        "<http://e.org/\\u0041>",
        "<urn:s1",
        "<http://e.org/\u00a0>",
        "<http:x>",
        "<http://e.org/s2>>",
        "<:x>",
        "<http://e.org/%zz>",
        "<HTTP://E.ORG/s>",
        "<http://e.org/\ufffe>",
        "<http://e.org/\ue000>",
        "<http://e.org/a|b>",
        "<http://e.org/a^b>",
        "<http://e.org/a`b>",
        "<http://e.org/a\\b>",
        "<http://e.org:99999999/x>",
        "<http://e.org/\U0001f600>",
        "<x:>",
        "<1http://e.org/>",
    ]
    preds = ["?p", "a", "<urn:p>", f"<{RDF_TYPE}>", "?P", "<urn:p2>", "?o", "A", "rdf:type", "$p", "?1", "?_x"]
    objs = ["?o", "<urn:o>", "<urn:C>", "?x", "?o2", "?p", '"x"', "1", "rk:Company", "[]"]

    def pick(usual: list[str], odd: list[str]) -> str:
        return rnd.choice(usual if rnd.random() < 0.75 else odd)

    for _ in range(n):
        kw = "".join(
            c.upper() if rnd.random() < 0.5 else c for c in pick(["select"], ["ask", "selct", "select distinct"])
        )
        proj = pick(["?p ?o", "?o ?p", "*", "?o", "?p", "?p?o"], ["?x", "?p ?p", "(?p AS ?q)", "", "?o2"])
        where = pick(["WHERE", "where", "", "WhErE"], ["WHERE WHERE", "FROM <urn:g1> WHERE"])
        triple = [pick(iris[:6], iris[6:]), pick(preds[:6], preds[6:]), pick(objs[:5], objs[5:])]
        if rnd.random() < 0.4:
            triple.append(pick(["."], ["..", ";", ". ."]))
        body = rnd.choice(ws).join(triple)
        tail = pick(["", " LIMIT 2", " limit 0", " LIMIT 99999"], [" LIMIT -1", " LIMIT 1.5", " # c", " OFFSET 1", "}"])
        yield (
            f"{rnd.choice(ws)}{kw}{rnd.choice(ws)}{proj}{rnd.choice(ws)}{where}{rnd.choice(ws)}"
            f"{{{rnd.choice(ws)}{body}{rnd.choice(ws)}}}{tail}{rnd.choice(ws)}"
        )


def test_the_recogniser_never_answers_what_the_engine_would_not() -> None:
    """Every generated text the recogniser accepts, pyoxigraph parses too, with the same rows;
    and the shapes it refuses include ones pyoxigraph accepts (the whitelist is narrower)."""
    store = EmbeddedStore()
    g1, g2 = ox.NamedNode("urn:g1"), ox.NamedNode("urn:g2")
    quads = []
    for s in ("urn:s1", "http://e.org/s2", "http://e.org/ü", "http://e.org/a%20b", "http://e.org/q?x=1#f"):
        sub = ox.NamedNode(s)
        quads += [
            ox.Quad(sub, ox.NamedNode("urn:p"), ox.NamedNode("urn:o"), g1),
            ox.Quad(sub, ox.NamedNode("urn:p"), ox.NamedNode("urn:o"), g2),  # the same triple in two graphs
            ox.Quad(sub, ox.NamedNode(RDF_TYPE), ox.NamedNode("urn:C"), g1),
            ox.Quad(sub, ox.NamedNode("urn:p2"), ox.Literal("x", language="en"), ox.DefaultGraph()),
        ]
    store.add(quads)
    accepted = refused_but_valid = 0
    for text in _texts(4000, 20261206):
        lookup = recognise(text)
        try:
            result = store.ox.query(text, use_default_graph_as_union=True)
        except SyntaxError:
            assert lookup is None, f"the lane would answer a text the engine rejects: {text!r}"
            continue
        if lookup is None:
            refused_but_valid += 1
            continue
        accepted += 1
        assert isinstance(result, ox.QuerySolutions), text
        names = [str(v)[1:] for v in result.variables]
        assert names == [v for v, _ in lookup.columns], text
        engine_rows = Counter(tuple(str(t) for t in row) for row in result)
        found = store.match(lookup.subject, lookup.predicate, lookup.obj, 10_000) or []
        lane_rows = Counter(
            tuple(str(q.predicate if where == "p" else q.object) for _, where in lookup.columns) for q in found
        )
        if lookup.limit is None:
            assert lane_rows == engine_rows, text
        else:
            assert sum(engine_rows.values()) == min(lookup.limit, sum(lane_rows.values())), text
    assert accepted > 50 and refused_but_valid > 50, (accepted, refused_but_valid)
