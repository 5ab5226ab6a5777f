"""`regkg load` through the real CLI, and the on-disk store keeping writes across reloads."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from regkg import loading, resources, vocab
from regkg.store import EmbeddedStore
from regkg.store.spec import StoreSpec
from regkg.writes.ledger import Ledger
from regkg.writes.load import prepare
from tests.conftest import running_server

GOOD = """\
@prefix rk: <https://w3id.org/regkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix schema: <https://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix o: <https://w3id.org/regkg/id/org/> .
@prefix act: <https://w3id.org/regkg/id/action/> .
@prefix src: <https://w3id.org/regkg/id/source/> .
@prefix concern: <https://w3id.org/regkg/concern/> .

act:2099-01-01-test-load-taobao a rk:Probe ;
    rdfs:label "A test probe of Taobao's operator"@en ;
    rk:regulator o:state-administration-for-market-regulation ;
    rk:target o:alibaba-group ;
    rk:concern concern:antitrust ;
    rk:dateOpened "2099-01-01"^^xsd:date ;
    prov:wasDerivedFrom src:2099-01-01-test-load-source .

src:2099-01-01-test-load-source a rk:Source , schema:NewsArticle ;
    dct:title "A test source"@en ;
    schema:publisher o:reuters ;
    dct:date "2099-01-01"^^xsd:date ;
    schema:url <https://example.org/test-load> .
"""

BAD = """\
@prefix rk: <https://w3id.org/regkg/ontology#> .
<https://w3id.org/regkg/id/action/2099-01-02-test-bad> a rk:Decision .
"""


def regkg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "regkg.cli", *args], capture_output=True, text=True, timeout=600, check=False
    )


def _quads(path: Path) -> set[ox.Quad]:
    return set(ox.Store.read_only(str(path)))


@pytest.fixture(scope="module")
def loaded(loaded_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This module's copy of the session's loaded store (conftest.loaded_template)."""
    folder = tmp_path_factory.mktemp("store") / "st"
    shutil.copytree(loaded_template, folder)
    return folder


def test_a_first_load_says_what_it_loaded_and_inferred(tmp_path: Path) -> None:
    r = regkg("load", "--store", str(tmp_path / "st"))
    assert r.returncode == 0, r.stderr
    assert "loaded" in r.stdout and "inferred" in r.stdout


def test_load_builds_a_store_the_query_verb_reads(loaded: Path) -> None:
    graphs = {q.graph_name.value for q in _quads(loaded) if isinstance(q.graph_name, ox.NamedNode)}
    assert vocab.ONTOLOGY_GRAPH in graphs and vocab.INFERRED_GRAPH in graphs
    assert {f.graph for f in loading.data_files()} <= graphs
    r = regkg(
        "query",
        "--store",
        str(loaded),
        "--format",
        "csv",
        "SELECT ?l WHERE { <https://w3id.org/regkg/id/platform/taobao> rdfs:label ?l }",
    )
    assert r.returncode == 0, r.stderr
    assert "淘宝" in r.stdout


def test_a_file_that_breaks_a_shape_loads_nothing(loaded: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text(BAD)
    before = _quads(loaded)
    r = regkg("load", str(bad), "--store", str(loaded))
    assert r.returncode == 1
    assert "nothing was loaded" in r.stderr and "an action needs" in r.stdout
    assert "Traceback" not in r.stderr + r.stdout
    assert _quads(loaded) == before


def test_a_file_that_does_not_parse_loads_nothing(loaded: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text('@prefix rk: <https://w3id.org/regkg/ontology#> .\n<a:b> rk:x "unterminated .\n')
    before = _quads(loaded)
    r = regkg("load", str(broken), "--store", str(loaded))
    assert r.returncode == 1 and "line" in r.stderr and "Traceback" not in r.stderr
    assert _quads(loaded) == before


def test_a_valid_file_gets_its_own_graph_and_is_inferred_over(loaded: Path, tmp_path: Path) -> None:
    good = tmp_path / "extra.ttl"
    good.write_text(GOOD)
    r = regkg("load", str(good), "--store", str(loaded))
    assert r.returncode == 0, r.stderr
    store = ox.Store.read_only(str(loaded))
    action = ox.NamedNode(vocab.ID + "action/2099-01-01-test-load-taobao")
    graph = ox.NamedNode(loading.graph_for(good))
    assert list(store.quads_for_pattern(action, None, None, graph))
    inferred = ox.NamedNode(vocab.INFERRED_GRAPH)
    group_target = ox.NamedNode(vocab.RK + "groupTarget")
    assert list(store.quads_for_pattern(action, group_target, ox.NamedNode(vocab.ID + "org/alibaba-group"), inferred))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("load", "--store", "memory"), "memory store"),
        (("load", "/no/such/file.ttl", "--store", "/tmp/unused-regkg-store"), "no such file"),
    ],
)
def test_usage_errors_exit_2(args: tuple[str, ...], message: str) -> None:
    r = regkg(*args)
    assert r.returncode == 2 and message in r.stderr and "Traceback" not in r.stderr


