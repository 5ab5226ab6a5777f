"""The in-memory graph index (regkg.explore.index) answers a neighbourhood exactly as the store's
queries do, on the shipped data, and follows a write: it is an accelerator, never another answer."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from regkg import loading, vocab
from regkg.explore import neighbourhood
from regkg.explore.index import CurrentIndex
from regkg.store.embedded import EmbeddedStore

KINDS = ("Platform", "Company", "Regulator", "Decision", "Probe", "Campaign")


@pytest.fixture(scope="module")
def store() -> EmbeddedStore:
    st = EmbeddedStore()
    st.add(q for _f, quads in loading.parse_files(loading.shipped_files()) for q in quads)
    return st


def _sample(store: EmbeddedStore) -> list[str]:
    out: list[str] = []
    for kind in KINDS:
        rows = store.query(f"SELECT DISTINCT ?s WHERE {{ ?s a <{vocab.RK}{kind}> }} ORDER BY ?s")
        iris = [row[0].value for row in rows]  # type: ignore[union-attr]
        out += iris[:: max(1, len(iris) // 12)]
    return out


@pytest.mark.parametrize("hops", [1, 2])
def test_the_index_answers_as_the_store(store: EmbeddedStore, hops: int) -> None:
    index = CurrentIndex(store, sync_rebuild_seconds=60)
    compared = 0
    for iri in _sample(store):
        by_store = neighbourhood(store, iri, hops=hops, limit=500)
        by_index = neighbourhood(store, iri, hops=hops, limit=500, index=index)
        if by_store.truncated or by_index.truncated:
            continue  # which nodes a cut keeps may follow the order rows come in
        assert by_index.as_dict() == by_store.as_dict(), iri
        compared += 1
    assert compared >= 40, compared


def test_the_index_follows_a_write(store: EmbeddedStore) -> None:
    index = CurrentIndex(store, sync_rebuild_seconds=60)
    iri = _sample(store)[0]
    before = neighbourhood(store, iri, index=index)
    new = f"{vocab.BASE}id/org/index-test-company"
    graph = ox.NamedNode(f"{vocab.BASE}graph/index-test")
    store.add(
        [
            ox.Quad(ox.NamedNode(new), ox.NamedNode(f"{vocab.RK}operates"), ox.NamedNode(iri), graph),
            ox.Quad(
                ox.NamedNode(new), ox.NamedNode(f"{vocab.RDFS}label"), ox.Literal("Index test", language="en"), graph
            ),
        ]
    )
    after = neighbourhood(store, iri, index=index)
    assert new not in before.nodes
    assert after.nodes[new].label == "Index test"
    assert after.as_dict() == neighbourhood(store, iri).as_dict()
