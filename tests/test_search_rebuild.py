"""The search index is rebuilt off the event loop, and a search during a background rebuild answers
from the previous index: a server where every rebuild after the first runs in the background
(REGKG_SEARCH_SYNC_REBUILD_SECONDS=0) finds a written name once the rebuild is done, and answers
200 with the old names meanwhile."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.conftest import LiveServer, running_server

ID = "https://w3id.org/regkg/id/"
RK = "https://w3id.org/regkg/ontology#"
TAOBAO = ID + "platform/taobao"
GRAPH = "https://w3id.org/regkg/graph/data/test/search-rebuild"
THING = ID + "org/qxvbnm-rebuildco"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with running_server(tmp_path_factory.mktemp("rebuild"), REGKG_SEARCH_SYNC_REBUILD_SECONDS="0") as s:
        yield s


def hits(client: httpx.Client, q: str) -> list[str]:
    r = client.get("/api/search", params={"q": q})
    assert r.status_code == 200, r.text  # never 503: a rebuild answers from the previous index
    return [h["id"] for h in r.json()["results"]]


def test_first_searches_at_once_share_one_index(server: LiveServer) -> None:
    """Concurrent first searches (the index being built on a worker thread) all answer, alike."""
    with httpx.Client(base_url=server.url, timeout=60) as client, ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _i: hits(client, "taobao"), range(8)))
        assert client.get("/healthz").status_code == 200
    assert all(a == answers[0] for a in answers) and answers[0][0] == TAOBAO


def test_background_rebuild_follows_a_write(server: LiveServer) -> None:
    headers = {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {server.write_token}"}
    insert = (
        f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <{THING}> a <{RK}Company> ; "
        f'<http://www.w3.org/2000/01/rdf-schema#label> "Qxvbnm Rebuildco"@en }} }}'
    )
    with httpx.Client(base_url=server.url, timeout=60) as client:
        assert hits(client, "taobao")[0] == TAOBAO  # an index exists before the write

        def poll(found: bool) -> None:
            deadline = time.monotonic() + 30
            while (THING in hits(client, "qxvbnm rebuildco")) != found:
                assert hits(client, "taobao")[0] == TAOBAO  # the previous index answers meanwhile
                assert time.monotonic() < deadline, "the background rebuild did not follow the write"
                time.sleep(0.1)

        try:
            assert client.post("/update", content=insert.encode(), headers=headers).status_code == 200
            poll(True)
        finally:
            drop = f"DROP SILENT GRAPH <{GRAPH}>"
            assert client.post("/update", content=drop.encode(), headers=headers).status_code == 200
        poll(False)
