"""One label rule everywhere: the entity API, search hits, neighbourhood nodes and the entity page
show the same name, picked by regkg.explore.labels' rule (the language asked for, English, no
tag, any other; labels before aliases). Entities written through /update into a graph of their own."""

from __future__ import annotations

import html
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import LiveServer

ID = "https://w3id.org/regkg/id/"
RK = "https://w3id.org/regkg/ontology#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
RELATION = "http://purl.org/dc/terms/relation"
GRAPH = "https://w3id.org/regkg/graph/data/test/labels"

# (slug, names as (predicate, literal in Turtle), the label the rule picks, a word to search). The
# shapes want an English rdfs:label on every company, so the other cases are untyped things named
# with skos:prefLabel, each linked to the first (they are in its neighbourhood).
CASES: list[tuple[str, list[tuple[str, str]], str, str]] = [
    # English, whatever its region, before other languages and before no tag
    (
        "qwzlab-one",
        [(RDFS_LABEL, '"Qwzlab Firma"@de'), (RDFS_LABEL, '"Qwzlab Company"@en-GB')],
        "Qwzlab Company",
        "qwzlab",
    ),
    # no English: the literal without a tag before another language
    (
        "qwzlac-two",
        [(PREF, '"Qwzlac Société"@fr'), (PREF, '"Qwzlac plain"'), (PREF, '"Qwzlac 公司"@zh')],
        "Qwzlac plain",
        "qwzlac",
    ),
    # only other languages: ties by tag, so never the store's row order
    ("qwzlad-three", [(PREF, '"Qwzlad Société"@fr'), (PREF, '"Qwzlad Firma"@de')], "Qwzlad Firma", "qwzlad"),
    # a label, in any language, before an English alias
    ("qwzlae-four", [(PREF, '"Qwzlae Société"@fr'), (ALT, '"Qwzlae Alias"@en')], "Qwzlae Société", "qwzlae"),
    # English is en or en-*, not every tag that starts with "en" (enm: Middle English)
    ("qwzlaf-five", [(PREF, '"Qwzlaf Olde"@enm'), (PREF, '"Qwzlaf Plain"')], "Qwzlaf Plain", "qwzlaf"),
    # no label at all: the best alias, by the same language rule, not the IRI's last segment
    ("qwzlag-six", [(ALT, '"Qwzlag Alias"@fr'), (ALT, '"Qwzlag Alt"@en')], "Qwzlag Alt", "qwzlag"),
]


@pytest.fixture(scope="module")
def written(live_server: LiveServer) -> Iterator[None]:
    headers = {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {live_server.write_token}"}
    triples = [f"<{ID}org/{CASES[0][0]}> a <{RK}Company> ."]
    for slug, names, _label, _word in CASES:
        triples += [f"<{ID}org/{slug}> <{p}> {lit} ." for p, lit in names]
    triples += [f"<{ID}org/{c[0]}> <{RELATION}> <{ID}org/{CASES[0][0]}> ." for c in CASES[1:]]
    update = f"INSERT DATA {{ GRAPH <{GRAPH}> {{ {' '.join(triples)} }} }}"
    r = httpx.post(live_server.url + "/update", content=update.encode(), headers=headers, timeout=30)
    assert r.status_code == 200, r.text
    # a large search index is rebuilt in the background after a write: wait until it has the new names
    deadline = time.monotonic() + 30
    for slug, _names, _label, word in CASES:
        while f"{ID}org/{slug}" not in {
            h["id"] for h in httpx.get(live_server.url + "/api/search", params={"q": word}).json()["results"]
        }:
            assert time.monotonic() < deadline, f"the search index did not follow the write ({word})"
            time.sleep(0.2)
    yield
    drop = f"DROP SILENT GRAPH <{GRAPH}>"
    httpx.post(live_server.url + "/update", content=drop.encode(), headers=headers, timeout=30)


@pytest.mark.usefixtures("written")
@pytest.mark.parametrize(("slug", "label", "word"), [(c[0], c[2], c[3]) for c in CASES], ids=[c[0] for c in CASES])
def test_one_label_everywhere(client: httpx.Client, slug: str, label: str, word: str) -> None:
    iri = f"{ID}org/{slug}"
    assert client.get("/api/entity", params={"iri": iri}).json()["label"] == label
    hits = client.get("/api/search", params={"q": word}).json()["results"]
    assert [h["label"] for h in hits if h["id"] == iri] == [label], hits
    first = f"{ID}org/{CASES[0][0]}"
    nodes = client.get("/api/neighbourhood", params={"iri": first}).json()["nodes"]
    assert [n["label"] for n in nodes if n["id"] == iri] == [label]
    page = client.get(f"/page/org/{slug}", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert f"<h1>{html.escape(label)}" in page.text or f">{html.escape(label)}</h1>" in page.text, page.text[:2000]
