"""`--store URL`: regkg over a remote SPARQL 1.1 server (a real `oxigraph serve`), through HTTP."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from regkg import vocab
from regkg.store.remote import RemoteStore, default_update_url

from .conftest import LiveServer, free_port, running_server, stop, wait_until_healthy


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    binary = Path(sys.executable).parent / "oxigraph"
    assert binary.exists(), "the oxigraph server (PyPI package oxigraph) is installed by `pip install -e '.[test]'`"
    folder = tmp_path_factory.mktemp("oxigraph")
    port = free_port()
    log = folder / "oxigraph.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(binary), "serve", "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url + "/query?query=ASK%7B%7D", proc, log, seconds=30)
        yield url
    finally:
        stop(proc)


@pytest.fixture(scope="module")
def remote_server(oxigraph_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with running_server(
        tmp_path_factory.mktemp("remote"),
        REGKG_STORE=oxigraph_server + "/query",
        REGKG_STORE_UPDATE_URL=oxigraph_server + "/update",
        REGKG_REMOTE_WRITES="ungated",
    ) as server:
        yield server


def test_both_stores_implement_the_one_interface() -> None:
    from regkg.store import EmbeddedStore, Store

    remote = RemoteStore("http://127.0.0.1:9/query")
    try:
        assert isinstance(remote, Store)
        assert isinstance(EmbeddedStore(), Store)
    finally:
        remote.close()


def test_default_update_url() -> None:
    assert default_update_url("http://h/ds/query") == "http://h/ds/update"
    assert default_update_url("http://h/sparql/") == "http://h/update"


def test_remote_store_is_loaded_and_queried(remote_server: LiveServer, oxigraph_server: str) -> None:
    h = remote_server.health()
    assert h["store"]["kind"] == "remote"  # type: ignore[index]
    with httpx.Client(base_url=remote_server.url, timeout=30) as c:
        r = c.get("/sparql", params={"query": "ASK { ?f a rk:Fine , rk:Penalty }"})  # inferred
        assert r.status_code == 200 and r.json()["boolean"] is True
        r = c.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"}, headers={"Accept": "text/csv"})
        assert r.status_code == 200
        assert r.headers["x-regkg-truncated"] == "true"
        r = c.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s a rk:Regulator }"})
        assert r.headers["content-type"].startswith("text/turtle")
        r = c.get("/sparql", params={"query": f"SELECT * WHERE {{ SERVICE <{oxigraph_server}/query> {{ ?s ?p ?o }} }}"})
        assert r.status_code == 403
        r = c.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})
        assert r.status_code == 400 and r.json()["error"]["code"] == "syntax_error"
    # The ontology files, which share one graph, were all loaded.
    remote = RemoteStore(oxigraph_server + "/query")
    try:
        assert remote.count(vocab.ONTOLOGY_GRAPH) > 500
    finally:
        remote.close()


def test_remote_update_and_timeout(remote_server: LiveServer) -> None:
    g = f"urn:regkg:test:{uuid.uuid4().hex}"
    auth = {"Authorization": f"Bearer {remote_server.write_token}"}
    with httpx.Client(base_url=remote_server.url, timeout=30) as c:
        r = c.post("/update", data={"update": f"INSERT DATA {{ GRAPH <{g}> {{ <{g}:x> a rk:Fine }} }}"}, headers=auth)
        assert r.status_code == 200, r.text
        r = c.get("/sparql", params={"query": f"ASK {{ <{g}:x> a rk:Penalty }}"})
        assert r.json()["boolean"] is True
        r = c.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"})
        assert r.status_code == 503 and r.json()["error"]["code"] == "timeout"
        c.post("/update", data={"update": f"DROP GRAPH <{g}>"}, headers=auth)


def test_remote_writes_are_off_unless_the_deployment_says_ungated(
    remote_server: LiveServer, oxigraph_server: str, tmp_path: Path
) -> None:
    """Past the gate (no SHACL, no change log, no revert) only by choice: by default 403."""
    g = f"urn:regkg:test:{uuid.uuid4().hex}"
    env = {"REGKG_STORE": oxigraph_server + "/query", "REGKG_STORE_UPDATE_URL": oxigraph_server + "/update"}
    with running_server(tmp_path, **env) as server:
        r = httpx.post(
            server.url + "/update",
            data={"update": f"INSERT DATA {{ GRAPH <{g}> {{ <{g}:x> a rk:Fine }} }}"},
            headers={"Authorization": f"Bearer {server.write_token}"},
            timeout=30,
        )
        assert r.status_code == 403, r.text
        err = r.json()["error"]
        assert err["code"] == "writes_off" and "REGKG_REMOTE_WRITES=ungated" in err["message"]
        ask = httpx.get(server.url + "/sparql", params={"query": f"ASK {{ <{g}:x> ?p ?o }}"}, timeout=30)
        assert ask.json()["boolean"] is False


def test_serve_reports_an_unreachable_store_in_one_line(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "regkg.cli",
            "serve",
            "--port",
            str(free_port()),
            "--store",
            f"http://127.0.0.1:{port}/q",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert r.returncode == 1
    assert "cannot open the store" in r.stderr
    assert "Traceback" not in r.stderr
