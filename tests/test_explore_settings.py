"""The exploration and search limits are REGKG_* settings: a server started with tighter ones
answers within them, and refuses more with the same 422 as any out-of-range parameter."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import LiveServer, running_server

ID = "https://w3id.org/regkg/id/"
TAOBAO = ID + "platform/taobao"
ALIBABA = ID + "org/alibaba-group"
CAC = ID + "org/cyberspace-administration-of-china"
KUAISHOU = ID + "platform/kuaishou"

SETTINGS = {
    "REGKG_EXPLORE_MAX_HOPS": "2",
    "REGKG_EXPLORE_MAX_NODES": "20",
    "REGKG_EXPLORE_DEFAULT_NODES": "4",
    "REGKG_EXPLORE_MAX_PATH_HOPS": "3",
    "REGKG_EXPLORE_DEFAULT_PATH_HOPS": "1",
    "REGKG_EXPLORE_MAX_PATHS": "1",
    "REGKG_EXPLORE_INCOMING": "2",
    "REGKG_EXPLORE_GROUP_ACTIONS": "3",
    "REGKG_SEARCH_MAX_RESULTS": "5",
    "REGKG_SEARCH_MAX_QUERY_CHARS": "12",
}


@pytest.fixture(scope="module")
def tight(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder: Path = tmp_path_factory.mktemp("tight")
    with running_server(folder, **SETTINGS) as server:
        yield server


@pytest.fixture
def api(tight: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=tight.url, timeout=30) as c:
        yield c


# (path, params, the parameter refused, the cap named in the message)
REFUSED: list[tuple[str, dict[str, Any], str, str]] = [
    ("/api/neighbourhood", {"iri": TAOBAO, "hops": 3}, "hops", "2"),
    ("/api/neighbourhood", {"iri": TAOBAO, "limit": 21}, "limit", "20"),
    ("/api/path", {"from": TAOBAO, "to": CAC, "max_hops": 4}, "max_hops", "3"),
    ("/api/search", {"q": "taobao", "limit": 6}, "limit", "5"),
    ("/api/search", {"q": "x" * 13}, "q", "12"),
]


@pytest.mark.parametrize(("path", "params", "name", "cap"), REFUSED, ids=[f"{r[0]}-{r[2]}" for r in REFUSED])
def test_beyond_a_setting_is_422(api: httpx.Client, path: str, params: dict[str, Any], name: str, cap: str) -> None:
    r = api.get(path, params=params)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "invalid_request"
    assert error["message"].startswith(f"query.{name}: ") and cap in error["message"], error


# (path, params, check on the body)
WITHIN: list[tuple[str, dict[str, Any], Any]] = [
    ("/api/neighbourhood", {"iri": ALIBABA}, lambda b: len(b["nodes"]) == 4 and b["truncated"]),
    ("/api/neighbourhood", {"iri": ALIBABA, "limit": 20, "hops": 2}, lambda b: 4 < len(b["nodes"]) <= 20),
    ("/api/path", {"from": CAC, "to": KUAISHOU}, lambda b: b["max_hops"] == 1 and b["paths"] == []),
    ("/api/path", {"from": CAC, "to": KUAISHOU, "max_hops": 3}, lambda b: len(b["paths"]) == 1),
    ("/api/entity", {"iri": CAC}, lambda b: len(b["incoming"]) <= 2 and b["incoming_truncated"]),
    ("/api/group", {"iri": ALIBABA}, lambda b: len(b["actions"]) == 3 and b["actions_truncated"]),
    ("/api/search", {"q": "alibaba", "limit": 5}, lambda b: len(b["results"]) == 5),
]


@pytest.mark.parametrize(("path", "params", "check"), WITHIN, ids=[f"{w[0]}-{sorted(w[1])}" for w in WITHIN])
def test_within_the_settings(api: httpx.Client, path: str, params: dict[str, Any], check: Any) -> None:
    r = api.get(path, params=params)
    assert r.status_code == 200, r.text
    assert check(r.json()), r.json()


@pytest.fixture(scope="module")
def few_visits(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    with (
        running_server(tmp_path_factory.mktemp("visits"), REGKG_EXPLORE_PATH_VISITS="5") as server,
        httpx.Client(base_url=server.url, timeout=30) as c,
    ):
        yield c


# (from, to, paths found): a path search stops after REGKG_EXPLORE_PATH_VISITS nodes
VISITS: list[tuple[str, str, bool]] = [
    (TAOBAO, ALIBABA, True),  # neighbours: met in the first layer
    (CAC, KUAISHOU, False),  # two hops (found with the default: test_explore_api), past the CAC's many neighbours
]


@pytest.mark.parametrize(("source", "target", "found"), VISITS)
def test_path_visits_setting(few_visits: httpx.Client, source: str, target: str, found: bool) -> None:
    r = few_visits.get("/api/path", params={"from": source, "to": target})
    assert r.status_code == 200, r.text
    assert bool(r.json()["paths"]) is found, r.json()