def test_reloading_changed_shipped_files_keeps_what_writes_added(loaded_copy: Path, tmp_path: Path) -> None:
    folder = loaded_copy
    store = EmbeddedStore(folder)
    mine = ox.NamedNode("https://example.org/graph/mine")
    written = [
        ox.Quad(ox.NamedNode("https://example.org/s"), ox.NamedNode("https://example.org/p"), ox.Literal("kept"), mine),
        ox.Quad(ox.NamedNode("https://example.org/s"), ox.NamedNode("https://example.org/p"), ox.Literal("default")),
    ]
    store.add(written)
    (folder / "regkg-fingerprint").write_text("stale: the shipped files changed")
    prepared = prepare(store, StoreSpec.parse(str(folder)), tmp_path)
    for q in written:
        assert q in set(store.ox.quads_for_pattern(q.subject, q.predicate, q.object, q.graph_name))
    assert vocab.ONTOLOGY_GRAPH in store.named_graphs()
    assert prepared.drift == [] and prepared.loaded is not None and prepared.loaded.change is None
    assert (folder / "regkg-fingerprint").read_text() != "stale: the shipped files changed"
    store.close()


def _patches(folder: Path) -> list[Path]:
    return sorted((folder / "changes").glob("*.rdfp"))


def test_a_load_is_a_recorded_change_set_and_a_second_load_changes_nothing(loaded_copy: Path) -> None:
    loaded = loaded_copy
    first = _patches(loaded)
    assert first, "the first load is recorded in the change log"
    text = first[0].read_text(encoding="utf-8")
    assert 'H token "regkg load (' in text and "\nA <" in text
    r = regkg("load", "--store", str(loaded))
    assert r.returncode == 0 and "nothing to load" in r.stdout
    assert _patches(loaded) == first


def test_a_shipped_graph_changed_outside_the_gate_is_left_alone_until_forced(loaded_copy: Path, tmp_path: Path) -> None:
    folder = loaded_copy
    victim = loading.graph_for(resources.data_dir() / "cn" / "2021-cac-minors-campaign.ttl")
    store = ox.Store(str(folder))
    before = set(store.quads_for_pattern(None, None, None, ox.NamedNode(victim)))
    assert before
    store.update(f"DROP GRAPH <{victim}>")  # straight on the database: outside the gate
    del store

    with running_server(tmp_path, REGKG_STORE=str(folder), REGKG_WORKERS="1", REGKG_SLOW_WORKERS="0") as server:
        health = server.health()
        assert health["status"] == "degraded", health
        assert any(victim in reason and "--force" in reason for reason in health["reasons"]), health  # type: ignore[attr-defined]
    assert victim in server.log.read_text()

    r = regkg("load", "--store", str(folder))
    assert r.returncode == 1 and "left alone" in r.stderr and "--force" in r.stderr, r.stderr
    assert victim in r.stderr and "missing" in r.stderr
    assert not set(ox.Store.read_only(str(folder)).quads_for_pattern(None, None, None, ox.NamedNode(victim)))

    r = regkg("load", "--force", "--store", str(folder))
    assert r.returncode == 0, r.stderr
    restored = set(ox.Store.read_only(str(folder)).quads_for_pattern(None, None, None, ox.NamedNode(victim)))
    assert restored == before
    assert regkg("load", "--store", str(folder)).returncode == 0


def test_a_load_drops_the_graph_of_a_file_that_is_gone_and_nothing_else(loaded_copy: Path, tmp_path: Path) -> None:
    """Only graphs once loaded from files are dropped when their files go (a `git pull` that
    deletes one); a graph under the same prefix that no file ever filled is left alone."""
    folder = loaded_copy
    gone = vocab.DATA_GRAPH_PREFIX + "xx/a-file-deleted-since"
    mine = vocab.DATA_GRAPH_PREFIX + "bulk/loaded-by-hand"
    store = EmbeddedStore(folder)
    s, p = ox.NamedNode("https://example.org/s"), ox.NamedNode("https://example.org/p")
    store.add(
        [ox.Quad(s, p, ox.Literal("gone"), ox.NamedNode(gone)), ox.Quad(s, p, ox.Literal("mine"), ox.NamedNode(mine))]
    )
    ledger = Ledger(folder / "shipped.json", [gone])  # as if a load had filled it from data/xx/...
    ledger.set(gone, store.quads(graph=gone))
    ledger.save()
    store.close()
    del store
    r = regkg("load", "--store", str(folder))
    assert r.returncode == 0 and "1 stale graph(s) dropped" in r.stdout, r.stdout + r.stderr
    after = ox.Store.read_only(str(folder))
    assert not list(after.quads_for_pattern(None, None, None, ox.NamedNode(gone)))
    assert list(after.quads_for_pattern(None, None, None, ox.NamedNode(mine)))
    assert gone not in json.loads((folder / "shipped.json").read_text())
