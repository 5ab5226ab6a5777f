"""Every exploration, page and linked-data read runs under one budget (regkg.api.budget): a server
with a tiny REGKG_EXPLORE_TIMEOUT (1 µs: an entity of the test graph is read in under 1 ms) answers
503 in the one error shape, one with REGKG_EXPLORE_CLIENT_CONCURRENCY=1 answers 429 to a client's
second read at once; and authorities that also publish sources are walked through by path-finding,
not left out as hubs."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import LiveServer, running_server

ID = "https://w3id.org/regkg/id/"
CNIL = ID + "org/cnil"
BING = ID + "action/2022-12-19-cnil-microsoft-bing-cookies"
TAOBAO = ID + "platform/taobao"
ALIBABA = ID + "org/alibaba-group"

# (path, params) of reads of each kind: exploration API, pages, linked data
READS: list[tuple[str, dict[str, Any]]] = [
    ("/api/neighbourhood", {"iri": TAOBAO, "hops": 2}),
    ("/api/entity", {"iri": TAOBAO}),
    ("/api/path", {"from": TAOBAO, "to": CNIL}),
    ("/api/group", {"iri": TAOBAO}),
    ("/api/search", {"q": "taobao"}),
    ("/page", {"iri": BING}),
    ("/data/org/cnil.ttl", {}),
]


@pytest.fixture(scope="module")
def slow(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with running_server(tmp_path_factory.mktemp("timeout"), REGKG_EXPLORE_TIMEOUT="0.000001") as server:
        yield server


@pytest.fixture(scope="module")
def one_at_a_time(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with running_server(tmp_path_factory.mktemp("concurrency"), REGKG_EXPLORE_CLIENT_CONCURRENCY="1") as server:
        yield server


@pytest.mark.parametrize(("path", "params"), READS, ids=[r[0] for r in READS])
def test_over_the_time_limit_is_503(slow: LiveServer, path: str, params: dict[str, Any]) -> None:
    r = httpx.get(slow.url + path, params=params, timeout=60, follow_redirects=True)
    assert r.status_code == 503, r.text
    body = r.json()["error"]
    assert body["code"] == "timeout"
    assert "REGKG_EXPLORE_TIMEOUT" in body["message"]
    assert body["limit"] == 0.000001
    assert r.headers["retry-after"].isdigit()


def test_a_server_under_the_time_limit_still_answers(one_at_a_time: LiveServer) -> None:
    """The same reads under the default limit (10 s) answer 200: the 503s above are the limit's."""
    for path, params in READS:
        r = httpx.get(one_at_a_time.url + path, params=params, timeout=60, follow_redirects=True)
        assert r.status_code == 200, (path, r.text)


def test_over_the_client_concurrency_is_429(one_at_a_time: LiveServer) -> None:
    """Twenty-four of the slowest reads (the page of a corporate group: entity, roll-up, sources) at
    once from one client, with one allowed: those that arrive while one runs get 429 with Retry-After,
    and every read answers 200 or 429, nothing else."""
    statuses: list[httpx.Response] = []
    start = threading.Barrier(24)

    def read() -> None:
        with httpx.Client(base_url=one_at_a_time.url, timeout=60) as c:
            start.wait()
            statuses.append(c.get("/page", params={"iri": ALIBABA}, follow_redirects=True))

    threads = [threading.Thread(target=read) for _ in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(r.status_code for r in statuses)
    assert set(codes) <= {200, 429}, codes
    assert 200 in codes and 429 in codes, codes
    refused = next(r for r in statuses if r.status_code == 429)
    assert refused.json()["error"]["code"] == "too_many_requests"
    assert "REGKG_EXPLORE_CLIENT_CONCURRENCY" in refused.json()["error"]["message"]
    assert refused.headers["retry-after"].isdigit()
    # the slots are given back: one read at a time is served again
    assert httpx.get(one_at_a_time.url + "/api/entity", params={"iri": TAOBAO}, timeout=60).status_code == 200


def test_an_authority_that_publishes_is_no_hub(client: httpx.Client) -> None:
    """The CNIL is a regulator and a publisher of sources: paths go through it (a publisher-only
    node, a news outlet, stays a hub)."""
    r = client.get("/api/path", params={"from": BING, "to": CNIL, "max_hops": 1})
    assert r.status_code == 200, r.text
    paths = r.json()["paths"]
    assert [p["nodes"] for p in paths] == [[BING, CNIL]]
    assert any(e["predicate"].endswith("#regulator") for e in paths[0]["edges"])
    sub = client.get("/api/neighbourhood", params={"iri": BING, "hops": 2, "limit": 500}).json()
    ids = {n["id"] for n in sub["nodes"]}
    # walked through at the second hop: other CNIL decisions appear
    assert any(i.startswith(ID + "action/") and "cnil" in i and i != BING for i in ids), sorted(ids)[:20]
